"""sitemap.xml (an index of split sitemaps), the Google News sitemap and robots.txt, parsed."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from articles import sitemaps
from articles.models import Article
from articles.sitemaps import SITEMAPS, news_language
from people.models import Organization, Person, Reporter
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    OrganizationFactory,
    PersonFactory,
    ReporterFactory,
    SectionFactory,
    add_extras,
)

pytestmark = pytest.mark.django_db

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
HOST = "http://testserver"
KINDS = ["stories", "sections", "tags", "reporters", "people", "organizations"]


def get_xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def index(client):
    root = get_xml(client, "/sitemap.xml")
    assert root.tag == f"{SM}sitemapindex"
    return [
        (s.findtext(f"{SM}loc"), s.findtext(f"{SM}lastmod")) for s in root.findall(f"{SM}sitemap")
    ]


def urlset(client, url):
    root = get_xml(client, url)
    assert root.tag == f"{SM}urlset"
    return {
        u.findtext(f"{SM}loc").removeprefix(HOST): u.findtext(f"{SM}lastmod")
        for u in root.findall(f"{SM}url")
    }


def every_url(client):
    """Every address in every sitemap the index lists, with its lastmod."""
    found = {}
    for loc, _ in index(client):
        entries = urlset(client, loc.removeprefix(HOST))
        assert not set(entries) & set(found), "an address is listed twice"
        found |= entries
    return found


def w3c(value):
    return dt.datetime.fromisoformat(value)


def test_index_lists_one_sitemap_per_kind_of_page_with_lastmod(client, seed):
    entries = index(client)

    assert [loc for loc, _ in entries] == [f"{HOST}/sitemap-{kind}.xml" for kind in KINDS]
    for _, lastmod in entries:
        assert w3c(lastmod) == seed.published_at


def test_sitemaps_list_every_public_page_of_the_seed(client, seed):
    urls = every_url(client)

    people = Person.objects.filter(mentioned_in=seed)
    organizations = Organization.objects.filter(mentioned_in=seed)
    expected = {
        seed.get_absolute_url(),
        seed.section.get_absolute_url(),
        *(f"/tags/{tag.slug}/" for tag in seed.tags.all()),
        *(reporter.get_absolute_url() for reporter in seed.reporters.all()),
        *(person.get_absolute_url() for person in people),
        *(organization.get_absolute_url() for organization in organizations),
    }
    assert set(urls) == expected
    assert len(people) == 3 and len(organizations) == 8
    for url, lastmod in urls.items():
        assert w3c(lastmod) == seed.published_at, url
        assert client.get(url).status_code == 200, url


def test_only_published_stories_and_their_pages_are_listed(client, hidden_story):
    """A hidden story, and a section, tag, reporter, person or organization only it has, are not
    listed; and they do not move the lastmod of pages the seed story shares with it."""
    section = SectionFactory()
    Article.objects.filter(pk=hidden_story.pk).update(section=section)
    hidden_story.tags.add("Only hidden")
    BylineFactory(article=hidden_story, reporter=ReporterFactory(slug="hidden-reporter"), order=1)
    hidden_story.mentioned_people.add(PersonFactory(slug="hidden-person"))
    hidden_story.mentioned_organizations.add(OrganizationFactory(slug="hidden-organization"))

    urls = every_url(client)

    assert hidden_story.get_absolute_url() not in urls
    for url in [
        section.get_absolute_url(),
        "/tags/only-hidden/",
        "/reporters/hidden-reporter/",
        "/people/hidden-person/",
        "/organizations/hidden-organization/",
    ]:
        assert url not in urls
    seed = Article.objects.published().get()
    assert {w3c(lastmod) for lastmod in urls.values()} == {seed.published_at}
    assert {w3c(lastmod) for _, lastmod in index(client)} == {seed.published_at}


def test_scheduled_story_is_listed_at_its_time_with_no_job(client, seed):
    due = timezone.now() + dt.timedelta(hours=2)
    story = ArticleFactory(published_at=due)

    assert story.get_absolute_url() not in urlset(client, "/sitemap-stories.xml")
    with time_machine.travel(due + dt.timedelta(seconds=1)):
        assert story.get_absolute_url() in urlset(client, "/sitemap-stories.xml")
        assert story.section.get_absolute_url() in urlset(client, "/sitemap-sections.xml")


def test_story_lastmod_is_its_last_correction_or_update(client, seed):
    seed.updated_at = seed.published_at + dt.timedelta(days=2, microseconds=5)
    seed.save()

    urls = urlset(client, "/sitemap-stories.xml")

    assert w3c(urls[seed.get_absolute_url()]) == seed.updated_at.replace(microsecond=0)
    assert w3c(dict(index(client))[f"{HOST}/sitemap-stories.xml"]) == (
        seed.updated_at.replace(microsecond=0)
    )


def test_listing_lastmod_is_its_newest_story(client, seed):
    newer = ArticleFactory(
        section=seed.section, published_at=timezone.now() - dt.timedelta(seconds=30, microseconds=7)
    )

    sections = urlset(client, "/sitemap-sections.xml")

    assert w3c(sections[seed.section.get_absolute_url()]) == newer.published_at.replace(
        microsecond=0
    )


def test_sitemaps_are_split_so_no_file_passes_the_limit(client, db, monkeypatch):
    """The limit is 50,000 addresses a file (1,000 for stories); shown here with 2."""
    assert sitemaps.URLS_PER_FILE == 50_000
    assert sitemaps.StorySitemap.limit == 1_000
    for kind in SITEMAPS.values():
        assert kind.limit <= 50_000
    monkeypatch.setattr(sitemaps.StorySitemap, "limit", 2)
    monkeypatch.setattr(sitemaps.TagSitemap, "limit", 2)
    stories = ArticleFactory.create_batch(5)
    stories[0].tags.add("one", "two", "three")

    locations = [loc for loc, _ in index(client)]

    assert locations[:3] == [
        f"{HOST}/sitemap-stories.xml",
        f"{HOST}/sitemap-stories.xml?p=2",
        f"{HOST}/sitemap-stories.xml?p=3",
    ]
    assert f"{HOST}/sitemap-tags.xml?p=2" in locations
    listed = []
    for loc in locations[:3]:
        page = urlset(client, loc.removeprefix(HOST))
        assert 1 <= len(page) <= 2
        listed += page
    assert sorted(listed) == sorted(s.get_absolute_url() for s in stories)
    assert client.get("/sitemap-stories.xml?p=4").status_code == 404
    assert client.get("/sitemap-stories.xml?p=x").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_empty_site_has_valid_sitemaps(client, db):
    assert len(index(client)) == len(KINDS)
    for kind in KINDS:
        assert urlset(client, f"/sitemap-{kind}.xml") == {}
    assert urlset(client, "/news-sitemap.xml") == {}


# --- Google News --------------------------------------------------------------------------------


def news(client):
    root = get_xml(client, "/news-sitemap.xml")
    assert root.tag == f"{SM}urlset"
    return root.findall(f"{SM}url")


def test_news_sitemap_describes_recent_stories(client, db):
    story = ArticleFactory(headline="Typhoon & <storm> \x0b signal")

    (url,) = news(client)

    assert url.findtext(f"{SM}loc") == f"{HOST}{story.get_absolute_url()}"
    item = url.find(f"{NEWS}news")
    assert item.findtext(f"{NEWS}publication/{NEWS}name") == "Newsroom"
    assert item.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert w3c(item.findtext(f"{NEWS}publication_date")) == story.published_at.replace(
        microsecond=0
    )
    assert item.findtext(f"{NEWS}title") == "Typhoon & <storm>  signal"


def test_news_sitemap_has_only_published_stories_of_the_last_two_days(client, hidden_story):
    now = timezone.now()
    recent = ArticleFactory(published_at=now - dt.timedelta(days=1, hours=23))
    old = ArticleFactory(published_at=now - dt.timedelta(days=2, minutes=1))

    locations = [u.findtext(f"{SM}loc") for u in news(client)]

    assert f"{HOST}{recent.get_absolute_url()}" in locations
    assert f"{HOST}{old.get_absolute_url()}" not in locations
    assert f"{HOST}{hidden_story.get_absolute_url()}" not in locations
    public = Article.objects.published().filter(published_at__gte=now - dt.timedelta(days=2))
    assert len(locations) == public.count()


def test_news_sitemap_is_newest_first_and_at_most_a_thousand(client, db, monkeypatch):
    """The limit is 1,000 stories; shown here with 3."""
    assert sitemaps.NEWS_LIMIT == 1_000
    monkeypatch.setattr(sitemaps.NewsSitemap, "limit", 3)
    now = timezone.now()
    stories = [ArticleFactory(published_at=now - dt.timedelta(minutes=n)) for n in range(5)]

    locations = [u.findtext(f"{SM}loc") for u in news(client)]

    assert locations == [f"{HOST}{s.get_absolute_url()}" for s in stories[:3]]


@pytest.mark.parametrize(
    "code, expected",
    [("en", "en"), ("en-gb", "en"), ("pt-BR", "pt"), ("zh-hans", "zh-cn"), ("zh-hant", "zh-tw")],
)
def test_news_language_codes(code, expected):
    assert news_language(code) == expected


@override_settings(SITE_NAME="Bay & Harbour Daily", LANGUAGE_CODE="zh-hans")
def test_news_sitemap_uses_the_site_name_and_language(client, db):
    ArticleFactory()

    (url,) = news(client)

    assert url.findtext(f"{NEWS}news/{NEWS}publication/{NEWS}name") == "Bay & Harbour Daily"
    assert url.findtext(f"{NEWS}news/{NEWS}publication/{NEWS}language") == "zh-cn"


# --- robots.txt ---------------------------------------------------------------------------------


def test_robots_txt_names_the_sitemaps(client, db):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /admin/" in lines
    assert "Disallow: /preview/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/news-sitemap.xml" in lines
    for line in lines:
        if line.startswith("Sitemap: "):
            assert client.get(line.removeprefix("Sitemap: " + HOST)).status_code == 200


def test_robots_txt_names_the_configured_site_address_whatever_the_request(client, settings, db):
    settings.SITE_URL = "https://news.example.org"
    response = client.get("/robots.txt", HTTP_HOST="localhost:6666")

    assert "Sitemap: https://news.example.org/sitemap.xml" in response.content.decode()
    assert "localhost" not in response.content.decode()


# --- Cost ---------------------------------------------------------------------------------------


def grow_site(seed):
    add_extras(seed)
    chang = Reporter.objects.get(slug="chang-zhipeng")
    for _ in range(6):
        story = ArticleFactory()
        story.tags.add("Hong Kong", "Macao")
        BylineFactory(article=story, reporter=chang, order=0)
        add_extras(story, reporters=1, tags=2, people=2, organizations=2)


# Established by running them: the index asks each kind of page for its latest lastmod and its
# number of files; a sitemap file counts its addresses and reads one page of them.
@pytest.mark.parametrize(
    "url, queries",
    [("/sitemap.xml", 12), ("/news-sitemap.xml", 2), ("/robots.txt", 0)]
    + [(f"/sitemap-{kind}.xml", 2) for kind in KINDS],
)
def test_sitemaps_cost_a_fixed_number_of_queries(
    client, seed, django_assert_num_queries, url, queries
):
    # The seed's date is fixed in its fixture; moved into the news sitemap's last two days, it
    # is listed there too (an empty news sitemap skips reading a page of stories).
    Article.objects.filter(pk=seed.pk).update(published_at=timezone.now() - dt.timedelta(hours=1))
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200

    grow_site(seed)

    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_a_sitemap_file_is_written_without_a_template(client, seed):
    """The speed measure in articles.sitemaps.sitemap_file: Django's sitemap view renders a
    template over every address, which made a file of 1,000 stories about three times slower
    (bench/RESULTS.md). The file is written directly, so no template is rendered for it."""
    ArticleFactory.create_batch(3, section=seed.section)
    response = client.get("/sitemap-stories.xml")
    assert response.status_code == 200
    assert response.templates == []
    assert response.content.decode().count("<url>") == 4
