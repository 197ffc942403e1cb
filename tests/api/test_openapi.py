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
        "/api/articles/": "/api/articles/?page_size=1",
        "/api/articles/{slug}/": f"/api/articles/{seed.slug}/",
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


def test_every_response_matches_the_description(client, document, examples):
    for path, url in examples.items():
        response = client.get(url)
        assert response.status_code == 200, url
        validate(document, response_schema(document, path), response.json())


def test_every_story_matches_the_description(client, document, newsroom):
    """Each story in the list, including ones with several bylines and a standfirst."""
    data = client.get("/api/articles/").json()
    assert data["count"] == Article.objects.published().count()
    validate(document, response_schema(document, "/api/articles/"), data)


def test_reporters_with_and_without_a_public_email_match(client, document, newsroom):
    schema = response_schema(document, "/api/reporters/{slug}/")
    for reporter in Reporter.objects.all():
        validate(document, schema, client.get(f"/api/reporters/{reporter.slug}/").json())


def test_error_responses_match_the_description(client, document, newsroom):
    bad_page = client.get("/api/articles/?page=abc")
    validate(document, response_schema(document, "/api/articles/", "400"), bad_page.json())
    missing = client.get("/api/people/nobody/")
    validate(document, response_schema(document, "/api/people/{slug}/", "404"), missing.json())


def test_the_description_is_strict_enough_to_catch_a_leak(client, document, seed):
    """The schemas are closed: an extra field, such as a private email, fails validation."""
    schema = response_schema(document, "/api/reporters/{slug}/")
    reporter = client.get("/api/reporters/chang-zhipeng/").json()
    validate(document, schema, reporter)

    with pytest.raises(ValidationError):
        validate(document, schema, {**reporter, "private_email": "57589527@qq.com"})
    article = client.get(f"/api/articles/{seed.slug}/").json()
    with pytest.raises(ValidationError):
        validate(
            document, response_schema(document, "/api/articles/{slug}/"), {**article, "type": "x"}
        )
    with pytest.raises(ValidationError):
        validate(
            document,
            response_schema(document, "/api/articles/{slug}/"),
            {**article, "status": "draft"},
        )
