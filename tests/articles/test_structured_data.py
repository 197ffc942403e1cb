"""Structured data and sharing tags: what search engines and social sites read from a story page.

The JSON-LD is parsed, as a search engine would, and every field is checked against the story.
"""

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Correction
from people.models import Organization, Person, Reporter
from tests.factories import (
    AffiliationFactory,
    ArticleFactory,
    BylineFactory,
    CorrectionFactory,
    OrganizationFactory,
    PersonFactory,
    ReporterFactory,
)

pytestmark = pytest.mark.django_db

BASE = "http://testserver"
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def json_ld(html: str) -> list[dict]:
    return [json.loads(block) for block in JSON_LD.findall(html)]


def node(html: str, type_: str) -> dict:
    """The one JSON-LD object of ``type_`` on the page."""
    found = [data for data in json_ld(html) if data.get("@type") == type_]
    assert len(found) == 1, f"expected one {type_}, found {len(found)}"
    return found[0]


class MetaTags(HTMLParser):
    """Every ``<meta>`` and ``<link>`` in the page, as (attribute dict) lists by name/property/rel."""

    def __init__(self):
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.links: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            key = attrs.get("property") or attrs.get("name")
            if key:
                self.meta.setdefault(key, []).append(attrs.get("content"))
        elif tag == "link" and attrs.get("rel"):
            self.links.setdefault(attrs["rel"], []).append(attrs.get("href"))


def tags_of(html: str) -> MetaTags:
    parser = MetaTags()
    parser.feed(html)
    return parser


def local_iso(value: dt.datetime) -> str:
    return timezone.localtime(value).isoformat()


@pytest.fixture
def story(seed):
    """The seed story with a second and third byline, a correction and a clarification."""
    BylineFactory(
        article=seed,
        reporter=ReporterFactory(name="Zhou Wen", slug="zhou-wen", job_title="Correspondent"),
        order=1,
    )
    BylineFactory(
        article=seed, reporter=ReporterFactory(name="Annie Lee", slug="annie-lee"), order=2
    )
    CorrectionFactory(
        article=seed,
        text="An earlier version gave the wrong day.",
        created_at=seed.published_at + dt.timedelta(hours=5),
    )
    CorrectionFactory(
        article=seed,
        kind=Correction.Kind.CLARIFICATION,
        text="The forum was held over two days.",
        created_at=seed.published_at + dt.timedelta(hours=7),
    )
    seed.updated_at = seed.published_at + dt.timedelta(hours=7)
    seed.save()
    return seed


def test_news_article_fields_match_the_story(client, story):
    """Headline, description, dates, section, keywords, dateline, language: all from the story."""
    html = client.get(story.get_absolute_url()).content.decode()
    data = node(html, "NewsArticle")
    url = BASE + story.get_absolute_url()

    assert data["@context"] == "https://schema.org"
    assert data["headline"] == story.headline
    assert data["description"] == story.standfirst
    assert data["url"] == url
    assert data["mainEntityOfPage"]["@id"] == url
    assert data["datePublished"] == local_iso(story.published_at)
    assert data["dateModified"] == local_iso(story.updated_at)
    assert data["articleSection"] == story.section.name == "Greater Bay Area"
    assert data["keywords"] == [tag.name for tag in story.tags.all()]
    assert "Hong Kong" in data["keywords"]
    assert data["locationCreated"] == {"@type": "Place", "name": "Shenzhen"}
    assert data["isAccessibleForFree"] is True
    # No lead image: the story's share card in 16:9, 4:3 and 1:1 (articles.share_cards).
    assert [u.rsplit("/", 1)[1][:9] for u in data["image"]] == [
        "card-16x9",
        "card-4x3-",
        "card-1x1-",
    ]


def test_dates_are_iso_8601_with_a_time_zone(client, seed, settings):
    """Both dates parse as ISO 8601, carry the newsroom's offset and name the right instant."""
    settings.TIME_ZONE = "Asia/Shanghai"
    data = node(client.get(seed.get_absolute_url()).content.decode(), "NewsArticle")

    published = dt.datetime.fromisoformat(data["datePublished"])
    modified = dt.datetime.fromisoformat(data["dateModified"])
    assert data["datePublished"].endswith("+08:00")
    assert published == seed.published_at
    assert modified == seed.published_at  # never updated: modified is the publication time
    assert published.utcoffset() == dt.timedelta(hours=8)


def test_every_author_is_a_person_with_name_and_url(client, story):
    """All bylines, in byline order, not just the first."""
    data = node(client.get(story.get_absolute_url()).content.decode(), "NewsArticle")

    assert [(a["@type"], a["name"], a["url"]) for a in data["author"]] == [
        ("Person", "Chang Zhipeng", f"{BASE}/reporters/chang-zhipeng/"),
        ("Person", "Zhou Wen", f"{BASE}/reporters/zhou-wen/"),
        ("Person", "Annie Lee", f"{BASE}/reporters/annie-lee/"),
    ]
    assert data["author"][1]["jobTitle"] == "Correspondent"


def test_publisher_is_the_news_organization_with_its_logo(client, seed, settings):
    """The publisher names the site, links home and has a logo that is really served."""
    settings.SITE_NAME = "The Bay Herald"
    data = node(client.get(seed.get_absolute_url()).content.decode(), "NewsArticle")
    publisher = data["publisher"]

    assert publisher["@type"] == "NewsMediaOrganization"
    assert publisher["name"] == "The Bay Herald"
    assert publisher["url"] == f"{BASE}/"
    logo = publisher["logo"]
    assert logo["@type"] == "ImageObject"
    assert logo["url"].startswith(f"{BASE}/static/newsroom/logo")
    assert logo["url"].endswith(".png")
    assert (logo["width"], logo["height"]) == (256, 256)


def test_logo_file_ships_with_the_site():
    """The logo is a local file of the size the JSON-LD states: no CDN."""
    from django.contrib.staticfiles import finders
    from PIL import Image

    path = finders.find("newsroom/logo.png")
    assert path
    with Image.open(path) as image:
        assert image.size == (256, 256)
    assert finders.find("newsroom/logo.svg")


def test_addresses_come_from_the_site_address_not_the_request(client, seed, settings):
    """Every URL is made from SITE_URL, whatever host and scheme the request came with."""
    settings.SITE_URL = "https://news.example.org"
    settings.ALLOWED_HOSTS = ["news.example.org", "other.example.org"]
    response = client.get(seed.get_absolute_url(), HTTP_HOST="other.example.org:6666")
    assert "other.example.org" not in response.content.decode()
    data = node(response.content.decode(), "NewsArticle")

    assert data["url"] == f"https://news.example.org{seed.get_absolute_url()}"
    assert data["publisher"]["logo"]["url"].startswith("https://news.example.org/static/")
    assert all(a["url"].startswith("https://news.example.org/") for a in data["author"])


def test_mentions_name_every_person_and_organization(client, seed):
    """People as Person and organizations as Organization, each with their page's address."""
    data = node(client.get(seed.get_absolute_url()).content.decode(), "NewsArticle")
    mentions = {(m["@type"], m["name"], m["url"]) for m in data["mentions"]}

    expected = {
        ("Person", p.name, f"{BASE}{p.get_absolute_url()}") for p in seed.mentioned_people.all()
    } | {
        ("Organization", o.name, f"{BASE}{o.get_absolute_url()}")
        for o in seed.mentioned_organizations.all()
    }
    assert mentions == expected
    assert ("Person", "Choi Koon-shum", f"{BASE}/people/choi-koon-shum/") in mentions
    assert ("Organization", "SenseTime", f"{BASE}/organizations/sensetime/") in mentions
    assert len(data["mentions"]) == len(expected)


def test_corrections_are_listed_with_their_text_and_time(client, story):
    """Each published correction, clarification or update is a CorrectionComment."""
    data = node(client.get(story.get_absolute_url()).content.decode(), "NewsArticle")

    assert [(c["@type"], c["name"], c["text"], c["datePublished"]) for c in data["correction"]] == [
        (
            "CorrectionComment",
            correction.get_kind_display(),
            correction.text,
            local_iso(correction.created_at),
        )
        for correction in story.corrections.all()
    ]
    assert len(data["correction"]) == 2


def test_a_plain_story_leaves_out_what_it_does_not_have(client, db):
    """No dateline, tags, mentions or corrections: those properties are absent, not empty."""
    article = ArticleFactory(dateline="", standfirst="Short and plain.")
    BylineFactory(article=article)
    data = node(client.get(article.get_absolute_url()).content.decode(), "NewsArticle")

    for name in ("locationCreated", "keywords", "mentions", "correction"):
        assert name not in data
    assert data["description"] == "Short and plain."
    assert len(data["author"]) == 1


def test_story_without_standfirst_is_described_by_its_opening(client, db):
    """Search results need a description: the body's opening words stand in for a standfirst."""
    article = ArticleFactory(standfirst="", body="<p>Ferries &amp; buses will run late.</p>")
    html = client.get(article.get_absolute_url()).content.decode()

    assert node(html, "NewsArticle")["description"] == "Ferries & buses will run late."
    assert tags_of(html).meta["description"] == ["Ferries & buses will run late."]


HOSTILE = '</script><script>alert("x")</script> & <!-- Q&A'


def test_json_ld_cannot_be_broken_out_of(client, db):
    """Stored text with </script>, <!-- and & stays inside the JSON: escaped, and read back intact."""
    article = ArticleFactory(headline=HOSTILE, standfirst=HOSTILE, dateline="<b>Macao</b>")
    BylineFactory(article=article, reporter=ReporterFactory(name='Li "</script>" Wei'))
    article.tags.add("</script>")
    html = client.get(article.get_absolute_url()).content.decode()

    assert '<script>alert("x")' not in html
    assert html.count("</script>") == len(JSON_LD.findall(html))
    for block in JSON_LD.findall(html):
        assert "<" not in block and ">" not in block and "&" not in block
    data = node(html, "NewsArticle")
    assert data["headline"] == HOSTILE
    assert data["description"] == HOSTILE
    assert data["locationCreated"]["name"] == "<b>Macao</b>"
    assert data["author"][0]["name"] == 'Li "</script>" Wei'
    assert data["keywords"] == ["</script>"]


def test_breadcrumbs_on_the_story(client, seed):
    """Home › Section › Story, as links on the page and as a BreadcrumbList."""
    html = client.get(seed.get_absolute_url()).content.decode()

    assert '<nav class="breadcrumbs" aria-label="Breadcrumb">' in html
    assert '<li><a href="/">Home</a></li><li><a href="/sections/greater-bay-area/">' in html
    assert f'<a href="{seed.get_absolute_url()}" aria-current="page">{seed.headline}</a>' in html
    crumbs = node(html, "BreadcrumbList")["itemListElement"]
    assert [(c["position"], c["name"], c["item"]) for c in crumbs] == [
        (1, "Home", f"{BASE}/"),
        (2, "Greater Bay Area", f"{BASE}/sections/greater-bay-area/"),
        (3, seed.headline, f"{BASE}{seed.get_absolute_url()}"),
    ]


def test_canonical_description_and_sharing_tags(client, story):
    """Canonical URL, meta description (the standfirst), OpenGraph and Twitter card tags."""
    html = client.get(story.get_absolute_url()).content.decode()
    tags = tags_of(html)
    url = f"{BASE}{story.get_absolute_url()}"

    assert tags.links["canonical"] == [url]
    assert tags.meta["description"] == [story.standfirst]
    assert tags.meta["og:type"] == ["article"]
    assert tags.meta["og:title"] == [story.headline]
    assert tags.meta["og:description"] == [story.standfirst]
    assert tags.meta["og:url"] == [url]
    assert tags.meta["og:site_name"] == ["Newsroom"]
    assert tags.meta["article:published_time"] == [local_iso(story.published_at)]
    assert tags.meta["article:modified_time"] == [local_iso(story.updated_at)]
    assert tags.meta["article:section"] == ["Greater Bay Area"]
    assert tags.meta["article:tag"] == [tag.name for tag in story.tags.all()]
    assert tags.meta["article:author"] == [
        f"{BASE}/reporters/chang-zhipeng/",
        f"{BASE}/reporters/zhou-wen/",
        f"{BASE}/reporters/annie-lee/",
    ]
    assert tags.meta["twitter:card"] == ["summary_large_image"]
    assert tags.meta["twitter:title"] == [story.headline]
    assert tags.meta["twitter:description"] == [story.standfirst]
    assert tags.meta["og:image"][0].startswith(f"{url}card-16x9-")  # the share card


def test_previews_carry_no_canonical_sharing_tags_or_json_ld(admin_client, seed):
    """A preview is not the story's public page: nothing on it may be indexed or shared."""
    html = admin_client.get(reverse("articles:preview", kwargs={"pk": seed.pk})).content.decode()

    assert json_ld(html) == []
    tags = tags_of(html)
    assert "canonical" not in tags.links
    assert "og:title" not in tags.meta
    assert tags.meta["robots"] == ["noindex"]


def test_story_page_costs_no_more_queries_for_structured_data(
    client, story, django_assert_num_queries
):
    """Structured data reads what the page already fetched: the story page stays at 10 queries
    (7, and 3 for the related stories and more from the section under it)."""
    for n in range(5):
        BylineFactory(article=story, reporter=ReporterFactory(), order=10 + n)
        story.mentioned_people.add(PersonFactory())
        story.mentioned_organizations.add(OrganizationFactory())
        story.tags.add(f"extra {n}")
        CorrectionFactory(article=story, created_at=story.published_at + dt.timedelta(days=n + 1))

    with django_assert_num_queries(10):
        response = client.get(story.get_absolute_url())
    data = node(response.content.decode(), "NewsArticle")
    assert len(data["author"]) == 8
    assert len(data["correction"]) == 7


# Person, organization and reporter pages -------------------------------------------------------


def test_person_page_json_ld(client, seed):
    """A Person with their current roles: each organization an affiliation, titles as jobTitle."""
    choi = Person.objects.get(slug="choi-koon-shum")
    old = AffiliationFactory(
        person=choi, title="treasurer", end_date=dt.date(2020, 1, 1), order=9
    ).organization
    choi.native_name = "蔡冠深"
    choi.save()
    data = node(client.get(choi.get_absolute_url()).content.decode(), "Person")

    assert data["@context"] == "https://schema.org"
    assert data["name"] == "Choi Koon-shum"
    assert data["url"] == f"{BASE}/people/choi-koon-shum/"
    assert data["description"] == choi.description
    assert data["alternateName"] == ["蔡冠深"]
    current = [a for a in choi.affiliations.select_related("organization") if a.is_current]
    assert [(o["@type"], o["name"], o["url"]) for o in data["affiliation"]] == [
        ("Organization", a.organization.name, f"{BASE}{a.organization.get_absolute_url()}")
        for a in current
    ]
    assert len(data["affiliation"]) == 2
    assert old.name not in json.dumps(data)  # a role that has ended is not current
    assert data["jobTitle"] == ["Chairman"]


def test_person_with_several_titles(client, db):
    """Different roles in different bodies give every title."""
    person = PersonFactory(name="Xu Li", slug="xu-li")
    ArticleFactory().mentioned_people.add(person)
    AffiliationFactory(person=person, title="CEO", order=0)
    AffiliationFactory(person=person, title="adjunct professor", order=1)
    data = node(client.get(person.get_absolute_url()).content.decode(), "Person")

    assert data["jobTitle"] == ["CEO", "Adjunct professor"]
    assert len(data["affiliation"]) == 2
    assert "alternateName" not in data


def test_organization_page_json_ld(client, seed):
    """An institute names its parent university; the university lists its own bodies."""
    institute = Organization.objects.get(slug="institute-of-international-trade-rules")
    uibe = Organization.objects.get(slug="university-of-international-business-and-economics")

    data = node(client.get(institute.get_absolute_url()).content.decode(), "Organization")
    assert data["name"] == institute.name
    assert data["url"] == f"{BASE}{institute.get_absolute_url()}"
    parent = data["parentOrganization"]
    assert (parent["@type"], parent["name"], parent["url"]) == (
        "Organization",
        uibe.name,
        f"{BASE}{uibe.get_absolute_url()}",
    )

    data = node(client.get(uibe.get_absolute_url()).content.decode(), "Organization")
    assert "parentOrganization" not in data
    assert data["alternateName"] == ["UIBE"]
    assert [child["name"] for child in data["subOrganization"]] == [institute.name]


def test_organization_website_is_same_as(client, db):
    organization = OrganizationFactory(website="https://www.sensetime.com/")
    ArticleFactory().mentioned_organizations.add(organization)
    data = node(client.get(organization.get_absolute_url()).content.decode(), "Organization")

    assert data["sameAs"] == "https://www.sensetime.com/"


def test_reporter_page_json_ld(client, seed):
    """A reporter is a Person working for the publisher; the email only if they allow it."""
    reporter = Reporter.objects.get(slug="chang-zhipeng")
    data = node(client.get(reporter.get_absolute_url()).content.decode(), "Person")

    assert data["name"] == "Chang Zhipeng"
    assert data["url"] == f"{BASE}/reporters/chang-zhipeng/"
    assert data["worksFor"]["@type"] == "NewsMediaOrganization"
    assert "email" not in data

    Reporter.objects.filter(pk=reporter.pk).update(show_email=True)
    data = node(client.get(reporter.get_absolute_url()).content.decode(), "Person")
    assert data["email"] == reporter.email
