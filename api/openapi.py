"""The API's OpenAPI 3.1 description, written by hand and served at ``/api/openapi.json``.

The schemas are JSON Schema 2020-12 (as OpenAPI 3.1 has it) and closed: an object with a property
not listed here fails validation, so the tests, which check every response against this document,
also catch a field that should not be there (a reporter's private email, say).
"""

import copy

from django.conf import settings


def _string(description: str = "", **extra) -> dict:
    return {"type": "string", **({"description": description} if description else {}), **extra}


def _nullable(schema: dict) -> dict:
    return {**schema, "type": [schema["type"], "null"]}


URI = _string(format="uri")
DATETIME = _string(format="date-time")
SLUG = _string("The object's slug, as in its web address.")


def _object(properties: dict, *, required: list[str] | None = None, description: str = "") -> dict:
    schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _page(item: str) -> dict:
    return _object(
        {
            "count": {"type": "integer", "minimum": 0, "description": "Rows in all pages."},
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "page_size": {"type": "integer", "minimum": 1, "maximum": 100},
            "next": _nullable({**URI, "description": "The next page, or null on the last."}),
            "previous": _nullable({**URI, "description": "The previous page, or null."}),
            "results": {"type": "array", "items": _ref(item)},
        },
        description=f"One page of {item} objects, newest or alphabetical first.",
    )


SUMMARY = _object({"name": _string(), "slug": SLUG, "uri": URI, "html_url": URI})

SCHEMAS = {
    "Error": _object(
        {
            "error": _object(
                {
                    "status": {"type": "integer"},
                    "message": _string("What was wrong, in words."),
                    "parameter": _string("The query parameter at fault, if one was."),
                },
                required=["status", "message"],
            )
        }
    ),
    "Index": _object(
        {
            "name": _string(),
            "description": _string(),
            **{
                name: URI
                for name in [
                    "openapi",
                    "articles",
                    "reporters",
                    "people",
                    "organizations",
                    "sections",
                    "tags",
                ]
            },
        }
    ),  # fmt: skip
    "Image": _nullable(
        _object(
            {
                "href": _nullable(URI),
                "alt_text": _string("What the picture shows."),
                "caption": _string(),
                "credit": _string(),
                "width": {"type": "integer", "minimum": 0},
                "height": {"type": "integer", "minimum": 0},
            },
            description="An image's metadata and address, or null when there is none.",
        )
    ),
    "Summary": SUMMARY,
    "Article": _object(
        {
            "uri": {**URI, "description": "ninjs: this story's identifier (its API address)."},
            "type": _string("ninjs: always “text”.", enum=["text"]),
            "version": _string("ninjs: goes up by one at every save.", pattern=r"^[1-9][0-9]*$"),
            "versioncreated": {**DATETIME, "description": "ninjs: when this version was made."},
            "firstcreated": {**DATETIME, "description": "ninjs: first publication time."},
            "pubstatus": _string("ninjs: always “usable”.", enum=["usable"]),
            "language": _string("ninjs: BCP 47 language tag."),
            "headline": _string("ninjs 1.x: the headline."),
            "descriptions": {
                "type": "array",
                "description": "ninjs: the standfirst, as a summary.",
                "items": _object(
                    {
                        "role": _string(enum=["summary"]),
                        "contenttype": _string(),
                        "value": _string(),
                    }
                ),
            },
            "byline": _string("ninjs 1.x: the reporters' names as printed."),
            "bodyhtml": _string("ninjs 1.x: the story's body, sanitised HTML."),
            "located": _string("ninjs: the dateline, where the story was filed from."),
            "subject": {
                "type": "array",
                "description": "ninjs: the story's tags.",
                "items": _object(
                    {"name": _string(), "code": _string(), "rel": _string(), "uri": URI}
                ),
            },
            "people": {
                "type": "array",
                "description": "ninjs: people the story mentions.",
                "items": _object(
                    {"name": _string(), "rel": _string(), "literal": SLUG, "uri": URI}
                ),
            },
            "organisations": {
                "type": "array",
                "description": "ninjs: organizations the story mentions.",
                "items": _object(
                    {"name": _string(), "rel": _string(), "literal": SLUG, "uri": URI}
                ),
            },
            "slug": SLUG,
            "published": {**DATETIME, "description": "When readers first saw the story."},
            "updated": _nullable(
                {**DATETIME, "description": "Shown as “Updated”: the last correction or update."}
            ),
            "section": _object({"name": _string(), "slug": SLUG, "uri": URI}),
            "reporters": {"type": "array", "items": _ref("Summary")},
            "corrections": {
                "type": "array",
                "items": _object(
                    {
                        "kind": _string(enum=["correction", "clarification", "update"]),
                        "label": _string(),
                        "text": _string(),
                        "created": DATETIME,
                    }
                ),
            },
            "lead_image": _ref("Image"),
            "html_url": {**URI, "description": "The story's page on the site."},
        },
        description="A published story, in IPTC ninjs property names where ninjs has one.",
    ),
    "Reporter": _object(
        {
            "uri": URI,
            "slug": SLUG,
            "name": _string(),
            "job_title": _string(),
            "bio": _string(),
            "email": _string(
                "Only present when the reporter has chosen to show it.", format="email"
            ),
            "photo": _ref("Image"),
            "html_url": URI,
            "articles_url": URI,
        },
        required=["uri", "slug", "name", "job_title", "bio", "photo", "html_url", "articles_url"],
    ),
    "Person": _object(
        {
            "uri": URI,
            "slug": SLUG,
            "name": _string("As printed, family name first where that is the custom."),
            "native_name": _string(),
            "sort_name": _string(),
            "description": _string(),
            "photo": _ref("Image"),
            "affiliations": {
                "type": "array",
                "items": _object(
                    {
                        "title": _string(),
                        "organization": _ref("Summary"),
                        "start_date": _nullable(_string(format="date")),
                        "end_date": _nullable(_string(format="date")),
                        "current": {"type": "boolean"},
                    }
                ),
            },
            "html_url": URI,
            "articles_url": URI,
        }
    ),
    "Organization": _object(
        {
            "uri": URI,
            "slug": SLUG,
            "name": _string(),
            "short_name": _string(),
            "kind": _string(),
            "kind_label": _string(),
            "description": _string(),
            "website": _string(),
            "parent": {"oneOf": [_ref("Summary"), {"type": "null"}]},
            "children": {"type": "array", "items": _ref("Summary")},
            "html_url": URI,
            "articles_url": URI,
        }
    ),
    "Section": _object(
        {
            "uri": URI,
            "slug": SLUG,
            "name": _string(),
            "description": _string(),
            "html_url": URI,
            "articles_url": URI,
        }
    ),
    "Tag": _object(
        {"uri": URI, "slug": _string(), "name": _string(), "html_url": URI, "articles_url": URI}
    ),
}
for _name in ["Article", "Reporter", "Person", "Organization", "Section", "Tag"]:
    SCHEMAS[f"{_name}Page"] = _page(_name)


def _parameter(name: str, description: str, *, where: str = "query", **schema) -> dict:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": {"type": "string", **schema},
    }


PAGE_PARAMETERS = [
    _parameter(
        "page", "Page number, from 1. Not a number, or past the last page: 400.", type="integer",
        minimum=1,
    ),
    _parameter(
        "page_size", "Rows a page, 1 to 100 (default 20).", type="integer", minimum=1, maximum=100
    ),
]  # fmt: skip
SLUG_PARAMETER = _parameter("slug", "The object's slug.", where="path")
ARTICLE_FILTERS = [
    _parameter("section", "Only stories in the section with this slug."),
    _parameter("tag", "Only stories with the tag with this slug."),
    _parameter("reporter", "Only stories with this reporter (slug) on the byline."),
    _parameter("person", "Only stories that mention this person (slug)."),
    _parameter("organization", "Only stories that mention this organization (slug)."),
    _parameter(
        "since",
        "Only stories published or changed at or after this ISO 8601 date or time (a time "
        "without a zone is in the newsroom's time zone). Not a date: 400.",
    ),
]


def _json(schema_name: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref(schema_name)}},
    }


ERRORS = {
    "400": _json("Error", "A query parameter is not valid; `error.parameter` names it."),
}
NOT_FOUND = {"404": _json("Error", "Not found, or not published.")}


def _list(tag: str, item: str, summary: str, extra_parameters=()) -> dict:
    return {
        "get": {
            "tags": [tag],
            "summary": summary,
            "operationId": f"list{item}s",
            "parameters": [*PAGE_PARAMETERS, *extra_parameters],
            "responses": {"200": _json(f"{item}Page", "One page of results."), **ERRORS},
        }
    }


def _detail(tag: str, item: str, summary: str) -> dict:
    return {
        "get": {
            "tags": [tag],
            "summary": summary,
            "operationId": f"get{item}",
            "parameters": [SLUG_PARAMETER],
            "responses": {"200": _json(item, f"The {item.lower()}."), **NOT_FOUND},
        }
    }


PATHS = {
    "/api/": {
        "get": {
            "summary": "Where everything is",
            "operationId": "index",
            "responses": {"200": _json("Index", "Links to every list and to this description.")},
        }
    },
    "/api/openapi.json": {
        "get": {
            "summary": "This description",
            "operationId": "openapi",
            "responses": {"200": {"description": "OpenAPI 3.1 JSON."}},
        }
    },
    "/api/articles/": _list(
        "articles", "Article", "Published stories, newest first", ARTICLE_FILTERS
    ),
    "/api/articles/{slug}/": _detail("articles", "Article", "A published story"),
    "/api/reporters/": _list("reporters", "Reporter", "Reporters with a published story"),
    "/api/reporters/{slug}/": _detail("reporters", "Reporter", "A reporter"),
    "/api/people/": _list("people", "Person", "People mentioned in a published story"),
    "/api/people/{slug}/": _detail("people", "Person", "A person and their roles"),
    "/api/organizations/": _list(
        "organizations", "Organization", "Organizations mentioned in a published story"
    ),
    "/api/organizations/{slug}/": _detail("organizations", "Organization", "An organization"),
    "/api/sections/": _list("sections", "Section", "The site's sections"),
    "/api/sections/{slug}/": _detail("sections", "Section", "A section"),
    "/api/tags/": _list("tags", "Tag", "Tags on published stories"),
    "/api/tags/{slug}/": _detail("tags", "Tag", "A tag"),
}


def document() -> dict:
    """The OpenAPI document (a fresh copy: callers may change it)."""
    return copy.deepcopy(
        {
            "openapi": "3.1.0",
            "info": {
                "title": f"{settings.SITE_NAME} API",
                "version": "1.0.0",
                "description": "Read-only JSON for newsroom tools: published stories in IPTC ninjs "
                "property names, and the reporters, people, organizations, sections and tags in "
                "them. Drafts, stories in review, withdrawn and scheduled stories never appear; a "
                "reporter's email appears only when they have chosen to show it.",
            },
            "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
            "paths": PATHS,
            "components": {"schemas": SCHEMAS},
        }
    )
