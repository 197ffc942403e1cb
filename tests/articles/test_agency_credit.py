"""The agency's credit on copy taken from the wire (``Article.credit``): on the story form beside
the bylines, and wherever readers and machines read a byline: the story page, every list of
cards, search, JSON-LD, the feeds and the API. With no staff reporter the credit alone, as given;
with staff reporters, their names and then the credit. It is a column: it costs no query."""

import json
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from people.models import Reporter
from tests.factories import ArticleFactory, BylineFactory, SectionFactory
from tests.forms import article_form

pytestmark = pytest.mark.django_db

CREDIT = "By Jane Doe, Reuters"
HEADLINE = "Port of Nansha handles record container traffic"
DC = "{http://purl.org/dc/elements/1.1/}"
ATOM = "{http://www.w3.org/2005/Atom}"
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def bylines_on(html: str) -> list[str]:
    """Each byline printed on the page, as a reader reads it."""
    return [
        visible_text(found)
        for found in re.findall(r'<span class="byline[^"]*">.*?</span>(?:</span>)?', html, re.S)
    ]


@pytest.fixture
def section(db):
    return SectionFactory(name="Greater Bay Area", slug="greater-bay-area")


@pytest.fixture
def wire_story(section):
    """Agency copy published with no staff reporter on it."""
    story = ArticleFactory(headline=HEADLINE, slug="nansha-record", section=section, credit=CREDIT)
    story.tags.add("Shipping")
    return story


@pytest.fixture
def shared_story(section):
    """Agency copy a staff reporter added to: their byline, then the agency's."""
    story = ArticleFactory(
        headline="Ferry operators merge", slug="ferries-merge", section=section, credit="Reuters"
    )
    BylineFactory(article=story, reporter=Reporter.objects.create(name="Li Wei", slug="li-wei"))
    story.tags.add("Shipping")
    return story


# The story form.


def test_the_credit_is_on_the_story_form_after_the_bylines(editor_client, wire_story):
    url = f"/admin/articles/article/{wire_story.pk}/change/"
    response = editor_client.get(url)
    html = response.content.decode()

    side = html.split('<aside class="story-side"', 1)[1]
    assert side.index('id="bylines-group"') < side.index('name="credit"')
    assert "Agency credit" in side
    credit_row = side[side.index('name="credit"') :]
    assert "printed as the byline" in unescape(credit_row[:2000])
    assert article_form(response)["credit"] == CREDIT

    data = article_form(response)
    data["credit"] = "By Jane Doe and Tom Lee, Reuters"
    saved = editor_client.post(url, data)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    wire_story.refresh_from_db()
    assert wire_story.credit == "By Jane Doe and Tom Lee, Reuters"


# Readers' pages.


def test_agency_copy_with_no_staff_reporter_is_credited_to_the_agency_alone(client, wire_story):
    html = page(client, wire_story.get_absolute_url())

    assert bylines_on(html)[0] == CREDIT  # printed as given: no second "By", no "By" added
    assert "By By" not in visible_text(html)


def test_staff_bylines_come_first_then_the_credit(client, shared_story):
    html = page(client, shared_story.get_absolute_url())

    assert bylines_on(html)[0] == "By Li Wei · Reuters"
    assert 'rel="author">Li Wei</a>' in html


def test_a_staff_story_prints_its_byline_as_before(client, seed):
    html = page(client, seed.get_absolute_url())

    assert bylines_on(html)[0] == "By Chang Zhipeng"
    assert "·" not in bylines_on(html)[0]


@pytest.mark.parametrize(
    "url",
    ["/", "/sections/greater-bay-area/", "/tags/shipping/", "/search/?q=Nansha+ferry"],
    ids=["home", "section", "tag", "search"],
)
def test_every_list_prints_the_credit_on_the_card(client, wire_story, shared_story, url):
    # Search matches every word: look for each story on its own.
    if url.startswith("/search/"):
        bylines = bylines_on(page(client, "/search/?q=Nansha")) + bylines_on(
            page(client, "/search/?q=ferry")
        )
    else:
        bylines = bylines_on(page(client, url))

    assert CREDIT in bylines
    assert "By Li Wei · Reuters" in bylines


def test_the_credit_costs_no_query_on_a_list(client, section):
    for n in range(6):
        BylineFactory(article=ArticleFactory(section=section, slug=f"story-{n}"))

    def queries():
        page(client, "/sections/greater-bay-area/")  # what is cached between requests, cached
        with CaptureQueriesContext(connection) as captured:
            html = page(client, "/sections/greater-bay-area/")
        return len(captured), bylines_on(html)

    plain, bylines = queries()
    assert all("·" not in byline for byline in bylines)
    Article.objects.update(credit="Reuters")
    credited, bylines = queries()
    assert len(bylines) == 6 and all(byline.endswith(" · Reuters") for byline in bylines)
    assert credited == plain


# JSON-LD.


def news_article(client, story) -> dict:
    html = page(client, story.get_absolute_url())
    found = [json.loads(block) for block in JSON_LD.findall(html)]
    return next(data for data in found if data.get("@type") == "NewsArticle")


def test_json_ld_credits_the_agency_and_invents_no_author(client, wire_story):
    data = news_article(client, wire_story)

    assert data["creditText"] == CREDIT
    assert "author" not in data  # no Person made from the credit's words


def test_json_ld_keeps_the_reporters_as_authors_beside_the_credit(client, shared_story):
    data = news_article(client, shared_story)

    assert data["creditText"] == "Reuters"
    assert [author["name"] for author in data["author"]] == ["Li Wei"]
    assert {author["@type"] for author in data["author"]} == {"Person"}


def test_json_ld_of_a_staff_story_has_no_credit(client, seed):
    assert "creditText" not in news_article(client, seed)


# Feeds.


def feed_items(client, url, item_tag):
    root = ET.fromstring(client.get(url).content)
    return {
        (item.findtext("title") or item.findtext(f"{ATOM}title")): item
        for item in root.iter(item_tag)
    }


def test_rss_names_the_agency_as_creator_when_no_reporter_is_on_it(
    client, wire_story, shared_story
):
    items = feed_items(client, "/feeds/rss/", "item")

    assert [c.text for c in items[HEADLINE].findall(f"{DC}creator")] == [CREDIT]
    assert [c.text for c in items["Ferry operators merge"].findall(f"{DC}creator")] == ["Li Wei"]


def test_atom_names_the_agency_as_author_when_no_reporter_is_on_it(
    client, wire_story, shared_story
):
    items = feed_items(client, "/feeds/atom/", f"{ATOM}entry")

    (author,) = items[HEADLINE].findall(f"{ATOM}author")
    assert author.findtext(f"{ATOM}name") == CREDIT
    assert author.find(f"{ATOM}uri") is None  # the agency has no page of ours
    names = [
        a.findtext(f"{ATOM}name") for a in items["Ferry operators merge"].findall(f"{ATOM}author")
    ]
    assert names == ["Li Wei"]


# The API.


def test_the_apis_byline_follows_the_same_rule(client, wire_story, shared_story, seed):
    def byline(story):
        response = client.get(f"/api/stories/{story.slug}/")
        assert response.status_code == 200
        return response.json()["byline"]

    assert byline(wire_story) == CREDIT
    assert byline(shared_story) == "Li Wei · Reuters"
    assert byline(seed) == "Chang Zhipeng"
