"""The API's query parameters. Each is declared once, here: the views read and check requests
with these declarations, and ``api/openapi.py`` documents the same ones.

No query string can cause a server error. A value that cannot be used is a 400 naming its
parameter (:class:`api.schema.BadRequest`), and a missing or empty value is the default.
"""

import datetime as dt
import re

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from .schema import BadRequest, Parameter, integer, string

# What a slug can be (tags' slugs may have letters from any script). Anything else cannot match,
# and some of it cannot even be sent to the database (PostgreSQL refuses NUL characters).
SLUG = re.compile(r"^[-\w]+$")


def _quoted(text: str) -> str:
    return f"“{text[:40]}”"


def parse_slug(parameter: Parameter, text: str) -> str:
    if not SLUG.match(text):
        raise BadRequest(
            parameter.name,
            f"{parameter.name} must be a slug (letters, digits, hyphens), not {_quoted(text)}.",
        )
    return text


def parse_integer(parameter: Parameter, text: str) -> int:
    """A whole number within the ``minimum`` and ``maximum`` of the parameter's schema."""
    name, schema = parameter.name, parameter.type.keywords
    try:
        value = int(text)
    except ValueError:
        raise BadRequest(name, f"{name} must be a whole number, not {_quoted(text)}.") from None
    minimum, maximum = schema.get("minimum"), schema.get("maximum")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        limit = f" and at most {maximum}" if maximum is not None else ""
        raise BadRequest(name, f"{name} must be at least {minimum}{limit}.")
    return value


def parse_moment(parameter: Parameter, text: str) -> dt.datetime:
    """An ISO 8601 date or time, in UTC; without a zone it is the newsroom's time zone."""
    value = text.strip()
    # A "+" in a query string arrives as a space: "2026-11-24T12:00:00 08:00".
    if len(value) > 6 and value[-6] == " " and value[-5:-3].isdigit():
        value = value[:-6] + "+" + value[-5:]
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            if day is not None:
                parsed = dt.datetime.combine(day, dt.time())
    except ValueError:
        parsed = None
    if parsed is None:
        raise BadRequest(
            parameter.name,
            f"{parameter.name} must be an ISO 8601 date or time, such as 2026-11-24 or "
            f"2026-11-24T12:00:00Z, not {_quoted(text)}.",
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    # The database compares in UTC (SQLite's backend makes the value naive UTC; PostgreSQL would
    # take a year 0 or 10000 that no Python datetime can hold). A moment that is not between the
    # first and last second of the calendar there is refused here, on every database, rather
    # than overflowing wherever it is next converted.
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:
        raise BadRequest(
            parameter.name,
            f"{parameter.name} must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, "
            f"not {_quoted(text)}.",
        ) from None


PAGE_SIZE = Parameter(
    "page_size",
    integer(minimum=1, maximum=100),
    "Rows a page, 1 to 100 (default 20).",
    parse_integer,
    default=20,
)
PAGINATION = (
    Parameter(
        "page",
        integer(minimum=1),
        "Page number, from 1. Not a number, or past the last page: 400.",
        parse_integer,
        default=1,
    ),
    PAGE_SIZE,
)


def slug_filter(name: str, lookup: str, description: str) -> Parameter:
    """Only the stories whose ``lookup`` is the slug asked for."""
    return Parameter(
        name, string(), description, parse_slug, narrow=lambda qs, slug: qs.filter(**{lookup: slug})
    )


def _changed_since(queryset, moment: dt.datetime):
    # Published since then, or changed since then (a correction, an edit): what a tool that last
    # looked at ``since`` has not seen.
    return queryset.filter(Q(published_at__gte=moment) | Q(modified_at__gte=moment))


STORY_FILTERS = (
    slug_filter("section", "section__slug", "Only stories in the section with this slug."),
    slug_filter("tag", "tags__slug", "Only stories with the tag with this slug."),
    slug_filter(
        "reporter",
        "bylines__reporter__slug",
        "Only stories with this reporter (slug) on the byline.",
    ),
    slug_filter(
        "person", "mentioned_people__slug", "Only stories that mention this person (slug)."
    ),
    slug_filter(
        "organization",
        "mentioned_organizations__slug",
        "Only stories that mention this organization (slug).",
    ),
    Parameter(
        "since",
        # Not format "date-time": a date alone is a moment too (its start).
        string(),
        "Only stories published or changed at or after this ISO 8601 date or time (a time "
        "without a zone is in the newsroom's time zone). Not a date: 400.",
        parse_moment,
        narrow=_changed_since,
        stored=False,
    ),
)
