"""HTTP behaviour of the public pages: validators, 304 Not Modified, and nothing cached for previews."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from articles.models import Article
from articles.preview import signed_preview_path
from articles.services import corrections_added
from people.models import Reporter
from tests.factories import ArticleFactory, BylineFactory, CorrectionFactory

pytestmark = pytest.mark.django_db

SEED_URL = "/stories/qianhai-forum-draws-1200-representatives/"
PAGES = [
    "/",
    SEED_URL,
    "/sections/greater-bay-area/",
    "/tags/hong-kong/",
    "/reporters/chang-zhipeng/",
    "/people/choi-koon-shum/",
    "/organizations/sensetime/",
    "/archive/",
    "/archive/2026/",
    "/archive/2026/11/",
    "/archive/2026/11/24/",
]


@pytest.fixture(params=["with middleware", "views alone"])
def site_client(request, client, settings):
    """Each test runs with the site's middleware, and again with the views answering on their own
    (no ConditionalGetMiddleware), so the pages do not depend on how the stack is configured."""
    if request.param == "views alone":
        settings.MIDDLEWARE = [
            name for name in settings.MIDDLEWARE if not name.endswith("ConditionalGetMiddleware")
        ]
    return client


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize("url", PAGES)
def test_public_pages_send_validators_and_answer_304(site_client, seed, url):
    """Last-Modified and ETag on every story and listing page; either one sent back gives a 304."""
    response = site_client.get(url)
    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    assert parse_http_date(response["Last-Modified"]) == int(seed.modified_at.timestamp())
    assert "no-cache" in directives(response)

    by_etag = site_client.get(url, headers={"if-none-match": response["ETag"]})
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_etag["ETag"] == response["ETag"]

    by_date = site_client.get(url, headers={"if-modified-since": response["Last-Modified"]})
    assert by_date.status_code == 304

    stale = site_client.get(url, headers={"if-none-match": '"something-else"'})
    assert stale.status_code == 200
    earlier = http_date(seed.modified_at.timestamp() - 60)
    assert site_client.get(url, headers={"if-modified-since": earlier}).status_code == 200


def test_head_requests_get_the_same_validators(site_client, seed):
    get = site_client.get(SEED_URL)
    head = site_client.head(SEED_URL)

    assert head.status_code == 200
    assert head["ETag"] == get["ETag"]
    assert head["Last-Modified"] == get["Last-Modified"]
    assert site_client.head(SEED_URL, headers={"if-none-match": get["ETag"]}).status_code == 304


def test_story_last_modified_is_its_newest_change(client, seed, time_machine):
    """A correction moves the story's Last-Modified, even one saved without touching the story."""
    time_machine.move_to(seed.modified_at + dt.timedelta(days=2), tick=False)
    correction = CorrectionFactory(article=seed, created_at=timezone.now())
    # corrections_added moves the “Updated” time with an UPDATE, which leaves modified_at alone.
    corrections_added(article=seed, corrections=[correction])
    time_machine.move_to(timezone.now() + dt.timedelta(hours=1))

    response = client.get(SEED_URL)

    assert parse_http_date(response["Last-Modified"]) == int(correction.created_at.timestamp())


def test_a_change_to_the_story_answers_the_old_etag_with_the_new_page(site_client, seed):
    first = site_client.get(SEED_URL)
    Article.objects.filter(pk=seed.pk).update(standfirst="A new standfirst.")

    again = site_client.get(SEED_URL, headers={"if-none-match": first["ETag"]})

    assert again.status_code == 200
    assert "A new standfirst." in again.content.decode()
    assert again["ETag"] != first["ETag"]


@pytest.mark.parametrize("url", ["/", SEED_URL, "/reporters/chang-zhipeng/"])
def test_a_change_with_no_timestamp_still_changes_the_etag(site_client, seed, url):
    """A reporter renamed: nothing of the story's moved, but the page did, and so does its ETag."""
    first = site_client.get(url)
    Reporter.objects.filter(slug="chang-zhipeng").update(name="Chang Zhi-peng")

    again = site_client.get(url, headers={"if-none-match": first["ETag"]})

    assert again.status_code == 200
    assert "Chang Zhi-peng" in again.content.decode()


def test_listing_validators_follow_the_stories_shown(site_client, seed, time_machine):
    """A scheduled story coming due changes the front page's Last-Modified and ETag on its own."""
    due = timezone.now() + dt.timedelta(hours=3)
    ArticleFactory(headline="Ferry timetable announced", section=seed.section, published_at=due)
    before = site_client.get("/")

    time_machine.move_to(due + dt.timedelta(minutes=1))
    after = site_client.get("/", headers={"if-none-match": before["ETag"]})

    assert after.status_code == 200
    assert "Ferry timetable announced" in after.content.decode()
    assert parse_http_date(after["Last-Modified"]) == int(due.timestamp())
    by_date = site_client.get("/", headers={"if-modified-since": before["Last-Modified"]})
    assert by_date.status_code == 200


def test_empty_listing_still_has_an_etag(site_client, db):
    """Nothing published yet: no Last-Modified to give, but the page can still be revalidated."""
    response = site_client.get("/")

    assert response.status_code == 200
    assert "Last-Modified" not in response
    assert site_client.get("/", headers={"if-none-match": response["ETag"]}).status_code == 304


def test_last_modified_is_never_in_the_future(client, seed):
    """A correction dated ahead by mistake does not promise a date that has not come."""
    CorrectionFactory(article=seed, created_at=timezone.now() + dt.timedelta(days=30))

    response = client.get(SEED_URL)

    assert parse_http_date(response["Last-Modified"]) <= timezone.now().timestamp()


# Never cached --------------------------------------------------------------------------------


@pytest.fixture
def draft(db):
    story = ArticleFactory(
        headline="Draft about fares", status=Article.Status.DRAFT, published_at=None
    )
    BylineFactory(article=story)
    return story


def assert_never_cached(response):
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)
    assert "ETag" not in response
    assert "Last-Modified" not in response


@pytest.mark.parametrize("kind", ["draft", "published"])
def test_staff_previews_are_never_cached_or_answered_304(site_client, superuser, draft, kind):
    """Previews of drafts, and of published stories too, always send the page afresh."""
    if kind == "published":
        Article.objects.filter(pk=draft.pk).update(
            status=Article.Status.PUBLISHED, published_at=timezone.now() - dt.timedelta(hours=1)
        )
    site_client.force_login(superuser)
    url = reverse("articles:preview", kwargs={"pk": draft.pk})

    assert_never_cached(site_client.get(url))
    for headers in (
        {"if-none-match": "*"},
        {"if-modified-since": http_date(timezone.now().timestamp() + 86400)},
    ):
        assert_never_cached(site_client.get(url, headers=headers))


def test_signed_previews_are_never_cached_or_answered_304(site_client, draft):
    url = signed_preview_path(draft)

    assert_never_cached(site_client.get(url))
    assert_never_cached(site_client.get(url, headers={"if-none-match": "*"}))
    future = http_date(timezone.now().timestamp() + 86400)
    assert_never_cached(site_client.get(url, headers={"if-modified-since": future}))


def test_a_draft_public_address_is_a_404_with_no_last_modified(site_client, draft):
    response = site_client.get(draft.get_absolute_url(), headers={"if-none-match": "*"})

    assert response.status_code == 404
    assert "Last-Modified" not in response
    assert "Draft about fares" not in response.content.decode()
