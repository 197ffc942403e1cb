"""The read-only JSON API: published stories and the reporters, people, organizations, sections and
tags in them.

Each view only finds what it shows. Its :func:`endpoint` declaration does the rest: it reads and
checks the query parameters (``api/parameters.py``), narrows and pages a list, and makes the JSON
with the declared shape (``api/serializers.py``). ``api/openapi.py`` describes each endpoint
from that same declaration.

What readers may see is ``Article.objects.published()``, here as on every page: drafts, stories in
review, withdrawn and scheduled stories are never listed, counted or found. The lists of reporters,
people, organizations and tags hold only those with a published story, so the API does not reveal
what is being worked on; each one's own record is served like its public page. A reporter's email
appears only if they chose to show it. A story killed for legal reasons (``articles.kill``) answers
410 at its address, as ninjs ``pubstatus: canceled`` and nothing more. Every list costs the same
number of queries however many rows it returns, and no query string can cause a server error: bad
values get a 400 with a message.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from taggit.models import Tag

from articles import keys as story_keys
from articles.kill import killed_story_at
from articles.models import Article, Section, TaggedArticle
from articles.views import story_page_queryset
from core.keys import show, show_objects
from core.links import absolute_url
from core.pagination import CachedCountPaginator, listing_key
from people.models import Affiliation, Organization, Person, Reporter

from . import openapi, serializers
from .parameters import PAGINATION, SLUG, STORY_FILTERS
from .schema import BadRequest, Field, Object, Parameter, Query, read_query, string

READ_METHODS = "GET, HEAD, OPTIONS"


@dataclass(frozen=True)
class Operation:
    """What an endpoint answers: its view answers with it and ``api/openapi.py`` describes it."""

    operation_id: str
    summary: str
    tag: str = ""
    # The shape of a 200 answer; None for JSON served as the view made it (the OpenAPI document).
    returns: Object | None = None
    # A page of ``returns``, narrowed by the parameters (PAGINATION is added to them).
    many: bool = False
    parameters: tuple[Parameter, ...] = ()
    description: str = ""  # of the 200 answer
    # An old address: the name of the URL it answers with a 301 to.
    moved_to: str = ""
    # Called on the objects found (a page of them, or the one) before they are serialized: to
    # read what they show in a fixed number of queries however many there are.
    prepare: Callable[[list], None] | None = None
    # The shape of a 410 answer, for an object taken down for good (a story killed for legal
    # reasons: ``CANCELED``); None if the endpoint never answers 410.
    gone: Object | None = None

    @property
    def query_parameters(self) -> tuple[Parameter, ...]:
        return (*self.parameters, *PAGINATION) if self.many else self.parameters

    @property
    def response(self) -> Object | None:
        return serializers.page_of(self.returns) if self.many else self.returns


def json_response(data, *, status: int = 200) -> JsonResponse:
    response = JsonResponse(
        data, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
    )
    # Published content for any newsroom tool, including ones running in a browser; no cookies
    # are read, so allowing every origin gives nothing away.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@dataclass(frozen=True)
class Problem:
    status: int
    message: str
    parameter: str | None = None


def error(status: int, message: str, parameter: str | None = None) -> JsonResponse:
    return json_response(serializers.ERROR(Problem(status, message, parameter)), status=status)


class Gone(Exception):
    """The object asked for was taken down for good: the answer is a 410 with ``data``."""

    def __init__(self, data: dict):
        super().__init__("Gone.")
        self.data = data


# A story killed for legal reasons (``articles.kill``), at its API address (or one it used to
# have): ninjs's word for content withdrawn for good, and nothing else of it.
CANCELED = Object(
    serializers.uri("story", "ninjs: the story's identifier (its API address)."),
    Field(
        "pubstatus",
        string("ninjs: “canceled”: taken down for good, not to be used.", enum=["canceled"]),
        lambda _: "canceled",
    ),
    name="CanceledStory",
    description="A story taken down for legal reasons: its identifier and status, nothing more.",
)


def _not_a_read(request) -> JsonResponse:
    if request.method == "OPTIONS":
        response = json_response({})
    else:
        response = error(405, "This API is read-only: use GET.")
    response["Allow"] = READ_METHODS
    return response


@dataclass(frozen=True)
class Page:
    """What :func:`serializers.page_of` reads."""

    count: int
    page: int
    pages: int
    page_size: int
    next: str | None
    previous: str | None
    results: Any


def narrowed(queryset, parameters: tuple[Parameter, ...], query: Query):
    """``queryset`` filtered by each of ``parameters`` that is a filter and was given."""
    for parameter in parameters:
        if parameter.narrow is not None and query[parameter.name] is not None:
            queryset = parameter.narrow(queryset, query[parameter.name])
    return queryset


def show_keys(items, *, listing=None) -> None:
    """Name what an answer shows (``core.keys``), so that a change to any of it purges it:
    each item and what it shows of others, and for a list (``listing``, the model listed) the
    key of the list itself."""
    if listing is not None:
        show(
            {Article: "stories:all", Section: "sections"}.get(listing) or story_keys.all_of(listing)
        )
    for item in items:
        if isinstance(item, Article):
            story_keys.show_story(item)
            continue
        show_objects(item)
        if getattr(item, "photo_id", None):
            show(f"image:{item.photo_id}")
        if isinstance(item, Person):
            show_objects(*(role.organization for role in item.affiliations.all()))
        elif isinstance(item, Organization):
            show_objects(item.parent, *item.children.all())


def paginated(request, queryset, page_of: Object, query: Query, prepare=None) -> dict:
    """The page the query asks for, as ``page_of`` (``serializers.page_of``) an item; ``prepare``
    (``Operation.prepare``) is called on the page's objects first."""
    page_name, size_name = (parameter.name for parameter in PAGINATION)
    number, size = query[page_name], query[size_name]
    paginator = CachedCountPaginator(
        queryset, size, count_key=listing_key(request, page_name, size_name)
    )
    if number > paginator.num_pages:
        pages = f"{paginator.num_pages} page{'s' if paginator.num_pages != 1 else ''}"
        raise BadRequest(page_name, f"page {number} does not exist; there are {pages}.")
    page = paginator.page(number)
    show_keys(page.object_list, listing=queryset.model)
    if prepare is not None:
        prepare(page.object_list)
    address = reverse(request.resolver_match.view_name)

    def link(to: int | None) -> str | None:
        if to is None:
            return None
        linked = request.GET.copy()
        linked[page_name] = to
        return absolute_url(f"{address}?{linked.urlencode()}")

    return page_of(
        Page(
            count=paginator.count,
            page=number,
            pages=paginator.num_pages,
            page_size=size,
            next=link(page.next_page_number() if page.has_next() else None),
            previous=link(page.previous_page_number() if page.has_previous() else None),
            results=page.object_list,
        )
    )


def endpoint(operation_id: str, summary: str, **options):
    """Make ``find(query, **url_arguments)`` an API view answering as :class:`Operation` says.

    GET (and HEAD) only. Bad parameters are 400s and missing objects 404s, both as JSON. The
    response carries the query's one spelling for the page cache (``canonical_query``).
    """
    operation = Operation(operation_id, summary, **options)

    def decorate(find):
        # Nothing here reads cookies or changes anything, so a POST gets this API's JSON 405
        # rather than the CSRF failure page.
        @csrf_exempt
        @functools.wraps(find)
        def view(request, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return _not_a_read(request)
            try:
                query = read_query(request, operation.query_parameters)
                found = find(query, **kwargs)
                if operation.many:
                    found = narrowed(found, operation.parameters, query)
                    data = paginated(request, found, operation.response, query, operation.prepare)
                else:
                    if hasattr(found, "_meta"):
                        show_keys([found])
                        if operation.prepare is not None:
                            operation.prepare([found])
                    data = found if operation.returns is None else operation.returns(found)
            except BadRequest as bad:
                return error(400, bad.message, bad.parameter)
            except Gone as gone:
                return json_response(gone.data, status=410)
            except Http404:
                return error(404, "Not found.")
            response = json_response(data)
            response.canonical_query = query.canonical
            return response

        view.operation = operation
        view.cache_query_parameters = tuple(p.name for p in operation.query_parameters)
        return view

    return decorate


def moved(target, url_name: str, operation_id: str):
    """An old address of the ``target`` view: for any method, a 301 to the address named
    ``url_name``, with the same URL arguments and query string."""

    @csrf_exempt
    def view(request, **kwargs):
        location = reverse(f"api:{url_name}", kwargs=kwargs)
        if request.META.get("QUERY_STRING"):
            location += "?" + request.META["QUERY_STRING"]
        response = HttpResponsePermanentRedirect(location)
        # A browser follows a cross-origin redirect only if the redirect allows the origin.
        response["Access-Control-Allow-Origin"] = "*"
        return response

    view.operation = Operation(
        operation_id,
        f"Moved: {target.operation.summary}",
        tag=target.operation.tag,
        moved_to=url_name,
    )
    # The page cache takes the parameters a view does not declare off the request before the
    # view sees it; declaring the target's keeps them in the redirect.
    view.cache_query_parameters = target.cache_query_parameters
    return view


def _published_with(**lookup) -> Exists:
    return Exists(Article.objects.published().filter(**lookup))


def story_queryset():
    # The story page's related rows, so the API shows what the page shows in as many queries.
    return story_page_queryset(Article.objects.published()).order_by("-published_at", "-pk")


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
    if not SLUG.match(slug):
        raise Http404
    obj = queryset.filter(slug=slug).first()
    if obj is None:
        raise Http404
    return obj


@endpoint(
    "index",
    "Where everything is",
    returns=serializers.INDEX,
    description="Links to every list and to this description.",
)
def index(query):
    return None  # the index is links and words only; nothing to find


@endpoint("openapi", "This description", description="OpenAPI 3.1 JSON.")
def openapi_document(query):
    return openapi.document()


@endpoint(
    "listStories",
    "Published stories, newest first",
    tag="stories",
    returns=serializers.STORY,
    many=True,
    parameters=STORY_FILTERS,
    # The pictures in the bodies of a page of stories: one query for them all.
    prepare=serializers.load_pictures,
)
def story_list(query):
    return story_queryset()


@endpoint(
    "getStory",
    "A published story",
    tag="stories",
    returns=serializers.STORY,
    prepare=serializers.load_pictures,
    gone=CANCELED,
)
def story_detail(query, slug):
    try:
        return _get(story_queryset(), slug=slug)
    except Http404:
        # Killed for legal reasons: gone from this address and any it had, as from the site.
        killed = killed_story_at(slug) if SLUG.match(slug) else None
        if killed is None:
            raise
        raise Gone(CANCELED(killed)) from None


# The story endpoints' first addresses, from before they were named as readers and editors name
# them; tools written then still call them.
article_list = moved(story_list, "stories", "listArticles")
article_detail = moved(story_detail, "story", "getArticle")


@endpoint(
    "listReporters",
    "Reporters with a published story",
    tag="reporters",
    returns=serializers.REPORTER,
    many=True,
)
def reporter_list(query):
    return reporter_queryset().filter(_published_with(bylines__reporter=OuterRef("pk")))


@endpoint("getReporter", "A reporter", tag="reporters", returns=serializers.REPORTER)
def reporter_detail(query, slug):
    return _get(reporter_queryset(), slug=slug)


@endpoint(
    "listPersons",
    "People mentioned in a published story",
    tag="people",
    returns=serializers.PERSON,
    many=True,
)
def person_list(query):
    return person_queryset().filter(_published_with(mentioned_people=OuterRef("pk")))


@endpoint("getPerson", "A person and their roles", tag="people", returns=serializers.PERSON)
def person_detail(query, slug):
    return _get(person_queryset(), slug=slug)


@endpoint(
    "listOrganizations",
    "Organizations mentioned in a published story",
    tag="organizations",
    returns=serializers.ORGANIZATION,
    many=True,
)
def organization_list(query):
    return organization_queryset().filter(_published_with(mentioned_organizations=OuterRef("pk")))


@endpoint(
    "getOrganization", "An organization", tag="organizations", returns=serializers.ORGANIZATION
)
def organization_detail(query, slug):
    return _get(organization_queryset(), slug=slug)


@endpoint(
    "listSections",
    "The site's sections",
    tag="sections",
    returns=serializers.SECTION,
    many=True,
)
def section_list(query):
    return Section.objects.order_by("order", "name", "pk")


@endpoint("getSection", "A section", tag="sections", returns=serializers.SECTION)
def section_detail(query, slug):
    return _get(Section.objects, slug=slug)


@endpoint("listTags", "Tags on published stories", tag="tags", returns=serializers.TAG, many=True)
def tag_list(query):
    on_published = TaggedArticle.objects.filter(
        tag=OuterRef("pk"), content_object__in=Article.objects.published()
    )
    return Tag.objects.filter(Exists(on_published)).order_by("name", "pk")


@endpoint("getTag", "A tag", tag="tags", returns=serializers.TAG)
def tag_detail(query, slug):
    return _get(Tag.objects, slug=slug)
