"""Whose names a story is filed under: a reporter may add colleagues' bylines beside their own, but
cannot save a story without their own byline on it; an editor sets any bylines. Through the
admin's real POSTs, as the Reporter and Editor groups' users."""

import pytest
from django.contrib.auth.models import Group

from articles.models import Article
from tests.conftest import signed_in
from tests.factories import ArticleFactory, BylineFactory, UserFactory
from tests.forms import article_form

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/articles/article/add/"
NOT_OWN = "your own byline (Chang Zhipeng) must be on the story"
NOT_LINKED = "Ask an editor to link your login to your byline"


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


def new_story(client, section, *reporters):
    """The add form as the page offers it, filled in, with these reporters on the byline."""
    data = article_form(client.get(ADD_URL))
    data.update(
        headline="Forum ends in Qianhai",
        slug="forum-ends-in-qianhai",
        body="<p>Text.</p>",
        section=str(section.pk),
        status="draft",
        **{"bylines-TOTAL_FORMS": str(max(1, len(reporters)))},
    )
    for number, reporter in enumerate(reporters):
        data[f"bylines-{number}-reporter"] = str(reporter.pk)
        data[f"bylines-{number}-order"] = str(number)
    return data


def byline_errors(response):
    """The byline inline's own errors (shown above its rows), as the page was rendered with."""
    assert response.status_code == 200, response.status_code
    (bylines,) = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "bylines"
    ]
    return " ".join(bylines.non_form_errors())


def reporters_of(article):
    return [byline.reporter for byline in article.bylines.order_by("order")]


@pytest.fixture
def own_draft(reporter_user, section):
    article = ArticleFactory(
        section=section, status=Article.Status.DRAFT, published_at=None, created_by=reporter_user
    )
    BylineFactory(article=article, reporter=reporter_user.reporter, order=0)
    return article


# Refused: a story filed solely under someone else's name.


def test_a_reporter_cannot_file_a_new_story_under_a_colleagues_byline_alone(
    reporter, other_reporter_user, section
):
    data = new_story(reporter, section, other_reporter_user.reporter)

    response = reporter.post(ADD_URL, data)

    assert NOT_OWN in byline_errors(response)
    page = response.content.decode()
    assert "Please correct the error" in page
    # Shown in the byline inline, above its rows.
    inline = page[page.index('id="bylines-group"') :]
    assert inline.index(NOT_OWN) < inline.index('name="bylines-0-reporter"')
    assert not Article.objects.filter(slug="forum-ends-in-qianhai").exists()


def test_a_reporter_cannot_swap_their_byline_for_a_colleagues(
    reporter, reporter_user, other_reporter_user, own_draft
):
    data = article_form(reporter.get(change_url(own_draft)))
    data["bylines-0-reporter"] = str(other_reporter_user.reporter.pk)
    data["headline"] = "Filed under a colleague"

    response = reporter.post(change_url(own_draft), data)

    assert NOT_OWN in byline_errors(response)
    own_draft.refresh_from_db()
    assert own_draft.headline != "Filed under a colleague"
    assert reporters_of(own_draft) == [reporter_user.reporter]


def test_a_reporter_cannot_take_themselves_off_a_shared_story(
    reporter, reporter_user, other_reporter_user, own_draft
):
    BylineFactory(article=own_draft, reporter=other_reporter_user.reporter, order=1)
    data = article_form(reporter.get(change_url(own_draft)))
    assert data["bylines-0-reporter"] == str(reporter_user.reporter.pk)
    data["bylines-0-DELETE"] = "on"

    response = reporter.post(change_url(own_draft), data)

    assert NOT_OWN in byline_errors(response)
    assert reporters_of(own_draft) == [reporter_user.reporter, other_reporter_user.reporter]


def test_a_reporter_cannot_leave_a_story_with_no_byline(reporter, reporter_user, own_draft):
    data = article_form(reporter.get(change_url(own_draft)))
    data["bylines-0-DELETE"] = "on"

    response = reporter.post(change_url(own_draft), data)

    assert NOT_OWN in byline_errors(response)
    assert reporters_of(own_draft) == [reporter_user.reporter]


def test_a_reporter_login_with_no_byline_is_told_to_ask_an_editor(db, section, reporter_user):
    stringer = UserFactory(username="stringer")
    stringer.groups.add(Group.objects.get(name="Reporter"))
    client = signed_in(stringer)

    for reporters in ([], [reporter_user.reporter]):
        response = client.post(ADD_URL, new_story(client, section, *reporters))
        assert NOT_LINKED in byline_errors(response)
    assert not Article.objects.filter(slug="forum-ends-in-qianhai").exists()


# Accepted: co-bylines, and a new story that gets the reporter's own byline.


def test_a_reporter_may_file_with_a_colleague_beside_them(
    reporter, reporter_user, other_reporter_user, section
):
    data = new_story(reporter, section, other_reporter_user.reporter, reporter_user.reporter)

    response = reporter.post(ADD_URL, data)

    assert response.status_code == 302
    article = Article.objects.get(slug="forum-ends-in-qianhai")
    assert reporters_of(article) == [other_reporter_user.reporter, reporter_user.reporter]
    # Still theirs to edit.
    assert reporter.get(change_url(article)).status_code == 200


def test_a_reporter_may_add_a_colleague_to_their_draft(
    reporter, reporter_user, other_reporter_user, own_draft
):
    data = article_form(reporter.get(change_url(own_draft)))
    data["bylines-1-reporter"] = str(other_reporter_user.reporter.pk)
    data["bylines-1-order"] = "1"

    assert reporter.post(change_url(own_draft), data).status_code == 302
    assert reporters_of(own_draft) == [reporter_user.reporter, other_reporter_user.reporter]


def test_a_reporters_new_story_with_no_byline_gets_theirs(reporter, reporter_user, section):
    assert reporter.post(ADD_URL, new_story(reporter, section)).status_code == 302
    article = Article.objects.get(slug="forum-ends-in-qianhai")
    assert reporters_of(article) == [reporter_user.reporter]


# Editors set any bylines.


def test_an_editor_files_under_any_byline(editor_user, reporter_user, other_reporter_user, section):
    editor = signed_in(editor_user)

    data = new_story(editor, section, other_reporter_user.reporter)
    assert editor.post(ADD_URL, data).status_code == 302
    article = Article.objects.get(slug="forum-ends-in-qianhai")
    assert reporters_of(article) == [other_reporter_user.reporter]

    data = article_form(editor.get(change_url(article)))
    data["bylines-0-reporter"] = str(reporter_user.reporter.pk)
    assert editor.post(change_url(article), data).status_code == 302
    assert reporters_of(article) == [reporter_user.reporter]

    data = article_form(editor.get(change_url(article)))
    data["bylines-0-DELETE"] = "on"
    assert editor.post(change_url(article), data).status_code == 302
    assert reporters_of(article) == []


def test_an_editor_may_take_a_reporter_off_their_story(
    editor_user, reporter_user, other_reporter_user, own_draft
):
    BylineFactory(article=own_draft, reporter=other_reporter_user.reporter, order=1)
    editor = signed_in(editor_user)
    data = article_form(editor.get(change_url(own_draft)))
    data["bylines-0-DELETE"] = "on"

    assert editor.post(change_url(own_draft), data).status_code == 302
    assert reporters_of(own_draft) == [other_reporter_user.reporter]
