"""Embargoes: a story held until a time. Readers, feeds, sitemaps, search and the API see it not one
second early; nobody publishes it, schedules it earlier or shares a preview link before then,
whatever their role; the desk, the story list and wire import say so.

Times are frozen to the second (time_machine); the newsroom's time zone is Shanghai's, so the
embargo reads as the newsroom reads it: 09:00 CST is 01:00 UTC.
"""

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client

from articles import services
from articles.management.commands.import_article import Command as ImportCommand
from articles.models import Article
from articles.preview import signed_preview_path
from tests.factories import ArticleFactory, BylineFactory, SectionFactory
from tests.forms import article_form

pytestmark = pytest.mark.django_db

T = dt.datetime(2026, 12, 5, 1, 0, tzinfo=dt.UTC)  # 5 December 2026, 09:00 in Shanghai
JUST_BEFORE = T - dt.timedelta(seconds=1)
EMBARGO_TEXT = "5 December 2026, 09:00 CST"
REFUSAL = f"Embargoed until {EMBARGO_TEXT}: publish it then, or schedule it for that time or later."
LIST_URL = "/admin/articles/article/"
HEADLINE = "Harbour authority posts record container figures"


@pytest.fixture(autouse=True)
def shanghai(settings):
    settings.TIME_ZONE = "Asia/Shanghai"


def at(moment):
    return time_machine.travel(moment, tick=False)


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


def post_change(client, article, **changes):
    """Open the story's form, change some fields, and save it as a browser would."""
    data = article_form(client.get(change_url(article)))
    data.update(changes)
    return client.post(change_url(article), data)


def page_text(response):
    return unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


def errors_of(response):
    """The form's error messages, in one string (the page when it is shown again)."""
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    return " ".join(" ".join(str(m) for ms in form.errors.values() for m in ms).split())


@pytest.fixture
def section(db):
    return SectionFactory(name="Greater Bay Area", slug="greater-bay-area")


def embargoed(**fields):
    """A story with an embargo lifting at T (a draft unless told otherwise)."""
    defaults = {
        "headline": HEADLINE,
        "slug": "harbour-figures",
        "status": Article.Status.DRAFT,
        "published_at": None,
        "embargo_until": T,
    }
    return ArticleFactory(**{**defaults, **fields})


# --- Readers: not one second early --------------------------------------------------------------


def stories_in_xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def what_readers_see(story) -> dict[str, bool]:
    """Whether each public address shows ``story``, for a reader with no account."""
    reader = Client()
    slug, headline = story.slug, story.headline
    api_list = reader.get("/api/stories/").json()
    return {
        "page": reader.get(story.get_absolute_url()).status_code == 200,
        "home": headline in reader.get("/").content.decode(),
        "section front": headline in reader.get(story.section.get_absolute_url()).content.decode(),
        "rss": headline in stories_in_xml(reader, "/feeds/rss/"),
        "atom": headline in stories_in_xml(reader, "/feeds/atom/"),
        "section rss": headline
        in stories_in_xml(reader, f"/feeds/sections/{story.section.slug}/rss/"),
        "sitemap": f"/stories/{slug}/" in stories_in_xml(reader, "/sitemap-stories.xml"),
        "news sitemap": f"/stories/{slug}/" in stories_in_xml(reader, "/news-sitemap.xml"),
        "search": headline
        in [
            found.headline
            for found in reader.get("/search/", {"q": "container"}).context["articles"]
        ],
        "api list": slug in [item["slug"] for item in api_list["results"]],
        "api detail": reader.get(f"/api/stories/{slug}/").status_code == 200,
    }


def test_a_published_story_held_by_its_embargo_appears_at_its_second_everywhere(section):
    """Written around the workflow (a fixture, the shell), the embargo alone holds it back: the
    one published() rule."""
    story = embargoed(
        section=section, status=Article.Status.PUBLISHED, published_at=T - dt.timedelta(hours=1)
    )
    with at(JUST_BEFORE):
        seen = what_readers_see(story)
    assert not any(seen.values()), seen
    with at(T):
        seen = what_readers_see(story)
    assert all(seen.values()), seen


def test_a_story_scheduled_for_its_embargo_through_the_form_appears_at_that_second(editor, section):
    story = embargoed(section=section, status=Article.Status.REVIEW)
    with at(T - dt.timedelta(hours=2)):
        response = post_change(
            editor,
            story,
            status="published",
            published_at_0="2026-12-05",
            published_at_1="09:00:00",
        )
    assert response.status_code == 302
    story.refresh_from_db()
    assert (story.status, story.published_at, story.embargo_until) == ("published", T, T)
    with at(JUST_BEFORE):
        seen = what_readers_see(story)
    assert not any(seen.values()), seen
    with at(T):
        seen = what_readers_see(story)
    assert all(seen.values()), seen


def test_cached_pages_show_the_story_at_its_embargo(client, editor, section, page_cache_on):
    """The page cache purges at a story's publication time, and an embargoed story is never
    published before its embargo: the story page and the home page cached before T (a 404 and a
    home page without it) are not kept past T."""
    ArticleFactory(section=section, published_at=T - dt.timedelta(days=1))
    story = embargoed(section=section, status=Article.Status.REVIEW)
    with at(T - dt.timedelta(hours=2)):
        response = post_change(
            editor,
            story,
            status="published",
            published_at_0="2026-12-05",
            published_at_1="09:00:00",
        )
        assert response.status_code == 302
    with at(JUST_BEFORE):
        assert client.get(story.get_absolute_url()).status_code == 404
        assert HEADLINE not in client.get("/").content.decode()
        assert client.get("/")["X-Cache"] == "hit"  # the home page is kept
    with at(T):
        page = client.get(story.get_absolute_url())
        home = client.get("/")
    assert page.status_code == 200
    assert HEADLINE in home.content.decode()
    assert home["X-Cache"] == "miss"


# --- The workflow: nobody publishes early -------------------------------------------------------


def test_a_reporter_sets_an_embargo_on_their_own_story_and_cannot_get_round_it(
    reporter, reporter_user, section
):
    story = ArticleFactory(section=section, status=Article.Status.DRAFT, published_at=None)
    BylineFactory(article=story, reporter=reporter_user.reporter, order=0)
    with at(T - dt.timedelta(days=1)):
        page = reporter.get(change_url(story)).content.decode()
        assert 'name="embargo_until_0"' in page
        assert 'aria-label="Embargo date"' in page and 'aria-label="Embargo time"' in page
        response = post_change(
            reporter, story, embargo_until_0="2026-12-05", embargo_until_1="09:00", status="review"
        )
        assert response.status_code == 302
        story.refresh_from_db()
        assert (story.status, story.embargo_until) == ("review", T)
        # A forged publish is refused, and the story stays held.
        response = post_change(reporter, story, status="published")
        assert response.status_code == 200
    story.refresh_from_db()
    assert story.status == Article.Status.REVIEW


@pytest.mark.parametrize("who", ["editor", "superuser"])
def test_nobody_publishes_an_embargoed_story_now(who, editor, admin_client, section):
    client = {"editor": editor, "superuser": admin_client}[who]
    story = embargoed(section=section, status=Article.Status.REVIEW)
    with at(JUST_BEFORE):
        response = post_change(client, story, status="published")
        assert REFUSAL in errors_of(response)
        assert REFUSAL in page_text(response)  # beside the status, named
    story.refresh_from_db()
    assert (story.status, story.published_at) == ("review", None)
    assert not story.status_changes.exists()


@pytest.mark.parametrize("who", ["editor", "superuser"])
def test_nobody_schedules_an_embargoed_story_a_second_early(who, editor, admin_client, section):
    client = {"editor": editor, "superuser": admin_client}[who]
    story = embargoed(section=section, status=Article.Status.REVIEW)
    with at(T - dt.timedelta(days=1)):
        response = post_change(
            client,
            story,
            status="published",
            published_at_0="2026-12-05",
            published_at_1="08:59:59",
        )
        assert REFUSAL in errors_of(response)
        story.refresh_from_db()
        assert story.status == Article.Status.REVIEW
        response = post_change(
            client,
            story,
            status="published",
            published_at_0="2026-12-05",
            published_at_1="09:00:00",
        )
        assert response.status_code == 302
    story.refresh_from_db()
    assert (story.status, story.published_at) == ("published", T)
    assert story.status_changes.latest().label == "Scheduled"


def test_publishing_is_allowed_from_the_second_the_embargo_lifts(editor, section):
    story = embargoed(section=section, status=Article.Status.REVIEW)
    with at(T):
        response = post_change(editor, story, status="published")
    assert response.status_code == 302
    story.refresh_from_db()
    assert (story.status, story.published_at) == ("published", T)


def test_the_bulk_publish_action_refuses_an_embargoed_story_and_publishes_the_rest(editor, section):
    held = embargoed(section=section, status=Article.Status.REVIEW)
    free = ArticleFactory(section=section, status=Article.Status.REVIEW, published_at=None)
    with at(JUST_BEFORE):
        response = editor.post(
            LIST_URL,
            {"action": "publish_now", "_selected_action": [held.pk, free.pk]},
            follow=True,
        )
    text = page_text(response)
    assert f"“{HEADLINE}”: {REFUSAL}" in " ".join(text.split())
    assert "1 story published." in text
    held.refresh_from_db()
    free.refresh_from_db()
    assert (held.status, free.status) == ("review", "published")


def test_publish_now_does_not_bring_a_story_scheduled_for_its_embargo_forward(editor, section):
    story = embargoed(section=section, status=Article.Status.PUBLISHED, published_at=T)
    with at(T - dt.timedelta(hours=1)):
        response = editor.post(
            LIST_URL, {"action": "publish_now", "_selected_action": [story.pk]}, follow=True
        )
    assert REFUSAL in " ".join(page_text(response).split())
    story.refresh_from_db()
    assert story.published_at == T


def test_moving_the_embargo_later_than_the_schedule_is_refused(editor, section):
    story = embargoed(section=section, status=Article.Status.PUBLISHED, published_at=T)
    with at(T - dt.timedelta(days=1)):
        response = post_change(editor, story, embargo_until_0="2026-12-05", embargo_until_1="10:00")
        assert (
            "Embargoed until 5 December 2026, 10:00 CST: publish it then, or schedule it for "
            "that time or later." in errors_of(response)
        )
        # Moved together, the schedule and the embargo go later; brought earlier, it is allowed.
        response = post_change(
            editor,
            story,
            embargo_until_0="2026-12-05",
            embargo_until_1="10:00",
            published_at_0="2026-12-05",
            published_at_1="10:00:00",
        )
        assert response.status_code == 302
        response = post_change(editor, story, embargo_until_0="2026-12-05", embargo_until_1="08:00")
        assert response.status_code == 302
    story.refresh_from_db()
    assert story.embargo_until == T - dt.timedelta(hours=1)
    assert story.published_at == T + dt.timedelta(hours=1)


def test_an_embargo_is_moved_or_removed_while_the_story_is_not_out(editor, reporter, section):
    story = embargoed(section=section, status=Article.Status.REVIEW)
    with at(T - dt.timedelta(days=1)):
        assert post_change(editor, story, embargo_until_1="07:30").status_code == 302
        story.refresh_from_db()
        assert story.embargo_until == T - dt.timedelta(minutes=90)
        response = post_change(editor, story, embargo_until_0="", embargo_until_1="")
        assert response.status_code == 302
    story.refresh_from_db()
    assert story.embargo_until is None


def test_the_embargo_of_a_story_readers_see_cannot_change(editor, editor_user, section):
    story = embargoed(
        section=section, status=Article.Status.PUBLISHED, published_at=T, embargo_until=T
    )
    later = T + dt.timedelta(hours=1)
    with at(later):
        page = editor.get(change_url(story)).content.decode()
        # Shown, but not a box to change: the story is out.
        assert re.search(r'name="embargo_until_0"[^>]*disabled', page)
        assert "its embargo can no longer be set, moved or removed" in unescape(page)
        # A forged value is not taken.
        response = post_change(
            editor, story, embargo_until_0="2026-12-06", embargo_until_1="09:00", headline="New"
        )
        assert response.status_code == 302
        story.refresh_from_db()
        assert (story.headline, story.embargo_until) == ("New", T)
        # The service refuses it too, whoever calls it.
        story.embargo_until = later + dt.timedelta(days=1)
        with pytest.raises(services.EmbargoRefusal, match="no longer be set, moved or removed"):
            services.article_save(article=story, user=editor_user)
    assert Article.objects.get(pk=story.pk).embargo_until == T


def test_the_services_refuse_for_every_caller(editor_user, section):
    """The one check sits in the services, so a path that skips the form is refused too."""
    story = embargoed(section=section, status=Article.Status.REVIEW)
    with at(JUST_BEFORE):
        with pytest.raises(services.EmbargoRefusal) as refused:
            services.article_transition(
                article=story, to_status=Article.Status.PUBLISHED, user=editor_user
            )
        assert str(refused.value) == REFUSAL
        story.status = Article.Status.PUBLISHED
        with pytest.raises(services.EmbargoRefusal):
            services.article_save(article=story, user=editor_user)
        step = services.article_transition(
            article=story, to_status=Article.Status.PUBLISHED, user=editor_user, published_at=T
        )
    assert step.label == "Scheduled"


def test_a_withdrawn_story_given_an_embargo_goes_back_only_at_its_time(editor, section):
    first = T - dt.timedelta(days=3)
    story = ArticleFactory(section=section, headline=HEADLINE, published_at=first)
    with at(T - dt.timedelta(days=1)):
        assert post_change(editor, story, status="withdrawn").status_code == 302
        assert (
            post_change(editor, story, embargo_until_0="2026-12-05", embargo_until_1="09:00")
        ).status_code == 302
        assert REFUSAL in errors_of(post_change(editor, story, status="published"))
    story.refresh_from_db()
    assert (story.status, story.published_at) == ("withdrawn", first)


# --- Preview links ------------------------------------------------------------------------------


def test_the_form_shares_no_preview_link_while_the_embargo_holds(editor, section):
    story = embargoed(section=section)
    with at(JUST_BEFORE):
        page = editor.get(change_url(story)).content.decode()
        assert 'id="preview-share-link"' not in page
        assert "/preview/stories/" in page  # staff's own preview stays
        text = " ".join(page_text_of(page).split())
        assert f"No preview link can be shared until the embargo lifts at {EMBARGO_TEXT}." in text
        assert editor.get(f"/preview/stories/{story.pk}/").status_code == 200
    with at(T):
        page = editor.get(change_url(story)).content.decode()
    assert 'id="preview-share-link"' in page
    assert "No preview link can be shared" not in page


def page_text_of(html):
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_a_link_made_before_the_embargo_opens_only_when_it_lifts(client, section):
    story = ArticleFactory(
        section=section, headline=HEADLINE, status=Article.Status.DRAFT, published_at=None
    )
    with at(T - dt.timedelta(hours=1)):
        path = signed_preview_path(story)
        assert client.get(path).status_code == 200
        # An embargo set around the form (a shell, a bulk update) does not move the saved time.
        Article.objects.filter(pk=story.pk).update(embargo_until=T)
    with at(JUST_BEFORE):
        response = client.get(path)
    assert response.status_code == 403
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    text = " ".join(page_text(response).split())
    assert "This story is under embargo" in text
    assert EMBARGO_TEXT in text
    assert HEADLINE not in response.content.decode()
    with at(T):
        response = client.get(path)
    assert response.status_code == 200
    assert HEADLINE in response.content.decode()


def test_a_link_to_a_story_embargoed_on_the_form_is_refused_with_a_page(client, editor, section):
    story = ArticleFactory(
        section=section, headline=HEADLINE, status=Article.Status.DRAFT, published_at=None
    )
    with at(T - dt.timedelta(hours=1)):
        path = signed_preview_path(story)
        response = post_change(editor, story, embargo_until_0="2026-12-05", embargo_until_1="09:00")
        assert response.status_code == 302
        response = client.get(path)
    assert response.status_code == 403
    assert "under embargo" in response.content.decode()
    assert HEADLINE not in response.content.decode()


# --- The desk and the story list ----------------------------------------------------------------


def test_the_desk_shows_the_embargo(editor, section):
    in_review = embargoed(section=section, status=Article.Status.REVIEW)
    scheduled = embargoed(
        section=section,
        headline="Scheduled for its embargo",
        slug="scheduled-for-its-embargo",
        status=Article.Status.PUBLISHED,
        published_at=T,
    )
    with at(T - dt.timedelta(hours=5)):
        html = unescape(editor.get("/admin/").content.decode())
    for story, card in [(in_review, "desk-review"), (scheduled, "desk-scheduled")]:
        found = re.search(rf'id="{card}".*?</section>', html, re.S).group(0)
        row = re.search(rf"{re.escape(story.headline)}.*?</li>", found, re.S).group(0)
        assert f"Embargoed until {EMBARGO_TEXT}" in " ".join(page_text_of(row).split())
    with at(T + dt.timedelta(seconds=1)):
        html = editor.get("/admin/").content.decode()
    assert "Embargoed until" not in html


def test_the_story_list_shows_and_filters_embargoed_stories(editor, section):
    embargoed(section=section, status=Article.Status.REVIEW)
    ArticleFactory(section=section, headline="Nothing holds this one")
    with at(JUST_BEFORE):
        listing = editor.get(LIST_URL).content.decode()
        assert (
            'In review<br><span class="story-embargo">Embargoed until '
            '<time datetime="2026-12-05T09:00:00+08:00">5 December 2026<br>09:00 CST</time>'
        ) in listing
        held = editor.get(LIST_URL, {"embargoed": "yes"}).content.decode()
        free = editor.get(LIST_URL, {"embargoed": "no"}).content.decode()
    assert HEADLINE in held and "Nothing holds this one" not in held
    assert HEADLINE not in free and "Nothing holds this one" in free
    with at(T):
        listing = editor.get(LIST_URL).content.decode()
        held = editor.get(LIST_URL, {"embargoed": "yes"}).content.decode()
    assert "Embargoed until" not in listing
    assert HEADLINE not in held


# --- Wire import --------------------------------------------------------------------------------

COPY = (
    "Hong Kong\n"
    "Xu Lingling\n"
    "lingling@example.org\n"
    "The harbour authority posted record container figures on Friday.\n"
)


def import_copy(tmp_path: Path, *args) -> str:
    path = tmp_path / "figures.txt"
    path.write_text(COPY, encoding="utf-8")
    out = io.StringIO()
    call_command("import_article", str(path), *args, stdout=out)
    return out.getvalue()


def test_import_sets_the_embargo_in_the_newsrooms_time_zone(tmp_path, section):
    with at(T - dt.timedelta(days=1)):
        out = import_copy(tmp_path, "--embargo", "2026-12-05 09:00")
    story = Article.objects.get(wire_hash__gt="")
    assert (story.status, story.embargo_until) == ("draft", T)
    assert f"a draft, embargoed until {EMBARGO_TEXT}" in out


def test_import_with_publish_schedules_the_story_for_its_embargo(tmp_path, section):
    with at(T - dt.timedelta(days=1)):
        out = import_copy(
            tmp_path, "--embargo", "2026-12-05 09:00", "--publish", "--headline", HEADLINE
        )
    story = Article.objects.get(headline=HEADLINE)
    assert (story.status, story.published_at, story.embargo_until) == ("published", T, T)
    assert f"scheduled for {EMBARGO_TEXT}, when its embargo lifts" in out
    assert "1 story imported (1 scheduled for when the embargo lifts)" in out
    assert story.status_changes.get().label == "Scheduled"
    with at(JUST_BEFORE):
        assert Client().get(story.get_absolute_url()).status_code == 404
    with at(T):
        assert Client().get(story.get_absolute_url()).status_code == 200


def test_import_with_publish_after_the_embargo_publishes_now(tmp_path, section):
    with at(T + dt.timedelta(minutes=5)):
        out = import_copy(
            tmp_path, "--embargo", "2026-12-05 09:00", "--publish", "--headline", HEADLINE
        )
    story = Article.objects.get(headline=HEADLINE)
    assert story.published_at == T + dt.timedelta(minutes=5)
    assert "(published, " in out


def test_import_refuses_an_embargo_that_is_not_a_time(tmp_path, section):
    with pytest.raises(CommandError, match=r"write it as YYYY-MM-DD HH:MM .*Asia/Shanghai"):
        import_copy(tmp_path, "--embargo", "5 December 9am")
    assert not Article.objects.exists()


def test_the_import_help_says_what_publish_does_with_an_embargo():
    parser = ImportCommand().create_parser("manage.py", "import_article")
    text = " ".join(parser.format_help().split())
    assert "--embargo 'YYYY-MM-DD HH:MM'" in text
    assert "scheduled for the embargo's time" in text


def test_feeds_are_valid_xml_with_an_embargoed_story_around(client, section):
    """An embargoed story leaves no trace in a feed, not even an empty item."""
    embargoed(section=section, status=Article.Status.PUBLISHED, published_at=T)
    with at(JUST_BEFORE):
        root = ET.fromstring(client.get("/feeds/rss/").content)
    assert HEADLINE not in ET.tostring(root, encoding="unicode")
