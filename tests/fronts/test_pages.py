"""The home page and section pages readers see: the front first, the stories by date after it,
and the page cache refreshed by exactly what changed."""

import datetime as dt

import pytest
import time_machine

from fronts.models import Block, Front, Slot
from tests.core.test_keys import state, warm
from tests.factories import ArticleFactory

from .conftest import arranged

pytestmark = pytest.mark.django_db


def test_the_home_page_shows_the_arranged_front(client, newsroom):
    oldest = newsroom["stories"][9]
    arranged(None, ("lead", 1, {1: oldest}), ("top", 4, {}, {"title": "Top stories"}))
    Slot.objects.filter(article=oldest).update(headline="Oldest story, leading")
    page = client.get("/").content.decode()
    assert page.index("Oldest story, leading") < page.index("Story 00")
    assert "Top stories" in page
    assert 'href="/?page=2"' in page


def test_a_section_front_and_its_later_pages(client, newsroom):
    page = client.get("/sections/culture/").content.decode()
    assert "Story 01" in page and "Story 00" not in page
    assert "<h1>Culture</h1>" in page
    for n in range(20):
        ArticleFactory(
            headline=f"Older culture {n}",
            section=newsroom["culture"],
            published_at=newsroom["now"] - dt.timedelta(days=2, hours=n),
        )
    second = client.get("/sections/culture/?page=2").content.decode()
    assert 'Culture <span class="muted">— page 2</span>' in second
    assert "Older culture 19" in second and "Story 01" not in second


def test_a_bad_page_number_shows_a_listing_not_an_error(client, newsroom):
    for query in ("?page=abc", "?page=999", "?page=-1", "?page=%00"):
        assert client.get("/" + query).status_code == 200
        assert client.get("/sections/business/" + query).status_code == 200


def test_an_old_section_slug_redirects(client, newsroom):
    section = newsroom["business"]
    section.slug = "money"
    section.save()
    response = client.get("/sections/business/")
    assert response.status_code == 301 and response["Location"] == "/sections/money/"


def test_a_front_names_what_it_shows(client, newsroom):
    story = newsroom["stories"][9]
    front = arranged(newsroom["culture"], ("top", 2, {1: story}))
    shown = set(client.get("/sections/culture/")["Surrogate-Key"].split())
    section = newsroom["culture"].pk
    assert {f"front:{front.pk}", f"section:{section}:list", f"story:{story.pk}"} <= shown


@pytest.mark.usefixtures("page_cache_on")
def test_saving_a_front_refreshes_that_front_only(client, commit, newsroom):
    story = newsroom["stories"][8]
    home = arranged(None, ("top", 2, {}))
    arranged(newsroom["business"], ("top", 2, {}))
    urls = [
        "/",
        "/sections/business/",
        "/sections/culture/",
        newsroom["stories"][0].get_absolute_url(),
    ]
    warm(client, urls)

    def change():
        block = Block.objects.get(front=home)
        Slot.objects.create(block=block, position=1, article=story)

    commit(change)
    assert state(client, "/") == "miss"
    assert client.get("/").content.decode().index("Story 08") >= 0
    for url in urls[1:]:
        assert state(client, url) == "hit", url


@pytest.mark.usefixtures("page_cache_on")
def test_publishing_refreshes_the_fronts_it_reaches(client, commit, newsroom):
    warm(client, ["/", "/sections/business/", "/sections/culture/"])
    commit(lambda: ArticleFactory(headline="Fresh business news", section=newsroom["business"]))
    assert "Fresh business news" in client.get("/").content.decode()
    assert "Fresh business news" in client.get("/sections/business/").content.decode()
    assert state(client, "/sections/culture/") == "hit"
    assert Front.objects.count() == 0  # readers' visits create nothing


@pytest.mark.usefixtures("page_cache_on")
def test_a_story_scheduled_into_a_place_appears_there_at_its_time(client, commit):
    from core import cache as page_cache
    from tests.factories import SectionFactory

    now = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(now, tick=False):
        culture, business = SectionFactory(name="Culture"), SectionFactory(name="Business")
        ArticleFactory(
            headline="Culture today", section=culture, published_at=now - dt.timedelta(hours=1)
        )
        # From another section, so publishing it purges nothing of Culture's lists.
        due = ArticleFactory(
            headline="Due at ten", section=business, published_at=now + dt.timedelta(hours=1)
        )
        commit(lambda: arranged(culture, ("top", 2, {1: due})))
        url = culture.get_absolute_url()
        warm(client, [url])
        assert "Due at ten" not in client.get(url).content.decode()
    with time_machine.travel(now + dt.timedelta(hours=1), tick=False):
        page_cache.purge_due()
        page = client.get(url).content.decode()
        assert page.index("Due at ten") < page.index("Culture today")


def test_a_fronts_query_count_is_fixed_as_stories_bylines_and_links_grow(client, newsroom):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import BylineFactory, add_extras

    arranged(
        None,
        ("lead", 3, {1: newsroom["stories"][4]}),
        ("top", 4, {}),
        ("row", 4, {}, {"section": newsroom["business"]}),
        ("latest", 10, {}),
    )
    urls = ["/", "/sections/business/", "/sections/culture/"]

    def counts():
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    counts()  # the masthead's sections are cached from here on
    few = counts()
    for n in range(40):
        story = ArticleFactory(
            section=newsroom["business"] if n % 2 else newsroom["culture"],
            published_at=newsroom["now"] - dt.timedelta(minutes=n + 1),
        )
        BylineFactory(article=story)
        if n % 5 == 0:
            add_extras(story, tags=1, people=1, organizations=1)
    assert counts() == few
    # The home front: the front, its blocks and picks (2), the picks readers may see, a query per
    # rule (every section's, Business's), the cards and their bylines (2), the masthead's sections.
    assert few[0] == 1 + 2 + 1 + 2 + 2 + 1
