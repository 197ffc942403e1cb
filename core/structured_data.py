"""Structured data (schema.org JSON-LD) that every page may carry: times, the publisher, breadcrumbs.

Builders return plain dicts and lists, ready for the ``json_ld`` template filter, which does the
escaping. Every address is absolute, made from the configured ``SITE_URL``
(``core.links.absolute_url``), never from the request's host. Builders read only what the page's
view has already fetched (``.all()`` on prefetched relations), so structured data never adds a
query. Each app builds its own objects' data (``people.structured_data``,
``articles.structured_data``) with these.
"""

import datetime as dt

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix
from django.utils import timezone

from .links import absolute_url

SCHEMA = "https://schema.org"
LOGO_PATH = "newsroom/logo.png"
LOGO_SIZE = 256  # pixels, square


def iso(value: dt.datetime | None) -> str | None:
    """ISO 8601 with the offset, in the newsroom's time zone (as the page's ``<time>`` shows)."""
    return timezone.localtime(value).isoformat() if value else None


def compact(data: dict) -> dict:
    """Leave out empty values: schema.org readers treat a missing property better than a blank one."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def publisher() -> dict:
    """The newsroom itself, at the root of the site."""
    home = absolute_url(get_script_prefix())
    return {
        "@type": "NewsMediaOrganization",
        "@id": home + "#publisher",
        "name": settings.SITE_NAME,
        "url": home,
        "logo": {
            "@type": "ImageObject",
            "url": absolute_url(static(LOGO_PATH)),
            "width": LOGO_SIZE,
            "height": LOGO_SIZE,
        },
    }


def breadcrumb_list(crumbs: list[tuple[str, str]]) -> dict:
    """schema.org ``BreadcrumbList`` for ``[(name, path), ...]``, home first."""
    return {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": absolute_url(path),
            }
            for position, (name, path) in enumerate(crumbs, start=1)
        ],
    }
