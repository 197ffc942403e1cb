import pytest
from django.core.management import call_command

from articles.models import Article

SEED_SLUG = "qianhai-forum-draws-1200-representatives"


@pytest.fixture
def seed(db):
    """The seed story loaded from its fixture, as a fresh site has it."""
    call_command("loaddata", "qianhai-forum", verbosity=0)
    return Article.objects.get(slug=SEED_SLUG)


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser(
        username="chief", email="chief@example.org", password="correct horse battery staple"
    )


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client
