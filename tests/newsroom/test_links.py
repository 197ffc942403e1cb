"""Addresses made by filling in a slug are exactly what reverse() makes."""

import pytest
from django.urls import reverse, set_script_prefix

from core.links import slug_url

NAMES = [
    "articles:article",
    "articles:section",
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
