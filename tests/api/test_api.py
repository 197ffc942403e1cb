"""The read-only JSON API: its fields, filters and pages, and that nothing unpublished leaks."""

import datetime as dt
import json
from urllib.parse import quote

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from api.parameters import PAGINATION, STORY_FILTERS
from articles.html import sanitize_html
from articles.models import Article
from people.models import Reporter
from tests.api.conftest import PRIVATE_EMAIL
from tests.factories import BylineFactory, ReporterFactory, add_extras

pytestmark = pytest.mark.django_db

LISTS = ["stories", "reporters", "people", "organizations", "sections", "tags"]


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.content[:500])
    assert response["Content-Type"] == "application/json"
    return response.json()


def slugs(data):
    return [item["slug"] for item in data["results"]]


# The index and the story's fields.


def test_the_index_links_every_list_and_the_description(client, seed):
    data = get(client, "/api/")

    assert data["openapi"] == "http://testserver/api/openapi.json"
    # The stories list keeps its first key, which tools read; only its address moved.
    assert data["articles"] == "http://testserver/api/stories/"
    for name in LISTS[1:]:
        assert data[name] == f"http://testserver/api/{name}/"


def test_a_story_in_ninjs_names(client, seed):
    data = get(client, f"/api/stories/{seed.slug}/")

    assert data["uri"] == f"http://testserver/api/stories/{seed.slug}/"
    assert data["type"] == "text"
    assert data["version"] == str(seed.version)
    assert data["firstcreated"] == "2026-11-24T12:00:00Z"
    assert dt.datetime.fromisoformat(data["versioncreated"]) >= seed.published_at
    assert data["pubstatus"] == "usable"
    assert data["language"] == "en"
    assert data["headline"] == seed.headline
    assert data["byline"] == "Chang Zhipeng"
    assert data["bodyhtml"] == seed.body
    assert "four pivotal components — talent" in data["bodyhtml"]
    assert data["located"] == "Shenzhen"
    assert data["descriptions"] == [
        {"role": "summary", "contenttype": "text/plain", "value": seed.standfirst}
    ]
    assert [s["name"] for s in data["subject"]] == sorted(seed.tags.names(), key=str.lower)
    assert data["subject"][0] == {
        "name": "artificial intelligence",
        "code": "artificial-intelligence",
        "rel": "tag",
        "uri": "http://testserver/api/tags/artificial-intelligence/",
    }
    assert sorted(p["name"] for p in data["people"]) == [
        "Choi Koon-shum",
        "Deng Zhonghua",
        "Xu Li",
    ]
    assert {"name": "Xu Li", "rel": "mentioned", "literal": "xu-li"}.items() <= next(
        p for p in data["people"] if p["literal"] == "xu-li"
    ).items()
    assert len(data["organisations"]) == 8
    assert data["html_url"] == f"http://testserver/stories/{seed.slug}/"
    assert data["section"]["slug"] == "greater-bay-area"
    assert data["reporters"][0]["html_url"] == "http://testserver/reporters/chang-zhipeng/"
    assert data["corrections"] == []
    assert data["updated"] is None
    assert data["lead_image"] is None


def test_the_byline_lists_reporters_in_byline_order(client, seed):
    for order, name in [(1, "Second Name"), (2, "Third Name")]:
        BylineFactory(article=seed, reporter=ReporterFactory(name=name), order=order)

    data = get(client, f"/api/stories/{seed.slug}/")

    assert data["byline"] == "Chang Zhipeng, Second Name and Third Name"
    assert [r["name"] for r in data["reporters"]] == ["Chang Zhipeng", "Second Name", "Third Name"]


def test_the_body_is_cleaned_on_the_way_out(client, seed):
    """A row written around save() (a bulk update) still reaches a consumer clean."""
    Article.objects.filter(pk=seed.pk).update(body='<p onclick="x()">Hi<script>bad()</script></p>')

    assert get(client, f"/api/stories/{seed.slug}/")["bodyhtml"] == "<p>Hi</p>"
    assert sanitize_html("<p>Hi</p>") == "<p>Hi</p>"


def test_corrections_and_the_updated_time_are_included(client, seed):
    seed.corrections.create(kind="correction", text="An earlier version misspelt a name.")
    seed.updated_at = seed.corrections.get().created_at
    seed.save()

    data = get(client, f"/api/stories/{seed.slug}/")

    assert data["corrections"][0]["text"] == "An earlier version misspelt a name."
    assert data["corrections"][0]["label"] == "Correction"
    assert data["updated"] is not None


# Nothing unpublished, and no private email.


def test_lists_hold_only_published_stories_and_what_is_in_them(client, newsroom):
    stories = get(client, "/api/stories/")
    assert slugs(stories) == ["sensetime-opens-a-lab", newsroom["seed"].slug]
    assert stories["count"] == 2

    assert "secret" not in json.dumps([get(client, f"/api/{name}/") for name in LISTS]).lower()
    assert slugs(get(client, "/api/reporters/")) == ["chang-zhipeng", "open-reporter"]
    assert "technology" in slugs(get(client, "/api/tags/"))


@pytest.mark.parametrize("kind", ["draft", "review", "withdrawn", "scheduled"])
def test_a_hidden_story_is_not_found_or_counted_anywhere(client, newsroom, kind):
    story = newsroom["hidden"][kind]

    get(client, f"/api/stories/{story.slug}/", status=404)
    for query in [
        f"person=secret-{kind}",
        f"organization=secret-{kind}-ltd",
        f"reporter=secret-{kind}-reporter",
        f"tag=secret-{kind}-topic",
        "since=2000-01-01",
    ]:
        data = get(client, f"/api/stories/?{query}")
        assert story.slug not in slugs(data)
        assert story.headline not in json.dumps(data, ensure_ascii=False)


def test_a_scheduled_story_appears_at_its_time(client, newsroom):
    scheduled = newsroom["hidden"]["scheduled"]
    assert scheduled.slug not in slugs(get(client, "/api/stories/"))

    with time_machine.travel(scheduled.published_at + dt.timedelta(seconds=1), tick=False):
        assert scheduled.slug in slugs(get(client, "/api/stories/"))
        get(client, f"/api/stories/{scheduled.slug}/")
        assert "secret-scheduled" in slugs(get(client, "/api/people/"))


def test_an_editor_logged_in_sees_no_more_than_anyone(client, newsroom, superuser):
    client.force_login(superuser)
    assert slugs(get(client, "/api/stories/")) == ["sensetime-opens-a-lab", newsroom["seed"].slug]
    get(client, f"/api/stories/{newsroom['hidden']['draft'].slug}/", status=404)


def test_a_reporters_email_is_shown_only_if_they_allow_it(client, newsroom):
    hidden = get(client, "/api/reporters/chang-zhipeng/")
    shown = get(client, "/api/reporters/open-reporter/")

    assert "email" not in hidden
    assert shown["email"] == "open@example.org"


def test_no_response_contains_a_private_email(client, newsroom):
    seed = newsroom["seed"]
    urls = [f"/api/{name}/" for name in LISTS] + [
        "/api/",
        "/api/openapi.json",
        f"/api/stories/{seed.slug}/",
        "/api/stories/sensetime-opens-a-lab/",
        "/api/reporters/chang-zhipeng/",
        "/api/stories/?reporter=chang-zhipeng",
    ]
    for url in urls:
        assert PRIVATE_EMAIL not in client.get(url).content.decode(), url


# Filters.


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("section=business", ["sensetime-opens-a-lab"]),
        ("section=greater-bay-area", ["seed"]),
        ("tag=technology", ["sensetime-opens-a-lab"]),
        ("tag=hong-kong", ["seed"]),
        ("reporter=open-reporter", ["sensetime-opens-a-lab"]),
        ("reporter=chang-zhipeng", ["sensetime-opens-a-lab", "seed"]),
        ("person=xu-li", ["seed"]),
        ("organization=sensetime", ["sensetime-opens-a-lab", "seed"]),
        ("organization=sensetime&section=business", ["sensetime-opens-a-lab"]),
        ("reporter=chang-zhipeng&tag=technology", ["sensetime-opens-a-lab"]),
        ("section=no-such-section", []),
        ("person=", ["sensetime-opens-a-lab", "seed"]),
    ],
)
def test_filters(client, newsroom, query, expected):
    seed_slug = newsroom["seed"].slug
    expected = [seed_slug if slug == "seed" else slug for slug in expected]

    assert slugs(get(client, f"/api/stories/?{query}")) == expected


def test_since_finds_stories_published_or_changed_since_then(client, newsroom):
    seed, story = newsroom["seed"], newsroom["story"]
    # Both were saved (modified) now, after their publication times: a story changed since is
    # included, so ask for a time after the saves.
    later = (story.modified_at + dt.timedelta(seconds=1)).isoformat()
    assert slugs(get(client, f"/api/stories/?since={quote(later)}")) == []

    Article.objects.filter(pk=seed.pk).update(modified_at=seed.published_at)
    Article.objects.filter(pk=story.pk).update(modified_at=story.published_at)
    between = seed.published_at + dt.timedelta(hours=1)
    assert slugs(get(client, f"/api/stories/?since={quote(between.isoformat())}")) == [story.slug]

    # Editing the seed story later brings it back for a tool polling since then.
    Article.objects.filter(pk=seed.pk).update(modified_at=between + dt.timedelta(minutes=5))
    assert slugs(get(client, f"/api/stories/?since={quote(between.isoformat())}")) == [
        story.slug,
        seed.slug,
    ]


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-24",
        "2026-11-24T12:00:00Z",
        "2026-11-24T20:00:00%2B08:00",
        "2026-11-24T20:00:00+08:00",  # the + arrives as a space
        "2026-11-24T12:00:00",
        "2026-11-24T12:00",
    ],
)
def test_since_accepts_dates_and_times(client, newsroom, value):
    data = get(client, f"/api/stories/?since={value}")
    assert newsroom["story"].slug in slugs(data)


# Pages and bad parameters: 400 with a message, never a 500.


def test_pages_link_to_each_other(client, newsroom):
    first = get(client, "/api/stories/?page_size=1&section=")
    assert (first["count"], first["pages"], first["page"], first["page_size"]) == (2, 2, 1, 1)
    assert first["previous"] is None
    second = get(client, first["next"].removeprefix("http://testserver"))
    assert second["page"] == 2
    assert second["next"] is None
    assert slugs(first) + slugs(second) == ["sensetime-opens-a-lab", newsroom["seed"].slug]
    assert "section=" in first["next"]  # filters are kept


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=abc", "page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=1.5", "page"),
        ("page=99", "page"),
        ("page=99999999999999999999999", "page"),
        ("page_size=abc", "page_size"),
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
        ("since=garbage", "since"),
        ("since=2026-13-45", "since"),
        ("since=2026-02-30T10:00:00", "since"),
        ("since=2026-11-24T25:00:00Z", "since"),
        ("section=%00", "section"),  # PostgreSQL cannot even be asked about a NUL
        ("tag=two%20words", "tag"),
        ("person=%3Cscript%3E", "person"),
    ],
)
def test_bad_parameters_are_400s_naming_the_parameter(client, newsroom, query, parameter):
    data = get(client, f"/api/stories/?{query}", status=400)

    assert data["error"]["status"] == 400
    assert data["error"]["parameter"] == parameter
    assert data["error"]["message"]


@pytest.mark.parametrize("name", LISTS)
def test_every_list_refuses_a_bad_page_the_same_way(client, newsroom, name):
    assert get(client, f"/api/{name}/?page=abc", status=400)["error"]["parameter"] == "page"


# The client and the seed are only read, so sharing them between examples is safe.
FUZZ = hypothesis_settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(
    parameter=st.sampled_from([p.name for p in (*STORY_FILTERS, *PAGINATION)]),
    value=st.text(max_size=30),
)
def test_no_query_string_causes_a_server_error(client, seed, parameter, value):
    response = client.get("/api/stories/", {parameter: value})
    assert response.status_code in (200, 400)
    assert response.json()


@FUZZ
@given(
    kind=st.sampled_from(["stories", "tags", "people", "organizations", "reporters", "sections"]),
    slug=st.text(min_size=1, max_size=20),
)
def test_no_address_causes_a_server_error(client, seed, kind, slug):
    response = client.get(f"/api/{kind}/{quote(slug, safe='')}/")
    assert response.status_code in (200, 404)


def test_unknown_objects_are_json_404s(client, seed):
    for url in [
        "/api/stories/nope/",
        "/api/reporters/nope/",
        "/api/people/nope/",
        "/api/organizations/nope/",
        "/api/sections/nope/",
        "/api/tags/nope/",
    ]:
        assert get(client, url, status=404)["error"]["status"] == 404


def test_the_api_is_read_only(client, seed):
    for method in (client.post, client.put, client.patch, client.delete):
        response = method("/api/stories/")
        assert response.status_code == 405
        assert response.json()["error"]["status"] == 405
        assert "GET" in response["Allow"]
    assert not Article.objects.exclude(pk=seed.pk).exists()


def test_any_origin_may_read(client, seed):
    assert client.get("/api/stories/")["Access-Control-Allow-Origin"] == "*"


# Query counts: a list costs the same however many rows, bylines, tags and mentions it shows.


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/api/stories/", 7),  # count, page, bylines+reporters, tags, people, orgs, corrections
        ("/api/stories/?tag=hong-kong&reporter=chang-zhipeng", 7),
        ("/api/reporters/", 2),
        ("/api/people/", 3),  # count, page, affiliations+organizations
        ("/api/organizations/", 3),  # count, page, children
        ("/api/sections/", 2),
        ("/api/tags/", 2),
    ],
)
def test_list_query_counts_do_not_grow_with_rows(
    client, seed, many_stories, django_assert_num_queries, url, expected
):
    many_stories(2)
    with django_assert_num_queries(expected):
        small = get(client, url)
    many_stories(10)
    with django_assert_num_queries(expected):
        large = get(client, url)
    assert large["count"] >= small["count"]


def test_a_story_costs_the_same_however_much_it_carries(client, seed, many_stories):
    story = many_stories(1)[0]
    with CaptureQueriesContext(connection) as few:
        get(client, f"/api/stories/{story.slug}/")
    add_extras(story, reporters=5, tags=5, people=5, organizations=5)
    with CaptureQueriesContext(connection) as many:
        get(client, f"/api/stories/{story.slug}/")
    assert len(many) == len(few)


def test_reporters_are_listed_once_however_many_stories(client, seed, many_stories):
    reporter = Reporter.objects.get(slug="chang-zhipeng")
    for article in many_stories(3):
        BylineFactory(article=article, reporter=reporter, order=99)
    data = get(client, "/api/reporters/?page_size=100")
    assert slugs(data).count("chang-zhipeng") == 1
