"""Addresses of stories, sections, reporters, people and organizations; absolute addresses.

A speed measure (bench/RESULTS.md; tests/core/test_links.py holds it): a listing page links every
story, section and reporter it shows, some 300 links on a front page, and each ``reverse()`` walks
the URL patterns. :func:`slug_url` asks ``reverse()`` once per pattern for the address around a
placeholder and then only fills in the slug, quoted exactly as ``reverse()`` quotes it.
Absolute addresses are made from the configured ``SITE_URL`` (:func:`absolute_url`).
"""

import functools
import re
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse

PLACEHOLDER = "slug-placeholder-0"
# What reverse() leaves unquoted (django.urls.resolvers: RFC 3986 sub-delims and "/~:@").
SAFE = "!$&'()*+,;=/~:@"
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+\Z")


@functools.cache
def _route(name: str) -> tuple[str, str]:
    """The address of pattern ``name`` before and after the slug, without the script prefix."""
    path = reverse(name, kwargs={"slug": PLACEHOLDER})[len(get_script_prefix()) :]
    before, after = path.split(PLACEHOLDER)
    return before, after


def slug_url(name: str, slug: str) -> str:
    """``reverse(name, kwargs={"slug": slug})`` for a pattern whose only argument is a slug."""
    return slug_urls(name)(slug)


def slug_urls(name: str):
    """A function making the addresses of pattern ``name`` from slugs, for many at once (a
    sitemap file): the script prefix is read once."""
    before, after = _route(name)
    head = f"{get_script_prefix()}{before}"

    def make(slug: str) -> str:
        if not _SLUG.match(slug or ""):
            return reverse(name, kwargs={"slug": slug})  # let reverse() refuse or quote it
        return f"{head}{quote(slug, safe=SAFE)}{after}"

    return make


@receiver(setting_changed)
def _forget_routes(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _route.cache_clear()


def absolute_url(path: str) -> str:
    """``path`` on the site's configured public address (``SITE_URL``).

    Never from the request: a Host header is whatever the client sent (Django only checks it
    against ALLOWED_HOSTS, port and trailing dot ignored), and a cached page or feed keeps the
    links it was made with for every later reader.
    """
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path}"


class SiteRequest:
    """A request as seen from the site's configured address, for Django's feed and sitemap views,
    which make their absolute links from ``request.get_host()`` and ``request.is_secure()``."""

    def __init__(self, request):
        self._request = request
        parts = urlsplit(settings.SITE_URL)
        self._secure = parts.scheme == "https"
        self._host = parts.netloc

    def __getattr__(self, name):
        return getattr(self._request, name)

    @property
    def scheme(self) -> str:
        return "https" if self._secure else "http"

    def get_host(self) -> str:
        return self._host

    def is_secure(self) -> bool:
        return self._secure

    def build_absolute_uri(self, location=None) -> str:
        return absolute_url(self._request.get_full_path() if location is None else location)


def site_request(view):
    """Run a Django view (feed, sitemap) as if the request had come to ``SITE_URL``."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        return view(SiteRequest(request), *args, **kwargs)

    return wrapper
