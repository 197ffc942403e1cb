"""The 404 and 500 pages: in the site's design, helpful, and safe to render when things are broken."""

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from fronts import views

pytestmark = pytest.mark.django_db


def test_not_found_page_is_in_the_sites_design(client, seed):
    response = client.get("/stories/no-such-story/")
    html = response.content.decode()

    assert response.status_code == 404
    assert "<title>Page not found — Newsroom</title>" in html
    assert (
        '<a class="brand" href="/"><span class="brand-logo"></span><span class="site-name">Newsroom</span></a>'
        in html
    )
    assert '<nav class="sections" aria-label="Sections">' in html
    assert html.count("<h1") == 1
    assert "<h1>We can’t find that page</h1>" in html
    assert '<a href="/">Go to the front page</a>' in html
    assert '<a href="/archive/">Browse the archive</a>' in html
    assert '<meta name="robots" content="noindex">' in html


def test_server_error_page_needs_no_database(rf: RequestFactory, django_assert_num_queries):
    """The 500 page renders without a query or a context processor: the database may be the problem."""
    with django_assert_num_queries(0):
        response = server_error(rf.get("/"))
    html = response.content.decode()

    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in html
    assert html.count("<h1") == 1
    assert (
        '<a class="brand" href="/"><span class="brand-logo"></span><span class="site-name">Newsroom</span></a>'
        in html
    )
    assert '<html lang="en">' in html
    assert 'href="/static/newsroom/site.css"' in html


def test_an_error_in_a_page_gives_the_designed_500(db, monkeypatch):
    def broken(self, request, *args, **kwargs):
        raise RuntimeError("the front page broke")

    monkeypatch.setattr(views.HomeView, "get", broken)
    client = Client(raise_request_exception=False)

    response = client.get("/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "the front page broke" not in html
