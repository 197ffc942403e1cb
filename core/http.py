"""Conditional GET for the public pages: Last-Modified, ETag and 304 Not Modified.

Public pages are the same for every reader, so browsers and caches may keep them, but must check
back every time (``Cache-Control: no-cache``): without that, a browser would guess a freshness time
from Last-Modified and could keep showing a story without its correction. Checking back is cheap:
a page that has not changed answers 304 with no body.

- **ETag** is a hash of the page as rendered, so it changes whenever anything a reader sees
  changes, including things with no timestamp of their own (a reporter's name, a section's
  description, a story withdrawn from an earlier page). Browsers and caches send it back as
  ``If-None-Match``, which takes precedence over ``If-Modified-Since``.
- **Last-Modified** is the newest time among the rows shown (``last_modified_of``): the stories'
  saves, publication and update times, their corrections. It comes from rows the page has already
  fetched, so it costs no query.

Previews and anything else that must not be kept opt out with ``conditional_get = False`` or
by overriding ``allows_conditional_get``.
"""

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.http import http_date

STORY_TIMES = ("modified_at", "published_at", "updated_at")


def newest(times: Iterable[dt.datetime | None]) -> dt.datetime | None:
    return max((t for t in times if t is not None), default=None)


def last_modified_of(stories: Iterable, *, extra: Iterable[dt.datetime | None] = ()):
    """The newest change among ``stories`` (and any ``extra`` times), never later than now."""
    times = [getattr(story, name) for story in stories for name in STORY_TIMES]
    latest = newest([*times, *extra])
    return min(latest, timezone.now()) if latest else None


def conditional_response(
    request, response, *, last_modified: dt.datetime | None, cache_control: str = ""
):
    """Give a rendered page its validators and answer 304 if the client's copy is current.

    Browsers check back every time (``no-cache``), unless ``cache_control`` says otherwise (a
    response whose address changes with what it shows may be kept: the share cards)."""
    if not 200 <= response.status_code < 300:
        return response
    if hasattr(response, "render"):
        response.render()
    if cache_control:
        response["Cache-Control"] = cache_control
    else:
        patch_cache_control(response, no_cache=True)
    timestamp = None
    if last_modified is not None:
        timestamp = int(last_modified.timestamp())
        response.headers["Last-Modified"] = http_date(timestamp)
    set_response_etag(response)
    return get_conditional_response(
        request, etag=response.get("ETag"), last_modified=timestamp, response=response
    )


class ConditionalGetMixin:
    """For generic views: validators from ``get_last_modified(context)`` and the rendered page."""

    conditional_get = True

    def allows_conditional_get(self) -> bool:
        return self.conditional_get

    def get_last_modified(self, context) -> dt.datetime | None:
        return last_modified_of(context.get("object_list") or ())

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if not self.allows_conditional_get():
            return response
        return conditional_response(
            self.request, response, last_modified=self.get_last_modified(context)
        )
