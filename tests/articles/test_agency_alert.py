"""What the agency sent after a story was taken from its copy (``Article.agency_alert``, set by the
wire): the loud notice at the top of the story's form, the editor's “I have dealt with this”
(articles/admin_agency.py), and the desk's “From the agency” list (articles/desk.py), through the
real admin with the newsroom's roles."""

import datetime as dt
import re
from html import unescape

import pytest
import time_machine
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.cache import cache
from django.test import Client
from reversion.models import Version

from articles import presence
from articles.models import Article
from people.models import Reporter
from tests.conftest import member, signed_in
from tests.factories import ArticleFactory, BylineFactory
from tests.forms import form_fields

pytestmark = pytest.mark.django_db

Status = Article.Status
NOON = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)
KILL = (
    "Demo Wire Agency killed this item on 5 December at 09:12 (version 4): do not publish it; "
    "if it is published, withdraw it."
)
WITHHOLD = "Demo Wire Agency withheld this item on 5 December at 10:30 (version 3): hold it."
UPDATE = "Demo Wire Agency sent version 2 of this item on 5 December at 11:00: compare it."
ALERTS = {"killed": KILL, "withheld": WITHHOLD, "updated": UPDATE}
LABELS = {
    "killed": "Killed by the agency",
    "withheld": "Withheld by the agency",
    "updated": "New version from the agency",
}


@pytest.fixture(autouse=True)
def at_noon():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture(autouse=True)
def nobody_has_a_story_open():
    """The cache outlives a test's database: start with no one in the presence index."""
    cache.delete(presence.INDEX_KEY)
    yield
    cache.delete(presence.INDEX_KEY)


def alert(story, kind, *, minutes_ago=30, text=None):
    """What the wire does: the three fields, with QuerySet.update (no save, no revision)."""
    at = NOON - dt.timedelta(minutes=minutes_ago)
    Article.objects.filter(pk=story.pk).update(
        agency_alert=text or ALERTS[kind], agency_alert_at=at, agency_alert_kind=kind
    )
    story.refresh_from_db()
    return at


def change_url(story):
    return f"/admin/articles/article/{story.pk}/change/"


def dealt_with_url(story):
    return f"/admin/articles/article/{story.pk}/agency-alert/"


def visible_text(html):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def banner_of(html):
    found = re.search(r'<section class="agency-alert[^"]*".*?</section>', html, re.S)
    return found.group(0) if found else ""


def desk_card(html):
    found = re.search(r'<section class="desk-card[^"]*" id="desk-agency".*?</section>', html, re.S)
    return found.group(0) if found else ""


@pytest.fixture
def wire_story(reporter_user):
    """A draft taken from the agency, with the reporter who is working on it on its byline."""
    story = ArticleFactory(
        headline="Typhoon closes the container port",
        status=Status.DRAFT,
        published_at=None,
        credit="By Jane Doe, Demo Wire Agency",
    )
    BylineFactory(article=story, reporter=Reporter.objects.get(user=reporter_user), order=0)
    return story


@pytest.fixture
def published_story():
    return ArticleFactory(
        headline="Ferry fares rise in spring",
        status=Status.PUBLISHED,
        published_at=NOON - dt.timedelta(hours=2),
        credit="Demo Wire Agency",
    )


# The notice on the story's form.


@pytest.mark.parametrize("kind", ["killed", "withheld", "updated"])
def test_the_form_opens_with_the_agencys_notice(editor, published_story, kind):
    alert(published_story, kind)

    html = editor.get(change_url(published_story)).content.decode()
    banner = banner_of(html)

    assert f"agency-alert-{kind}" in banner
    assert ('role="alert"' in banner) == (kind != "updated")
    assert ('role="status"' in banner) == (kind == "updated")
    text = visible_text(banner)
    assert LABELS[kind] in text and ALERTS[kind] in text
    assert "This story is published: readers can see it now." in text
    assert "I have dealt with this" in text
    # Above the form's fields, and outside the story's form (its button posts a form of its own).
    assert html.index('class="agency-alert') < html.index('id="article_form"')
    assert html.index("</section>", html.index('class="agency-alert')) < html.index(
        'id="article_form"'
    )


def test_a_story_the_agency_sent_nothing_about_has_no_notice(editor, published_story):
    html = editor.get(change_url(published_story)).content.decode()

    assert 'class="agency-alert' not in html
    assert "I have dealt with this" not in html


def test_someone_who_may_only_read_the_story_sees_the_notice_without_the_button(published_story):
    alert(published_story, "killed")
    legal = signed_in(member("Legal", "counsel", first_name="Ada", last_name="Counsel"))

    banner = banner_of(legal.get(change_url(published_story)).content.decode())

    assert KILL in visible_text(banner)
    assert "I have dealt with this" not in banner
    response = legal.post(dealt_with_url(published_story), {"alert_at": "x"})
    assert response.status_code == 403
    assert Article.objects.get(pk=published_story.pk).agency_alert == KILL


# “I have dealt with this”.


def press_the_button(client, story):
    """Post the notice's form as the page offers it (its CSRF token and the notice's time)."""
    html = client.get(change_url(story)).content.decode()
    return client.post(dealt_with_url(story), form_fields(html, "agency-alert-form"))


def test_an_editor_deals_with_the_notice(editor_user, published_story):
    alert(published_story, "killed")
    browser = Client(enforce_csrf_checks=True)  # the token the page gives, as a browser sends it
    browser.force_login(editor_user)
    revisions = Version.objects.get_for_object(published_story).count()

    response = press_the_button(browser, published_story)

    assert response.status_code == 302
    assert response["Location"] == change_url(published_story)
    story = Article.objects.get(pk=published_story.pk)
    assert (story.agency_alert, story.agency_alert_at, story.agency_alert_kind) == ("", None, "")
    # Nothing else: the story is as it was, with no revision.
    assert (story.status, story.headline, story.version, story.credit) == (
        Status.PUBLISHED,
        "Ferry fares rise in spring",
        published_story.version,
        "Demo Wire Agency",
    )
    assert Version.objects.get_for_object(story).count() == revisions
    (entry,) = LogEntry.objects.filter(object_id=str(story.pk))
    assert entry.action_flag == CHANGE and entry.user == editor_user
    assert entry.get_change_message() == f"Agency alert dealt with: {KILL}"
    page = browser.get(change_url(story)).content.decode()
    assert 'class="agency-alert' not in page
    assert "The agency’s notice is off" in unescape(page)


def test_a_reporter_on_the_story_may_deal_with_it(reporter, wire_story):
    alert(wire_story, "updated")

    assert press_the_button(reporter, wire_story).status_code == 302
    assert Article.objects.get(pk=wire_story.pk).agency_alert_at is None


def test_a_reporter_not_on_the_story_is_refused(other_reporter_user, wire_story):
    at = alert(wire_story, "killed")
    colleague = signed_in(other_reporter_user)

    response = colleague.post(dealt_with_url(wire_story), {"alert_at": at.isoformat()})

    assert response.status_code == 403
    story = Article.objects.get(pk=wire_story.pk)
    assert (story.agency_alert, story.agency_alert_at) == (KILL, at)
    assert not LogEntry.objects.exists()


def test_a_reporter_may_not_clear_it_once_the_story_is_published(reporter, wire_story):
    """Published stories are the editors' (``services.can_edit``): a reporter's form is gone."""
    at = alert(wire_story, "killed")
    Article.objects.filter(pk=wire_story.pk).update(
        status=Status.PUBLISHED, published_at=NOON - dt.timedelta(hours=1)
    )

    response = reporter.post(dealt_with_url(wire_story), {"alert_at": at.isoformat()})

    assert response.status_code == 403
    assert Article.objects.get(pk=wire_story.pk).agency_alert_at == at


def test_a_get_clears_nothing(editor, published_story):
    at = alert(published_story, "killed")

    assert editor.get(dealt_with_url(published_story)).status_code == 405
    assert Article.objects.get(pk=published_story.pk).agency_alert_at == at


def test_without_the_pages_token_nothing_is_cleared(editor_user, published_story):
    at = alert(published_story, "killed")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor_user)

    response = browser.post(dealt_with_url(published_story), {"alert_at": at.isoformat()})

    assert response.status_code == 403
    assert Article.objects.get(pk=published_story.pk).agency_alert_at == at


def test_a_newer_notice_that_came_in_while_reading_is_not_cleared(editor, published_story):
    alert(published_story, "updated", minutes_ago=30)
    html = editor.get(change_url(published_story)).content.decode()
    newer = alert(published_story, "killed", minutes_ago=1)  # the agency kills it meanwhile

    response = editor.post(
        dealt_with_url(published_story), form_fields(html, "agency-alert-form"), follow=True
    )

    story = Article.objects.get(pk=published_story.pk)
    assert (story.agency_alert_kind, story.agency_alert_at) == ("killed", newer)
    page = unescape(response.content.decode())
    assert "The agency sent something newer while you were reading" in page
    assert KILL in visible_text(banner_of(page))
    assert not LogEntry.objects.exists()


@pytest.mark.parametrize("value", ["", "yesterday", "2026-13-40T99:00:00", "2026-12-05T11:30:00"])
def test_a_notice_time_that_is_not_the_notices_clears_nothing(editor, published_story, value):
    at = alert(published_story, "killed")

    response = editor.post(dealt_with_url(published_story), {"alert_at": value})

    assert response.status_code == 302
    assert Article.objects.get(pk=published_story.pk).agency_alert_at == at


@pytest.mark.parametrize("story_id", ["999999", "abc", "99999999999999999999999"])
def test_no_such_story(editor, story_id):
    assert editor.post(f"/admin/articles/article/{story_id}/agency-alert/").status_code == 404


def test_nothing_to_deal_with_says_so(editor, published_story):
    response = editor.post(
        dealt_with_url(published_story), {"alert_at": NOON.isoformat()}, follow=True
    )

    assert "has no notice from the agency to deal with" in unescape(response.content.decode())


# The desk.


def test_the_desk_lists_the_agencys_notices_first(editor, published_story, wire_story):
    older_update = ArticleFactory(headline="Chip maker opens a plant", credit="Demo Wire Agency")
    newer_update = ArticleFactory(headline="Bridge tolls cut", credit="Demo Wire Agency")
    alert(older_update, "updated", minutes_ago=50)
    alert(newer_update, "updated", minutes_ago=5)
    alert(published_story, "killed", minutes_ago=40)
    alert(wire_story, "withheld", minutes_ago=20)

    html = unescape(editor.get("/admin/").content.decode())
    card = desk_card(html)

    assert html.index('id="desk-agency"') < html.index('id="desk-drafts"')
    assert "From the agency" in card and "4 stories" in card
    rows = [visible_text(row) for row in re.findall(r"<li>.*?</li>", card, re.S)]
    order = [
        ("Withheld", "Typhoon closes the container port", WITHHOLD),
        ("Killed by the agency", "Ferry fares rise in spring", KILL),
        ("New version", "Bridge tolls cut", UPDATE),
        ("New version", "Chip maker opens a plant", UPDATE),
    ]
    for row, (label, headline, text) in zip(rows, order, strict=True):
        assert row.startswith(f"{label} {headline} {text}"), row
    assert f'href="{change_url(published_story)}"' in card
    assert 'class="agency-flag agency-flag-killed"' in card


def test_a_reporter_sees_only_notices_on_stories_they_may_open(
    reporter, other_reporter_user, wire_story, published_story
):
    theirs = ArticleFactory(headline="Colleague's wire draft", status=Status.DRAFT)
    BylineFactory(article=theirs, reporter=Reporter.objects.get(user=other_reporter_user))
    for story in (wire_story, published_story, theirs):
        alert(story, "killed")

    card = desk_card(unescape(reporter.get("/admin/").content.decode()))

    assert "Typhoon closes the container port" in card and "1 story" in card
    assert "Ferry fares rise in spring" not in card  # published: the editors'
    assert "Colleague's wire draft" not in card


def test_a_story_killed_for_legal_reasons_is_not_listed(superuser, published_story):
    """It is off every page already and read-only: nobody could clear its notice. (An
    administrator sees killed stories on the desk's other lists.)"""
    alert(published_story, "killed")
    Article.objects.filter(pk=published_story.pk).update(status=Status.KILLED)
    still_out = ArticleFactory(headline="Bridge tolls cut")
    alert(still_out, "withheld")

    card = desk_card(signed_in(superuser).get("/admin/").content.decode())

    assert "Bridge tolls cut" in card and "Ferry fares rise in spring" not in card


def test_no_notices_no_card(editor, published_story):
    html = editor.get("/admin/").content.decode()

    assert 'id="desk-agency"' not in html and "From the agency" not in html


def test_a_story_dealt_with_leaves_the_desk(editor, published_story):
    alert(published_story, "killed")
    assert "Ferry fares rise in spring" in desk_card(editor.get("/admin/").content.decode())

    press_the_button(editor, published_story)

    assert 'id="desk-agency"' not in editor.get("/admin/").content.decode()


# Same as tests/articles/test_desk.py's DESK_QUERIES: the agency's list is one of the lists.
DESK_QUERIES = {"editor": 4 + 7 + 2, "reporter": 4 + 5 + 2}


@pytest.mark.parametrize("n", [2, 25])
@pytest.mark.parametrize("role", ["editor", "reporter"])
def test_the_desk_costs_the_same_however_many_notices(
    role, n, editor_user, reporter_user, django_assert_num_queries
):
    reporter = Reporter.objects.get(user=reporter_user)
    for i in range(n):
        story = ArticleFactory(headline=f"Wire story {i}", status=Status.DRAFT, published_at=None)
        BylineFactory(article=story, reporter=reporter, order=0)
        BylineFactory(article=story, order=1)
        alert(story, ["killed", "withheld", "updated"][i % 3], minutes_ago=i + 1)
    presence.opened(article_id=story.pk, user=reporter_user, now=NOON)  # someone has one open
    client = signed_in(editor_user if role == "editor" else reporter_user)

    with django_assert_num_queries(DESK_QUERIES[role]):
        html = unescape(client.get("/admin/").content.decode())

    card = desk_card(html)
    assert f"{n} stories" in card
    assert card.count("<li>") == min(n, 20)
