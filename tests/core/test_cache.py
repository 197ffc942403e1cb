"""Readers' pages come from the cache, and every kind of change makes them fresh at once."""

import datetime as dt
import os

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Correction
from core.keys import SEQUENCE_KEY
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    OrganizationFactory,
    PersonFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def fetch(client, url):
    response = client.get(url)
    return response.status_code, response.get("X-Cache"), response.content.decode()


def test_second_request_is_served_from_the_cache_without_queries(client):
    story = ArticleFactory(headline="Cached story")
    assert fetch(client, "/")[1] == "miss"
    with CaptureQueriesContext(connection) as queries:
        status, state, html = fetch(client, "/")
    assert (status, state) == (200, "hit")
    assert "Cached story" in html
    assert len(queries) == 0
    assert fetch(client, story.get_absolute_url())[1] == "miss"


def test_editing_a_story_refreshes_every_page_showing_it(client, commit):
    story = ArticleFactory(headline="Old headline")
    pages = ["/", story.get_absolute_url(), story.section.get_absolute_url()]
    for url in pages:
        fetch(client, url)

    def edit():
        story.headline = "New headline"
        story.save()

    commit(edit)
    for url in pages:
        status, state, html = fetch(client, url)
        assert state == "miss", url
        assert "New headline" in html and "Old headline" not in html, url


def test_unpublishing_removes_the_story_from_cached_pages(client, commit):
    story = ArticleFactory(headline="Soon withdrawn")
    assert "Soon withdrawn" in fetch(client, "/")[2]
    assert fetch(client, story.get_absolute_url())[0] == 200

    def withdraw():
        story.status = Article.Status.WITHDRAWN
        story.save()

    commit(withdraw)
    assert "Soon withdrawn" not in fetch(client, "/")[2]
    assert fetch(client, story.get_absolute_url())[0] == 404


def test_publishing_a_draft_puts_it_on_every_cached_list(client, commit):
    story = ArticleFactory(headline="Held back", status=Article.Status.DRAFT)
    story.tags.add("harbour")
    pages = ["/", story.section.get_absolute_url(), "/feeds/rss/"]
    for url in pages:
        assert "Held back" not in fetch(client, url)[2], url
        assert fetch(client, url)[1] == "hit", url
    # A tag only a draft carries has no page yet, and its 404 is not kept.
    assert fetch(client, "/tags/harbour/")[:2] == (404, None)

    def publish():
        story.status = Article.Status.PUBLISHED
        story.save()

    commit(publish)
    for url in [*pages, "/tags/harbour/"]:
        status, state, html = fetch(client, url)
        assert state == "miss", url
        assert "Held back" in html, url
    assert fetch(client, story.get_absolute_url())[0] == 200


def test_a_scheduled_story_appears_on_cached_pages_at_its_time(client):
    now = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(now, tick=False):
        ArticleFactory(headline="Already out", published_at=now - dt.timedelta(hours=1))
        ArticleFactory(headline="Embargoed", published_at=now + dt.timedelta(minutes=30))
        assert "Embargoed" not in fetch(client, "/")[2]
        assert fetch(client, "/")[1] == "hit"
    with time_machine.travel(now + dt.timedelta(minutes=30), tick=False):
        status, state, html = fetch(client, "/")
    assert state == "miss"
    assert "Embargoed" in html


def test_renaming_a_person_refreshes_their_page_and_stories(client, commit):
    story = ArticleFactory()
    person = PersonFactory(name="Old Name")
    story.mentioned_people.add(person)
    for url in (person.get_absolute_url(), story.get_absolute_url()):
        assert "Old Name" in fetch(client, url)[2]

    def rename():
        person.name = "New Name"
        person.save()

    commit(rename)
    for url in (person.get_absolute_url(), story.get_absolute_url()):
        assert "New Name" in fetch(client, url)[2], url


@pytest.mark.parametrize("kind", ["organization", "reporter", "tag", "section"])
def test_renaming_refreshes_its_own_page_and_the_stories_showing_it(client, commit, kind):
    story = ArticleFactory()
    if kind == "organization":
        thing = OrganizationFactory(name="Old Name")
        story.mentioned_organizations.add(thing)
    elif kind == "reporter":
        thing = BylineFactory(article=story, reporter__name="Old Name").reporter
    elif kind == "tag":
        story.tags.add("Old Name")
        thing = story.tags.get()
    else:
        thing = story.section
        thing.name = "Old Name"
        thing.save()
    own_page = f"/tags/{thing.slug}/" if kind == "tag" else thing.get_absolute_url()
    pages = [own_page, story.get_absolute_url()]
    for url in pages:
        assert "Old Name" in fetch(client, url)[2], url
        assert fetch(client, url)[1] == "hit", url

    def rename():
        thing.name = "New Name"
        thing.save()

    commit(rename)
    for url in pages:
        status, state, html = fetch(client, url)
        assert (status, state) == (200, "miss"), url
        assert "New Name" in html and "Old Name" not in html, url


@pytest.mark.parametrize(
    "change",
    [
        "correction",
        "byline",
        "tag",
        "section",
        "mention",
    ],
)
def test_other_changes_refresh_the_story_page(client, commit, change):
    story = ArticleFactory()
    url = story.get_absolute_url()
    fetch(client, url)
    marker = {
        "correction": "A correction text",
        "byline": "Added Reporter",
        "tag": "Added tag",
        "section": "Renamed section",
        "mention": "Mentioned Person",
    }[change]

    def make_change():
        if change == "correction":
            Correction.objects.create(article=story, text=marker)
        elif change == "byline":
            BylineFactory(article=story, reporter__name=marker, order=5)
        elif change == "tag":
            story.tags.add(marker)
        elif change == "section":
            story.section.name = marker
            story.section.save()
        else:
            story.mentioned_people.add(PersonFactory(name=marker))

    commit(make_change)
    status, state, html = fetch(client, url)
    assert state == "miss"
    assert marker in html


def test_listing_totals_are_counted_once_per_change(client, settings, commit):
    """Page counts ("Page 1 of 2") come from the cache until the content changes."""
    settings.PAGE_CACHE_SECONDS = 0
    settings.COUNT_CACHE_SECONDS = 600
    section = SectionFactory()
    ArticleFactory.create_batch(19, section=section)
    # The section's stories by date (its first page is the section's front, with no count).
    url = f"{section.get_absolute_url()}?page=2"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    assert "Page 1 of" not in html  # twenty a page: one page, no pagination
    assert not any("COUNT(" in q["sql"] for q in queries.captured_queries)

    commit(lambda: ArticleFactory(section=section, headline="The twentieth"))
    assert "Page 1 of" not in client.get(url).content.decode()
    now = dt.datetime.now(dt.UTC)
    commit(lambda: ArticleFactory(section=section, published_at=now + dt.timedelta(hours=1)))
    assert "Page 1 of" not in client.get(url).content.decode()
    # The scheduled story counts from its time, with no change to move the generation on.
    with time_machine.travel(now + dt.timedelta(hours=1, seconds=1), tick=False):
        assert "Page 2 of 2" in client.get(url).content.decode()


def test_staff_and_previews_are_never_cached(client, superuser):
    story = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    client.force_login(superuser)
    response = client.get("/")
    assert response.get("X-Cache") is None
    response = client.get(f"/preview/stories/{story.pk}/")
    assert response.get("X-Cache") is None
    assert "no-store" in response["Cache-Control"]


def test_a_cached_page_answers_a_conditional_get(client):
    ArticleFactory()
    first = client.get("/")
    etag = first["ETag"]
    again = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304


def test_the_site_works_with_the_cache_switched_off(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    SectionFactory()
    response = client.get("/")
    assert response.status_code == 200
    assert response.get("X-Cache") is None


# The Redis server CI uses; REDIS_URL (set for the PostgreSQL pass in .ci/run) runs every test of
# this file on it. Without REDIS_URL this test still uses a local server when one answers.
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def redis_cache():
    from django.core.cache.backends.redis import RedisCache

    other_worker = RedisCache(REDIS_URL, {})
    try:
        other_worker.get("newsroom:ping")
    except Exception as error:  # noqa: BLE001 - any connection failure means no server
        if os.environ.get("REDIS_URL"):
            raise
        pytest.skip(f"no Redis server at {REDIS_URL} ({error}); CI sets REDIS_URL and runs this")
    return other_worker


def test_with_redis_every_worker_shares_the_pages_and_the_generation(client, settings, commit):
    other_worker = redis_cache()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    cache.clear()
    story = ArticleFactory(headline="Shared headline")
    assert fetch(client, "/")[1] == "miss"
    assert fetch(client, "/")[1] == "hit"
    # Another process (a second gunicorn worker) sees the same generation and the stored page.
    generation = other_worker.get(SEQUENCE_KEY)
    assert generation == cache.get(SEQUENCE_KEY)
    stored = [key for key in other_worker._cache.get_client().keys("*newsroom:page:*")]
    assert len(stored) == 1

    def edit():
        story.headline = "Edited headline"
        story.save()

    commit(edit)
    assert other_worker.get(SEQUENCE_KEY) > generation
    status, state, html = fetch(client, "/")
    assert (status, state) == (200, "miss")
    assert "Edited headline" in html
    cache.clear()


def test_the_editors_story_list_counts_once_per_change(admin_client, settings, commit):
    """The admin list's total and its years are cached, and a new story moves both."""
    settings.COUNT_CACHE_SECONDS = 600
    ArticleFactory.create_batch(2, published_at=dt.datetime(2024, 5, 1, tzinfo=dt.UTC))
    ArticleFactory(published_at=dt.datetime(2025, 5, 1, tzinfo=dt.UTC))
    url = "/admin/articles/article/"
    admin_client.get(url)
    with CaptureQueriesContext(connection) as queries:
        html = admin_client.get(url).content.decode()
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "COUNT(" not in sql and "DISTINCT" not in sql, sql
    assert "3 stories" in html and "?published_at__year=2025" in html

    commit(lambda: ArticleFactory(published_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC)))
    html = admin_client.get(url).content.decode()
    assert "4 stories" in html
    assert "?published_at__year=2025" in html and "?published_at__year=2026" in html


@pytest.mark.usefixtures("page_cache_on")
def test_no_page_is_kept_past_the_day_its_masthead_dates(client, settings, monkeypatch):
    """The masthead prints the date: the edge and the page cache keep a page until midnight in
    the newsroom's time zone at the latest, then it is made again with the new date."""
    settings.TIME_ZONE = "Asia/Shanghai"
    kept_for = []
    real_set = cache.set

    def noting_set(key, value, *args, **kwargs):
        if key.startswith("newsroom:page:"):
            kept_for.append(kwargs.get("timeout", args[0] if args else None))
        return real_set(key, value, *args, **kwargs)

    monkeypatch.setattr(cache, "set", noting_set)
    late = dt.datetime(2026, 12, 4, 15, 50, tzinfo=dt.UTC)  # 23:50 in Shanghai
    with time_machine.travel(late, tick=False):
        ArticleFactory(published_at=late - dt.timedelta(hours=1))
        first = client.get("/")
        assert "Friday 4 December 2026" in first.content.decode()
        assert first["Surrogate-Control"].startswith("max-age=600,")
        assert kept_for == [600]  # not the day PAGE_CACHE_SECONDS allows
    with time_machine.travel(late + dt.timedelta(minutes=5), tick=False):
        hit = client.get("/")
        assert hit["X-Cache"] == "hit"
        assert hit["Surrogate-Control"].startswith("max-age=300,")
    with time_machine.travel(late + dt.timedelta(minutes=11), tick=False):
        cache.clear()  # what the ten minutes did (a Redis server's clock is not travelled)
        after = client.get("/")
        assert "Saturday 5 December 2026" in after.content.decode()
        assert after["Surrogate-Control"].startswith("max-age=86340,")  # until the next midnight
