"""Every public page names what it shows (surrogate keys), and a change purges exactly the pages
that show the changed thing: here in the app's own page cache; tests/integration at the edge."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from core import cache as page_cache
from core import keys
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    OrganizationFactory,
    PersonFactory,
    SectionFactory,
)
from tests.forms import article_form

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


def state(client, url) -> str | None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get("X-Cache")


def warm(client, urls):
    for url in urls:
        state(client, url)
        assert state(client, url) == "hit", url


def shown(client, url) -> set[str]:
    return set(client.get(url)["Surrogate-Key"].split())


@pytest.fixture
def two_stories():
    """Two published stories with nothing in common: other section, reporter, tag, person."""
    first = ArticleFactory(headline="First story", section=SectionFactory(name="Business"))
    BylineFactory(article=first, reporter__name="First Reporter")
    first.tags.add("harbour")
    first.mentioned_people.add(PersonFactory(name="First Person"))
    second = ArticleFactory(headline="Second story", section=SectionFactory(name="Sport"))
    BylineFactory(article=second, reporter__name="Second Reporter")
    second.tags.add("rowing")
    return first, second


def test_a_story_page_names_everything_it_shows(client, two_stories):
    first, _ = two_stories
    organization = OrganizationFactory(name="Some Body")
    first.mentioned_organizations.add(organization)
    response = client.get(first.get_absolute_url())
    names = set(response["Surrogate-Key"].split())
    reporter = first.bylines.get().reporter
    assert {
        f"story:{first.pk}",
        f"section:{first.section_id}",
        f"reporter:{reporter.pk}",
        f"tag:{first.tags.get().pk}",
        f"person:{first.mentioned_people.get().pk}",
        f"organization:{organization.pk}",
        "sections",
        "site",
    } <= names
    assert response["xkey"] == response["Surrogate-Key"]
    assert "stale-if-error" in response["Surrogate-Control"]
    # Browsers still check back every time (conditional GET): only shared caches keep it.
    assert "no-cache" in response["Cache-Control"]


def test_lists_name_themselves_and_every_story_on_them(client, two_stories):
    first, second = two_stories
    assert {"front:home", f"story:{first.pk}", f"story:{second.pk}"} <= shown(client, "/")
    section = shown(client, first.section.get_absolute_url())
    assert {f"section:{first.section_id}:list", f"story:{first.pk}"} <= section
    assert f"story:{second.pk}" not in section
    feed = shown(client, "/feeds/rss/")
    assert {"stories:all", f"story:{first.pk}", f"story:{second.pk}"} <= feed
    api = shown(client, "/api/stories/")
    assert {"stories:all", f"story:{first.pk}"} <= api


def test_fixing_a_typo_purges_the_story_and_the_lists_showing_it_and_nothing_else(
    client, commit, two_stories
):
    first, second = two_stories
    showing_first = [
        first.get_absolute_url(),
        "/",
        first.section.get_absolute_url(),
        "/feeds/rss/",
        "/tags/harbour/",
        first.bylines.get().reporter.get_absolute_url(),
    ]
    not_showing_first = [
        second.get_absolute_url(),
        second.section.get_absolute_url(),
        "/tags/rowing/",
        second.bylines.get().reporter.get_absolute_url(),
        f"/feeds/sections/{second.section.slug}/rss/",
    ]
    warm(client, showing_first + not_showing_first)

    def fix_typo():
        first.headline = "First story, fixed"
        first.save()

    commit(fix_typo)
    for url in showing_first:
        assert state(client, url) == "miss", url
        assert "First story, fixed" in client.get(url).content.decode(), url
    for url in not_showing_first:
        assert state(client, url) == "hit", url


def test_publishing_purges_the_lists_the_story_enters_only(client, commit, two_stories):
    first, second = two_stories
    draft = ArticleFactory(
        headline="Fresh draft", section=first.section, status=Article.Status.DRAFT
    )
    entered = ["/", first.section.get_absolute_url(), "/feeds/rss/", "/archive/"]
    untouched = [second.section.get_absolute_url(), second.get_absolute_url(), "/tags/rowing/"]
    warm(client, entered + untouched)

    def publish():
        draft.status = Article.Status.PUBLISHED
        draft.save()

    commit(publish)
    for url in entered:
        assert "Fresh draft" in client.get(url).content.decode() or url == "/archive/", url
    for url in untouched:
        assert state(client, url) == "hit", url


def test_moving_a_story_purges_both_sections(client, commit, two_stories):
    first, second = two_stories
    old, new = first.section.get_absolute_url(), second.section.get_absolute_url()
    warm(client, [old, new])

    def move():
        first.section = second.section
        first.save()

    commit(move)
    assert "First story" not in client.get(old).content.decode()
    assert "First story" in client.get(new).content.decode()


def test_tagging_a_published_story_purges_that_tags_list(client, commit, two_stories):
    first, second = two_stories
    warm(client, ["/tags/rowing/", "/tags/harbour/"])
    commit(lambda: first.tags.add("rowing"))
    assert "First story" in client.get("/tags/rowing/").content.decode()
    assert state(client, "/tags/harbour/") == "miss"  # the story's card shows its tags' keys
    commit(lambda: first.tags.remove("rowing"))
    assert "First story" not in client.get("/tags/rowing/").content.decode()


def test_an_editors_save_through_the_admin_purges_exactly(client, commit, editor, two_stories):
    first, second = two_stories
    warm(client, [first.get_absolute_url(), second.get_absolute_url()])
    url = f"/admin/articles/article/{first.pk}/change/"
    data = article_form(editor.get(url))
    data["headline"] = "First story, corrected on deadline"
    response = commit(lambda: editor.post(url, data))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "corrected on deadline" in client.get(first.get_absolute_url()).content.decode()
    assert state(client, second.get_absolute_url()) == "hit"


def test_a_scheduled_story_purges_the_lists_it_enters_at_its_time(client):
    now = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(now, tick=False):
        section = SectionFactory()
        other = SectionFactory()
        ArticleFactory(section=other, published_at=now - dt.timedelta(hours=1))
        story = ArticleFactory(
            headline="Due at ten", section=section, published_at=now + dt.timedelta(hours=1)
        )
        warm(client, [section.get_absolute_url(), other.get_absolute_url()])
        assert page_cache.purge_due() == []
    with time_machine.travel(now + dt.timedelta(hours=1), tick=False):
        due = page_cache.purge_due()
        assert {f"story:{story.pk}", f"section:{section.pk}:list", "front:home"} <= set(due)
        assert f"section:{other.pk}:list" not in due
        assert "Due at ten" in client.get(section.get_absolute_url()).content.decode()
        assert state(client, other.get_absolute_url()) == "hit"


def test_readers_get_the_last_good_page_when_the_page_cannot_be_made(client, commit, monkeypatch):
    story = ArticleFactory(headline="Last good headline")
    url = story.get_absolute_url()
    warm(client, [url])
    commit(lambda: keys.purge(f"story:{story.pk}"))

    def database_down(*args, **kwargs):
        raise RuntimeError("the database is down")

    monkeypatch.setattr("articles.views.ArticleDetailView.get_object", database_down)
    reader = Client(raise_request_exception=False)
    response = reader.get(url)
    assert response.status_code == 200
    assert response["X-Cache"] == "stale"
    assert "Last good headline" in response.content.decode()
    assert "Surrogate-Control" not in response  # an edge must not keep it as fresh


def test_a_page_made_while_its_story_changed_is_not_kept(client, monkeypatch):
    story = ArticleFactory()
    url = story.get_absolute_url()
    real = page_cache.surrogate_keys.versions

    def purged_meanwhile(names):
        keys.purge_now([f"story:{story.pk}"])  # another editor's save lands mid-render
        return real(names)

    monkeypatch.setattr(page_cache.surrogate_keys, "versions", purged_meanwhile)
    assert state(client, url) == "miss"
    monkeypatch.setattr(page_cache.surrogate_keys, "versions", real)
    assert state(client, url) == "miss"


def test_only_the_one_spelling_of_an_address_goes_to_the_edge(client):
    ArticleFactory()
    assert "Surrogate-Control" in client.get("/")
    assert "Surrogate-Control" not in client.get("/?utm_source=newsletter")
    assert "Surrogate-Control" not in client.get("/?page=1")
    assert "Surrogate-Control" not in client.get("/search/?q=harbour")


def test_a_cache_hit_reads_its_keys_only_after_a_purge(client, commit, two_stories):
    """A front page shows dozens of keys: a hit reads the purge sequence, and the keys' versions
    only when something was purged since the page was last found right."""
    first, _ = two_stories
    warm(client, ["/"])
    calls = []
    real = cache.get_many

    def counted(names, *args, **kwargs):
        calls.append(len(names))
        return real(names, *args, **kwargs)

    cache.get_many = counted
    try:
        with CaptureQueriesContext(connection) as queries:
            assert state(client, "/") == "hit"
        assert calls == [2] and len(queries) == 0
        commit(lambda: keys.purge("tag:999999"))  # something no page here shows
        calls.clear()
        assert state(client, "/") == "hit"
        assert calls[0] == 2 and calls[1] > 5  # the keys, read once...
        calls.clear()
        assert state(client, "/") == "hit"
        assert calls == [2]  # ...and not again until the next purge
    finally:
        cache.get_many = real


def test_the_whole_site_can_be_purged(client, commit, two_stories):
    first, second = two_stories
    urls = [first.get_absolute_url(), second.get_absolute_url(), "/"]
    warm(client, urls)
    commit(lambda: keys.purge(page_cache.EVERYTHING))
    for url in urls:
        assert state(client, url) == "miss", url


def test_an_editors_save_that_changes_only_words_leaves_the_other_lists_alone(
    client, commit, editor, two_stories
):
    first, second = two_stories
    warm(client, ["/tags/rowing/", "/archive/"])
    url = f"/admin/articles/article/{first.pk}/change/"
    data = article_form(editor.get(url))
    data["body"] = data["body"].replace("</p>", " And one more sentence.</p>", 1)
    assert commit(lambda: editor.post(url, data)).status_code == 302
    # Not a new list for the story (the form's times are to the second), so the lists without
    # it, and the archive's count of the month, stay cached.
    assert state(client, "/tags/rowing/") == "hit"
    assert state(client, "/archive/") == "hit"


def test_a_worker_purges_the_edge_when_a_scheduled_story_comes_due(settings, commit):
    """With an edge in front no reader's request reaches the app at the story's time: a queued
    task purges then, and each purge is queued for the edge."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EDGE_VARNISH_URLS = ["http://127.0.0.1:9"]
    at = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=2)
    story = commit(lambda: ArticleFactory(headline="Due later", published_at=at))
    queued = {row.task_path: row for row in DBTaskResult.objects.all()}
    assert queued["core.cache.purge_due_task"].run_after == at
    edge = queued["core.edge.purge_task"].args_kwargs["args"][0]
    assert f"story:{story.pk}" in edge
    # Another save looking up the same time queues no second task for it.
    commit(lambda: ArticleFactory(headline="Another change"))
    assert DBTaskResult.objects.filter(task_path="core.cache.purge_due_task").count() == 1


def test_with_the_cache_server_down_readers_and_editors_carry_on(
    client, commit, caplog, monkeypatch
):
    story = ArticleFactory(headline="Still readable")

    def refused(*args, **kwargs):
        raise ConnectionError("the cache server refused the connection")

    for method in ("get", "get_many", "set", "set_many", "incr", "add"):
        monkeypatch.setattr(cache, method, refused)
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200 and "Still readable" in response.content.decode()
    assert "Page cache unavailable" in caplog.text

    def edit():
        story.headline = "Edited while the cache was down"
        story.save()

    commit(edit)  # no error for the editor: the story is saved
    assert "Could not refresh the cached pages showing" in caplog.text
    assert "Edited while" in client.get(story.get_absolute_url()).content.decode()
