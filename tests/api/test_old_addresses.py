"""The story endpoints' first addresses, ``/api/articles/``: a 301 to ``/api/stories/`` with the
query string as sent, for the tools written before the move."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/api/articles/", "/api/stories/"),
        (
            "/api/articles/?tag=hong-kong&page_size=1&page=2",
            "/api/stories/?tag=hong-kong&page_size=1&page=2",
        ),
        (
            "/api/articles/?since=2026-11-24T20:00:00%2B08:00",
            "/api/stories/?since=2026-11-24T20:00:00%2B08:00",
        ),
        ("/api/articles/?page=abc", "/api/stories/?page=abc"),
        ("/api/articles/some-story/", "/api/stories/some-story/"),
        ("/api/articles/some-story/?x=1", "/api/stories/some-story/?x=1"),
    ],
)
def test_the_old_addresses_redirect_permanently_with_the_query(client, seed, old, new):
    response = client.get(old)

    assert response.status_code == 301
    assert response["Location"] == new
    # A browser tool follows a cross-origin redirect only if the redirect allows its origin.
    assert response["Access-Control-Allow-Origin"] == "*"


def test_following_an_old_address_gives_the_new_answer(client, newsroom):
    listed = client.get("/api/articles/?section=business", follow=True)

    assert listed.redirect_chain == [("/api/stories/?section=business", 301)]
    assert listed.json() == client.get("/api/stories/?section=business").json()
    story = client.get(f"/api/articles/{newsroom['seed'].slug}/", follow=True)
    assert story.json()["slug"] == newsroom["seed"].slug


def test_every_method_is_redirected(client, seed):
    """A write to an old address is a 301 too; the new address then answers the API's 405."""
    for method in (client.head, client.options, client.post, client.delete):
        assert method("/api/articles/?page=2").status_code == 301


def test_the_page_cache_leaves_the_story_parameters_on_the_redirect(client, seed, page_cache_on):
    """The page cache takes off the query parameters a view does not declare before the view
    sees them; the old list address declares the new one's, so none of those is lost."""
    response = client.get("/api/articles/?tag=hong-kong&since=2026-01-01&utm_id=x")

    assert response.status_code == 301
    assert response["Location"] == "/api/stories/?since=2026-01-01&tag=hong-kong"
