"""Live coverage as readers get it (issue 18): the story page with its entries and key events,
complete without JavaScript; the poll endpoint its page asks for new entries (one answer for
every reader, 304 when nothing is new, kept by the page cache until an entry purges it); the
LiveBlogPosting JSON-LD; the entries' feeds; the API's entries. Each costs a fixed number of
queries however many entries the story has."""

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.live_views import POLL_LENGTH
from articles.models import Article, LiveEntry
from core import keys
from core.templatetags.pages import machine_time
from tests.api.test_openapi import response_schema, validate
from tests.factories import ArticleFactory, BylineFactory, ImageFactory, ReporterFactory

pytestmark = pytest.mark.django_db

BASE = "http://testserver"
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
ENTRY_IDS = re.compile(r'<article id="entry-(\d+)"')


def local_iso(value) -> str:
    return timezone.localtime(value).isoformat()


def entry(story, minutes_ago, body, **fields):
    """An entry of ``story`` posted ``minutes_ago``, saved as the admin saves one."""
    posted = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return LiveEntry.objects.create(article=story, posted_at=posted, body=body, **fields)


def add_entry(commit, story, minutes_ago, body, **fields):
    """An entry added and committed, with the purge the admin's receivers make for it (the
    story's key), so that cached pages and polls are refreshed as in production."""

    def change():
        made = entry(story, minutes_ago, body, **fields)
        keys.purge(keys.key(story))
        return made

    return commit(change)


@pytest.fixture
def reporter():
    return ReporterFactory(name="Ann Lee", slug="ann-lee")


@pytest.fixture
def story(reporter):
    """A live story with a byline and four entries: a key event, a corrected one without a
    title, a second key event, and a pinned one older than the rest."""
    story = ArticleFactory(
        headline="Typhoon Koinu: live",
        slug="typhoon-live",
        standfirst="The storm nears the coast.",
        body="<p>Signal 8 is up; what is shut and what is open.</p>",
        is_live=True,
        published_at=timezone.now() - dt.timedelta(hours=3),
    )
    BylineFactory(article=story, reporter=reporter, order=0)
    first = entry(story, 150, "<p>The observatory raised signal 8.</p>", title="Signal 8 raised")
    first.key_event = True
    first.save()
    first.authors.add(reporter)
    entry(
        story,
        100,
        "<p>Ferries to the outlying islands have stopped running for the day.</p>",
        correction="An earlier version said every ferry had stopped.",
        corrected_at=timezone.now() - dt.timedelta(minutes=90),
    )
    entry(story, 60, "<p>Waves broke over the sea wall.</p>", title="Sea wall", key_event=True)
    entry(story, 170, "<p>Community halls are open as shelters.</p>", title="Shelters", pinned=True)
    return story


def page(client, story) -> str:
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def entry_order(html: str) -> list[int]:
    return [int(pk) for pk in ENTRY_IDS.findall(html)]


def live_section(html: str) -> str:
    start = html.index('<section class="live"')
    return html[start : html.index("</section>", start)]


def json_ld(html: str, type_: str) -> dict:
    found = [json.loads(block) for block in JSON_LD.findall(html)]
    found = [data for data in found if data.get("@type") == type_]
    assert len(found) == 1, f"expected one {type_}, found {len(found)}"
    return found[0]


def poll(client, story, **headers):
    return client.get(f"/stories/{story.slug}/live.json", **headers)


# The story page -----------------------------------------------------------------------------


def test_entries_are_under_the_summary_pinned_first_then_newest_first(client, story):
    html = page(client, story)
    by_title = {e.title or "ferries": e for e in story.entries.all()}
    # The story's standfirst and body stay on top; the coverage follows.
    assert html.index("The storm nears the coast.") < html.index("Signal 8 is up")
    assert html.index("Signal 8 is up") < html.index('<section class="live"')
    assert entry_order(html) == [
        by_title[name].pk for name in ("Shelters", "Sea wall", "ferries", "Signal 8 raised")
    ]
    live = live_section(html)
    assert '<span class="live-label">Live</span>' in live
    newest = by_title["Sea wall"].posted_at
    assert f'Last updated <time datetime="{machine_time(newest)}">' in live
    assert 'class="live-flag">Pinned</span>' in live


def test_each_entry_has_its_time_title_body_authors_and_correction(client, story, reporter):
    live = live_section(page(client, story))
    first = story.entries.get(title="Signal 8 raised")
    article = live[live.index(f'<article id="entry-{first.pk}"') :]
    article = article[: article.index("</article>")]
    assert f'<a href="#entry-{first.pk}"><time datetime="{machine_time(first.posted_at)}">' in (
        article
    )
    assert '<h3 class="live-entry-title">Signal 8 raised</h3>' in article
    assert "<p>The observatory raised signal 8.</p>" in article
    assert 'By <a href="/reporters/ann-lee/" rel="author">Ann Lee</a>' in article
    corrected = story.entries.get(correction__gt="")
    text = live[live.index(f'<article id="entry-{corrected.pk}"') :]
    text = unescape(text[: text.index("</article>")])
    assert "<strong>Correction</strong>" in text
    assert f'<time datetime="{machine_time(corrected.corrected_at)}">' in text
    assert "An earlier version said every ferry had stopped." in text


def test_an_author_without_a_page_is_named_without_a_link(client, story):
    newcomer = ReporterFactory(name="Bo Chan", slug="bo-chan")  # no published byline yet
    story.entries.get(title="Sea wall").authors.add(newcomer)
    live = live_section(page(client, story))
    assert "By Bo Chan</p>" in live
    assert "/reporters/bo-chan/" not in live


def test_key_events_are_listed_at_the_top_as_links_in_the_order_they_happened(client, story):
    live = live_section(page(client, story))
    nav = live[live.index('<nav class="key-events"') : live.index("</nav>")]
    assert "Key events" in nav
    signal, wall = story.entries.get(title="Signal 8 raised"), story.entries.get(title="Sea wall")
    links = re.findall(r'<a href="#entry-(\d+)"><time [^>]*>[^<]*</time> ([^<]*)</a>', nav)
    assert links == [(str(signal.pk), "Signal 8 raised"), (str(wall.pk), "Sea wall")]
    # Listed before the entries they lead to, which carry the ids the links name.
    assert live.index("Key events") < live.index('<div class="live-entries">')
    assert f'id="entry-{wall.pk}"' in live


def test_a_key_event_without_a_title_is_listed_by_its_opening_words(client, story):
    entry(story, 5, "<p>The <em>airport</em> has cancelled every flight until noon.</p>")
    untitled = story.entries.get(title="", key_event=False, correction="")
    untitled.key_event = True
    untitled.save()
    nav = live_section(page(client, story)).split('<nav class="key-events"')[1]
    assert "The airport has cancelled every flight until noon.</a>" in nav


def test_an_open_live_story_polls_and_is_complete_without_javascript(client, story):
    for n in range(POLL_LENGTH + 5):
        entry(story, 200 + n, f"<p>Older update number {n}.</p>")
    html = page(client, story)
    section = re.search(r'<section class="live"[^>]*>', html)[0]
    assert f'data-live-poll="/stories/{story.slug}/live.json"' in section
    assert 'data-live-seconds="15"' in section
    # Every entry is on the page itself, the oldest too: a reader without JavaScript (or whose
    # script failed) misses nothing but the automatic refresh, which a reload does.
    assert len(entry_order(html)) == story.entries.count() == POLL_LENGTH + 9
    assert f"Older update number {POLL_LENGTH + 4}." in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert '<script src="/static/newsroom/live.js" defer>' in scripts
    assert [s for s in scripts if "ld+json" not in s] == [
        '<script src="/static/newsroom/live.js" defer>'
    ]
    assert " style=" not in live_section(html) and " on" not in section


def test_the_poll_interval_is_a_setting(client, story, settings):
    settings.LIVE_POLL_SECONDS = 3
    assert 'data-live-seconds="3"' in page(client, story)


def test_a_closed_coverage_says_it_has_ended_and_stops_polling(client, story):
    story.live_closed_at = timezone.now() - dt.timedelta(minutes=2)
    story.save()
    html = page(client, story)
    live = live_section(html)
    assert "<strong>This live coverage has ended</strong>" in live
    assert f'<time datetime="{machine_time(story.live_closed_at)}">' in live
    assert "data-live-poll" not in live and "live-label" not in live
    assert "live.js" not in html
    assert len(entry_order(html)) == 4  # the entries stay


def test_a_story_that_is_not_live_has_no_coverage(client, story):
    Article.objects.filter(pk=story.pk).update(is_live=False)
    html = page(client, story)
    assert '<section class="live"' not in html and "live.js" not in html
    assert "/live/rss/" not in html
    json_ld(html, "NewsArticle")


def test_a_live_story_with_no_entry_yet_says_so(client):
    story = ArticleFactory(slug="just-begun", is_live=True)
    live = live_section(page(client, story))
    assert "No updates yet." in live
    assert "Key events" not in live


def test_the_preview_of_a_live_story_does_not_poll(story, editor):
    html = editor.get(f"/preview/stories/{story.pk}/").content.decode()
    assert len(entry_order(html)) == 4
    assert "data-live-poll" not in html and "live.js" not in html


def test_the_page_links_the_entries_feeds(client, story):
    html = page(client, story)
    assert (
        '<link rel="alternate" type="application/rss+xml" href="/stories/typhoon-live/live/rss/"'
        in html
    )
    assert (
        '<link rel="alternate" type="application/atom+xml" href="/stories/typhoon-live/live/atom/"'
        in html
    )


def story_page_queries(client, story) -> int:
    with CaptureQueriesContext(connection) as queries:
        page(client, story)
    return len(queries)


def pile_entries(story, count, authors, image):
    """``count`` entries, each with two authors, every third with a picture."""
    for n in range(count):
        body = f"<p>Update {n}.</p>"
        if n % 3 == 0:
            body += f'<figure class="picture" data-image="{image.pk}"></figure>'
        made = entry(story, 300 + n, body, title=f"Update {n}", key_event=n % 2 == 0)
        made.authors.add(*authors)


def test_the_page_costs_the_same_queries_for_3_or_30_entries(client):
    authors = ReporterFactory.create_batch(2)
    image = ImageFactory()
    small, big = (ArticleFactory(is_live=True) for _ in range(2))
    pile_entries(small, 3, authors, image)
    pile_entries(big, 30, authors, image)
    assert story_page_queries(client, small) == story_page_queries(client, big)
    html = page(client, big)
    assert len(entry_order(html)) == 30
    assert html.count('class="story-picture story-picture--column"') == 10


def test_a_new_entry_refreshes_the_kept_parts_and_the_cached_page(
    client, story, settings, page_cache_on, commit
):
    settings.STORY_PARTS_CACHE_SECONDS = 600
    before = client.get(story.get_absolute_url())
    assert client.get(story.get_absolute_url())["X-Cache"] == "hit"
    assert f"story:{story.pk}" in before["Surrogate-Key"].split()
    new = add_entry(commit, story, 0, "<p>The signal is lowered.</p>", title="Signal lowered")
    after = client.get(story.get_absolute_url())
    assert after["X-Cache"] == "miss"
    assert entry_order(after.content.decode())[1] == new.pk  # under the pinned one
    assert after["ETag"] != before["ETag"]


def test_a_picture_in_an_entry_is_purged_with_the_page(client, story):
    image = ImageFactory(alt_text="Waves over the wall")
    entry(story, 1, f'<figure class="picture" data-image="{image.pk}"></figure>')
    response = client.get(story.get_absolute_url())
    assert f"image:{image.pk}" in response["Surrogate-Key"].split()
    assert 'alt="Waves over the wall"' in response.content.decode()


# The poll endpoint --------------------------------------------------------------------------


def test_the_poll_gives_the_status_and_the_latest_entries_in_the_page_order(client, story):
    response = poll(client, story)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["closed"] is False and data["closed_at"] is None
    assert data["updated"] == local_iso(story.entries.get(title="Sea wall").posted_at)
    assert [e["id"] for e in data["entries"]] == entry_order(page(client, story))
    first = data["entries"][0]
    assert set(first) == {"id", "html", "key_event", "pinned", "posted_at", "modified_at"}
    assert first["pinned"] is True and first["key_event"] is False
    assert first["html"].startswith(f'<article id="entry-{first["id"]}" class="live-entry')
    assert "Community halls are open as shelters." in first["html"]
    # The status and key events as the page shows them, for the script to put in their place.
    live = live_section(page(client, story))
    assert data["header_html"].strip() in live
    assert all(e["html"].strip() in live for e in data["entries"])


def test_the_poll_gives_at_most_the_latest_entries_and_every_key_event(client, story):
    for n in range(POLL_LENGTH + 5):
        entry(story, 60 - n, f"<p>Update {n}.</p>", title=f"Update {n}")
    data = poll(client, story).json()
    assert len(data["entries"]) == POLL_LENGTH
    assert ">Update 24</h3>" in data["entries"][1]["html"]  # after the pinned, the newest
    # The first key event, long out of the latest entries, is still listed at the top.
    signal = story.entries.get(title="Signal 8 raised")
    assert f'href="#entry-{signal.pk}"' in data["header_html"]


def test_the_poll_costs_the_same_queries_for_3_or_30_entries(client):
    authors = ReporterFactory.create_batch(2)
    image = ImageFactory()
    small, big = (ArticleFactory(is_live=True) for _ in range(2))
    pile_entries(small, 3, authors, image)
    pile_entries(big, 30, authors, image)
    counts = []
    for story in (small, big):
        with CaptureQueriesContext(connection) as queries:
            assert poll(client, story).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_nothing_new_is_a_304_with_no_body(client, story):
    first = poll(client, story)
    etag = first["ETag"]
    assert etag and first["Cache-Control"] == "public, max-age=5"
    again = poll(client, story, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag


def test_the_poll_is_one_answer_for_every_reader_kept_until_an_entry_purges_it(
    client, story, page_cache_on, commit, django_assert_num_queries
):
    first = poll(client, story)
    assert first["X-Cache"] == "miss"
    assert f"story:{story.pk}" in first["Surrogate-Key"].split()
    assert first["Surrogate-Control"].startswith("max-age=")
    etag = first["ETag"]
    # Kept by the page cache: the next poll, and a 304 for a reader whose copy is current,
    # cost no query at all.
    with django_assert_num_queries(0):
        assert poll(client, story)["X-Cache"] == "hit"
        assert poll(client, story, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # A query string makes no other answer (nothing a reader sends changes it).
    with django_assert_num_queries(0):
        assert poll(client, story, QUERY_STRING="since=123").content == first.content

    new = add_entry(commit, story, 0, "<p>The signal is lowered.</p>", key_event=True)
    changed = poll(client, story, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    data = changed.json()
    assert data["entries"][1]["id"] == new.pk and data["entries"][1]["key_event"] is True
    assert f'href="#entry-{new.pk}"' in data["header_html"]
    assert poll(client, story, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 304


def test_a_correction_changes_the_entry_in_the_poll(client, story, commit):
    before = poll(client, story)
    wall = story.entries.get(title="Sea wall")

    def correct():
        wall.correction = "The waves were at Heng Fa Chuen, not Chai Wan."
        wall.corrected_at = timezone.now()
        wall.save()
        keys.purge(keys.key(story))

    commit(correct)
    after = poll(client, story, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    shown = next(e for e in after.json()["entries"] if e["id"] == wall.pk)
    assert "Heng Fa Chuen, not Chai Wan." in shown["html"]
    old = next(e for e in before.json()["entries"] if e["id"] == wall.pk)
    assert shown["modified_at"] != old["modified_at"]


def test_closing_the_coverage_is_in_the_poll(client, story, commit):
    etag = poll(client, story)["ETag"]

    def close():
        story.live_closed_at = timezone.now()
        story.save()

    commit(close)
    response = poll(client, story, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    data = response.json()
    assert data["closed"] is True
    assert data["closed_at"] == local_iso(story.live_closed_at)
    assert "This live coverage has ended" in data["header_html"]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"is_live": False}, id="not live"),
        pytest.param({"status": Article.Status.DRAFT}, id="draft"),
        pytest.param({"status": Article.Status.WITHDRAWN}, id="withdrawn"),
        pytest.param(
            {"published_at": timezone.now() + dt.timedelta(hours=1)}, id="scheduled for later"
        ),
        pytest.param({"embargo_until": timezone.now() + dt.timedelta(hours=1)}, id="under embargo"),
    ],
)
def test_only_a_published_live_story_has_a_poll_and_feeds(client, story, change):
    Article.objects.filter(pk=story.pk).update(**change)
    for path in ("live.json", "live/rss/", "live/atom/"):
        assert client.get(f"/stories/{story.slug}/{path}").status_code == 404


def test_an_unknown_story_has_no_poll(client, db):
    assert client.get("/stories/no-such-story/live.json").status_code == 404


def test_the_poll_only_answers_reads(client, story):
    assert client.post(f"/stories/{story.slug}/live.json").status_code in (403, 405)
    assert client.head(f"/stories/{story.slug}/live.json").status_code == 200


# JSON-LD ------------------------------------------------------------------------------------


def test_a_live_story_is_a_live_blog_posting_with_its_entries(client, story, reporter):
    html = page(client, story)
    data = json_ld(html, "LiveBlogPosting")
    assert not [b for b in JSON_LD.findall(html) if '"NewsArticle"' in b]
    url = f"{BASE}/stories/{story.slug}/"
    # Everything a NewsArticle says...
    assert data["headline"] == story.headline
    assert data["url"] == url
    assert data["author"][0]["name"] == "Ann Lee"
    # ...and the coverage: open, so no end.
    assert data["coverageStartTime"] == local_iso(story.published_at)
    assert "coverageEndTime" not in data
    updates = data["liveBlogUpdate"]
    assert [u["@id"] for u in updates] == [f"{url}#entry-{pk}" for pk in entry_order(html)]
    signal = story.entries.get(title="Signal 8 raised")
    first = next(u for u in updates if u["url"] == f"{url}#entry-{signal.pk}")
    assert first["@type"] == "BlogPosting"
    assert first["headline"] == "Signal 8 raised"
    assert first["datePublished"] == local_iso(signal.posted_at)
    assert first["articleBody"] == "The observatory raised signal 8."
    assert [a["name"] for a in first["author"]] == ["Ann Lee"]
    assert first["author"][0]["url"] == f"{BASE}/reporters/ann-lee/"
    untitled = next(u for u in updates if "Ferries" in u["articleBody"])
    assert untitled["headline"].startswith("Ferries to the outlying islands")
    corrected = story.entries.get(correction__gt="")
    assert untitled["dateModified"] == local_iso(corrected.corrected_at)
    assert data["dateModified"] == local_iso(story.entries.get(title="Sea wall").posted_at)


def test_a_closed_coverage_has_its_end_time(client, story):
    story.live_closed_at = timezone.now() - dt.timedelta(minutes=1)
    story.save()
    data = json_ld(page(client, story), "LiveBlogPosting")
    assert data["coverageEndTime"] == local_iso(story.live_closed_at)


# Feeds --------------------------------------------------------------------------------------


def test_the_rss_feed_has_the_entries_newest_first(client, story, settings):
    image = ImageFactory(alt_text="Waves over the wall")
    entry(story, 1, f'<p>Now.</p><figure class="picture" data-image="{image.pk}"></figure>')
    # Links from the site's address, whatever host the request came to.
    response = client.get(f"/stories/{story.slug}/live/rss/", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert f"story:{story.pk}" in response["Surrogate-Key"].split()
    channel = ET.fromstring(response.content).find("channel")
    assert channel.findtext("link") == f"{BASE}/stories/{story.slug}/"
    assert "Typhoon Koinu: live" in channel.findtext("title")
    items = channel.findall("item")
    by_time = sorted(story.entries.all(), key=lambda e: e.posted_at, reverse=True)
    assert [i.findtext("link") for i in items] == [
        f"{BASE}/stories/{story.slug}/#entry-{e.pk}" for e in by_time
    ]
    newest = items[0].findtext(f"{CONTENT}encoded")
    assert '<img src="http://testserver/media/' in newest and 'alt="Waves over the wall"' in newest
    signal = next(i for i in items if i.findtext("title") == "Signal 8 raised")
    assert signal.findtext(f"{DC}creator") == "Ann Lee"
    assert [c.text for c in signal.findall("category")] == ["Key event"]
    assert items[1].findtext("title") == "Sea wall"


def test_the_atom_feed_has_the_entries_and_their_authors(client, story):
    response = client.get(f"/stories/{story.slug}/live/atom/")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 4
    signal = next(e for e in entries if e.findtext(f"{ATOM}title") == "Signal 8 raised")
    author = signal.find(f"{ATOM}author")
    assert author.findtext(f"{ATOM}name") == "Ann Lee"
    assert author.findtext(f"{ATOM}uri") == f"{BASE}/reporters/ann-lee/"
    content = signal.find(f"{ATOM}content")
    assert content.get("type") == "html" and "raised signal 8" in content.text


def test_the_feeds_cost_the_same_queries_for_3_or_30_entries(client):
    authors = ReporterFactory.create_batch(2)
    image = ImageFactory()
    small, big = (ArticleFactory(is_live=True) for _ in range(2))
    pile_entries(small, 3, authors, image)
    pile_entries(big, 30, authors, image)
    for feed in ("rss", "atom"):
        counts = []
        for story in (small, big):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(f"/stories/{story.slug}/live/{feed}/").status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1], feed


# The API ------------------------------------------------------------------------------------


def test_the_api_gives_a_live_story_with_its_entries(client, story, reporter):
    response = client.get(f"/api/stories/{story.slug}/")
    assert response.status_code == 200
    data = response.json()
    assert data["live"] == {
        "open": True,
        "closed_at": None,
        "entries_rss": f"{BASE}/stories/{story.slug}/live/rss/",
    }
    assert [e["id"] for e in data["entries"]] == entry_order(page(client, story))
    signal = next(e for e in data["entries"] if e["title"] == "Signal 8 raised")
    assert signal["bodyhtml"] == "<p>The observatory raised signal 8.</p>"
    assert signal["key_event"] is True and signal["pinned"] is False
    assert signal["authors"][0]["name"] == "Ann Lee"
    assert signal["html_url"] == f"{BASE}/stories/{story.slug}/#entry-{signal['id']}"
    corrected = next(e for e in data["entries"] if e["correction"])
    assert corrected["correction"] == "An earlier version said every ferry had stopped."
    assert corrected["corrected"]
    assert f"story:{story.pk}" in response["Surrogate-Key"].split()
    document = client.get("/api/openapi.json").json()
    validate(document, response_schema(document, "/api/stories/{slug}/"), data)


def test_the_api_gives_a_closed_coverage_and_no_entries_for_other_stories(client, story):
    other = ArticleFactory(slug="not-live")
    story.live_closed_at = timezone.now()
    story.save()
    data = client.get(f"/api/stories/{story.slug}/").json()
    assert data["live"]["open"] is False
    assert data["live"]["closed_at"]
    plain = client.get(f"/api/stories/{other.slug}/").json()
    assert "live" not in plain and "entries" not in plain
    document = client.get("/api/openapi.json").json()
    listing = client.get("/api/stories/").json()
    validate(document, response_schema(document, "/api/stories/"), listing)
    assert [len(s.get("entries", [])) for s in listing["results"]] == [0, 4]


def test_the_api_costs_the_same_queries_for_3_or_30_entries(client):
    authors = ReporterFactory.create_batch(2)
    image = ImageFactory()
    small, big = (ArticleFactory(is_live=True) for _ in range(2))
    pile_entries(small, 3, authors, image)
    pile_entries(big, 30, authors, image)
    counts = []
    for story in (small, big):
        with CaptureQueriesContext(connection) as queries:
            data = client.get(f"/api/stories/{story.slug}/").json()
        counts.append(len(queries))
        pictured = [e["title"] for e in data["entries"] if "<img " in e["bodyhtml"]]
        assert len(pictured) == len(range(0, len(data["entries"]), 3))
    assert counts[0] == counts[1]
    # A list page with both live stories costs what one with either does.
    with CaptureQueriesContext(connection) as queries:
        listing = client.get("/api/stories/").json()
    assert sorted(len(s["entries"]) for s in listing["results"]) == [3, 30]
    small.is_live = False
    small.save()
    with CaptureQueriesContext(connection) as fewer:
        client.get("/api/stories/")
    assert len(fewer) == len(queries)
