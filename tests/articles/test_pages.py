"""The public story pages: home, story, section and tag, as readers get them."""

import pytest
from django.utils import timezone

from tests.factories import ArticleFactory, CorrectionFactory, ReporterFactory, add_extras

pytestmark = pytest.mark.django_db

SECTION_URL = "/sections/greater-bay-area/"
TAG_URL = "/tags/hong-kong/"
LISTING_URLS = ["/", SECTION_URL, TAG_URL]


def test_home_lists_the_seed_story(client, seed):
    """The front page leads with the latest public story, linked, with its byline."""
    response = client.get("/")

    assert response.status_code == 200
    assert seed.headline in response.content.decode()
    assert f'href="{seed.get_absolute_url()}"' in response.content.decode()
    assert 'href="/reporters/chang-zhipeng/"' in response.content.decode()


def test_home_with_no_stories_says_so(client, db):
    """An empty site shows a plain message, not an error."""
    response = client.get("/")

    assert response.status_code == 200
    assert "No stories yet." in response.content.decode()


def test_article_page_shows_the_whole_story(client, seed):
    """The story page carries headline, standfirst, byline, dateline, time, body, tags and mentions."""
    response = client.get(seed.get_absolute_url())
    html = response.content.decode()

    assert response.status_code == 200
    assert f"<h1>{seed.headline}</h1>" in html
    assert seed.standfirst in html
    assert '<a href="/reporters/chang-zhipeng/" rel="author">Chang Zhipeng</a>' in html
    assert '<span class="dateline">Shenzhen</span>' in html
    published = timezone.localtime(seed.published_at).isoformat()
    assert published.startswith("2026-11-24T")
    assert f'<time datetime="{published}">' in html
    assert "to share their insights on the area’s future development." in html
    assert "four pivotal components — talent" in html
    for slug, name in [
        ("qianhai", "Qianhai"),
        ("hong-kong", "Hong Kong"),
        ("greater-bay-area", "Greater Bay Area"),
        ("artificial-intelligence", "artificial intelligence"),
    ]:
        assert f'<a href="/tags/{slug}/" rel="tag">{name}</a>' in html
    assert '<a href="/people/choi-koon-shum/">Choi Koon-shum</a>' in html
    assert '<a href="/people/xu-li/">Xu Li</a>' in html
    assert (
        '<a href="/organizations/institute-of-international-trade-rules/">'
        "Institute of International Trade Rules</a>"
    ) in html
    assert '<a href="/organizations/sensetime/">SenseTime</a>' in html
    assert '<a href="/sections/greater-bay-area/">Greater Bay Area</a>' in html


def test_article_page_shows_corrections(client, seed):
    """A correction is printed under the story for every reader to see."""
    assert "Corrections and updates" not in client.get(seed.get_absolute_url()).content.decode()
    CorrectionFactory(
        article=seed, text="An earlier version gave the wrong day for the end of the forum."
    )

    html = client.get(seed.get_absolute_url()).content.decode()

    assert "Corrections and updates" in html
    assert "An earlier version gave the wrong day for the end of the forum." in html
    assert "<strong>Correction</strong>" in html


def test_article_page_lists_bylines_in_order(client, seed):
    """Several reporters appear in byline order: “By A, B and C”."""
    second = ReporterFactory(name="Zhou Wen", slug="zhou-wen")
    third = ReporterFactory(name="Annie Lee", slug="annie-lee")
    seed.bylines.create(reporter=second, order=1)
    seed.bylines.create(reporter=third, order=2)

    html = client.get(seed.get_absolute_url()).content.decode()

    assert html.index("Chang Zhipeng</a>, ") < html.index("Zhou Wen</a> and ")
    assert html.index("Zhou Wen</a> and ") < html.index("Annie Lee</a>")


def test_hidden_story_page_is_not_found(client, hidden_story):
    """Drafts, stories in review, withdrawn and scheduled stories do not exist for readers."""
    response = client.get(hidden_story.get_absolute_url())

    assert response.status_code == 404
    assert hidden_story.headline not in response.content.decode()


@pytest.mark.parametrize("url", LISTING_URLS)
def test_hidden_story_is_absent_from_story_listings(client, seed, hidden_story, url):
    """A story readers may not see is never listed, though it shares section and tags with one."""
    html = client.get(url).content.decode()

    assert seed.headline in html
    assert hidden_story.headline not in html
    assert hidden_story.get_absolute_url() not in html


def test_scheduled_story_appears_on_its_own_once_due(client, seed, time_machine):
    """A scheduled story shows up at its time, with no one pressing a button."""
    due = timezone.now() + timezone.timedelta(hours=3)
    story = ArticleFactory(
        headline="Ferry timetable announced", section=seed.section, published_at=due
    )
    assert client.get(story.get_absolute_url()).status_code == 404

    time_machine.move_to(due)

    assert client.get(story.get_absolute_url()).status_code == 200
    assert "Ferry timetable announced" in client.get("/").content.decode()


BAD_PAGES = ["abc", "0", "-1", "99999", "1e9", ""]


@pytest.mark.parametrize("page", BAD_PAGES)
@pytest.mark.parametrize("url", LISTING_URLS)
def test_bad_page_numbers_never_fail(client, seed, url, page):
    """A hand-edited ?page= shows a real page of stories instead of an error."""
    response = client.get(url, {"page": page})

    assert response.status_code == 200
    assert seed.headline in response.content.decode()


def test_page_number_past_the_end_shows_the_last_page(client, seed):
    """With two pages of stories, page 99999 is the last page, and nonsense is the first."""
    ArticleFactory.create_batch(20, section=seed.section)

    last = client.get("/", {"page": "99999"}).content.decode()
    first = client.get("/", {"page": "abc"}).content.decode()

    assert "Page 2 of 2" in last
    assert "Page 1 of 2" in first


@pytest.mark.parametrize(
    "url",
    ["/stories/no-such-story/", "/sections/no-such-section/", "/tags/no-such-tag/"],
)
def test_unknown_slugs_are_not_found(client, seed, url):
    """A mistyped or deleted address gives 404, not an empty page or an error."""
    assert client.get(url).status_code == 404


def grow_story_pages(seed):
    """Load the story pages up: more bylines, tags and mentions on the seed, and more stories."""
    added = [seed.headline]
    add_extras(seed)
    for n in range(4):
        story = ArticleFactory(headline=f"More from the Bay Area {n}", section=seed.section)
        story.tags.add("Hong Kong")
        story.bylines.create(reporter=seed.reporters.first(), order=0)
        add_extras(story)
        added.append(story.headline)
    return added


# Established by running the pages; a change here means a page's cost now grows or shrinks.
@pytest.mark.parametrize(
    "url_name, queries",
    [("home", 7), ("article", 10), ("section", 6), ("tag", 5)],
)
def test_story_pages_cost_a_fixed_number_of_queries(
    client, seed, django_assert_num_queries, url_name, queries
):
    """However many bylines, tags, mentions and stories, each page costs the same queries."""
    url = {
        "home": "/",
        "article": seed.get_absolute_url(),
        "section": SECTION_URL,
        "tag": TAG_URL,
    }[url_name]
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200

    headlines = grow_story_pages(seed)

    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    expected = headlines[:1] if url_name == "article" else headlines
    for headline in expected:
        assert headline in html
    assert html.count('rel="author"') >= 4
