"""The home page's later pages (its first is the front: tests/fronts) and the date archive."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.factories import ArticleFactory, BylineFactory, SectionFactory, add_extras

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


def story(section, hours_ago, **kwargs):
    article = ArticleFactory(
        section=section, published_at=timezone.now() - dt.timedelta(hours=hours_ago), **kwargs
    )
    BylineFactory(article=article)
    return article


def headlines_in(html: str, css_class: str) -> list[str]:
    """Headlines of the cards inside the first element with ``css_class``, in page order."""
    start = html.index(f'class="{css_class}"')
    end = html.find("</section>", start)
    return re.findall(r'class="card-headline"><a href="[^"]+">([^<]+)</a>', html[start:end])


# Front page ----------------------------------------------------------------------------------


@pytest.fixture
def front(db):
    """Three sections; 25 stories in all, so some fall below the first page's 20."""
    news, business, culture = (
        SectionFactory(name="News", slug="news", order=0),
        SectionFactory(name="Business", slug="business", order=1),
        SectionFactory(name="Culture", slug="culture", order=2),
    )
    stories = [
        story([news, business, culture][n % 3], hours_ago=n + 1, headline=f"Story {n:02d}")
        for n in range(25)
    ]
    return {"news": news, "business": business, "culture": culture, "stories": stories}


def test_later_pages_carry_on_down_the_latest(client, front):
    html = client.get("/", {"page": 2}).content.decode()

    assert "<h1>Latest stories" in html
    assert "front-section" not in html and "card-lead" not in html
    assert re.findall(r'class="card-headline"><a href="[^"]+">([^<]+)</a>', html) == [
        f"Story {n:02d}" for n in range(20, 25)
    ]
    assert "Page 2 of 2" in html


# Archive -------------------------------------------------------------------------------------


@pytest.fixture
def archive(db, settings):
    """Stories either side of midnight in Shanghai, and either side of a month's end."""
    settings.TIME_ZONE = "Asia/Shanghai"
    section = SectionFactory(name="News", slug="news")

    def at(when, headline):
        article = ArticleFactory(section=section, published_at=when, headline=headline)
        BylineFactory(article=article)
        return article

    return {
        # 31 January 20:00 UTC is 1 February 04:00 in Shanghai.
        "feb_first": at(dt.datetime(2025, 1, 31, 20, 0, tzinfo=dt.UTC), "Early February story"),
        "jan_end": at(dt.datetime(2025, 1, 31, 10, 0, tzinfo=dt.UTC), "Late January story"),
        "jan_mid": at(dt.datetime(2025, 1, 15, 10, 0, tzinfo=dt.UTC), "Mid January story"),
        "last_year": at(dt.datetime(2024, 6, 1, 10, 0, tzinfo=dt.UTC), "Summer 2024 story"),
    }


def test_archive_index_lists_months_in_the_newsrooms_time_zone(client, archive):
    html = client.get("/archive/").content.decode()

    assert "<h1>Archive</h1>" in html
    months = re.findall(
        r'<a href="/archive/(\d{4}/\d{2})/">(\w+)</a> <span class="muted">(\d+)', html
    )
    assert months == [
        ("2025/02", "February", "1"),
        ("2025/01", "January", "2"),
        ("2024/06", "June", "1"),
    ]
    assert '<a href="/archive/2025/">2025</a>' in html


def test_archive_year_month_and_day_pages(client, archive):
    year = client.get("/archive/2025/").content.decode()
    assert "<h1>Stories from 2025</h1>" in year
    assert '<a href="/archive/2025/01/">January</a>' in year
    assert '<a href="/archive/2025/02/">February</a>' in year
    assert year.index("Early February story") < year.index("Late January story")
    assert "Summer 2024 story" not in year
    assert '<a href="/archive/2024/" rel="prev">2024</a>' in year

    month = client.get("/archive/2025/01/").content.decode()
    assert "<h1>Stories from January 2025</h1>" in month
    assert "Late January story" in month and "Mid January story" in month
    assert "Early February story" not in month
    assert '<a href="/archive/2025/01/31/">31</a>' in month
    assert '<a href="/archive/2025/02/" rel="next">February 2025</a>' in month

    day = client.get("/archive/2025/02/01/").content.decode()
    assert "<h1>Stories from 1 February 2025</h1>" in day
    assert "Early February story" in day
    assert "Late January story" not in day
    assert '<a href="/archive/2025/01/31/" rel="prev">31 January 2025</a>' in day
    assert (
        '<li><a href="/archive/">Archive</a></li><li><a href="/archive/2025/">2025</a></li>'
        '<li><a href="/archive/2025/02/">February</a></li>'
        '<li><a href="/archive/2025/02/01/" aria-current="page">1</a></li>'
    ) in day


def test_archive_leaves_out_stories_readers_cannot_see(client, seed, hidden_story):
    for url in ["/archive/", "/archive/2026/", "/archive/2026/11/", "/archive/2026/11/24/"]:
        html = client.get(url).content.decode()
        assert hidden_story.headline not in html
    assert '<span class="muted">1 story</span>' in client.get("/archive/").content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/archive/2023/",  # no stories
        "/archive/2025/03/",
        "/archive/2025/01/16/",
        "/archive/2025/13/",  # no such month
        "/archive/2025/02/30/",  # no such day
        "/archive/2025/00/",
        "/archive/0000/",
        "/archive/9999/",
        "/archive/9999/12/",
        "/archive/9999/12/31/",
        "/archive/2999/12/31/",  # the last day the addresses allow
        "/archive/20255/",
        "/archive/2025/1/",
    ],
)
def test_archive_dates_without_stories_or_impossible_are_not_found(client, archive, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999", "1e9", ""])
@pytest.mark.parametrize("url", ["/archive/2025/", "/archive/2025/01/", "/archive/2025/01/31/"])
def test_archive_bad_page_numbers_never_fail(client, archive, url, page):
    response = client.get(url, {"page": page})

    assert response.status_code == 200
    assert "Late January story" in response.content.decode()


def test_archive_is_paginated(client, archive):
    for n in range(25):
        ArticleFactory(
            section=archive["jan_mid"].section,
            headline=f"January filler {n}",
            published_at=dt.datetime(2025, 1, 20, 10, n, tzinfo=dt.UTC),
        )

    first = client.get("/archive/2025/01/").content.decode()
    last = client.get("/archive/2025/01/", {"page": 99}).content.decode()

    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in last and "Mid January story" in last


# Established by running the pages; a change here means a page's cost now grows or shrinks.
@pytest.mark.parametrize(
    "url, queries",
    [
        ("/archive/", 2),
        ("/archive/2025/", 8),
        ("/archive/2025/01/", 8),
        ("/archive/2025/01/31/", 9),
    ],
)
def test_archive_pages_cost_a_fixed_number_of_queries(
    client, archive, django_assert_num_queries, url, queries
):
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200

    section = archive["jan_mid"].section
    for n in range(12):
        article = ArticleFactory(
            section=section, published_at=dt.datetime(2025, 1 + n % 2, 1 + n, tzinfo=dt.UTC)
        )
        BylineFactory(article=article)
        add_extras(article, reporters=2, tags=1, people=1, organizations=1)
    ArticleFactory(section=section, published_at=dt.datetime(2025, 1, 31, 9, 0, tzinfo=dt.UTC))

    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
