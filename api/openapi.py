"""The API's OpenAPI 3.1 description, served at ``/api/openapi.json``.

Nothing in it is written here twice. It is made from the URL patterns (``api/urls.py``), each
view's :class:`api.views.Operation` (its summary, query parameters and the shape it answers
with), and those shapes (``api/serializers.py``), the same objects that make the responses. The
schemas are JSON Schema 2020-12, as OpenAPI 3.1 has it, and closed (see ``api/schema.py``).

The stories' first addresses (``/api/articles/``) are described too, as deprecated operations
answering 301. They still answer, and a tool comparing two versions of this document then sees
that they moved rather than that they were removed.
"""

import re

from django.conf import settings
from django.urls import reverse

from . import serializers
from .schema import components


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _path_parameter(name: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": "The object's slug.",
        "schema": {"type": "string"},
    }


def _responses(operation, path_parameters, templates) -> dict:
    if operation.moved_to:
        to = templates[operation.moved_to]
        return {
            "301": {
                "description": f"Moved to {to}, with the same query string.",
                "headers": {
                    "Location": {
                        "description": "The new address.",
                        "schema": {"type": "string", "format": "uri-reference"},
                    }
                },
            }
        }
    if operation.response is None:
        ok = {"description": operation.description}
    else:
        description = operation.description or (
            "One page of results." if operation.many else f"The {operation.returns.name.lower()}."
        )
        ok = _json(operation.response.schema(), description)
    responses = {"200": ok}
    error = serializers.ERROR.schema()
    if operation.query_parameters:
        responses["400"] = _json(
            error, "A query parameter is not valid; `error.parameter` names it."
        )
    if path_parameters:
        responses["404"] = _json(error, "Not found, or not published.")
    if operation.gone is not None:
        responses["410"] = _json(
            operation.gone.schema(),
            "Taken down for good (killed for legal reasons): its uri and pubstatus “canceled”, "
            "nothing more.",
        )
    return responses


def _get(operation, path_parameters, templates) -> dict:
    parameters = [_path_parameter(name) for name in path_parameters]
    if not operation.moved_to:
        parameters += [parameter.document() for parameter in operation.query_parameters]
    get = {"summary": operation.summary, "operationId": operation.operation_id}
    if operation.tag:
        get["tags"] = [operation.tag]
    if operation.moved_to:
        get["deprecated"] = True
    if parameters:
        get["parameters"] = parameters
    get["responses"] = _responses(operation, path_parameters, templates)
    return get


def document() -> dict:
    """The OpenAPI document, made afresh (callers may change it)."""
    # Imported here: the URL patterns name the views, and one of them serves this document.
    from .urls import urlpatterns

    prefix = reverse("api:index")
    templates = {
        pattern.name: prefix + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
        for pattern in urlpatterns
    }
    paths, shapes = {}, [serializers.ERROR]
    for pattern in urlpatterns:
        operation = pattern.callback.operation
        path_parameters = list(pattern.pattern.converters)
        paths[templates[pattern.name]] = {"get": _get(operation, path_parameters, templates)}
        if operation.response is not None:
            shapes.append(operation.response)
        if operation.gone is not None:
            shapes.append(operation.gone)
    return {
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
        "paths": paths,
        "components": {"schemas": components(shapes)},
    }
