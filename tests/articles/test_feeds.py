"""RSS 2.0 and Atom feeds: the whole site, and each section, tag and reporter; parsed as XML."""

import datetime as dt
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from html import unescape

import pytest
from django.test import override_settings
from django.utils import timezone

from articles.feeds import FEED_LENGTH
from articles.html import sanitize_html
from people.models import Reporter
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    CorrectionFactory,
    ReporterFactory,
    add_extras,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
SEED_URL = "http://testserver/stories/qianhai-forum-draws-1200-representatives/"

FEEDS = {
    "site": ("/feeds/rss/", "/feeds/atom/"),
    "section": ("/feeds/sections/greater-bay-area/rss/", "/feeds/sections/greater-bay-area/atom/"),
    "tag": ("/feeds/tags/hong-kong/rss/", "/feeds/tags/hong-kong/atom/"),
    "reporter": ("/feeds/reporters/chang-zhipeng/rss/", "/feeds/reporters/chang-zhipeng/atom/"),
}
RSS_URLS = [rss for rss, _ in FEEDS.values()]
ATOM_URLS = [atom for _, atom in FEEDS.values()]


def get_xml(client, url, content_type):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == f"{content_type}; charset=utf-8"
    return ET.fromstring(response.content)


def rss(client, url):
    root = get_xml(client, url, "application/rss+xml")
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    return root.find("channel")


def atom(client, url):
    root = get_xml(client, url, "application/atom+xml")
    assert root.tag == f"{ATOM}feed"
    return root


def rss_links(channel):
    return [item.findtext("link") for item in channel.findall("item")]


def atom_links(feed):
    return [
        e.find(f"{ATOM}link[@rel='alternate']").get("href") for e in feed.findall(f"{ATOM}entry")
    ]


def rfc3339(value):
    return dt.datetime.fromisoformat(value)


# --- RSS ---------------------------------------------------------------------------------------


def test_site_rss_describes_the_seed_story_fully(client, seed):
    add_extras(seed, reporters=2, tags=1, people=0, organizations=0)
    channel = rss(client, "/feeds/rss/")

    assert channel.findtext("title") == "Newsroom"
    assert channel.findtext("link") == "http://testserver/"
    assert channel.findtext("description") == "The latest stories from Newsroom."
    assert channel.findtext("language") == "en"
    assert channel.find("{http://www.w3.org/2005/Atom}link").get("href") == (
        "http://testserver/feeds/rss/"
    )
    (item,) = channel.findall("item")
    assert item.findtext("title") == seed.headline
    assert item.findtext("link") == SEED_URL
    assert item.findtext("guid") == SEED_URL
    assert unescape(item.findtext("description")) == seed.standfirst
    assert parsedate_to_datetime(item.findtext("pubDate")) == seed.published_at
    # Every author, in byline order.
    names = list(seed.bylines.values_list("reporter__name", flat=True))
    assert len(names) == 3
    assert [c.text for c in item.findall(f"{DC}creator")] == names
    # The section, then every tag.
    categories = [c.text for c in item.findall("category")]
    assert categories[0] == "Greater Bay Area"
    assert set(categories) == {"Greater Bay Area", *seed.tags.values_list("name", flat=True)}
    assert len(categories) == len(set(categories))
    assert item.findtext(f"{CONTENT}encoded") == sanitize_html(seed.body)
    assert parsedate_to_datetime(channel.findtext("lastBuildDate")) == seed.published_at


@pytest.mark.parametrize("url", RSS_URLS)
def test_rss_feeds_list_only_published_stories(client, hidden_story, url):
    assert rss_links(rss(client, url)) == [SEED_URL]


@pytest.mark.parametrize("url", ATOM_URLS)
def test_atom_feeds_list_only_published_stories(client, hidden_story, url):
    assert atom_links(atom(client, url)) == [SEED_URL]


def test_rss_summary_falls_back_to_the_first_paragraph(client, db):
    ArticleFactory(standfirst="", body="<p>First &amp; <em>best</em>.</p>\n<p>Second.</p>")

    (item,) = rss(client, "/feeds/rss/").findall("item")

    assert unescape(item.findtext("description")) == "First & best."


def test_rss_is_newest_first_and_limited(client, db):
    now = timezone.now()
    stories = [
        ArticleFactory(published_at=now - dt.timedelta(minutes=n)) for n in range(FEED_LENGTH + 3)
    ]

    links = rss_links(rss(client, "/feeds/rss/"))

    assert len(links) == FEED_LENGTH
    assert links == [f"http://testserver{s.get_absolute_url()}" for s in stories[:FEED_LENGTH]]


# --- Atom --------------------------------------------------------------------------------------


def test_site_atom_describes_the_seed_story_fully(client, seed):
    shown = ReporterFactory(name="Open Inbox", email="open@example.org", show_email=True)
    BylineFactory(article=seed, reporter=shown, order=5)
    correction = CorrectionFactory(
        article=seed, created_at=seed.published_at + dt.timedelta(days=1)
    )
    seed.updated_at = correction.created_at
    seed.save()

    feed = atom(client, "/feeds/atom/")

    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert feed.findtext(f"{ATOM}title") == "Newsroom"
    assert feed.findtext(f"{ATOM}subtitle") == "The latest stories from Newsroom."
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "http://testserver/feeds/atom/"
    assert feed.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Newsroom"
    assert rfc3339(feed.findtext(f"{ATOM}updated")) == seed.updated_at
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == seed.headline
    assert entry.findtext(f"{ATOM}id") == SEED_URL
    assert rfc3339(entry.findtext(f"{ATOM}published")) == seed.published_at
    assert rfc3339(entry.findtext(f"{ATOM}updated")) == seed.updated_at
    authors = [
        (a.findtext(f"{ATOM}name"), a.findtext(f"{ATOM}uri"), a.findtext(f"{ATOM}email"))
        for a in entry.findall(f"{ATOM}author")
    ]
    assert authors == [
        ("Chang Zhipeng", "http://testserver/reporters/chang-zhipeng/", None),
        ("Open Inbox", f"http://testserver{shown.get_absolute_url()}", "open@example.org"),
    ]
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert unescape(summary.text) == seed.standfirst
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert content.text == sanitize_html(seed.body)
    terms = [c.get("term") for c in entry.findall(f"{ATOM}category")]
    assert set(terms) == {"Greater Bay Area", *seed.tags.values_list("name", flat=True)}


def test_atom_entry_without_byline_is_covered_by_the_feed_author(client, db):
    ArticleFactory()

    feed = atom(client, "/feeds/atom/")

    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.findall(f"{ATOM}author") == []
    assert feed.find(f"{ATOM}author") is not None


def test_reporter_email_is_private_unless_shown(client, seed):
    Reporter.objects.filter(slug="chang-zhipeng").update(email="secret@example.org")

    for url in ["/feeds/rss/", "/feeds/atom/"]:
        assert b"secret@example.org" not in client.get(url).content


# --- Per section, tag and reporter -------------------------------------------------------------


@pytest.mark.parametrize("kind", ["section", "tag", "reporter"])
def test_narrow_feeds_hold_only_their_stories(client, seed, kind):
    other = ArticleFactory(headline="Elsewhere")
    other.tags.add("Macao")  # a tag the seed story has too, not the one in the feed
    BylineFactory(article=other)
    rss_url, atom_url = FEEDS[kind]

    assert rss_links(rss(client, rss_url)) == [SEED_URL]
    assert atom_links(atom(client, atom_url)) == [SEED_URL]
    assert f"http://testserver{other.get_absolute_url()}" in rss_links(rss(client, "/feeds/rss/"))


@pytest.mark.parametrize(
    "kind, title, link",
    [
        ("section", "Greater Bay Area — Newsroom", "http://testserver/sections/greater-bay-area/"),
        ("tag", "Hong Kong — Newsroom", "http://testserver/tags/hong-kong/"),
        ("reporter", "Chang Zhipeng — Newsroom", "http://testserver/reporters/chang-zhipeng/"),
    ],
)
def test_narrow_feeds_name_and_link_their_page(client, seed, kind, title, link):
    rss_url, atom_url = FEEDS[kind]
    channel = rss(client, rss_url)
    feed = atom(client, atom_url)

    assert channel.findtext("title") == title
    assert channel.findtext("link") == link
    assert feed.findtext(f"{ATOM}title") == title
    assert feed.find(f"{ATOM}link[@rel='alternate']").get("href") == link


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/sections/no-such-section/rss/",
        "/feeds/sections/no-such-section/atom/",
        "/feeds/tags/no-such-tag/rss/",
        "/feeds/tags/no-such-tag/atom/",
        "/feeds/reporters/nobody/rss/",
        "/feeds/reporters/nobody/atom/",
    ],
)
def test_unknown_feed_is_404(client, seed, url):
    assert client.get(url).status_code == 404


def test_empty_feeds_are_still_valid(client, db):
    assert rss(client, "/feeds/rss/").findall("item") == []
    assert atom(client, "/feeds/atom/").findall(f"{ATOM}entry") == []


# --- Escaping ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/feeds/rss/", "/feeds/atom/"])
def test_text_is_escaped_and_control_characters_dropped(client, db, url):
    story = ArticleFactory(
        headline="Tom & Jerry <b>say</b> \x0bhello\x1f",
        standfirst='Quotes " and <script>alert(1)</script>',
        body='<p>Safe</p><script>alert("x")</script><p onclick="evil()">Text</p>',
    )
    story.tags.add("R&D <lab>")
    BylineFactory(article=story, reporter=ReporterFactory(name="O'Brien & Co"))

    response = client.get(url)
    root = ET.fromstring(response.content)  # parses: well-formed XML
    text = response.content.decode()

    assert "Tom & Jerry <b>say</b> hello" in [el.text for el in root.iter()]
    assert "<script>" not in text
    assert "R&D <lab>" in [el.text or el.get("term") for el in root.iter()]
    assert "O'Brien & Co" in [el.text for el in root.iter()]
    bodies = [el.text for el in root.iter() if el.tag in (f"{CONTENT}encoded", f"{ATOM}content")]
    assert bodies == [sanitize_html(story.body)]
    assert "script" not in bodies[0] and "onclick" not in bodies[0]
    summaries = [el.text for el in root.iter() if el.tag in ("description", f"{ATOM}summary")]
    assert unescape(summaries[-1]) == 'Quotes " and <script>alert(1)</script>'


@override_settings(LANGUAGE_CODE="zh-hans", SITE_NAME="Bay & Harbour")
def test_feeds_use_the_site_name_and_language(client, seed):
    channel = rss(client, "/feeds/rss/")
    feed = atom(client, "/feeds/atom/")

    assert channel.findtext("title") == "Bay & Harbour"
    assert channel.findtext("language") == "zh-hans"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-hans"


# --- Pages advertise their feeds -----------------------------------------------------------------


def alternates(html):
    return [
        line.strip()
        for line in html.splitlines()
        if '<link rel="alternate"' in line and "application/" in line
    ]


def test_home_page_advertises_the_site_feeds(client, seed):
    links = alternates(client.get("/").content.decode())

    assert links == [
        '<link rel="alternate" type="application/rss+xml" href="/feeds/rss/" '
        'title="Newsroom (RSS)">',
        '<link rel="alternate" type="application/atom+xml" href="/feeds/atom/" '
        'title="Newsroom (Atom)">',
    ]


@pytest.mark.parametrize(
    "page, label, rss_url, atom_url",
    [
        ("/sections/greater-bay-area/", "Greater Bay Area", *FEEDS["section"]),
        ("/tags/hong-kong/", "Hong Kong", *FEEDS["tag"]),
        ("/reporters/chang-zhipeng/", "Chang Zhipeng", *FEEDS["reporter"]),
    ],
)
def test_listing_pages_advertise_their_own_feeds_first(
    client, seed, page, label, rss_url, atom_url
):
    links = alternates(client.get(page).content.decode())

    assert links[:2] == [
        f'<link rel="alternate" type="application/rss+xml" href="{rss_url}" '
        f'title="{label} — Newsroom (RSS)">',
        f'<link rel="alternate" type="application/atom+xml" href="{atom_url}" '
        f'title="{label} — Newsroom (Atom)">',
    ]
    assert 'href="/feeds/rss/"' in links[2]
    for url in (rss_url, atom_url):
        assert client.get(url).status_code == 200


# --- Cost ---------------------------------------------------------------------------------------


# Established by running the feeds: stories, their bylines, their tags (plus the section, tag or
# reporter the feed is about).
@pytest.mark.parametrize(
    "url, queries",
    [(url, 3) for url in FEEDS["site"]]
    + [(url, 4) for kind in ("section", "tag", "reporter") for url in FEEDS[kind]],
)
def test_feeds_cost_a_fixed_number_of_queries(
    client, seed, django_assert_num_queries, url, queries
):
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200

    add_extras(seed)
    chang = Reporter.objects.get(slug="chang-zhipeng")
    for _ in range(8):
        story = ArticleFactory(section=seed.section)
        story.tags.add("Hong Kong")
        BylineFactory(article=story, reporter=chang, order=0)
        add_extras(story, reporters=2, tags=3, people=0, organizations=0)

    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.count(b"Story number") >= 8
