"""Whole-page caching for readers, made fresh the moment content changes.

Every cached page's key carries a *content generation*: a number in the cache that any change to
stories, bylines, corrections, tags, sections, people, organizations, reporters or images moves on
(signals, after the transaction commits). A changed story therefore shows on every page at the
next request, and an unpublished one disappears from all of them, with no list of pages to purge.
A scheduled story needs no change to appear: the time of the next scheduled publication is kept
beside the generation, and the first request after it moves the generation on.

Only anonymous GET and HEAD requests for public pages are cached; staff (logged in), previews and
the admin always get a fresh page, and so does any response that sets a cookie or says it is
private.
"""

import datetime as dt
import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone

GENERATION_KEY = "newsroom:content-generation"
NEXT_SCHEDULED_KEY = "newsroom:next-scheduled:{generation}"
PAGE_KEY = "newsroom:page:{generation}:{digest}"
NEVER = "none"


def content_generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # Start from the clock, not 0, so a cache that lost the key never serves pages stored
        # under an older generation.
        cache.add(GENERATION_KEY, int(timezone.now().timestamp() * 1000), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def content_changed(**kwargs) -> None:
    """Move every cached page on to a new generation, once the change is committed."""

    def bump():
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            content_generation()

    transaction.on_commit(bump)


# What a higher layer tells the cache (``watch``, ``schedule_from``), so that the cache imports
# none of the apps whose pages it keeps.
_next_publication = None


def schedule_from(next_publication_after) -> None:
    """Tell the cache when content appears by itself: ``next_publication_after(now)`` returns the
    earliest time after ``now`` at which something not yet public becomes public (a scheduled
    story), or None. The first request after that time moves the generation on."""
    global _next_publication
    _next_publication = next_publication_after


def _next_scheduled_at(generation: int, now: dt.datetime) -> dt.datetime | None:
    if _next_publication is None:
        return None
    key = NEXT_SCHEDULED_KEY.format(generation=generation)
    stamp = cache.get(key)
    if stamp is None:
        upcoming = _next_publication(now)
        stamp = upcoming.timestamp() if upcoming else NEVER
        cache.set(key, stamp, timeout=None)
    return None if stamp == NEVER else dt.datetime.fromtimestamp(stamp, tz=dt.UTC)


def current_generation(now: dt.datetime | None = None) -> int:
    """The generation to read pages from, moved on if a scheduled story's time has come."""
    now = now or timezone.now()
    generation = content_generation()
    next_at = _next_scheduled_at(generation, now)
    if next_at is not None and next_at <= now:
        try:
            generation = cache.incr(GENERATION_KEY)
        except ValueError:
            generation = content_generation()
    return generation


COUNT_KEY = "newsroom:count:{generation}:{digest}"


def cached(name: str, compute):
    """``compute()``, kept in the cache until the content next changes.

    For figures that only content changes can alter, such as how many stories a listing has: the
    key carries the content generation, so any change (or a scheduled story's time coming) makes
    the next request compute it afresh. ``name`` must say everything the figure depends on.
    """
    if not settings.COUNT_CACHE_SECONDS:
        return compute()
    digest = hashlib.sha256(name.encode()).hexdigest()
    key = COUNT_KEY.format(generation=current_generation(), digest=digest)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=settings.COUNT_CACHE_SECONDS)
    return value


def _cacheable_request(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if any(request.path.startswith(prefix) for prefix in settings.PAGE_CACHE_SKIP_PREFIXES):
        return False
    # Checked without loading the user: a session cookie means someone logged in may be here.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def _cacheable_response(response) -> bool:
    control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.cookies
        and not getattr(response, "streaming", False)
        and "private" not in control
        and "no-store" not in control
    )


def cache_query_parameters(*names: str):
    """Name the query parameters that change what a function view shows (for a class-based view,
    set ``cache_query_parameters`` on the class). Any other parameter is ignored: the page is
    served and stored as if it had not been sent."""

    def decorate(view):
        view.cache_query_parameters = names
        return view

    return decorate


def canonical_query(pairs) -> str:
    """Query parameters in one spelling, for cache keys and for a view's ``canonical_query``."""
    return urlencode(sorted(pairs))


def _query_parameters(request) -> tuple[str, ...] | None:
    """What the view behind this address declares it reads; None where no view answers."""
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return None
    return getattr(getattr(view, "view_class", view), "cache_query_parameters", ())


def _used_query(request, parameters) -> str:
    """The request's query reduced to ``parameters``; the others are taken off the request, so
    the page made for it is the one every reader of that address gets (an API page's next link
    does not carry someone's ``?utm_id=``)."""
    kept = [
        (name, value)
        for name, values in request.GET.lists()
        if name in parameters
        for value in values
    ]
    query = canonical_query(kept)
    if len(kept) != sum(len(values) for values in request.GET.lists()):
        request.GET = QueryDict(query)
        request.META["QUERY_STRING"] = query
    return query


class PublicPageCacheMiddleware:
    """Serve readers' pages from the cache; see the module docstring for what stays fresh.

    A page is kept under its path and the query parameters its view declares
    (:func:`cache_query_parameters`); others are ignored. A page is stored only when the request
    asked for it in its one spelling (the view's ``response.canonical_query``; ``?page=1``,
    ``?page=abc`` or a search are served but not stored), so no stream of made-up addresses can
    fill the cache. The Host header is checked against ALLOWED_HOSTS before anything is served:
    a refused host gets its 400 even for a page that is in the cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PAGE_CACHE_SECONDS or not _cacheable_request(request):
            return self.get_response(request)
        request.get_host()  # DisallowedHost (a 400) for a host the site does not answer to
        parameters = _query_parameters(request)
        if parameters is None:
            return self.get_response(request)
        query = _used_query(request, parameters)
        digest = hashlib.sha256(f"{request.path}?{query}".encode()).hexdigest()
        key = PAGE_KEY.format(generation=current_generation(), digest=digest)
        response = cache.get(key)
        if response is not None:
            response["X-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if _cacheable_response(response) and getattr(response, "canonical_query", "") == query:
            if hasattr(response, "render") and callable(response.render):
                response.render()
            cache.set(key, response, timeout=settings.PAGE_CACHE_SECONDS)
            response["X-Cache"] = "miss"
        return response


def watch(*models, m2m_fields: tuple[str, ...] = ()) -> None:
    """Refresh every cached page whenever a row of one of ``models`` is saved or deleted, or the
    many-to-many ``m2m_fields`` of the first model change. Each app calls this from its
    ``AppConfig.ready`` for the models its public pages show."""
    for model in models:
        label = model._meta.label
        post_save.connect(content_changed, sender=model, dispatch_uid=f"cache-save-{label}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"cache-delete-{label}")
    for field in m2m_fields:
        through = getattr(models[0], field).through
        uid = f"cache-m2m-{through._meta.label}"
        m2m_changed.connect(content_changed, sender=through, dispatch_uid=uid)
