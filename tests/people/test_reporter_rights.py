"""What readers see on a published story changes only by an editor: a reporter may add people and
organizations and change those no published (or scheduled) story mentions, but not change or
delete a person or an organization such a story mentions, nor those people's roles. Refused on
the server: the change page is read-only and a forged POST changes nothing.
"""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.utils import timezone

from articles.models import Article
from people.models import Affiliation, Organization, Person
from tests.factories import (
    AffiliationFactory,
    ArticleFactory,
    BylineFactory,
    OrganizationFactory,
    PersonFactory,
    ReporterFactory,
)
from tests.forms import form_fields

pytestmark = pytest.mark.django_db

STATES = ["published", "scheduled"]


def story(when="published", **fields):
    later = when == "scheduled"
    published_at = timezone.now() + (dt.timedelta(days=1) if later else -dt.timedelta(hours=1))
    return ArticleFactory(published_at=published_at, **fields)


def mentioning(when="published"):
    """A story that mentions a person (with a role) and an organization."""
    article = story(when, headline="Qianhai forum draws delegates")
    person = PersonFactory(name="Xu Li", slug="xu-li", description="CEO of SenseTime")
    organization = OrganizationFactory(
        name="SenseTime", slug="sensetime", description="An artificial intelligence company"
    )
    AffiliationFactory(person=person, organization=organization, title="CEO")
    article.mentioned_people.add(person)
    article.mentioned_organizations.add(organization)
    return article, person, organization


def public(client, url, article):
    """A public page a day from now (a scheduled story is out by then), always at one instant."""
    with time_machine.travel(article.published_at + dt.timedelta(days=1), tick=False):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def change_url(obj):
    return f"/admin/people/{obj._meta.model_name}/{obj.pk}/change/"


def edited(editor, obj, **changes):
    """The change form as an editor's browser would post it, with ``changes``."""
    data = form_fields(editor.get(change_url(obj)).content, f"{obj._meta.model_name}_form")
    data.update(changes)
    return data


def row(obj):
    return type(obj).objects.filter(pk=obj.pk).values().get()


@pytest.mark.parametrize("when", STATES)
def test_a_reporter_cannot_change_a_mentioned_persons_description(reporter, editor, client, when):
    article, person, _ = mentioning(when)
    story_page = public(client, article.get_absolute_url(), article)
    person_page = public(client, person.get_absolute_url(), article)
    assert "CEO of SenseTime" in story_page
    before = row(person)

    forged = edited(editor, person, description="A description no editor saw", name="Someone")
    response = reporter.post(change_url(person), forged)

    assert response.status_code == 403
    assert row(person) == before
    assert public(client, article.get_absolute_url(), article) == story_page
    assert public(client, person.get_absolute_url(), article) == person_page


@pytest.mark.parametrize("when", STATES)
def test_a_reporter_cannot_change_a_mentioned_organization(reporter, editor, client, when):
    article, _, organization = mentioning(when)
    story_page = public(client, article.get_absolute_url(), article)
    before = row(organization)
    assert "SenseTime" in story_page

    forged = edited(
        editor, organization, name="SenseTime (not)", description="A description no editor saw"
    )
    response = reporter.post(change_url(organization), forged)

    assert response.status_code == 403
    assert row(organization) == before
    assert public(client, article.get_absolute_url(), article) == story_page


def test_the_reporter_sees_them_read_only_with_the_reason(reporter):
    _, person, organization = mentioning()
    for obj, words in (
        (person, "mentions this person"),
        (organization, "mentions this organization"),
    ):
        page = reporter.get(change_url(obj))
        assert page.status_code == 200
        html = page.content.decode()
        assert 'name="description"' not in html
        assert words in html
        assert obj.description in html


def test_with_the_delete_permission_a_non_editor_still_cannot_delete_them(reporter_user, reporter):
    reporter_user.user_permissions.add(
        *Permission.objects.filter(codename__in=["delete_person", "delete_affiliation"])
    )
    _, person, _ = mentioning()
    role = person.affiliations.get()
    assert (
        reporter.post(f"/admin/people/person/{person.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    response = reporter.post(
        "/admin/people/person/",
        {"action": "delete_selected", "_selected_action": [person.pk], "post": "yes"},
    )
    assert response.status_code == 403
    delete_role = f"/admin/people/affiliation/{role.pk}/delete/"
    assert reporter.post(delete_role, {"post": "yes"}).status_code == 403
    assert Person.objects.filter(pk=person.pk).exists()
    assert Affiliation.objects.filter(pk=role.pk).exists()


# --- Roles -------------------------------------------------------------------------------------


def test_a_reporter_cannot_change_a_mentioned_persons_role(reporter, editor, client):
    article, person, _ = mentioning()
    role = person.affiliations.get()
    before, page = row(role), public(client, person.get_absolute_url(), article)
    assert "CEO" in page
    forged = edited(editor, role, title="former CEO")
    assert reporter.post(change_url(role), forged).status_code == 403
    assert row(role) == before
    assert public(client, person.get_absolute_url(), article) == page


def test_a_reporter_cannot_give_a_mentioned_person_a_new_role(reporter):
    _, person, _ = mentioning()
    elsewhere = OrganizationFactory(name="A think tank")
    response = reporter.post(
        "/admin/people/affiliation/add/",
        {"person": person.pk, "organization": elsewhere.pk, "title": "adviser", "order": 0},
    )
    assert response.status_code == 200
    assert "only an editor" in str(response.context["adminform"].form.errors["person"])
    assert not Affiliation.objects.filter(organization=elsewhere).exists()


def test_on_another_organizations_form_their_role_is_disabled(reporter, client):
    """An organization no published story mentions, with the role of a person one does: the
    reporter may edit the organization, but that row is shown disabled and a forged POST to it
    changes nothing, nor may a new row give that person a role."""
    article, person, _ = mentioning()
    board = OrganizationFactory(name="A chamber of commerce")
    role = AffiliationFactory(person=person, organization=board, title="board member")
    open_role = AffiliationFactory(organization=board, title="secretary")
    page = reporter.get(change_url(board))
    assert page.status_code == 200
    data = form_fields(page.content, "organization_form")
    prefix = "affiliations"
    forms = {int(data[f"{prefix}-{n}-id"]): n for n in range(int(data[f"{prefix}-INITIAL_FORMS"]))}
    assert set(forms) == {role.pk, open_role.pk}
    assert f"{prefix}-{forms[role.pk]}-title" not in data  # disabled: a browser posts nothing
    assert f"{prefix}-{forms[open_role.pk]}-title" in data

    data.update({
        "description": "Business people of the district",
        f"{prefix}-{forms[role.pk]}-title": "chairman",  # forged
        f"{prefix}-{forms[role.pk]}-person": str(person.pk),
        f"{prefix}-{forms[role.pk]}-organization": str(board.pk),
        f"{prefix}-{forms[role.pk]}-order": "0",
        f"{prefix}-{forms[open_role.pk]}-title": "general secretary",
    })  # fmt: skip
    response = reporter.post(change_url(board), data)
    assert response.status_code == 302
    board.refresh_from_db()
    assert board.description == "Business people of the district"
    assert Affiliation.objects.get(pk=role.pk).title == "board member"
    assert Affiliation.objects.get(pk=open_role.pk).title == "general secretary"

    # A new row for that person: refused.
    data = form_fields(reporter.get(change_url(board)).content, "organization_form")
    new = int(data[f"{prefix}-TOTAL_FORMS"]) - 1
    data.update({f"{prefix}-{new}-person": str(person.pk), f"{prefix}-{new}-title": "treasurer"})
    response = reporter.post(change_url(board), data)
    assert response.status_code == 200
    assert "only an editor" in response.content.decode()
    assert not Affiliation.objects.filter(title="treasurer").exists()


# --- What stays open to reporters, and editors ----------------------------------------------------


def test_a_reporter_changes_people_and_organizations_only_their_own_draft_mentions(
    reporter, reporter_user
):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    BylineFactory(article=draft, reporter=reporter_user.reporter)
    person = PersonFactory(description="Spokesperson")
    organization = OrganizationFactory()
    AffiliationFactory(person=person, organization=organization, title="spokesperson")
    draft.mentioned_people.add(person)
    draft.mentioned_organizations.add(organization)
    # A withdrawn story no reader sees any more.
    ArticleFactory(status=Article.Status.WITHDRAWN).mentioned_people.add(person)

    data = form_fields(reporter.get(change_url(person)).content, "person_form")
    data.update({"description": "Chief spokesperson", "affiliations-0-title": "chief spokesperson"})
    assert reporter.post(change_url(person), data).status_code == 302
    data = form_fields(reporter.get(change_url(organization)).content, "organization_form")
    data["description"] = "A new description"
    assert reporter.post(change_url(organization), data).status_code == 302
    person.refresh_from_db()
    organization.refresh_from_db()
    assert person.description == "Chief spokesperson"
    assert person.affiliations.get().title == "chief spokesperson"
    assert organization.description == "A new description"


def test_a_reporter_adds_a_person_with_a_role_at_a_mentioned_organization(reporter):
    _, _, organization = mentioning()
    data = form_fields(reporter.get("/admin/people/person/add/").content, "person_form")
    data.update({
        "name": "Wang Fang",
        "slug": "wang-fang",
        "description": "A SenseTime researcher",
        "affiliations-0-organization": str(organization.pk),
        "affiliations-0-title": "researcher",
    })  # fmt: skip
    assert reporter.post("/admin/people/person/add/", data).status_code == 302
    assert Person.objects.get(slug="wang-fang").affiliations.get().organization == organization
    data = form_fields(reporter.get("/admin/people/organization/add/").content, "organization_form")
    data.update({"name": "A new body", "slug": "a-new-body", "kind": "other"})
    assert reporter.post("/admin/people/organization/add/", data).status_code == 302
    assert Organization.objects.filter(slug="a-new-body").exists()


@pytest.mark.parametrize("when", STATES)
def test_an_editor_changes_all_of_it(editor, client, when):
    article, person, organization = mentioning(when)
    data = edited(editor, person, description="Chief executive of SenseTime")
    data["affiliations-0-title"] = "chief executive"
    assert editor.post(change_url(person), data).status_code == 302
    data = edited(editor, organization, description="An AI company in Hong Kong and Shanghai")
    assert editor.post(change_url(organization), data).status_code == 302
    role = person.affiliations.get()
    assert role.title == "chief executive"
    assert editor.post(change_url(role), edited(editor, role, title="CEO")).status_code == 302
    page = public(client, article.get_absolute_url(), article)
    assert "Chief executive of SenseTime" in page
    assert "CEO of SenseTime" not in page
    assert "An AI company" in public(client, organization.get_absolute_url(), article)


# --- Reporters' public profiles ------------------------------------------------------------------


@pytest.fixture
def trusted_reporter(reporter_user, reporter):
    """A non-editor who has been given the permission to change reporters (the Reporter group
    has not): the rule still keeps published bylines, their own included, to editors."""
    reporter_user.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_reporter", "delete_reporter"])
    )
    return reporter


@pytest.mark.parametrize("whose", ["colleague", "own"])
@pytest.mark.parametrize("when", STATES)
def test_a_non_editor_cannot_change_a_reporter_on_a_published_byline(
    trusted_reporter, reporter_user, editor, client, when, whose
):
    article = story(when)
    byline = (
        ReporterFactory(name="Li Ming", bio="Covers the Greater Bay Area.")
        if whose == "colleague"
        else reporter_user.reporter
    )
    BylineFactory(article=article, reporter=byline)
    url = f"/admin/people/reporter/{byline.pk}/change/"
    story_page = public(client, article.get_absolute_url(), article)
    profile_page = public(client, byline.get_absolute_url(), article)
    before = row(byline)

    page = trusted_reporter.get(url)
    assert page.status_code == 200
    assert 'name="bio"' not in page.content.decode()
    assert "only an editor can change or delete their profile" in page.content.decode()
    data = form_fields(editor.get(url).content, "reporter_form")
    data.update({"name": "Someone Else", "bio": "A biography no editor saw"})
    assert trusted_reporter.post(url, data).status_code == 403
    delete = f"/admin/people/reporter/{byline.pk}/delete/"
    assert trusted_reporter.post(delete, {"post": "yes"}).status_code == 403

    assert row(byline) == before
    assert public(client, article.get_absolute_url(), article) == story_page
    assert public(client, byline.get_absolute_url(), article) == profile_page


def test_a_non_editor_with_the_permission_changes_a_reporter_with_no_published_byline(
    trusted_reporter, editor
):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    newcomer = ReporterFactory(name="Li Ming")
    BylineFactory(article=draft, reporter=newcomer)
    url = f"/admin/people/reporter/{newcomer.pk}/change/"
    data = form_fields(trusted_reporter.get(url).content, "reporter_form")
    data["bio"] = "Joins the business desk."
    assert trusted_reporter.post(url, data).status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.bio == "Joins the business desk."


def test_an_editor_changes_a_reporter_on_a_published_byline(editor, client):
    article = story()
    byline = ReporterFactory(name="Li Ming", bio="Covers the Greater Bay Area.")
    BylineFactory(article=article, reporter=byline)
    url = f"/admin/people/reporter/{byline.pk}/change/"
    data = form_fields(editor.get(url).content, "reporter_form")
    data["bio"] = "Covers trade and technology."
    assert editor.post(url, data).status_code == 302
    assert "Covers trade and technology." in public(client, byline.get_absolute_url(), article)
