import pytest

from tests.factories import SectionFactory


@pytest.fixture
def section(db):
    return SectionFactory(name="Greater Bay Area", slug="greater-bay-area")


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
