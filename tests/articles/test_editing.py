"""No lost edits: the two-editor conflict, who else has a story open, revisions and restores,
and corrections that move the “Updated” time."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from reversion.models import Version

from articles import services
from articles.models import Article
from tests.factories import ArticleFactory, PersonFactory
from tests.forms import article_form

pytestmark = pytest.mark.django_db


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_second_save_is_refused_and_keeps_the_typed_text(editor_user, second_editor_user, section):
    article = ArticleFactory(section=section, headline="Original headline")
    first, second = logged_in(editor_user), logged_in(second_editor_user)
    first_form = article_form(first.get(change_url(article)))
    second_form = article_form(second.get(change_url(article)))

    first_form["headline"] = "First editor's headline"
    with time_machine.travel(dt.datetime(2026, 11, 24, 14, 5, tzinfo=dt.UTC), tick=False):
        assert first.post(change_url(article), first_form).status_code == 302

    second_form["headline"] = "Second editor's headline"
    second_form["standfirst"] = "Second editor's careful standfirst."
    response = second.post(change_url(article), second_form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Night Editor saved this story at" in page  # names who saved in between
    assert "24 November 2026, 14:05 UTC" in page  # and when, as the site writes it
    kept = article_form(response)
    assert kept["headline"] == "Second editor's headline"
    assert kept["standfirst"] == "Second editor's careful standfirst."
    article.refresh_from_db()
    assert article.headline == "First editor's headline"

    # Saving again, having been told, is deliberate: it goes through, and the first editor's
    # version stays in the history.
    assert second.post(change_url(article), kept).status_code == 302
    article.refresh_from_db()
    assert article.headline == "Second editor's headline"
    headlines = [v.field_dict["headline"] for v in Version.objects.get_for_object(article)]
    assert "First editor's headline" in headlines


def test_a_save_raises_the_version(editor_client, section):
    article = ArticleFactory(section=section)
    before = article.version
    form = article_form(editor_client.get(change_url(article)))
    assert editor_client.post(change_url(article), form).status_code == 302
    article.refresh_from_db()
    assert article.version == before + 1
    # The same stale form again is refused.
    assert editor_client.post(change_url(article), form).status_code == 200
    article.refresh_from_db()
    assert article.version == before + 1


def test_form_shows_who_else_has_the_story_open(editor_user, second_editor_user, section):
    article = ArticleFactory(section=section)
    logged_in(editor_user).get(change_url(article))
    page = logged_in(second_editor_user).get(change_url(article)).content.decode()
    assert "Night Editor opened this story" in page
    alone = ArticleFactory(section=section)
    assert (
        "opened this story"
        not in logged_in(second_editor_user).get(change_url(alone)).content.decode()
    )


def test_presence_forgets_after_a_few_minutes(editor_user, second_editor_user, section):
    article = ArticleFactory(section=section)
    with time_machine.travel(dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC), tick=False):
        logged_in(editor_user).get(change_url(article))
    with time_machine.travel(dt.datetime(2026, 11, 24, 9, 6, tzinfo=dt.UTC), tick=False):
        page = logged_in(second_editor_user).get(change_url(article)).content.decode()
    assert "opened this story" not in page


def save_headline(client, article, headline, body=None):
    form = article_form(client.get(change_url(article)))
    form["headline"] = headline
    if body is not None:
        form["body"] = body
    response = client.post(change_url(article), form)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_history_shows_a_readable_diff(editor_client, section):
    article = ArticleFactory(section=section)
    save_headline(editor_client, article, "Forum opens", "<p>About 1,000 came.</p>")
    save_headline(editor_client, article, "Forum opens in Qianhai", "<p>About 1,200 came.</p>")
    page = editor_client.get(f"/admin/articles/article/{article.pk}/history/").content.decode()
    assert "<ins> in Qianhai</ins>" in page
    assert "<del>1,000</del>" in page and "<ins>1,200</ins>" in page
    assert "Night Editor" in page  # who
    # Only the figure is marked removed (plus the legend above the table), not unchanged words.
    assert page.count("<del>") == 2


def test_restore_is_itself_a_revision_and_loses_nothing(editor_client, section):
    article = ArticleFactory(section=section, headline="First")
    save_headline(editor_client, article, "Second")
    save_headline(editor_client, article, "Third")
    versions = list(Version.objects.get_for_object(article))  # newest first
    assert [v.field_dict["headline"] for v in versions] == ["Third", "Second"]
    url = f"/admin/articles/article/{article.pk}/history/{versions[1].pk}/"
    page = editor_client.get(url).content.decode()
    assert "<del>Third</del><ins>Second</ins>" in page  # what restoring would change
    assert editor_client.post(url).status_code == 302
    article.refresh_from_db()
    assert article.headline == "Second"
    after = [v.field_dict["headline"] for v in Version.objects.get_for_object(article)]
    assert after == ["Second", "Third", "Second"]
    # A form opened before the restore is stale now.
    assert article.version > versions[0].field_dict["version"]


def test_restore_brings_back_text_only(editor_client, section):
    """Restoring an old draft's text never unpublishes the story or takes back a correction."""
    article = ArticleFactory(
        section=section, status=Article.Status.DRAFT, published_at=None, headline="Draft text"
    )
    save_headline(editor_client, article, "Draft text")
    old_version = Version.objects.get_for_object(article).first()
    form = article_form(editor_client.get(change_url(article)))
    form.update(
        {
            "headline": "Published text",
            "status": "published",
            "corrections-TOTAL_FORMS": "1",
            "corrections-0-kind": "correction",
            "corrections-0-text": "A correction readers have seen.",
            "corrections-0-created_at_0": "2026-11-21",
            "corrections-0-created_at_1": "10:15:00",
        }
    )
    assert editor_client.post(change_url(article), form).status_code == 302
    article.refresh_from_db()
    published_at, updated_at = article.published_at, article.updated_at
    url = f"/admin/articles/article/{article.pk}/history/{old_version.pk}/"
    assert editor_client.post(url).status_code == 302
    article.refresh_from_db()
    assert article.headline == "Draft text"
    assert (article.status, article.published_at, article.updated_at) == (
        "published",
        published_at,
        updated_at,
    )
    assert article.corrections.get().text == "A correction readers have seen."
    assert Client().get(article.get_absolute_url()).status_code == 200


def test_saving_without_touching_the_body_does_not_record_a_body_change(editor_client, section):
    """The editor sends the body without the newlines between blocks; that is no change."""
    article = ArticleFactory(section=section, body="<p>One.</p>\n<p>Two.</p>")
    form = article_form(editor_client.get(change_url(article)))
    form["body"] = "<p>One.</p><p>Two.</p>"
    form["headline"] = "New headline"
    assert editor_client.post(change_url(article), form).status_code == 302
    comment = Version.objects.get_for_object(article).first().revision.get_comment()
    assert "Headline" in comment and "Body" not in comment


def test_reporters_cannot_restore(reporter_client, reporter_user, section):
    from tests.factories import BylineFactory

    article = ArticleFactory(section=section, status=Article.Status.DRAFT, published_at=None)
    BylineFactory(article=article, reporter=reporter_user.reporter)
    save_headline(reporter_client, article, "Edited by the reporter")
    version = Version.objects.get_for_object(article).first()
    url = f"/admin/articles/article/{article.pk}/history/{version.pk}/"
    assert reporter_client.get(url).status_code == 403


def test_correction_moves_updated_time_but_not_publication(editor_client, section):
    published = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
    article = ArticleFactory(section=section, published_at=published)
    form = article_form(editor_client.get(change_url(article)))
    form.update(
        {
            "corrections-TOTAL_FORMS": "1",
            "corrections-0-kind": "correction",
            "corrections-0-text": "An earlier version gave the wrong venue.",
            "corrections-0-created_at_0": "2026-11-21",
            "corrections-0-created_at_1": "10:15:00",
        }
    )
    assert editor_client.post(change_url(article), form).status_code == 302
    article.refresh_from_db()
    assert article.published_at == published
    assert article.updated_at == dt.datetime(2026, 11, 21, 10, 15, tzinfo=dt.UTC)
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "An earlier version gave the wrong venue." in page
    assert 'datetime="2026-11-21T10:15:00+00:00"' in page


def test_silent_typo_fix_leaves_updated_time_alone(editor_client, section):
    article = ArticleFactory(section=section)
    save_headline(editor_client, article, article.headline, body="<p>Fixed a typo.</p>")
    article.refresh_from_db()
    assert article.updated_at is None
    assert "Updated" not in Client().get(article.get_absolute_url()).content.decode()


def test_corrections_are_listed_in_order(editor_client, section):
    article = ArticleFactory(section=section)
    for n, (kind, day) in enumerate([("update", "2026-11-22"), ("clarification", "2026-11-21")]):
        form = article_form(editor_client.get(change_url(article)))
        form.update(
            {
                "corrections-TOTAL_FORMS": str(n + 1),
                f"corrections-{n}-kind": kind,
                f"corrections-{n}-text": f"{kind} text",
                f"corrections-{n}-created_at_0": day,
                f"corrections-{n}-created_at_1": "09:00:00",
            }
        )
        assert editor_client.post(change_url(article), form).status_code == 302
    page = Client().get(article.get_absolute_url()).content.decode()
    assert page.index("clarification text") < page.index("update text")


def test_a_save_outside_the_admin_is_the_same_save(editor_user, section):
    """``services.article_save`` is the whole save the admin makes: a revision with its user and
    comment, the workflow step, the version moved on and the names in the text linked."""
    xu_li = PersonFactory(name="Xu Li")
    article = ArticleFactory(section=section, status=Article.Status.DRAFT, published_at=None)
    before = article.version
    article.body = "<p>Xu Li opened the forum.</p>"
    article.status = Article.Status.PUBLISHED

    services.article_save(article=article, user=editor_user, comment="Published by the desk.")

    version = Version.objects.get_for_object(article).get()
    assert version.revision.get_comment() == "Published by the desk."
    assert version.revision.user == editor_user
    assert article.status_changes.get().to_status == Article.Status.PUBLISHED
    article.refresh_from_db()
    assert article.version == before + 1
    assert article.published_at is not None
    assert list(article.mentioned_people.all()) == [xu_li]
