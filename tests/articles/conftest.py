import pytest
from django.contrib.auth.models import Group

from tests.factories import ReporterFactory, SectionFactory, UserFactory


def _member(group_name, username, **extra):
    user = UserFactory(username=username, **extra)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def section(db):
    return SectionFactory(name="Greater Bay Area", slug="greater-bay-area")


@pytest.fixture
def reporter_user(db):
    """A reporter's login, linked to their byline."""
    user = _member("Reporter", "zhipeng", first_name="Chang", last_name="Zhipeng")
    ReporterFactory(name="Chang Zhipeng", slug="chang-zhipeng", user=user)
    return user


@pytest.fixture
def other_reporter_user(db):
    user = _member("Reporter", "colleague")
    ReporterFactory(name="A Colleague", slug="a-colleague", user=user)
    return user


@pytest.fixture
def editor_user(db):
    return _member("Editor", "desk", first_name="Night", last_name="Editor")


@pytest.fixture
def second_editor_user(db):
    return _member("Editor", "slot", first_name="Slot", last_name="Editor")


def client_for(client_class, user):
    client = client_class()
    client.force_login(user)
    return client


@pytest.fixture
def reporter_client(client, reporter_user):
    client.force_login(reporter_user)
    return client


@pytest.fixture
def editor_client(client, editor_user):
    client.force_login(editor_user)
    return client
