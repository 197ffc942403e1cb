"""The read-only JSON API: published stories and the reporters, people, organizations, sections and
tags in them. Plain Django views; the shapes are in ``api/openapi.py``.

What readers may see is ``Article.objects.published()``, here as on every page: drafts, stories in
review, withdrawn and scheduled stories are never listed, counted or found. The lists of reporters,
people, organizations and tags hold only those with a published story, so the API does not reveal
what is being worked on; each one's own record is served like its public page. A reporter's email
appears only if they chose to show it. Every list costs the same number of queries however many
rows it returns, and no query string can cause a server error: bad values get a 400 with a message.
"""

import datetime as dt
import functools
import re

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt
from taggit.models import Tag

from articles.models import Article, Byline, Section, TaggedArticle
from core.cache import cache_query_parameters, canonical_query
from core.pagination import CachedCountPaginator, listing_key
from people.models import Affiliation, Organization, Person, Reporter

from . import openapi, serializers

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
PAGINATION = ("page", "page_size")
# Filters on the story list: query parameter -> the lookup it filters on, by slug.
ARTICLE_FILTERS = {
    "section": "section__slug",
    "tag": "tags__slug",
    "reporter": "bylines__reporter__slug",
    "person": "mentioned_people__slug",
    "organization": "mentioned_organizations__slug",
}


class BadRequest(Exception):
    def __init__(self, parameter: str, message: str):
        self.parameter = parameter
        self.message = message
        super().__init__(message)


def json_response(data, *, status: int = 200) -> JsonResponse:
    response = JsonResponse(
        data, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
    )
    # Published content for any newsroom tool, including ones running in a browser; no cookies
    # are read, so allowing every origin gives nothing away.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error(status: int, message: str, parameter: str | None = None) -> JsonResponse:
    body = {"status": status, "message": message}
    if parameter is not None:
        body["parameter"] = parameter
    return json_response({"error": body}, status=status)


def api_view(view):
    """GET (and HEAD) only; bad parameters are 400s and missing objects 404s, both as JSON."""

    # Nothing here reads cookies or changes anything, so a POST gets this API's JSON 405 rather
    # than the CSRF failure page.
    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            response = error(405, "This API is read-only: use GET.")
            response["Allow"] = "GET, HEAD, OPTIONS"
            return response
        if request.method == "OPTIONS":
            response = json_response({})
            response["Allow"] = "GET, HEAD, OPTIONS"
            return response
        try:
            return view(request, *args, **kwargs)
        except BadRequest as bad:
            return error(400, bad.message, bad.parameter)
        except Http404:
            return error(404, "Not found.")

    return wrapper


# What a slug can be (tags' slugs may have letters from any script). Anything else cannot match,
# and some of it cannot even be sent to the database (PostgreSQL refuses NUL characters).
_SLUG = re.compile(r"^[-\w]+$")


def _slug_filter(request, name: str) -> str | None:
    value = request.GET.get(name)
    if not value:
        return None
    if not _SLUG.match(value):
        raise BadRequest(
            name, f"{name} must be a slug (letters, digits, hyphens), not “{value[:40]}”."
        )
    return value


def _positive_int(request, name: str, default: int, *, maximum: int | None = None) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(name, f"{name} must be a whole number, not “{raw[:40]}”.") from None
    if value < 1 or (maximum is not None and value > maximum):
        limit = f" and at most {maximum}" if maximum else ""
        raise BadRequest(name, f"{name} must be at least 1{limit}.")
    return value


def _since(raw: str) -> dt.datetime:
    """An ISO 8601 date or time; without a zone it is the newsroom's time zone."""
    value = raw.strip()
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
            "since",
            f"since must be an ISO 8601 date or time, such as 2026-11-24 or "
            f"2026-11-24T12:00:00Z, not “{raw[:40]}”.",
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
            "since",
            f"since must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, "
            f"not “{raw[:40]}”.",
        ) from None


def paginated(request, queryset, serialize, *, name: str) -> JsonResponse:
    number = _positive_int(request, "page", 1)
    size = _positive_int(request, "page_size", PAGE_SIZE, maximum=MAX_PAGE_SIZE)
    paginator = CachedCountPaginator(
        queryset, size, count_key=listing_key(request, "page", "page_size")
    )
    if number > paginator.num_pages:
        pages = f"{paginator.num_pages} page{'s' if paginator.num_pages != 1 else ''}"
        raise BadRequest("page", f"page {number} does not exist; there are {pages}.")
    page = paginator.page(number)
    links = serializers.Links(request)
    # The page cache keeps this answer only for its one spelling: filters as sent, page and
    # page_size only when not the default, and never an answer "since" a moment (any moment can
    # be asked for, so each would be one more entry).
    canonical = [(name, value) for name, value in request.GET.items() if name in ARTICLE_FILTERS]
    canonical += [("page", str(number))] if number > 1 else []
    canonical += [("page_size", str(size))] if size != PAGE_SIZE else []

    def link(to: int | None) -> str | None:
        if to is None:
            return None
        query = request.GET.copy()
        query["page"] = to
        return links.absolute(f"{reverse(f'api:{name}')}?{query.urlencode()}")

    response = json_response(
        {
            "count": paginator.count,
            "page": number,
            "pages": paginator.num_pages,
            "page_size": size,
            "next": link(page.next_page_number() if page.has_next() else None),
            "previous": link(page.previous_page_number() if page.has_previous() else None),
            "results": [serialize(obj, links) for obj in page.object_list],
        }
    )
    response.canonical_query = None if "since" in request.GET else canonical_query(canonical)
    return response


def _published_with(**lookup) -> Exists:
    return Exists(Article.objects.published().filter(**lookup))


def article_queryset():
    return (
        Article.objects.published()
        .select_related("section", "lead_image")
        .prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("reporter")),
            "tags",
            "mentioned_people",
            "mentioned_organizations",
            "corrections",
        )
        .order_by("-published_at", "-pk")
    )


def reporter_queryset():
    return Reporter.objects.select_related("photo").order_by("name", "pk")


def person_queryset():
    return (
        Person.objects.select_related("photo")
        .prefetch_related(
            Prefetch(
                "affiliations",
                queryset=Affiliation.objects.select_related("organization").order_by("order", "pk"),
            )
        )
        .order_by("sort_name", "name", "pk")
    )


def organization_queryset():
    return (
        Organization.objects.select_related("parent")
        .prefetch_related(
            Prefetch("children", queryset=Organization.objects.order_by("name", "pk"))
        )
        .order_by("name", "pk")
    )


def _get(queryset, *, slug):
    if not _SLUG.match(slug):
        raise Http404
    obj = queryset.filter(slug=slug).first()
    if obj is None:
        raise Http404
    return obj


@api_view
def index(request):
    links = serializers.Links(request)
    return json_response(
        {
            "name": f"{settings.SITE_NAME} API",
            "description": "Published stories and the reporters, people, organizations, sections "
            "and tags in them. Read-only.",
            "openapi": links.api("openapi"),
            "articles": links.api("articles"),
            "reporters": links.api("reporters"),
            "people": links.api("people"),
            "organizations": links.api("organizations"),
            "sections": links.api("sections"),
            "tags": links.api("tags"),
        }
    )


@api_view
def openapi_document(request):
    return json_response(openapi.document())


@api_view
@cache_query_parameters(*PAGINATION, *ARTICLE_FILTERS, "since")
def article_list(request):
    queryset = article_queryset()
    for parameter, lookup in ARTICLE_FILTERS.items():
        value = _slug_filter(request, parameter)
        if value:
            queryset = queryset.filter(**{lookup: value})
    since = request.GET.get("since")
    if since:
        moment = _since(since)
        # Published since then, or changed since then (a correction, an edit): what a tool that
        # last looked at ``since`` has not seen.
        queryset = queryset.filter(Q(published_at__gte=moment) | Q(modified_at__gte=moment))
    return paginated(request, queryset, serializers.article, name="articles")


@api_view
def article_detail(request, slug):
    return json_response(
        serializers.article(_get(article_queryset(), slug=slug), serializers.Links(request))
    )


@api_view
@cache_query_parameters(*PAGINATION)
def reporter_list(request):
    queryset = reporter_queryset().filter(_published_with(bylines__reporter=OuterRef("pk")))
    return paginated(request, queryset, serializers.reporter, name="reporters")


@api_view
def reporter_detail(request, slug):
    return json_response(
        serializers.reporter(_get(reporter_queryset(), slug=slug), serializers.Links(request))
    )


@api_view
@cache_query_parameters(*PAGINATION)
def person_list(request):
    queryset = person_queryset().filter(_published_with(mentioned_people=OuterRef("pk")))
    return paginated(request, queryset, serializers.person, name="people")


@api_view
def person_detail(request, slug):
    return json_response(
        serializers.person(_get(person_queryset(), slug=slug), serializers.Links(request))
    )


@api_view
@cache_query_parameters(*PAGINATION)
def organization_list(request):
    queryset = organization_queryset().filter(
        _published_with(mentioned_organizations=OuterRef("pk"))
    )
    return paginated(request, queryset, serializers.organization, name="organizations")


@api_view
def organization_detail(request, slug):
    return json_response(
        serializers.organization(
            _get(organization_queryset(), slug=slug), serializers.Links(request)
        )
    )


@api_view
@cache_query_parameters(*PAGINATION)
def section_list(request):
    queryset = Section.objects.order_by("order", "name", "pk")
    return paginated(request, queryset, serializers.section, name="sections")


@api_view
def section_detail(request, slug):
    return json_response(
        serializers.section(_get(Section.objects, slug=slug), serializers.Links(request))
    )


@api_view
@cache_query_parameters(*PAGINATION)
def tag_list(request):
    on_published = TaggedArticle.objects.filter(
        tag=OuterRef("pk"), content_object__in=Article.objects.published()
    )
    queryset = Tag.objects.filter(Exists(on_published)).order_by("name", "pk")
    return paginated(request, queryset, serializers.tag, name="tags")


@api_view
def tag_detail(request, slug):
    return json_response(serializers.tag(_get(Tag.objects, slug=slug), serializers.Links(request)))
