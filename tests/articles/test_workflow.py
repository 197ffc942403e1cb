"""Roles and the story workflow, each step allowed or refused through the admin's real POSTs."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from articles import services
from articles.models import Article, Correction, StatusChange
from tests.factories import ArticleFactory, BylineFactory, ReporterFactory
from tests.forms import article_form

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/articles/article/add/"
LIST_URL = "/admin/articles/article/"


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


def own_draft(user, **kwargs):
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None, **kwargs)
    BylineFactory(article=article, reporter=user.reporter, order=0)
    return article


def post_change(client, article, **changes):
    """Open the story's change form, change some fields, and save it as a browser would."""
    data = article_form(client.get(change_url(article)))
    data.update(changes)
    return client.post(change_url(article), data)


# Reporters


def test_reporter_writes_a_draft_and_gets_the_byline(reporter_client, reporter_user, section):
    data = article_form(reporter_client.get(ADD_URL))
    data.update(
        headline="Forum ends in Qianhai",
        slug="forum-ends-in-qianhai",
        body="<p>Text.</p>",
        section=str(section.pk),
        status="draft",
    )
    response = reporter_client.post(ADD_URL, data)
    assert response.status_code == 302
    article = Article.objects.get(slug="forum-ends-in-qianhai")
    assert article.status == Article.Status.DRAFT
    assert list(article.reporters.all()) == [reporter_user.reporter]
    assert article.created_by == reporter_user
    step = article.status_changes.get()
    assert (step.from_status, step.to_status, step.user) == ("", "draft", reporter_user)


def test_reporter_is_not_offered_publish(reporter_client, reporter_user, section):
    article = own_draft(reporter_user, section=section)
    html = reporter_client.get(change_url(article)).content.decode()
    assert 'value="review"' in html
    assert 'value="published"' not in html
    assert 'name="published_at_0"' not in html  # scheduling is an editor's decision
    assert "Publish selected stories now" not in reporter_client.get(LIST_URL).content.decode()


def test_reporter_submits_for_review(reporter_client, reporter_user, section):
    article = own_draft(reporter_user, section=section)
    response = post_change(reporter_client, article, status="review")
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW
    step = article.status_changes.get()
    assert (step.from_status, step.to_status, step.user) == ("draft", "review", reporter_user)


@pytest.mark.parametrize("forged", ["published", "withdrawn"])
def test_forged_publish_by_reporter_is_refused(reporter_client, reporter_user, section, forged):
    article = own_draft(reporter_user, section=section)
    response = post_change(
        reporter_client,
        article,
        status=forged,
        published_at_0="2026-01-01",
        published_at_1="00:00:00",
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert article.published_at is None
    assert not Article.objects.published().exists()


def test_reporter_cannot_publish_with_the_bulk_action(reporter_client, reporter_user, section):
    article = own_draft(reporter_user, section=section)
    response = reporter_client.post(
        LIST_URL, {"action": "publish_now", "_selected_action": [article.pk]}
    )
    assert response.status_code == 200  # the action is unknown to a reporter: the list again
    assert "published" not in [m.message for m in response.context["messages"]]
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_reporter_cannot_edit_someone_elses_story(reporter_client, other_reporter_user, section):
    theirs = own_draft(other_reporter_user, section=section, headline="Their story")
    assert "Their story" not in reporter_client.get(LIST_URL).content.decode()
    response = reporter_client.get(change_url(theirs))
    assert response.status_code == 302  # the admin says it does not exist
    response = reporter_client.post(change_url(theirs), {"headline": "Hijacked"})
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.headline == "Their story"


def test_reporter_cannot_edit_their_published_story(reporter_client, reporter_user, section):
    article = own_draft(reporter_user, section=section)
    article.status, article.published_at = Article.Status.PUBLISHED, timezone.now()
    article.save()
    response = reporter_client.post(change_url(article), {"headline": "Changed after publication"})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.headline != "Changed after publication"


def test_reporter_cannot_delete(reporter_client, reporter_user, section):
    article = own_draft(reporter_user, section=section)
    response = reporter_client.post(
        f"/admin/articles/article/{article.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()


def test_reporter_cannot_add_corrections(reporter_client, reporter_user, section):
    article = own_draft(reporter_user, section=section)
    data = article_form(reporter_client.get(change_url(article)))
    assert "corrections-TOTAL_FORMS" not in data
    data.update(
        {
            "corrections-TOTAL_FORMS": "1",
            "corrections-INITIAL_FORMS": "0",
            "corrections-0-kind": "correction",
            "corrections-0-text": "Forged correction",
            "corrections-0-created_at_0": "2026-01-01",
            "corrections-0-created_at_1": "00:00:00",
        }
    )
    reporter_client.post(change_url(article), data)
    assert not Correction.objects.exists()
    assert reporter_client.get("/admin/articles/correction/add/").status_code == 403


def test_reporter_list_shows_only_what_they_may_edit(
    reporter_client, reporter_user, other_reporter_user, section
):
    mine = own_draft(reporter_user, section=section, headline="My draft")
    own_draft(other_reporter_user, section=section, headline="Colleague draft")
    ArticleFactory(section=section, headline="Published by the desk")
    html = reporter_client.get(LIST_URL).content.decode()
    assert mine.headline in html
    assert "Colleague draft" not in html
    assert "Published by the desk" not in html


# Editors


def test_editor_publishes_from_review(editor_client, editor_user, reporter_user, section):
    article = own_draft(reporter_user, section=section)
    article.status = Article.Status.REVIEW
    article.save()
    with time_machine.travel(dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC), tick=False):
        response = post_change(editor_client, article, status="published")
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)
    step = article.status_changes.latest()
    assert (step.from_status, step.to_status, step.user) == ("review", "published", editor_user)
    assert editor_client.get(article.get_absolute_url()).status_code == 200


def test_editor_schedules_and_the_story_appears_at_its_second(editor_client, section):
    article = ArticleFactory(section=section, status=Article.Status.REVIEW, published_at=None)
    start = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        response = post_change(
            editor_client,
            article,
            status="published",
            published_at_0="2026-11-24",
            published_at_1="10:00:00",
        )
        assert response.status_code == 302
        listing = editor_client.get(LIST_URL).content.decode()
        assert "Scheduled for" in listing
        assert (
            editor_client.get(f"{LIST_URL}?status=scheduled")
            .content.decode()
            .count(article.headline)
        )
    article.refresh_from_db()
    assert article.status_changes.latest().label == "Scheduled"
    reader = type(editor_client)()
    with time_machine.travel(dt.datetime(2026, 11, 24, 9, 59, 59, tzinfo=dt.UTC), tick=False):
        assert reader.get(article.get_absolute_url()).status_code == 404
        assert article.headline not in reader.get("/").content.decode()
    with time_machine.travel(dt.datetime(2026, 11, 24, 10, 0, 0, tzinfo=dt.UTC), tick=False):
        assert reader.get(article.get_absolute_url()).status_code == 200
        assert article.headline in reader.get("/").content.decode()


def test_unpublish_and_republish_keep_first_publication_time(editor_client, section):
    first = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
    article = ArticleFactory(section=section, published_at=first)
    assert post_change(editor_client, article, status="withdrawn").status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.WITHDRAWN
    assert article.published_at == first
    assert type(editor_client)().get(article.get_absolute_url()).status_code == 404
    assert post_change(editor_client, article, status="published").status_code == 302
    article.refresh_from_db()
    assert article.published_at == first
    steps = list(article.status_changes.values_list("from_status", "to_status"))
    assert steps == [("published", "withdrawn"), ("withdrawn", "published")]


def test_editor_bulk_publish_and_unpublish(editor_client, editor_user, section):
    drafts = [
        ArticleFactory(section=section, status=Article.Status.REVIEW, published_at=None)
        for _ in range(2)
    ]
    ids = [a.pk for a in drafts]
    editor_client.post(LIST_URL, {"action": "publish_now", "_selected_action": ids})
    assert Article.objects.published().filter(pk__in=ids).count() == 2
    assert StatusChange.objects.filter(to_status="published", user=editor_user).count() == 2
    editor_client.post(LIST_URL, {"action": "unpublish", "_selected_action": ids})
    assert not Article.objects.published().filter(pk__in=ids).exists()
    assert set(Article.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"withdrawn"}


def test_editor_edits_any_story(editor_client, other_reporter_user, section):
    theirs = own_draft(other_reporter_user, section=section)
    response = post_change(editor_client, theirs, headline="Sharper headline")
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.headline == "Sharper headline"


def test_editor_may_delete_a_story_with_a_workflow_log(editor_client, section):
    article = ArticleFactory(section=section, status=Article.Status.REVIEW, published_at=None)
    assert post_change(editor_client, article, status="published").status_code == 302
    assert article.status_changes.exists()
    response = editor_client.post(f"/admin/articles/article/{article.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()
    assert not StatusChange.objects.filter(article_id=article.pk).exists()


def test_publish_now_brings_a_scheduled_story_forward(editor_client, editor_user, section):
    start = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    article = ArticleFactory(section=section, published_at=start + dt.timedelta(days=1))
    with time_machine.travel(start, tick=False):
        response = editor_client.post(
            LIST_URL, {"action": "publish_now", "_selected_action": [article.pk]}, follow=True
        )
        assert "1 story published." in response.content.decode()
        article.refresh_from_db()
        assert article.published_at == start
        assert Article.objects.published().filter(pk=article.pk).exists()
    step = article.status_changes.latest()
    assert (step.from_status, step.to_status, step.published_at) == (
        "published",
        "published",
        start,
    )


def test_rescheduling_is_logged(editor_client, section):
    article = ArticleFactory(section=section, published_at=timezone.now() + dt.timedelta(days=1))
    response = post_change(
        editor_client, article, published_at_0="2030-01-01", published_at_1="06:00:00"
    )
    assert response.status_code == 302
    step = article.status_changes.latest()
    assert step.published_at == dt.datetime(2030, 1, 1, 6, 0, tzinfo=dt.UTC)
    assert step.label == "Scheduled"


def test_reporters_cannot_list_deleted_stories(reporter_client):
    assert reporter_client.get("/admin/articles/article/recover/").status_code == 403


def test_workflow_steps_are_shown_on_the_form(
    editor_client, reporter_client, reporter_user, section
):
    article = own_draft(reporter_user, section=section)
    post_change(reporter_client, article, status="review")
    html = editor_client.get(change_url(article)).content.decode()
    assert "In review by zhipeng" in html


def test_reporter_without_byline_account_is_refused_until_linked(db, client, section):
    """A reporter login not linked to a byline cannot file a story (under no name of its own, it
    could only file under someone else's); once an editor links it, the story is saved and theirs."""
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    user = UserFactory(username="stringer")
    user.groups.add(Group.objects.get(name="Reporter"))
    client.force_login(user)
    data = article_form(client.get(ADD_URL))
    data.update(
        headline="Stringer copy", slug="stringer-copy", body="<p>x</p>", section=str(section.pk)
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "Ask an editor to link your login to your byline" in response.content.decode()
    assert not Article.objects.filter(slug="stringer-copy").exists()

    byline = ReporterFactory(name="A Stringer", slug="a-stringer", user=user)
    assert client.post(ADD_URL, data).status_code == 302
    article = Article.objects.get(slug="stringer-copy")
    assert list(article.reporters.all()) == [byline]
    assert client.get(change_url(article)).status_code == 200


# Every role × every step, through the change form's real POST. The table is written out here on
# purpose rather than read from articles.services, so a change to the rules has to change it too.
ALLOWED = {
    "reporter": {("draft", "review"), ("review", "draft")},
    "editor": {
        ("draft", "review"),
        ("review", "draft"),
        ("draft", "published"),
        ("review", "published"),
        ("published", "withdrawn"),
        ("withdrawn", "published"),
        ("withdrawn", "draft"),
    },
}
STATUSES = ["draft", "review", "published", "withdrawn"]
STEPS = [(a, b) for a in STATUSES for b in STATUSES if a != b]


@pytest.mark.parametrize("role", ["reporter", "editor"])
@pytest.mark.parametrize(("from_status", "to_status"), STEPS)
def test_every_role_and_step(
    request, role, from_status, to_status, reporter_user, editor_user, section
):
    user = reporter_user if role == "reporter" else editor_user
    client = request.getfixturevalue("client")
    client.force_login(user)
    article = own_draft(reporter_user, section=section)
    Article.objects.filter(pk=article.pk).update(
        status=from_status,
        published_at=timezone.now() - dt.timedelta(days=1)
        if from_status in ("published", "withdrawn")
        else None,
    )
    article.refresh_from_db()
    allowed = (from_status, to_status) in ALLOWED[role]

    page = client.get(change_url(article))
    if page.status_code == 302:  # a reporter cannot even open a published or withdrawn story
        assert role == "reporter" and from_status in ("published", "withdrawn")
        response = client.post(change_url(article), {"status": to_status})
    else:
        data = article_form(page)
        data["status"] = to_status
        response = client.post(change_url(article), data)

    article.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert article.status == to_status
        step = article.status_changes.latest()
        assert (step.from_status, step.to_status, step.user) == (from_status, to_status, user)
    else:
        assert article.status == from_status
        assert not article.status_changes.exists()


def test_editor_list_filters_by_reporter_tag_and_section(editor_client, reporter_user, section):
    mine = own_draft(reporter_user, section=section, headline="Reporter's draft")
    mine.tags.add("Qianhai")
    other = ArticleFactory(headline="Someone else's story")
    # The admin shows (and applies) a filter only when it has two or more choices.
    BylineFactory(article=other, reporter=ReporterFactory())
    other.tags.add("Macao")
    tag_id = mine.tags.get().pk
    for query in (
        f"bylines__reporter__id__exact={reporter_user.reporter.pk}",
        f"tags__id__exact={tag_id}",
        f"section__id__exact={section.pk}",
        "status=draft",
        "q=Reporter",
    ):
        html = editor_client.get(f"{LIST_URL}?{query}").content.decode()
        assert mine.headline.replace("'", "&#x27;") in html, query
        assert other.headline.replace("'", "&#x27;") not in html, query


def test_the_save_service_refuses_a_step_the_user_may_not_take(reporter_user, section):
    """The form refuses a reporter's publish; the service it calls refuses it too, whoever calls
    it, and saves nothing."""
    article = own_draft(reporter_user, section=section, headline="Draft headline")
    article.headline = "Published headline"
    article.status = Article.Status.PUBLISHED
    with pytest.raises(PermissionDenied):
        services.article_save(article=article, user=reporter_user)
    article.refresh_from_db()
    assert (article.status, article.headline) == (Article.Status.DRAFT, "Draft headline")
    assert not StatusChange.objects.filter(article=article).exists()
