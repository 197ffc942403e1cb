"""Whole-page caching for readers, each page refreshed exactly when something it shows changes.

A page is stored with the surrogate keys it showed and their versions (``core.keys``); it is
served while none of them has been purged since. Fixing a typo in one story purges that story's
key, so its page, the lists showing its headline and the feeds carrying it are made afresh at the
next request, and every other page stays cached. A scheduled story needs no change to appear: the
time of the next scheduled publication is kept in the cache, and the first request after it purges
the lists that story enters (for an edge cache in front, a background task does the same at that
time: ``purge_due``).

Only anonymous GET and HEAD requests for public pages are cached; staff (logged in), previews and
the admin always get a fresh page, and so does any response that sets a cookie or says it is
private. A stored page whose keys were purged is kept until a fresh one replaces it: if making the
fresh one fails (the database is down), the reader gets the last good page rather than an error.
"""

import contextlib
import datetime as dt
import hashlib
import logging
import sys
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone

from . import keys as surrogate_keys
from .tasks import background

logger = logging.getLogger("newsroom.cache")
# What a cache server that cannot be reached raises: the file cache's OSError, and redis-py's
# errors when the Redis cache is in use (looked up then: importing redis-py costs a process that
# does not use it about 7 MiB).
BASE_CACHE_ERRORS = (ConnectionError, TimeoutError, OSError)


def cache_errors() -> tuple[type[BaseException], ...]:
    redis = sys.modules.get("redis.exceptions")
    return (*BASE_CACHE_ERRORS, redis.RedisError) if redis else BASE_CACHE_ERRORS


NEXT_SCHEDULED_KEY = "newsroom:next-scheduled"
DUE_TASK_KEY = "newsroom:due-task:{}"
# The number after "page" is the shape of what is stored (response, key versions, sequence): a
# release that changes it starts from an empty page cache rather than misreading old entries.
PAGE_KEY = "newsroom:page:3:{digest}"
CHECKED_KEY = "newsroom:page-checked:{digest}"
COUNT_KEY = "newsroom:count:{generation}:{digest}"
NEVER = "none"
# Every stored page carries this key too: purging it empties the page cache and the edge (after
# bulk writes that send no signals, such as the demo data's).
EVERYTHING = "site"
# What the edge may do with a public page: keep it up to a day (purges keep it right), serve it
# stale for 30 s while fetching a fresh one, and for a week while the app cannot answer.
SURROGATE_CONTROL = "max-age={seconds}, stale-while-revalidate=30, stale-if-error=604800"
EDGE_SECONDS = 86400


def seconds_until_tomorrow(now: dt.datetime | None = None) -> int:
    """Seconds until midnight in the newsroom's time zone: the masthead prints today's date, so
    no page is kept past the day it was made for (at least a minute, so midnight is no storm of
    pages made for a second each)."""
    now = timezone.localtime(now)
    midnight = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(60, int((midnight - now).total_seconds()))


def surrogate_control() -> str:
    return SURROGATE_CONTROL.format(seconds=min(EDGE_SECONDS, seconds_until_tomorrow()))


# What a higher layer tells the cache (``schedule_from``), so that the cache imports none of the
# apps whose pages it keeps.
_next_publication = None
_keys_published_between = None


def schedule_from(next_publication_after, keys_published_between) -> None:
    """Tell the cache when content appears by itself: ``next_publication_after(now)`` returns the
    earliest time after ``now`` at which something not yet public becomes public (a scheduled
    story), or None; ``keys_published_between(start, end)`` the keys of the lists that what
    became public in that time enters."""
    global _next_publication, _keys_published_between
    _next_publication, _keys_published_between = next_publication_after, keys_published_between


def _next_scheduled_at(now: dt.datetime) -> dt.datetime | None:
    if _next_publication is None:
        return None
    stamp = cache.get(NEXT_SCHEDULED_KEY)
    if stamp is None:
        upcoming = _next_publication(now)
        stamp = upcoming.timestamp() if upcoming else NEVER
        cache.set(NEXT_SCHEDULED_KEY, stamp, timeout=None)
    return None if stamp == NEVER else dt.datetime.fromtimestamp(stamp, tz=dt.UTC)


def forget_schedule(keys=()) -> None:
    """After any purge the next scheduled time may have moved: look it up again, and have a
    worker purge at that time, for an edge cache in front that sees no request to do it."""
    cache.delete(NEXT_SCHEDULED_KEY)
    if not purge_due_task.get_backend().supports_defer:
        return  # the immediate back end (tests): the first request after the time does it
    next_at = _next_scheduled_at(timezone.now())
    # One task for each time, however many saves look it up.
    if next_at and cache.add(DUE_TASK_KEY.format(next_at.timestamp()), 1, timeout=None):
        purge_due_task.using(run_after=next_at).enqueue()


@background(retries=5)
def purge_due_task() -> None:
    """Refresh the lists a scheduled story enters, at its time"""
    purge_due()


def purge_due(now: dt.datetime | None = None) -> list[str]:
    """If a scheduled story's time has come, purge the lists it enters; return the keys purged."""
    now = now or timezone.now()
    next_at = _next_scheduled_at(now)
    if next_at is None or next_at > now:
        return []
    due = sorted(_keys_published_between(next_at, now))
    surrogate_keys.purge_now(due)  # also forgets the schedule (forget_schedule listens)
    return due


def cached(name: str, compute):
    """``compute()``, kept in the cache until the content next changes.

    For figures derived from many rows, such as how many stories a listing has: the key carries
    the purge sequence, so any change (or a scheduled story's time coming) makes the next request
    compute it afresh. Pages are purged by what they show; these figures are cheap enough to
    recompute after every change. ``name`` must say everything the figure depends on.
    """
    if not settings.COUNT_CACHE_SECONDS:
        return compute()
    digest = hashlib.sha256(name.encode()).hexdigest()
    try:
        purge_due()
        key = COUNT_KEY.format(generation=surrogate_keys.sequence(), digest=digest)
        value = cache.get(key)
    except cache_errors() as error:
        logger.error("Cache unavailable, %s counted afresh: %s", name, error)
        return compute()
    if value is None:
        value = compute()
        with contextlib.suppress(*cache_errors()):
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


def _used_query(request, parameters, *, reduce: bool) -> tuple[str, bool]:
    """The request's query reduced to ``parameters``, and whether anything was left out. With
    ``reduce``, the others are taken off the request, so the page made for it is the one every
    reader of that address gets (an API page's next link does not carry someone's ``?utm_id=``)."""
    kept = [
        (name, value)
        for name, values in request.GET.lists()
        if name in parameters
        for value in values
    ]
    query = canonical_query(kept)
    reduced = len(kept) != sum(len(values) for values in request.GET.lists())
    if reduced and reduce:
        request.GET = QueryDict(query)
        request.META["QUERY_STRING"] = query
    return query, reduced


def _name_keys(response, shown, *, for_the_edge: bool) -> None:
    """Tell an edge cache what the page shows and how long it may keep it."""
    value = surrogate_keys.header_value(shown)
    response["Surrogate-Key"] = value
    response["xkey"] = value
    if for_the_edge:
        response["Surrogate-Control"] = surrogate_control()


def _still_right(digest: str, versions: dict[str, int], made_at: int) -> bool:
    """Whether a stored page's keys all have the versions it was stored with.

    A list shows a key per story on it (80 on a front page): reading them all for every reader
    is most of what a hit costs. So the purge sequence is read first: if no purge at all has
    happened since the page was made, or since it was last checked, it is right; otherwise its
    keys are read, and the sequence they were found right at is noted for the next reader.
    """
    checked_key = CHECKED_KEY.format(digest=digest)
    found = cache.get_many([surrogate_keys.SEQUENCE_KEY, checked_key])
    now = found.get(surrogate_keys.SEQUENCE_KEY)
    if now is not None and now in (made_at, found.get(checked_key)):
        return True
    if not surrogate_keys.unchanged(versions):
        return False
    if now is not None:
        cache.set(checked_key, now, timeout=settings.PAGE_CACHE_SECONDS)
    return True


def _served(response, state: str, *, for_the_edge: bool):
    response["X-Cache"] = state
    if for_the_edge and "Surrogate-Control" in response:
        response["Surrogate-Control"] = surrogate_control()  # as long as is left of the day
    else:
        del response["Surrogate-Control"]
    return response


class PublicPageCacheMiddleware:
    """Serve readers' pages from the cache; see the module docstring for what stays fresh.

    A page is kept under its path and the query parameters its view declares
    (:func:`cache_query_parameters`); others are ignored. A page is stored (here and at the edge:
    only such a page gets ``Surrogate-Control``) only when the request asked for it in its one
    spelling (the view's ``response.canonical_query``; ``?page=1``, ``?page=abc`` or a search are
    served but not stored), so no stream of made-up addresses can fill the cache. The Host header
    is checked against ALLOWED_HOSTS before anything is served: a refused host gets its 400 even
    for a page that is in the cache. With ``PAGE_CACHE_SECONDS = 0`` nothing is kept here, but
    pages still name their keys for the edge.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        request.get_host()  # DisallowedHost (a 400) for a host the site does not answer to
        parameters = _query_parameters(request)
        if parameters is None:
            return self.get_response(request)
        query, reduced = _used_query(request, parameters, reduce=bool(settings.PAGE_CACHE_SECONDS))
        digest = hashlib.sha256(f"{request.path}?{query}".encode()).hexdigest()
        key = PAGE_KEY.format(digest=digest)
        try:
            purge_due()
            stored = cache.get(key) if settings.PAGE_CACHE_SECONDS else None
            if stored is not None and _still_right(digest, *stored[1:]):
                return _served(stored[0], "hit", for_the_edge=not reduced)
            started = surrogate_keys.sequence()
        except cache_errors() as error:
            # The cache server is down: readers get pages made afresh, slower but right.
            logger.error("Page cache unavailable, serving %s uncached: %s", request.path, error)
            stored, started = None, None
        with surrogate_keys.collecting(started) as shown:
            response = self.get_response(request)
        if response.status_code >= 500 and stored is not None:
            # The last good page beats an error page (the database may be down); the edge must
            # not keep it as fresh.
            return _served(stored[0], "stale", for_the_edge=False)
        if _cacheable_response(response) and getattr(response, "canonical_query", "") == query:
            if hasattr(response, "render") and callable(response.render):
                response.render()
            shown.add(EVERYTHING)
            versions = self._versions_if_fresh(shown, started)
            # The edge keeps pages by their whole address: only the one spelling goes there; and
            # a page made while what it shows was purged is served this once, kept nowhere (the
            # edge's purge may already have passed).
            _name_keys(response, shown, for_the_edge=not reduced and versions is not None)
            if settings.PAGE_CACHE_SECONDS and versions is not None:
                self._store(key, (response, versions, started))
            if settings.PAGE_CACHE_SECONDS:
                response["X-Cache"] = "miss"
        return response

    @staticmethod
    def _versions_if_fresh(shown, started):
        if started is None:
            return None
        try:
            return surrogate_keys.fresh(shown, started)
        except cache_errors() as error:
            logger.error("Page cache unavailable: %s", error)
            return None

    @staticmethod
    def _store(key, entry) -> None:
        try:
            timeout = min(settings.PAGE_CACHE_SECONDS, seconds_until_tomorrow())
            cache.set(key, entry, timeout=timeout)
        except cache_errors() as error:
            logger.error("Page cache unavailable, %s not kept: %s", key, error)
