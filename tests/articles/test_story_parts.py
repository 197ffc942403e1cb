"""A story page's parts are kept between pages (articles.story_page) and never shown stale: every
change to what they show is on the next page made, with the whole-page cache off."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import story_page
from core import keys
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    CorrectionFactory,
    OrganizationFactory,
    PersonFactory,
    ReporterFactory,
)
from tests.photos import pictures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def parts_kept(settings):
    settings.PAGE_CACHE_SECONDS = 0
    settings.STORY_PARTS_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def story():
    story = ArticleFactory(headline="Ferry fares to rise", body="<p>Fares rise in spring.</p>")
    BylineFactory(article=story, reporter__name="Ann Lee")
    story.tags.add("ferries")
    story.mentioned_people.add(PersonFactory(name="Wong Ka-ming"))
    story.mentioned_organizations.add(OrganizationFactory(name="Harbour Board"))
    return story


def page(client, story) -> str:
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def made_afresh(client, story, settings) -> str:
    """The page made with nothing kept, to compare a page made from kept parts with."""
    seconds, settings.STORY_PARTS_CACHE_SECONDS = settings.STORY_PARTS_CACHE_SECONDS, 0
    try:
        return page(client, story)
    finally:
        settings.STORY_PARTS_CACHE_SECONDS = seconds


def test_a_page_made_from_kept_parts_is_the_page_made_afresh(client, story, settings):
    first = client.get(story.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        second = client.get(story.get_absolute_url())
    # The story's row and the masthead's sections: no byline, tag, mention or correction query.
    assert len(queries) == 2
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Last-Modified"] == first["Last-Modified"]
    assert second["Surrogate-Key"] == first["Surrogate-Key"]


def test_parts_off_make_the_page_the_same_way(client, story, settings):
    page(client, story)
    assert page(client, story) == made_afresh(client, story, settings)


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        pytest.param(
            lambda s: CorrectionFactory(article=s, text="The fare rises by 5%, not 50%."),
            "The fare rises by 5%, not 50%.",
            id="correction",
        ),
        pytest.param(
            lambda s: BylineFactory(article=s, reporter__name="Bo Chan", order=2),
            "Bo Chan",
            id="byline added",
        ),
        pytest.param(
            lambda s: _rename(s.bylines.get().reporter, "Ann Lee-Wong"),
            "Ann Lee-Wong",
            id="reporter renamed",
        ),
        pytest.param(
            lambda s: _swap_byline(s, ReporterFactory(name="Cy Ho")),
            "Cy Ho",
            id="byline given to another reporter",
        ),
        pytest.param(
            lambda s: _rename(s.tags.get(), "ferry services"), "ferry services", id="tag renamed"
        ),
        pytest.param(lambda s: s.tags.add("fares"), "/tags/fares/", id="tag added"),
        pytest.param(
            lambda s: _rename(s.mentioned_people.get(), "Wong Ka-ming (chair)"),
            "Wong Ka-ming (chair)",
            id="person renamed",
        ),
        pytest.param(
            lambda s: s.mentioned_organizations.add(OrganizationFactory(name="Ferry Union")),
            "Ferry Union",
            id="organization mentioned",
        ),
        pytest.param(
            lambda s: _rename(s.section, "Transport desk"), "Transport desk", id="section renamed"
        ),
        pytest.param(
            lambda s: _edit(s, headline="Ferry fares to rise by 5%"),
            "Ferry fares to rise by 5%",
            id="headline edited",
        ),
    ],
)
def test_a_change_to_what_the_parts_show_is_on_the_next_page(
    client, commit, story, change, shown, settings
):
    page(client, story)
    assert shown not in page(client, story)

    commit(lambda: change(story))

    html = page(client, story)
    assert shown in html
    assert html == made_afresh(client, story, settings)


def test_a_reporter_gone_from_the_byline_is_gone_from_the_page(client, commit, story, settings):
    page(client, story)
    commit(lambda: story.bylines.get().delete())
    html = page(client, story)
    assert "Ann Lee" not in html
    assert html == made_afresh(client, story, settings)


def test_a_new_lead_image_caption_is_on_the_next_page(client, commit, story):
    image = pictures.upload(pictures.jpeg((1200, 800)), alt_text="A ferry", caption="At the pier.")
    story.lead_image = image
    story.save(update_fields=["lead_image"])
    assert "At the pier." in page(client, story)

    def recaption():
        image.caption = "Leaving the pier."
        image.save()

    commit(recaption)
    assert "Leaving the pier." in page(client, story)


def test_parts_made_while_a_change_commits_are_not_kept(client, commit, story, monkeypatch):
    """A change committed after the parts read their rows but before they were stored: what was
    read is older than the purge, so it must not be kept under the purged key's new version."""
    make = story_page._make
    reporter = story.bylines.get().reporter

    def make_then_rename(article, **kwargs):
        parts = make(article, **kwargs)
        monkeypatch.setattr(story_page, "_make", make)
        commit(lambda: _rename(reporter, "Ann Lee-Wong"))
        return parts

    monkeypatch.setattr(story_page, "_make", make_then_rename)
    assert "Ann Lee-Wong" not in page(client, story)  # made from the rows read before the rename
    assert "Ann Lee-Wong" in page(client, story)


def test_parts_whose_keys_were_evicted_are_made_afresh(client, story, settings):
    page(client, story)
    cache.delete(keys.VERSION_KEY.format(f"story:{story.pk}"))
    with CaptureQueriesContext(connection) as queries:
        page(client, story)
    assert len(queries) > 2


def test_a_preview_neither_uses_nor_fills_the_kept_parts(admin_client, client, story):
    public = page(client, story)
    preview = admin_client.get(reverse("articles:preview", kwargs={"pk": story.pk}))
    html = preview.content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert "application/ld+json" not in html
    assert page(client, story) == public
    assert 'rel="canonical"' in public and "application/ld+json" in public


def test_a_new_site_address_is_not_served_from_parts_kept_before_it(client, story, settings):
    page(client, story)
    settings.SITE_URL = "https://news.example.org"
    story_page._release.cache_clear()
    try:
        assert 'href="https://news.example.org/stories/' in page(client, story)
    finally:
        story_page._release.cache_clear()


def _rename(row, name):
    row.name = name
    row.save()


def _edit(story, **fields):
    for field, value in fields.items():
        setattr(story, field, value)
    story.save()


def _swap_byline(story, reporter):
    byline = story.bylines.get()
    byline.reporter = reporter
    byline.save()
