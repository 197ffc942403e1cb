"""The OpenAPI description is served, is valid JSON Schema, and every response matches it."""

import datetime as dt
import re

import pytest
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.validators import validator_for

from api import urls as api_urls
from articles.models import Article
from people.models import Person, Reporter
from tests.factories import AffiliationFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def validate(document, schema, instance):
    """Check ``instance`` against ``schema``, resolving its $refs inside the OpenAPI document."""
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    root["components"] = document["components"]
    validator = Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
    validator.validate(instance)


def response_schema(document, path, status="200"):
    responses = document["paths"][path]["get"]["responses"]
    return responses[status]["content"]["application/json"]["schema"]


def test_it_is_an_openapi_31_document(document):
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"]
    for schema in document["components"]["schemas"].values():
        validator_for(schema, default=Draft202012Validator).check_schema(schema)


def test_every_url_is_described_and_nothing_else(document):
    routes = {
        "/api/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
        for pattern in api_urls.urlpatterns
    }
    assert routes == set(document["paths"])


@pytest.fixture
def examples(newsroom):
    """One real URL for every documented path, with something in every optional place."""
    seed = newsroom["seed"]
    seed.corrections.create(text="An earlier version misstated the number of delegates.")
    xu_li = Person.objects.get(slug="xu-li")
    AffiliationFactory(
        person=xu_li,
        organization=OrganizationFactory(name="Former Employer", slug="former-employer"),
        title="engineer",
        start_date=dt.date(2010, 1, 1),
        end_date=dt.date(2015, 1, 1),
    )
    return {
        "/api/": "/api/",
        "/api/stories/": "/api/stories/?page_size=1",
        "/api/stories/{slug}/": f"/api/stories/{seed.slug}/",
        "/api/reporters/": "/api/reporters/",
        "/api/reporters/{slug}/": "/api/reporters/open-reporter/",
        "/api/people/": "/api/people/",
        "/api/people/{slug}/": "/api/people/xu-li/",
        "/api/organizations/": "/api/organizations/",
        "/api/organizations/{slug}/": (
            "/api/organizations/shenzhen-hong-kong-artificial-intelligence-computing-center/"
        ),
        "/api/sections/": "/api/sections/",
        "/api/sections/{slug}/": "/api/sections/business/",
        "/api/tags/": "/api/tags/",
        "/api/tags/{slug}/": "/api/tags/technology/",
    }


def operations(document, *, deprecated=False):
    """The documented paths and their GET operations, the moved ones or the others."""
    return {
        path: item["get"]
        for path, item in document["paths"].items()
        if item["get"].get("deprecated", False) == deprecated
    }


def test_every_response_matches_the_description(client, document, examples):
    # The document itself is checked by test_it_is_an_openapi_31_document.
    assert set(examples) == set(operations(document)) - {"/api/openapi.json"}
    for path, url in examples.items():
        response = client.get(url)
        assert response.status_code == 200, url
        validate(document, response_schema(document, path), response.json())


def test_every_story_matches_the_description(client, document, newsroom):
    """Each story in the list, including ones with several bylines and a standfirst."""
    data = client.get("/api/stories/").json()
    assert data["count"] == Article.objects.published().count()
    validate(document, response_schema(document, "/api/stories/"), data)


def test_reporters_with_and_without_a_public_email_match(client, document, newsroom):
    schema = response_schema(document, "/api/reporters/{slug}/")
    for reporter in Reporter.objects.all():
        validate(document, schema, client.get(f"/api/reporters/{reporter.slug}/").json())


def test_error_responses_match_the_description(client, document, newsroom):
    bad_page = client.get("/api/stories/?page=abc")
    validate(document, response_schema(document, "/api/stories/", "400"), bad_page.json())
    missing = client.get("/api/people/nobody/")
    validate(document, response_schema(document, "/api/people/{slug}/", "404"), missing.json())


def test_the_description_is_strict_enough_to_catch_a_leak(client, document, seed):
    """The schemas are closed: an extra field, such as a private email, fails validation."""
    schema = response_schema(document, "/api/reporters/{slug}/")
    reporter = client.get("/api/reporters/chang-zhipeng/").json()
    validate(document, schema, reporter)

    with pytest.raises(ValidationError):
        validate(document, schema, {**reporter, "private_email": "57589527@qq.com"})
    article = client.get(f"/api/stories/{seed.slug}/").json()
    with pytest.raises(ValidationError):
        validate(
            document, response_schema(document, "/api/stories/{slug}/"), {**article, "type": "x"}
        )
    with pytest.raises(ValidationError):
        validate(
            document,
            response_schema(document, "/api/stories/{slug}/"),
            {**article, "status": "draft"},
        )


def test_the_moved_addresses_answer_as_described(client, document, seed):
    moved = operations(document, deprecated=True)
    assert set(moved) == {"/api/articles/", "/api/articles/{slug}/"}
    for path, operation in moved.items():
        assert set(operation["responses"]) == {"301"}
        response = client.get(path.replace("{slug}", seed.slug) + "?page=2")
        assert response.status_code == 301
        new = response["Location"].removesuffix("?page=2")
        assert new == path.replace("/articles/", "/stories/").replace("{slug}", seed.slug)
        assert (
            f"Moved to {path.replace('/articles/', '/stories/')},"
            in (operation["responses"]["301"]["description"])
        )


def test_every_documented_query_parameter_is_checked_as_described(client, document, newsroom):
    """What the document says of each query parameter is what the view does with it: a value it
    cannot use is a 400 naming it, and an integer is held to the documented bounds."""
    checked = 0
    for path, operation in operations(document).items():
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            url = path.replace("{slug}", "x")
            name, schema = parameter["name"], parameter["schema"]
            bad = client.get(url, {name: "not valid!"})
            assert bad.status_code == 400, (path, name)
            assert bad.json()["error"]["parameter"] == name
            validate(document, response_schema(document, path, "400"), bad.json())
            if "maximum" in schema:
                assert client.get(url, {name: schema["maximum"]}).status_code == 200
                over = client.get(url, {name: schema["maximum"] + 1})
                assert over.json()["error"]["parameter"] == name
            if "minimum" in schema:
                under = client.get(url, {name: schema["minimum"] - 1})
                assert under.json()["error"]["parameter"] == name
            checked += 1
    # page and page_size on six lists, and the stories' six filters.
    assert checked == 6 * 2 + 6


def test_a_parameter_no_endpoint_declares_is_not_read(client, document, newsroom):
    """Undocumented parameters change nothing (the stories' filters mean nothing to reporters)."""
    assert "section" not in {
        parameter["name"] for parameter in document["paths"]["/api/reporters/"]["get"]["parameters"]
    }
    plain = client.get("/api/reporters/").json()
    assert client.get("/api/reporters/", {"section": "not valid!"}).json() == plain
