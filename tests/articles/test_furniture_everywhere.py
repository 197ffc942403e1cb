"""Story furniture everywhere the story goes (issue 17): feeds, the API, JSON-LD, search, the
export and the names linked from the text.

A body holds library pictures, galleries and embeds as figures that stand for something kept
elsewhere (``articles.body``). Feeds and the API get them made into plain absolute ``<img>`` and
links, with the pictures read in one query however many stories and pictures there are; JSON-LD
names the body's pictures after the lead's; search finds the words readers see in them and never
the markup; the export carries every element back unchanged; pull quotes and fact boxes are text
like any other for the names they mention.
"""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft202012Validator

from articles import structured_data
from articles.body import images_for
from articles.mentions import find_mentions, link_mentions
from articles.models import Article
from articles.search import parse_query, ranked_ids, stories_in_order
from core.text import html_to_text
from people.models import Person
from photos.models import Image
from tests.articles.test_export import empty_the_database, export
from tests.factories import (
    ArticleFactory,
    ImageFactory,
    OrganizationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

BASE = "http://testserver"
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
YOUTUBE_PAGE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
IMG = re.compile(r'<img src="([^"]+)" width="(\d+)" height="(\d+)" alt="([^"]*)">')

PULL_QUOTE = (
    '<blockquote class="pull-quote"><p>An unstoppable tide of trade.</p><p>— Xu Li</p></blockquote>'
)
FACT_BOX = (
    '<aside class="fact-box"><h3>In numbers</h3>'
    "<ul><li>Tonnage doubled</li><li>SenseTime opened a lab</li></ul></aside>"
)
TABLE = (
    "<table><tbody><tr><th><p>Berth</p></th><th><p>Ships</p></th></tr>"
    "<tr><td><p>Quayside</p></td><td><p>12</p></td></tr></tbody></table>"
)


def picture(image, caption="", size="column"):
    return (
        f'<figure class="picture" data-image="{image.pk}" data-size="{size}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def gallery(*images):
    return '<figure class="gallery">' + "".join(picture(image) for image in images) + "</figure>"


def embed(caption="The harbour at dawn"):
    return (
        '<figure class="embed" data-provider="youtube" data-id="dQw4w9WgXcQ">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


@pytest.fixture
def images():
    """Three library pictures, their renditions made (the tests' task back end)."""
    return [
        ImageFactory(alt_text="Cranes at dawn", caption="Library words", credit="Li Demo / Agency"),
        ImageFactory(alt_text="Second picture", caption="Second caption", credit="Second Credit"),
        ImageFactory(alt_text="Third picture", caption="Third caption", credit=""),
    ]


@pytest.fixture
def story(images):
    """A published story with everything: a picture with its own caption, a gallery, an embed,
    a pull quote, a table and a fact box."""
    first, second, third = images
    body = (
        "<p>Opening words.</p>"
        + picture(first, "Our <em>cormorants</em> caption", "full")
        + gallery(second, third)
        + embed()
        + PULL_QUOTE
        + TABLE
        + FACT_BOX
        + "<p>Closing words.</p>"
    )
    return ArticleFactory(headline="Harbour day", slug="harbour-day", body=body)


def content_of(client, url):
    """The one item's body in a feed, RSS or Atom."""
    root = ET.fromstring(client.get(url).content)
    bodies = [el.text for el in root.iter() if el.tag in (f"{CONTENT}encoded", f"{ATOM}content")]
    assert len(bodies) == 1
    return bodies[0]


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# --- Feeds -------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/feeds/rss/", "/feeds/atom/"])
def test_feeds_give_pictures_at_absolute_addresses_and_embeds_as_links(client, story, url):
    content = content_of(client, url)

    pictures = IMG.findall(content)
    assert [alt for *_, alt in pictures] == ["Cranes at dawn", "Second picture", "Third picture"]
    for src, width, height, _ in pictures:
        assert src.startswith(f"{BASE}/media/renditions/"), src
        assert (int(width), int(height)) == (1024, 683)
    assert '<span class="caption">Our <em>cormorants</em> caption</span>' in content
    assert '<span class="credit">Photo: Li Demo / Agency</span>' in content
    # An empty caption is the library's own.
    assert '<span class="caption">Second caption</span>' in content
    assert f'<p><a href="{YOUTUBE_PAGE}">Video on YouTube</a>: The harbour at dawn</p>' in content
    # Nothing of the stored figures, nothing only a page can use, no address on another host.
    for stored in ("data-image", "data-provider", 'class="picture"', "srcset", "<iframe"):
        assert stored not in content
    assert 'src="/' not in content
    # The rest of the furniture as stored.
    for kept in (PULL_QUOTE[:40], TABLE[:30], FACT_BOX[:30], "<p>Closing words.</p>"):
        assert kept in content


@pytest.mark.parametrize("url", ["/feeds/rss/", "/feeds/atom/", "/feeds/tags/harbour/rss/"])
def test_a_feed_reads_all_its_pictures_in_one_query(client, images, url):
    def story(body):
        made = ArticleFactory(body=body)
        made.tags.add("Harbour")
        return made

    story("<p>No pictures.</p>")
    client.get(url)  # what is read once per process (content types) is read
    without = count_queries(client, url)

    story(f"<p>One picture.</p>{picture(images[0])}")
    one = count_queries(client, url)

    more = ImageFactory.create_batch(4)
    for number in range(5):
        story(f"<p>Story {number}.</p>{picture(more[number % 4])}{gallery(*images)}")
    many = count_queries(client, url)

    assert one == without + 1  # the pictures of every story in the feed, in one query
    assert many == one
    assert client.get(url).content.count(b"&lt;img src=") == 5 * 4 + 1


# --- The API -------------------------------------------------------------------------------------


def validate(document, path, instance):
    """``instance`` against the OpenAPI document's schema for ``path``'s 200 answer."""
    responses = document["paths"][path]["get"]["responses"]
    schema = responses["200"]["content"]["application/json"]["schema"]
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    root["components"] = document["components"]
    Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(
        instance
    )


def test_a_story_in_the_api_has_its_pictures_as_ninjs_associations(client, story, images):
    lead = ImageFactory(alt_text="The lead", caption="Lead caption", copyright_notice="© Us")
    Article.objects.filter(pk=story.pk).update(lead_image=lead)

    data = client.get(f"/api/stories/{story.slug}/").json()

    # The body as feeds have it: plain absolute pictures, the embed a link.
    assert data["bodyhtml"] == content_of(client, "/feeds/rss/")
    assert len(IMG.findall(data["bodyhtml"])) == 3
    assert f'<a href="{YOUTUBE_PAGE}">Video on YouTube</a>' in data["bodyhtml"]
    # The lead picture keeps its own field, as before.
    assert data["lead_image"]["alt_text"] == "The lead"

    associations = data["associations"]
    assert list(associations) == ["featureimage", "picture1", "picture2", "picture3"]
    feature = associations["featureimage"]
    assert feature["type"] == "picture"
    assert feature["uri"] == BASE + lead.file.url
    assert feature["description_text"] == "Lead caption"
    assert feature["copyrightnotice"] == "© Us"
    first, second, third = (associations[f"picture{n}"] for n in (1, 2, 3))
    assert first["alt_text"] == "Cranes at dawn"
    assert first["description_text"] == "Our cormorants caption"  # the story's own, as text
    assert first["byline"] == "Li Demo / Agency"
    assert (second["description_text"], second["byline"]) == ("Second caption", "Second Credit")
    assert (third["alt_text"], third["byline"]) == ("Third picture", "")
    renditions = first["renditions"]
    assert list(renditions) == ["320w", "640w", "1024w", "1200w"]  # the picture is 1200 wide
    assert renditions["640w"]["width"] == 640
    assert renditions["640w"]["height"] == 427
    assert renditions["640w"]["mimetype"] == "image/jpeg"
    assert renditions["640w"]["href"].startswith(f"{BASE}/media/renditions/{images[0].pk}/")

    validate(client.get("/api/openapi.json").json(), "/api/stories/{slug}/", data)


def test_a_story_without_pictures_has_no_associations(client, seed):
    data = client.get(f"/api/stories/{seed.slug}/").json()
    assert data["associations"] == {}
    assert data["bodyhtml"] == seed.body


def test_a_picture_not_in_the_library_is_not_associated(client, story, images):
    # A picture in the library cannot be deleted while a body shows it (BodyImage); a number
    # that names none (a body written around save(), an import) is left out, as on the page.
    body = story.body.replace(f'data-image="{images[1].pk}"', 'data-image="999999"')
    Article.objects.filter(pk=story.pk).update(body=body)
    data = client.get(f"/api/stories/{story.slug}/").json()
    assert [a["alt_text"] for a in data["associations"].values()] == [
        "Cranes at dawn",
        "Third picture",
    ]
    assert list(data["associations"]) == ["picture1", "picture2"]
    assert "Second picture" not in data["bodyhtml"]


def test_a_page_of_stories_reads_all_their_pictures_in_one_query(client, images):
    url = "/api/stories/?page_size=20"
    ArticleFactory(body="<p>No pictures.</p>")
    client.get(url)  # what is read once per process (content types) is read
    without = count_queries(client, url)

    ArticleFactory(body=f"<p>One.</p>{picture(images[0])}")
    one = count_queries(client, url)

    more = ImageFactory.create_batch(4)
    for number in range(6):
        ArticleFactory(body=f"<p>{number}.</p>{picture(more[number % 4])}{gallery(*images)}")
    many = count_queries(client, url)

    assert one == without + 1
    assert many == one
    data = client.get(url).json()
    assert data["count"] == 8
    with_pictures = [story for story in data["results"] if story["associations"]]
    assert len(with_pictures) == 7
    assert all(len(IMG.findall(s["bodyhtml"])) >= 1 for s in with_pictures)
    validate(client.get("/api/openapi.json").json(), "/api/stories/", data)


def test_a_story_costs_one_query_more_with_pictures_however_many(client, images):
    story = ArticleFactory(body="<p>None.</p>")
    client.get(f"/api/stories/{story.slug}/")  # what is read once per process is read
    without = count_queries(client, f"/api/stories/{story.slug}/")
    Article.objects.filter(pk=story.pk).update(body=f"<p>One.</p>{picture(images[0])}")
    one = count_queries(client, f"/api/stories/{story.slug}/")
    many_body = picture(images[0]) + gallery(*images) + gallery(*ImageFactory.create_batch(5))
    Article.objects.filter(pk=story.pk).update(body=many_body)
    many = count_queries(client, f"/api/stories/{story.slug}/")
    assert (one, many) == (without + 1, without + 1)


# --- JSON-LD -----------------------------------------------------------------------------------


def news_article(html):
    found = [json.loads(block) for block in JSON_LD.findall(html)]
    (data,) = [item for item in found if item.get("@type") == "NewsArticle"]
    return data


def test_json_ld_names_the_bodys_pictures_after_the_leads(client, story, images):
    lead = ImageFactory(alt_text="The lead")
    # The lead picture again in the body, and the first picture twice: each is named once.
    body = story.body + picture(lead) + picture(images[0], "Again")
    Article.objects.filter(pk=story.pk).update(lead_image=lead, body=body)

    data = news_article(client.get(story.get_absolute_url()).content.decode())

    crops, pictures = data["image"][:3], data["image"][3:]
    assert all(isinstance(url, str) and url.startswith(f"{BASE}/media/") for url in crops)
    assert [p["description"] for p in pictures] == [
        "Cranes at dawn",
        "Second picture",
        "Third picture",
    ]
    first, second, third = pictures
    assert first == {
        "@type": "ImageObject",
        "url": first["url"],
        "width": 1200,
        "height": 800,
        "description": "Cranes at dawn",
        "caption": "Our cormorants caption",
        "creditText": "Li Demo / Agency",
    }
    assert first["url"].startswith(f"{BASE}/media/renditions/{images[0].pk}/")
    assert second["caption"] == "Second caption"  # the library's, the figure having none
    assert "creditText" not in third  # no credit: left out, as for the lead


def test_json_ld_of_a_story_without_pictures_is_as_before(client, seed):
    data = news_article(client.get(seed.get_absolute_url()).content.decode())
    assert len(data["image"]) == 3


def test_news_article_uses_the_pictures_it_is_given(story, images, django_assert_num_queries):
    story = Article.objects.select_related("section", "lead_image").get(pk=story.pk)
    loaded = images_for(story.body)
    with django_assert_num_queries(0):
        given = structured_data.body_images(story, loaded)
    with django_assert_num_queries(1):
        read = structured_data.body_images(story)
    assert given == read
    assert len(given) == 3


# --- Search ------------------------------------------------------------------------------------


def found(q):
    return [article.headline for article in stories_in_order(ranked_ids(parse_query(q)))]


@pytest.mark.parametrize(
    "q",
    [
        "cormorants",  # a picture's own caption
        "harbour at dawn",  # an embed's caption
        "unstoppable",  # a pull quote
        "Tonnage",  # a fact box
        "Quayside",  # a table cell
        "Berth",  # a table's header
    ],
)
def test_search_finds_the_words_readers_see_in_the_furniture(story, q):
    assert found(q) == ["Harbour day"]


@pytest.mark.parametrize(
    "q",
    [
        "youtube",  # the embed's provider, an attribute
        "dQw4w9WgXcQ",  # the post's id
        "figcaption",
        "figure",
        "gallery",
        "embed",
        "column",  # a picture's size
        "full",
        "data",
        "image",
        "aside",
        "blockquote",
        "pull",
        "fact",
        "tbody",
    ],
)
def test_search_never_finds_the_markup(story, q):
    assert found(q) == []


def test_search_results_show_no_markup(client, story):
    response = client.get("/search/", {"q": "Tonnage"})
    page = response.content.decode()
    assert "Harbour day" in page
    assert "data-image" not in page and "fact-box" not in page


# --- The export, and back ----------------------------------------------------------------------


def test_the_export_brings_back_every_element_of_the_body(client, story, images, tmp_path):
    path = tmp_path / "export.json"
    before = Article.objects.get(pk=story.pk).body
    for element in (
        'class="picture"',
        'class="gallery"',
        'class="embed" data-provider="youtube" data-id="dQw4w9WgXcQ"',
        'class="pull-quote"',
        "<table>",
        'class="fact-box"',
        "<figcaption>Our <em>cormorants</em> caption</figcaption>",
    ):
        assert element in before
    shown = client.get(f"/api/stories/{story.slug}/").json()

    export(path)
    empty_the_database()
    assert not Article.objects.exists() and not Image.objects.exists()
    call_command("loaddata", str(path), verbosity=0)

    assert Article.objects.get(slug=story.slug).body == before
    # The pictures come back under their numbers, so the figures still show them.
    assert sorted(Image.objects.values_list("pk", flat=True)) == sorted(i.pk for i in images)
    again = client.get(f"/api/stories/{story.slug}/").json()
    assert again["bodyhtml"] == shown["bodyhtml"]
    assert again["associations"] == shown["associations"]


# --- Names mentioned in the furniture ----------------------------------------------------------


def test_names_in_pull_quotes_and_fact_boxes_are_mentions(story):
    xu_li = PersonFactory(name="Xu Li", slug="xu-li")
    sensetime = OrganizationFactory(name="SenseTime", slug="sensetime")
    # Only in the pull quote and the fact box.
    assert "Xu Li" not in re.sub(r"<blockquote.*?</blockquote>", "", story.body, flags=re.S)
    assert "SenseTime" not in re.sub(r"<aside.*?</aside>", "", story.body, flags=re.S)

    people, organizations = find_mentions(html_to_text(story.body))
    assert (people, organizations) == ([xu_li], [sensetime])

    assert link_mentions(article=story) == ([xu_li], [sensetime])
    assert list(story.mentioned_people.all()) == [xu_li]
    assert list(story.mentioned_organizations.all()) == [sensetime]


def test_a_name_in_a_caption_is_a_mention_but_not_one_in_an_attribute(images):
    PersonFactory(name="Chang Zhipeng", slug="chang-zhipeng")
    OrganizationFactory(name="SenseTime", slug="sensetime")
    story = ArticleFactory(
        body=f"<p>Text.</p>{picture(images[0], 'Chang Zhipeng at the quay')}"
        '<figure class="embed" data-provider="instagram" data-id="SenseTime">'
        "<figcaption></figcaption></figure>"
    )
    assert 'data-id="SenseTime"' in story.body

    assert link_mentions(article=story) == ([Person.objects.get(slug="chang-zhipeng")], [])
