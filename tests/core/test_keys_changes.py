"""What each kind of change purges, beyond a story's own words (tests/core/test_keys.py): lists
filtered by what a story links to, the sitemaps, the story page's kept parts, and what a save
that changes nothing readers see leaves alone."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client

from articles import services, story_page
from articles.models import Correction
from core import keys
from tests.core.test_keys import state, warm
from tests.factories import ArticleFactory, BylineFactory, PersonFactory, SectionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


def body(client, url) -> str:
    return client.get(url).content.decode()


@pytest.fixture
def two():
    first = ArticleFactory(headline="First story", section=SectionFactory(name="Business"))
    first.tags.add("harbour")
    second = ArticleFactory(headline="Second story", section=SectionFactory(name="Sport"))
    reporter = BylineFactory(article=second, reporter__name="Second Reporter").reporter
    second.tags.add("rowing")
    person = PersonFactory(name="Second Person")
    second.mentioned_people.add(person)
    return first, second, reporter, person


@pytest.mark.parametrize("link", ["tag", "reporter", "person"])
def test_an_api_list_filtered_by_a_subject_gains_a_story_linked_to_it(client, commit, two, link):
    first, second, reporter, person = two
    url, change = {
        "tag": ("/api/stories/?tag=rowing", lambda: first.tags.add("rowing")),
        "reporter": (
            f"/api/stories/?reporter={reporter.slug}",
            lambda: BylineFactory(article=first, reporter=reporter, order=7),
        ),
        "person": (
            f"/api/stories/?person={person.slug}",
            lambda: first.mentioned_people.add(person),
        ),
    }[link]
    warm(client, [url])
    assert "First story" not in body(client, url)
    commit(change)
    assert "First story" in body(client, url)


def test_a_correction_refreshes_the_story_sitemap(client, commit, two):
    first, *_ = two
    first.published_at -= dt.timedelta(days=1)
    first.save()
    warm(client, ["/sitemap-stories.xml"])
    before = body(client, "/sitemap-stories.xml")
    correction = Correction(article=first, kind="correction", text="A name was misspelled.")
    commit(lambda: services.correction_save(correction=correction))
    assert body(client, "/sitemap-stories.xml") != before


def test_a_tag_or_person_newly_on_a_published_story_enters_the_sitemaps(client, commit, two):
    first, second, reporter, person = two
    ArticleFactory(status="draft").tags.add("newtopic")
    quiet = PersonFactory(name="Quiet Person")
    warm(client, ["/sitemap-tags.xml", "/sitemap-people.xml"])
    commit(lambda: first.tags.add("newtopic"))
    commit(lambda: first.mentioned_people.add(quiet))
    assert "newtopic" in body(client, "/sitemap-tags.xml")
    assert quiet.slug in body(client, "/sitemap-people.xml")
    commit(lambda: second.mentioned_people.remove(person))
    assert person.slug not in body(client, "/sitemap-people.xml")


def test_a_typo_fix_or_a_sections_new_description_leaves_the_rest_cached(client, commit, two):
    first, second, *_ = two
    warm(client, ["/sitemap-stories.xml", second.get_absolute_url()])

    def fix_typo():
        first.body = first.body.replace("</p>", " Fixed.</p>", 1)
        first.save()

    commit(fix_typo)
    assert state(client, "/sitemap-stories.xml") == "hit"

    def describe():
        first.section.description = "Money and markets."
        first.section.save()

    commit(describe)
    # The masthead's sections show names, not descriptions: other pages stay cached.
    assert state(client, second.get_absolute_url()) == "hit"
    assert "Money and markets." in body(client, first.section.get_absolute_url())


def test_story_parts_made_while_the_section_is_renamed_are_not_kept(client, commit, settings):
    settings.STORY_PARTS_CACHE_SECONDS = 86400
    story = ArticleFactory(headline="Race story", section=SectionFactory(name="Oldname"))
    real, renamed = story_page.story_parts, []

    def racing(article, **kwargs):
        # Another editor renames the section after the page read the story and its section.
        if not renamed:
            renamed.append(True)
            section = type(article.section).objects.get(pk=article.section_id)
            section.name = "Newname"
            commit(section.save)
        return real(article, **kwargs)

    settings.PAGE_CACHE_SECONDS = 0
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(story_page, "story_parts", racing)
        client.get(story.get_absolute_url())
        assert "Oldname" not in body(client, story.get_absolute_url())


def test_with_the_cache_server_down_story_pages_are_made_afresh(settings, monkeypatch):
    settings.STORY_PARTS_CACHE_SECONDS = 86400
    settings.COUNT_CACHE_SECONDS = 600
    story = ArticleFactory(headline="Still readable")

    def refused(*args, **kwargs):
        raise ConnectionError("refused")

    for method in ("get", "get_many", "set", "set_many", "incr", "add"):
        monkeypatch.setattr(cache, method, refused)
    response = Client(raise_request_exception=False).get(story.get_absolute_url())
    assert response.status_code == 200
    assert "Still readable" in response.content.decode()


def test_a_page_made_while_what_it_shows_was_purged_is_not_given_to_the_edge(client, monkeypatch):
    story = ArticleFactory()
    real = keys.versions

    def purged_meanwhile(names):
        keys.purge_now([f"story:{story.pk}"])
        return real(names)

    monkeypatch.setattr(keys, "versions", purged_meanwhile)
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert "Surrogate-Control" not in response
