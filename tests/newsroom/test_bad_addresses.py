"""Mistyped or hostile addresses and query strings get a page or a 404, never a 500 (on PostgreSQL
a NUL character in a query is an error, so it must be stopped before the database)."""

import pytest

from tests.factories import ArticleFactory

URLS = [
    "/tags/%00/",
    "/tags/a%00b/",
    "/feeds/tags/%00/rss/",
    "/api/tags/%00/",
    "/search/?q=%00",
    "/?page=%00",
    "/people/x/?page=%00",
    "/sections/x%00/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS)
def test_control_characters_never_cause_an_error(client, url):
    ArticleFactory()
    assert client.get(url).status_code in (200, 400, 404)
