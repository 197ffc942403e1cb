"""What must be true before the site serves a single request, and the deploy check that says so.

Settings never fall back to an unsafe default with DEBUG off; instead the serving entry points
(wsgi.py, asgi.py, ``manage.py runserver``) call :func:`require_serving_settings`, which stops
start-up naming the missing variable, and ``check --deploy`` reports the same as errors.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

MESSAGES = {
    "SECRET_KEY": "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
    "string (for local development, set DEBUG=1 instead).",
    "ALLOWED_HOSTS": "ALLOWED_HOSTS is not set. Set it to the site's host names, comma-separated "
    "(for example ALLOWED_HOSTS=news.example.org).",
    "SITE_URL": "SITE_URL is not set, or is not an address like https://news.example.org (a scheme "
    "and a host, nothing after them). Every absolute link the site hands out is made from it.",
}


def site_url_is_valid(value: str) -> bool:
    parts = urlsplit(value)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not parts.path.strip("/")
        and not parts.query
        and not parts.fragment
        and "@" not in parts.netloc
    )


def missing_serving_settings() -> list[str]:
    """The names of the settings a site with DEBUG off cannot serve without."""
    if settings.DEBUG:
        return []
    missing = []
    try:
        secret = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to hand out an empty key
        secret = ""
    if not secret:
        missing.append("SECRET_KEY")
    if not settings.ALLOWED_HOSTS:
        missing.append("ALLOWED_HOSTS")
    if not site_url_is_valid(settings.SITE_URL):
        missing.append("SITE_URL")
    return missing


def require_serving_settings() -> None:
    missing = missing_serving_settings()
    if missing:
        raise ImproperlyConfigured(MESSAGES[missing[0]])


@register(Tags.security, deploy=True)
def check_serving_settings(app_configs, **kwargs):
    return [
        Error(MESSAGES[name], id=f"newsroom.E00{list(MESSAGES).index(name) + 1}")
        for name in missing_serving_settings()
    ]


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """Cached pages are only refreshed everywhere if every worker process shares the cache."""
    backend = settings.CACHES["default"]["BACKEND"]
    caching = settings.PAGE_CACHE_SECONDS or settings.COUNT_CACHE_SECONDS
    if settings.DEBUG or not caching or not backend.endswith("LocMemCache"):
        return []
    return [
        Warning(
            "Readers' pages are cached in each worker process's own memory: a story changed "
            "through one worker stays as it was on the pages the other workers keep, for up to "
            "PAGE_CACHE_SECONDS.",
            hint="Set REDIS_URL so that every worker shares one cache (or serve with a single "
            "worker process, or set PAGE_CACHE_SECONDS=0 and COUNT_CACHE_SECONDS=0).",
            id="newsroom.W001",
        )
    ]
