"""The desk: the admin's front page lists what waits for the person logged in, only stories they
may open, in a fixed number of queries; the framework's apps under "Administration" for
superusers only."""

import datetime as dt
import re
from html import unescape

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import desk, presence
from articles.models import Article
from tests.conftest import signed_in
from tests.factories import ArticleFactory, BylineFactory, CorrectionFactory, ReporterFactory

pytestmark = pytest.mark.django_db

Status = Article.Status
NOON = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)  # a Tuesday


@pytest.fixture(autouse=True)
def nobody_has_a_story_open():
    """The cache outlives a test's database: start with no one in the presence index."""
    cache.delete(presence.INDEX_KEY)
    yield
    cache.delete(presence.INDEX_KEY)


def story(headline, *, status=Status.DRAFT, by=None, published_at=None, **fields):
    """A story by ``by`` (a login with a linked byline, or a reporter), or by nobody."""
    if status == Status.PUBLISHED and published_at is None:
        published_at = NOON - dt.timedelta(hours=1)
    made = ArticleFactory(headline=headline, status=status, published_at=published_at, **fields)
    if by is not None:
        reporter = getattr(by, "reporter", by)
        BylineFactory(article=made, reporter=reporter, order=0)
    return made


def section_of(html, section_id):
    """The HTML of one of the desk's cards."""
    found = re.search(
        rf'<section class="desk-card[^"]*" id="{section_id}".*?</section>', html, re.S
    )
    return found.group(0) if found else ""


def visible_text(html):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def desk_page(client):
    """The desk's HTML, its entities decoded ("Editor's", not "Editor&#x27;s")."""
    response = client.get("/admin/")
    assert response.status_code == 200
    return unescape(response.content.decode())


@pytest.fixture
def newsroom(reporter_user, other_reporter_user, editor_user):
    """A reporter's and a colleague's drafts and stories in review, and what the desk publishes."""
    return {
        "my draft": story("My own draft", by=reporter_user),
        "my created draft": story("Draft I started", created_by=reporter_user),
        "my review": story("My story in review", status=Status.REVIEW, by=reporter_user),
        "their draft": story("Colleague's secret draft", by=other_reporter_user),
        "their review": story(
            "Colleague's story in review", status=Status.REVIEW, by=other_reporter_user
        ),
        "editor draft": story("Editor's own draft", created_by=editor_user),
        "published": story("Published this morning", status=Status.PUBLISHED),
        "scheduled": story(
            "Embargoed results", status=Status.PUBLISHED, published_at=NOON + dt.timedelta(hours=3)
        ),
        "wire": story("Provisional wire headline", needs_headline=True, status=Status.REVIEW),
    }


@pytest.fixture
def at_noon():
    with time_machine.travel(NOON, tick=False):
        yield


# What each role sees.


def test_a_reporter_sees_their_own_work_and_nobody_elses(reporter, newsroom, at_noon):
    html = desk_page(reporter)
    drafts = section_of(html, "desk-drafts")
    assert "My own draft" in drafts and "Draft I started" in drafts
    assert "2 drafts" in drafts
    review = section_of(html, "desk-review")
    assert "My stories in review" in review and "Waiting for review" not in html
    assert "My story in review" in review
    for hidden in ["Colleague's secret draft", "Colleague's story in review", "Editor's own draft"]:
        assert hidden not in html
    # Published and scheduled stories are not a reporter's to open in the admin.
    assert 'id="desk-scheduled"' not in html and 'id="desk-recent"' not in html
    assert "Embargoed results" not in html and "Provisional wire headline" not in html
    assert "Administration" not in html


def test_an_editor_sees_the_review_queue_the_schedule_and_what_went_out(editor, newsroom, at_noon):
    html = desk_page(editor)
    drafts = section_of(html, "desk-drafts")
    assert "Editor's own draft" in drafts and "1 draft" in drafts
    assert "My own draft" not in drafts  # the desk's drafts are the editor's own
    review = section_of(html, "desk-review")
    assert "Waiting for review" in review and "3 stories in review" in review
    for title in ["My story in review", "Colleague's story in review", "Provisional wire headline"]:
        assert title in review
    assert "Embargoed results" in section_of(html, "desk-scheduled")
    assert "Published this morning" in section_of(html, "desk-recent")
    assert "Provisional wire headline" in section_of(html, "desk-headlines")
    assert "Administration" not in html
    assert "Authentication and Authorization" not in html and "Axes" not in html


def test_every_story_links_to_its_page_and_every_list_to_the_full_list(editor, newsroom, at_noon):
    html = desk_page(editor)
    for name in ["editor draft", "their review", "scheduled", "published", "wire"]:
        assert f'href="/admin/articles/article/{newsroom[name].pk}/change/"' in html, name
    for query in [
        "?status=draft",
        "?status=review",
        "?status=scheduled",
        "?status=published",
        "?needs_headline__exact=1",
    ]:
        url = f"/admin/articles/article/{query}"
        assert f'href="{url}"' in html, query
        assert editor.get(url).status_code == 200, query  # the story list's own filter names


def test_the_desk_speaks_the_newsrooms_words(editor, superuser, newsroom, at_noon, client):
    client.force_login(superuser)
    for page in (desk_page(editor), desk_page(client)):
        text = visible_text(page)
        assert "Your desk" in text
        assert not re.search(r"\b(articles?|objects?|change list)\b", text, re.IGNORECASE), text


def test_a_real_login_lands_on_the_desk(client, reporter_user, newsroom, at_noon):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "zhipeng", "password": "correct horse battery staple", "next": "/admin/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/admin/"
    assert "My own draft" in response.content.decode()


# The apps: the newsroom's first, the framework's under "Administration" for superusers.

NEWSROOM_APPS = [
    "Newsroom",
    "Agency wire",
    "Front pages",
    "People and organizations",
    "Photos",
    "Tags",
]
FRAMEWORK_APPS = ["Authentication and Authorization", "Axes", "Background work", "Site"]


def app_captions(html):
    return re.findall(r'<a href="[^"]*" class="section"[^>]*>([^<]+)</a>', html)


def test_a_superuser_finds_the_framework_under_administration(superuser, client, newsroom, at_noon):
    client.force_login(superuser)
    html = desk_page(client)
    assert app_captions(html) == NEWSROOM_APPS + FRAMEWORK_APPS
    assert html.index("Administration") > html.index(">Tags<")
    assert "Taggit" not in html
    assert "Old addresses" in html
    models = re.findall(r'<th scope="row" id="articles-\w+">\s*<a [^>]*>([^<]+)</a>', html)
    assert models == ["Stories", "Sections", "Corrections", "Workflow steps"]


def test_an_editors_lists_stop_at_the_newsroom(editor, newsroom, at_noon):
    html = desk_page(editor)
    assert app_captions(html) == NEWSROOM_APPS


@pytest.mark.parametrize("who", ["superuser", "editor"])
def test_the_sidebar_puts_the_newsroom_first(who, superuser, editor_user, client, section):
    client.force_login(superuser if who == "superuser" else editor_user)
    html = client.get("/admin/articles/section/").content.decode()
    sidebar = html[html.index('id="nav-sidebar"') :]
    captions = app_captions(sidebar)
    if who == "superuser":
        assert captions == NEWSROOM_APPS + FRAMEWORK_APPS
        assert sidebar.index("Administration") > sidebar.index(">Tags<")
    else:
        assert captions == NEWSROOM_APPS
        assert "Administration" not in sidebar


def test_an_app_of_the_framework_keeps_its_own_page(editor, superuser, client, db):
    """The lists only move the framework's apps; permissions still decide who opens them."""
    client.force_login(superuser)
    assert client.get("/admin/auth/").status_code == 200
    assert editor.get("/admin/core/slughistory/").status_code == 200  # editors may view these
    assert client.get("/admin/taggit/").status_code == 200


# The lists.


def test_counts_say_how_many_when_the_list_shows_only_some(reporter, reporter_user, at_noon):
    for n in range(desk.SHOWN + 3):
        story(f"Draft number {n}", by=reporter_user)
    drafts = section_of(desk_page(reporter), "desk-drafts")
    assert f"{desk.SHOWN + 3} drafts" in drafts
    assert drafts.count('class="desk-headline"') == desk.SHOWN
    assert "3 more of yours" in drafts


def test_drafts_come_newest_change_first(reporter_user):
    older = story("Older draft", by=reporter_user)
    newer = story("Newer draft", by=reporter_user)
    Article.objects.filter(pk=older.pk).update(modified_at=NOON - dt.timedelta(hours=2))
    Article.objects.filter(pk=newer.pk).update(modified_at=NOON - dt.timedelta(hours=1))
    listed = desk.my_drafts(user=reporter_user, now=NOON).stories
    assert [s.headline for s in listed] == ["Newer draft", "Older draft"]


def test_scheduled_stories_by_day_in_the_newsrooms_time_zone(settings, editor, editor_user):
    settings.TIME_ZONE = "Asia/Hong_Kong"  # NOON UTC is 20:00 on Tuesday in Hong Kong
    hk = dt.timezone(dt.timedelta(hours=8))
    at = {
        "Late tonight": dt.datetime(2026, 11, 24, 23, 30, tzinfo=hk),  # 15:30 UTC Tuesday
        "Just after midnight": dt.datetime(2026, 11, 25, 0, 30, tzinfo=hk),  # 16:30 UTC Tuesday
        "Friday morning": dt.datetime(2026, 11, 27, 9, 0, tzinfo=hk),
        "Last day of the week": dt.datetime(2026, 11, 30, 23, 59, tzinfo=hk),
        "Next Tuesday": dt.datetime(2026, 12, 1, 0, 0, tzinfo=hk),  # beyond the seven days
        "Already out": dt.datetime(2026, 11, 24, 19, 0, tzinfo=hk),
    }
    for headline, when in at.items():
        story(headline, status=Status.PUBLISHED, published_at=when)
    story("Draft with a date", published_at=at["Friday morning"])

    with time_machine.travel(NOON, tick=False):
        found = desk.scheduled(user=editor_user, now=NOON)
        html = desk_page(editor)

    assert [(day.label, [s.headline for s in day.stories]) for day in found.days] == [
        ("Today", ["Late tonight"]),
        ("Tomorrow", ["Just after midnight"]),
        ("Friday 27 November", ["Friday morning"]),
        ("Monday 30 November", ["Last day of the week"]),
    ]
    assert found.count == 4
    card = section_of(html, "desk-scheduled")
    assert "4 scheduled in the next seven days" in card
    text = visible_text(card)
    assert "Today Tuesday 24 November 23:30 HKT Late tonight" in text
    assert "Tomorrow Wednesday 25 November 00:30 HKT Just after midnight" in text
    assert "Friday 27 November 09:00 HKT Friday morning" in text
    assert "Next Tuesday" not in card and "Already out" not in card


def test_recently_published_is_two_days_or_the_last_ten(editor_user):
    old = story(
        "Last week's story", status=Status.PUBLISHED, published_at=NOON - dt.timedelta(days=7)
    )
    fresh = story("This morning's story", status=Status.PUBLISHED)
    CorrectionFactory(article=fresh, created_at=NOON - dt.timedelta(minutes=30))
    CorrectionFactory(article=fresh, created_at=NOON - dt.timedelta(minutes=20))

    quiet = desk.recently_published(user=editor_user, now=NOON)
    assert [(s.headline, s.correction_count) for s in quiet.stories] == [
        ("This morning's story", 2),
        ("Last week's story", 0),
    ]

    for n in range(desk.RECENT_AT_LEAST):
        story(
            f"Busy day {n}", status=Status.PUBLISHED, published_at=NOON - dt.timedelta(hours=n + 2)
        )
    busy = desk.recently_published(user=editor_user, now=NOON)
    assert busy.count == desk.RECENT_AT_LEAST + 1
    assert old not in busy.stories


def test_corrections_are_marked_on_the_desk(editor, at_noon):
    fixed = story("Story with a fix", status=Status.PUBLISHED)
    CorrectionFactory(article=fixed, created_at=NOON - dt.timedelta(minutes=5))
    card = section_of(desk_page(editor), "desk-recent")
    assert "1 correction" in card


def test_wire_copy_needing_a_headline_leaves_out_published_stories(editor_user):
    story("Wire draft", needs_headline=True)
    story("Wire already out", needs_headline=True, status=Status.PUBLISHED)
    story("Ordinary draft")
    found = desk.wire_needing_headlines(user=editor_user, now=NOON)
    assert [s.headline for s in found.stories] == ["Wire draft"]


# Who is editing what.


def test_who_is_editing_what(editor, editor_user, second_editor_user, reporter_user, at_noon):
    mine = story("Reporter's draft", by=reporter_user)
    presence.opened(article_id=mine.pk, user=second_editor_user, now=NOON - dt.timedelta(minutes=3))
    presence.opened(article_id=mine.pk, user=second_editor_user, now=NOON - dt.timedelta(minutes=1))
    presence.opened(article_id=mine.pk, user=editor_user, now=NOON)
    card = section_of(desk_page(editor), "desk-editing")
    text = visible_text(card)
    assert "Reporter's draft you, since 12:00 UTC" in text
    # Since the first opening in the window, though opened again since.
    assert "Reporter's draft Slot Editor, since 11:57 UTC" in text


def test_nobody_sees_who_edits_a_story_they_may_not_open(
    reporter, reporter_user, other_reporter_user, editor_user, at_noon
):
    theirs = story("Colleague's scoop", by=other_reporter_user)
    mine = story("My story", by=reporter_user)
    presence.opened(article_id=theirs.pk, user=other_reporter_user, now=NOON)
    presence.opened(article_id=mine.pk, user=editor_user, now=NOON)
    card = section_of(desk_page(reporter), "desk-editing")
    assert "My story" in card and "Night Editor" in card
    assert "Colleague's scoop" not in card and "colleague" not in card


def test_the_presence_index_forgets_and_stays_bounded(editor_user, second_editor_user):
    presence.opened(article_id=1, user=editor_user, now=NOON)
    presence.opened(article_id=2, user=second_editor_user, now=NOON + dt.timedelta(minutes=1))
    assert [
        (o.article_id, o.name) for o in presence.recently_opened(now=NOON + dt.timedelta(minutes=2))
    ] == [
        (2, "Slot Editor"),
        (1, "Night Editor"),
    ]
    later = NOON + presence.WINDOW + dt.timedelta(seconds=30)
    assert [o.article_id for o in presence.recently_opened(now=later)] == [2]

    for article_id in range(100, 100 + presence.INDEX_SIZE + 20):
        presence.opened(article_id=article_id, user=editor_user, now=later)
    kept = presence.recently_opened(now=later)
    assert len(kept) == presence.INDEX_SIZE
    assert kept[0].article_id == 100 + presence.INDEX_SIZE + 19


# Queries: the same number however many stories there are.


def fill_the_desk(n, *, editor_user, reporter_user):
    """``n`` stories spread over every list, each with two bylines and the published ones with a
    correction, and two of them open."""
    extra = ReporterFactory()
    kinds = [
        {"created_by": editor_user},
        {"status": Status.REVIEW},
        {"status": Status.PUBLISHED, "published_at": NOON + dt.timedelta(hours=5)},
        {"status": Status.PUBLISHED},
        {"needs_headline": True},
    ]
    made = []
    for i in range(n):
        one = story(f"Story {i}", by=reporter_user, **kinds[i % len(kinds)])
        BylineFactory(article=one, reporter=extra, order=1)
        if one.status == Status.PUBLISHED:
            CorrectionFactory(article=one, created_at=NOON - dt.timedelta(minutes=i))
        made.append(one)
    presence.opened(article_id=made[0].pk, user=reporter_user, now=NOON)
    presence.opened(article_id=made[1].pk, user=editor_user, now=NOON)


# The session, the user, their own and their groups' permissions; then the desk: its lists (seven
# for an editor, five for a reporter, each with its count; live coverage and the agency's notices
# are two of them), the names of the stories people have open, and the bylines of every story
# shown.
DESK_QUERIES = {"editor": 4 + 7 + 2, "reporter": 4 + 5 + 2}


@pytest.mark.parametrize("n", [5, 60])
@pytest.mark.parametrize("role", ["editor", "reporter"])
def test_the_desk_costs_the_same_queries_however_many_stories(
    role, n, editor_user, reporter_user, django_assert_num_queries, at_noon
):
    fill_the_desk(n, editor_user=editor_user, reporter_user=reporter_user)
    client = signed_in(editor_user if role == "editor" else reporter_user)
    with django_assert_num_queries(DESK_QUERIES[role]):
        page = desk_page(client)
    # An editor's drafts are the fifth they created; a reporter's, every draft on their byline.
    drafts = n // 5 if role == "editor" else 2 * n // 5
    assert f"{drafts} draft{'s' if drafts > 1 else ''}</p>" in section_of(page, "desk-drafts")
    assert f"{n // 5} stories in review" in page or f"{n // 5} story in review" in page


def test_the_desks_lists_are_one_query_each(editor_user, reporter_user):
    fill_the_desk(30, editor_user=editor_user, reporter_user=reporter_user)
    editor_user = type(editor_user).objects.get(pk=editor_user.pk)
    editor_user.has_perm("articles.publish_article")  # the permissions, read once per request
    with CaptureQueriesContext(connection) as queries:
        found = desk.desk(user=editor_user, now=NOON)
        for listed in (found.drafts, found.review, found.scheduled, found.recent, found.live):
            for one in listed.stories:
                [b.reporter.name for b in one.bylines.all()]
    assert len(queries.captured_queries) == 9
    assert found.drafts.count == 6 and found.review.count == 6 and found.scheduled.count == 6


def test_the_desk_starts_a_new_story_or_an_import(reporter, editor, at_noon):
    for who in (reporter, editor):
        page = who.get("/admin/").content.decode()
        assert 'href="/admin/articles/article/add/" class="addlink">New story</a>' in page
        assert 'href="/admin/articles/article/import/">Import wire copy</a>' in page
        assert 'href="/admin/wire/wireitem/">Wire queue</a>' in page  # both roles read it
