"""Addresses made by filling in a slug are exactly what reverse() makes."""

import pytest
from django.urls import reverse, set_script_prefix

from core.links import slug_url

NAMES = [
    "articles:article",
    "fronts:section",
    "people:person",
    "people:organization",
    "people:reporter",
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("slug", ["qianhai-forum", "a", "x_y-2026", "UPPER-case"])
def test_same_address_as_reverse(name, slug):
    assert slug_url(name, slug) == reverse(name, kwargs={"slug": slug})


def test_the_script_prefix_is_kept():
    set_script_prefix("/newsroom/")
    try:
        assert slug_url("articles:article", "story") == "/newsroom/stories/story/"
        assert slug_url("articles:article", "story") == reverse(
            "articles:article", kwargs={"slug": "story"}
        )
    finally:
        set_script_prefix("/")


def test_a_slug_the_pattern_refuses_is_refused_as_reverse_does():
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        slug_url("articles:article", "no spaces/or slashes")


@pytest.mark.django_db
def test_a_listing_does_not_reverse_an_address_per_story(client, monkeypatch):
    """The speed measure in core.links: the home page's links to its stories, sections and
    reporters are filled in, not looked up through the URL patterns one by one."""
    from django.urls.resolvers import URLResolver

    from tests.factories import ArticleFactory, BylineFactory

    lookups = []
    reverse_with_prefix = URLResolver._reverse_with_prefix

    def counted(self, *args, **kwargs):
        lookups.append(args[0])
        return reverse_with_prefix(self, *args, **kwargs)

    monkeypatch.setattr(URLResolver, "_reverse_with_prefix", counted)

    def home_lookups(stories: int) -> int:
        for _ in range(stories):
            BylineFactory(article=ArticleFactory())
        lookups.clear()
        assert client.get("/").status_code == 200
        return len(lookups)

    home_lookups(1)  # each pattern's address is looked up once per process
    few = home_lookups(2)
    assert home_lookups(20) == few
