"""Readers' pages come from the cache, and every kind of change makes them fresh at once."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Correction
from tests.factories import ArticleFactory, BylineFactory, PersonFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the on-commit hooks a real request would, so invalidation happens as in production."""

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    return run


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
