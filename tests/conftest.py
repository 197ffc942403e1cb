import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from articles.models import Article
from core import keys
from tests.factories import ReporterFactory, UserFactory

SEED_SLUG = "qianhai-forum-draws-1200-representatives"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Uploaded pictures and their renditions go to a folder of this test's own."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


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


HIDDEN_KINDS = ["draft", "review", "withdrawn", "scheduled"]


def make_hidden_story(seed, kind):
    """A story readers must not see, linked to everything the seed story is linked to.

    Drafts, stories in review and withdrawn stories get a publication time in the past, so only
    their status keeps them out; the scheduled story is published but due tomorrow.
    """
    from django.utils import timezone

    from people.models import Organization, Person, Reporter
    from tests.factories import ArticleFactory, BylineFactory

    past = timezone.now() - dt.timedelta(days=1)
    status, published_at = {
        "draft": (Article.Status.DRAFT, past),
        "review": (Article.Status.REVIEW, past),
        "withdrawn": (Article.Status.WITHDRAWN, past),
        "scheduled": (Article.Status.PUBLISHED, timezone.now() + dt.timedelta(days=1)),
    }[kind]
    story = ArticleFactory(
        headline=f"Hidden {kind} story about Qianhai",
        slug=f"hidden-{kind}-story",
        section=seed.section,
        status=status,
        published_at=published_at,
    )
    BylineFactory(article=story, reporter=Reporter.objects.get(slug="chang-zhipeng"), order=0)
    story.tags.add("Hong Kong")
    story.mentioned_people.add(
        Person.objects.get(slug="choi-koon-shum"), Person.objects.get(slug="xu-li")
    )
    story.mentioned_organizations.add(
        *Organization.objects.filter(
            slug__in=["university-of-international-business-and-economics", "sensetime"]
        )
    )
    return story


@pytest.fixture(params=HIDDEN_KINDS)
def hidden_story(request, seed):
    """One story per kind readers must not see: draft, in review, withdrawn, scheduled."""
    return make_hidden_story(seed, request.param)


# Logins in the roles the migration creates: a reporter linked to their byline, a colleague, two
# editors; ``reporter`` and ``editor`` are browsers of their own signed in as them.


def member(group_name, username, **extra):
    user = UserFactory(username=username, **extra)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def reporter_user(db):
    """A reporter's login, linked to their byline."""
    user = member("Reporter", "zhipeng", first_name="Chang", last_name="Zhipeng")
    ReporterFactory(name="Chang Zhipeng", slug="chang-zhipeng", user=user)
    return user


@pytest.fixture
def other_reporter_user(db):
    user = member("Reporter", "colleague")
    ReporterFactory(name="A Colleague", slug="a-colleague", user=user)
    return user


@pytest.fixture
def editor_user(db):
    return member("Editor", "desk", first_name="Night", last_name="Editor")


@pytest.fixture
def second_editor_user(db):
    return member("Editor", "slot", first_name="Slot", last_name="Editor")


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reporter(reporter_user):
    return signed_in(reporter_user)


@pytest.fixture
def editor(editor_user):
    return signed_in(editor_user)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run ``change`` as if its transaction committed, so that what waits for the commit (the
    purge of the pages showing what changed, queued work) happens as in production."""

    def run(change):
        # The test's own transaction never commits: keys its set-up waited with are not this
        # change's.
        keys.discard_waiting()
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    return run


@pytest.fixture
def page_cache_on(settings):
    """The page cache on, for tests of what it keeps and what a change purges."""
    # A day, so that pages outlive the hour some tests travel forward.
    settings.PAGE_CACHE_SECONDS = 86400
    cache.clear()
    yield
    cache.clear()
