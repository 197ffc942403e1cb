"""The people and photo admins answer bad ids the way the story admin does (core/admin.py):
a form error naming the field, the "invalid filter" redirect, or "does not exist" — never a 500."""

import pytest

from people.models import Person
from tests.articles.test_admin_bad_input import BAD_IDS, ID_IDS
from tests.factories import PersonFactory
from tests.forms import form_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(admin_client):
    return admin_client


@pytest.mark.parametrize("bad", BAD_IDS, ids=ID_IDS)
def test_a_bad_photo_id_on_a_persons_form_is_the_fields_error(editor, bad):
    url = "/admin/people/person/add/"
    data = form_fields(editor.get(url).content, "person_form")
    data.update(name="Demo Person", sort_name="Person Demo", slug="demo-person", photo=bad)
    response = editor.post(url, data)
    assert response.status_code == 200
    assert "photo" in response.context["adminform"].form.errors
    assert not Person.objects.filter(slug="demo-person").exists()


@pytest.mark.parametrize("bad", BAD_IDS, ids=ID_IDS)
def test_a_bad_organization_id_in_a_persons_roles_is_the_fields_error(editor, bad):
    person = PersonFactory()
    url = f"/admin/people/person/{person.pk}/change/"
    data = form_fields(editor.get(url).content, "person_form")
    data.update(
        {
            "affiliations-TOTAL_FORMS": "1",
            "affiliations-0-organization": bad,
            "affiliations-0-title": "director",
            "affiliations-0-order": "0",
        }
    )
    response = editor.post(url, data)
    assert response.status_code == 200
    assert not person.affiliations.exists()


@pytest.mark.parametrize(
    "query", ["created_at__year=99999999999999999999", "created_at__year=9999&created_at__month=12"]
)
def test_a_date_beyond_the_calendar_on_the_picture_list(editor, query):
    response = editor.get(f"/admin/photos/image/?{query}")
    assert response.status_code == 302 and "e=1" in response["Location"]


@pytest.mark.parametrize("path", ["people/person", "people/organization", "photos/image"])
def test_history_of_an_id_that_is_not_one(editor, path):
    response = editor.get(f"/admin/{path}/%00/history/")
    assert response.status_code == 302
