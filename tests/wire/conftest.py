"""Wire items for tests: ``make_wire_item(**fields)`` (importable, e.g. by the browser tests) and
the ``wire_item`` fixture that is the same function.

An item is made as ``wire.services.receive`` would store it: the body through the story sanitiser,
the subjects made or found by code, a kill or hold with its time. Anything not given is an
ordinary Reuters ninjs 2.x item received now.
"""

import itertools
import json

import pytest
from django.utils import timezone

from articles.html import sanitize_html
from wire.models import Subject, WireItem

_numbers = itertools.count(1)


def subject(value) -> Subject:
    """A queue subject from a ``Subject``, a ``(code, name)`` pair or a bare name (code
    ``name:<name>``, as the parsers make for an agency that sends names only)."""
    if isinstance(value, Subject):
        return value
    code, name = value if isinstance(value, tuple) else (f"name:{value.lower()}", value)
    return Subject.objects.get_or_create(code=code, defaults={"name": name})[0]


def make_wire_item(*, subjects=(), **fields) -> WireItem:
    n = next(_numbers)
    now = timezone.now()
    values = {
        "provider": "Reuters",
        "uri": f"urn:newsml:example.com:20260512:item{n}",
        "version": 1,
        "versioncreated": now,
        "headline": f"Harbour traffic item number {n}",
        "standfirst": "Container volumes at the port rose for a third month.",
        "byline": "By Jane Doe",
        "dateline": "HONG KONG",
        "language": "en",
        "body": "<p>Container volumes rose.</p><p>Shipping lines added calls.</p>",
        "format": WireItem.Format.NINJS_2,
        "filename": f"item-{n}.json",
        "received_at": now,
        **fields,
    }
    values["body"] = sanitize_html(values["body"])  # as receive() stores it
    if values.get("pubstatus", WireItem.PubStatus.USABLE) != WireItem.PubStatus.USABLE:
        values.setdefault("killed_at", now)
    values.setdefault(
        "raw",
        json.dumps(
            {
                "uri": values["uri"],
                "version": str(values["version"]),
                "headline": values["headline"],
                "body_html": values["body"],
            },
            ensure_ascii=False,
            indent=2,
        ),
    )
    item = WireItem.objects.create(**values)
    if subjects:
        item.subjects.set([subject(value) for value in subjects])
    return item


@pytest.fixture
def wire_item(db):
    """``wire_item(**fields)``: a WireItem; ``subjects=`` names, ``(code, name)`` pairs or
    Subjects."""
    return make_wire_item
