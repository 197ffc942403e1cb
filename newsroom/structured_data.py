"""Structured data (schema.org JSON-LD) and sharing tags for the public pages.

Each builder returns plain dicts and lists, ready for the ``json_ld`` template filter, which does
the escaping. Every address is absolute, made from the configured ``SITE_URL``
(``newsroom.links.absolute_url``), never from the request's host. Builders read only what the
page's view has already fetched (``.all()`` on prefetched relations), so structured data never
adds a query.

The picture of a story is decided in one place, ``article_image`` (and its crops,
``article_image_crops``): the JSON-LD ``image``, the
OpenGraph ``og:image`` and the Twitter card all take it from there.
"""

import datetime as dt
import html

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator

from newsroom.links import absolute_url
from photos.renditions import sharing_urls

SCHEMA = "https://schema.org"
LOGO_PATH = "newsroom/logo.png"
LOGO_SIZE = 256  # pixels, square


def absolute(request, path: str) -> str:
    return absolute_url(path)


def iso(value: dt.datetime | None) -> str | None:
    """ISO 8601 with the offset, in the newsroom's time zone (as the page's ``<time>`` shows)."""
    return timezone.localtime(value).isoformat() if value else None


def _compact(data: dict) -> dict:
    """Leave out empty values: schema.org readers treat a missing property better than a blank one."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def publisher(request) -> dict:
    return {
        "@type": "NewsMediaOrganization",
        "@id": absolute(request, reverse("articles:home")) + "#publisher",
        "name": settings.SITE_NAME,
        "url": absolute(request, reverse("articles:home")),
        "logo": {
            "@type": "ImageObject",
            "url": absolute(request, static(LOGO_PATH)),
            "width": LOGO_SIZE,
            "height": LOGO_SIZE,
        },
    }


def description(article) -> str:
    """The standfirst; for a story without one, the opening words of the body."""
    if article.standfirst:
        return article.standfirst
    text = html.unescape(strip_tags(article.body))
    return Truncator(" ".join(text.split())).words(40)


def date_modified(article) -> dt.datetime | None:
    """The time readers see as “Updated” (a correction or update), else the publication time."""
    times = [t for t in (article.published_at, article.updated_at) if t]
    return max(times) if times else None


def article_image(article, request) -> dict | None:
    """The story's picture for shares, as a schema.org ``ImageObject`` (the 1200-wide rendition
    of the lead image, with its alt text, caption and credit), or None."""
    image = article.lead_image
    urls = sharing_urls(image) if image else None
    if urls is None:
        return None
    return _compact(
        {
            "@type": "ImageObject",
            "url": absolute(request, urls["og"]),
            "width": urls["og_width"],
            "height": urls["og_height"],
            "description": image.alt_text,
            "caption": image.caption,
            "creditText": image.credit,
            "copyrightNotice": image.copyright_notice,
        }
    )


def article_image_crops(article, request) -> list[str] | None:
    """The lead image cropped 16:9, 4:3 and 1:1, as search engines ask of a ``NewsArticle``."""
    urls = sharing_urls(article.lead_image) if article.lead_image else None
    if urls is None:
        return None
    return [absolute(request, urls["ratios"][ratio]) for ratio in ("16:9", "4:3", "1:1")]


def person_ref(person, request) -> dict:
    return _compact(
        {
            "@type": "Person",
            "@id": absolute(request, person.get_absolute_url()) + "#person",
            "name": person.name,
            "url": absolute(request, person.get_absolute_url()),
            "description": person.description,
        }
    )


def organization_ref(organization, request, *, linked: bool = True) -> dict:
    """``linked=False`` for an organization that has no page for readers yet (no published story
    mentions it): its name, and no address."""
    address = absolute(request, organization.get_absolute_url()) if linked else None
    return _compact(
        {
            "@type": "Organization",
            "@id": f"{address}#organization" if address else None,
            "name": organization.name,
            "alternateName": organization.short_name,
            "url": address,
        }
    )


def reporter_ref(reporter, request) -> dict:
    return _compact(
        {
            "@type": "Person",
            "@id": absolute(request, reporter.get_absolute_url()) + "#reporter",
            "name": reporter.name,
            "url": absolute(request, reporter.get_absolute_url()),
            "jobTitle": reporter.job_title,
        }
    )


def news_article(article, request) -> dict:
    """schema.org ``NewsArticle`` for a story page: every byline, every mention, every correction."""
    url = absolute(request, article.get_absolute_url())
    return _compact(
        {
            "@context": SCHEMA,
            "@type": "NewsArticle",
            "@id": url + "#article",
            "url": url,
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "headline": article.headline,
            "description": description(article),
            "datePublished": iso(article.published_at),
            "dateModified": iso(date_modified(article)),
            "author": [reporter_ref(byline.reporter, request) for byline in article.bylines.all()],
            "publisher": publisher(request),
            "image": article_image_crops(article, request),
            "articleSection": article.section.name,
            "keywords": [tag.name for tag in article.tags.all()],
            "locationCreated": (
                {"@type": "Place", "name": article.dateline} if article.dateline else None
            ),
            "mentions": [
                *(person_ref(person, request) for person in article.mentioned_people.all()),
                *(
                    organization_ref(organization, request)
                    for organization in article.mentioned_organizations.all()
                ),
            ],
            "correction": [
                {
                    "@type": "CorrectionComment",
                    "name": correction.get_kind_display(),
                    "text": correction.text,
                    "datePublished": iso(correction.created_at),
                }
                for correction in article.corrections.all()
            ],
            "inLanguage": settings.LANGUAGE_CODE,
            "isAccessibleForFree": True,
        }
    )


def breadcrumb_list(crumbs: list[tuple[str, str]], request) -> dict:
    """schema.org ``BreadcrumbList`` for ``[(name, path), ...]``, home first."""
    return {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": absolute(request, path),
            }
            for position, (name, path) in enumerate(crumbs, start=1)
        ],
    }


def sharing(article, request) -> dict:
    """OpenGraph and Twitter card values for a story (the template does the escaping)."""
    image = article_image(article, request)
    return {
        "title": article.headline,
        "description": description(article),
        "url": absolute(request, article.get_absolute_url()),
        "site_name": settings.SITE_NAME,
        "published_time": iso(article.published_at),
        "modified_time": iso(date_modified(article)),
        "section": article.section.name,
        "tags": [tag.name for tag in article.tags.all()],
        "authors": [
            absolute(request, byline.reporter.get_absolute_url())
            for byline in article.bylines.all()
        ],
        "image": image,
        "twitter_card": "summary_large_image" if image else "summary",
    }


def person_page(person, affiliations, request) -> dict:
    """schema.org ``Person`` for a person's page: current roles as ``affiliation`` and ``jobTitle``."""
    current = [affiliation for affiliation in affiliations if affiliation.is_current]
    titles = list(dict.fromkeys(a.title[:1].upper() + a.title[1:] for a in current))
    organizations = {a.organization.pk: a for a in current}.values()
    data = person_ref(person, request)
    return _compact(
        {
            "@context": SCHEMA,
            **data,
            "alternateName": [
                name
                for name in [person.native_name, *person.alias_list]
                if name and name != person.name
            ],
            "affiliation": [
                organization_ref(
                    a.organization, request, linked=getattr(a, "organization_public", True)
                )
                for a in organizations
            ],
            "jobTitle": titles,
        }
    )


def organization_page(organization, children, request) -> dict:
    """schema.org ``Organization`` for an organization's page, with its parent and its own bodies."""
    data = organization_ref(organization, request)
    return _compact(
        {
            "@context": SCHEMA,
            **data,
            "alternateName": [
                name
                for name in [organization.short_name, *organization.alias_list]
                if name and name != organization.name
            ],
            "description": organization.description,
            "sameAs": organization.website,
            "parentOrganization": (
                organization_ref(
                    organization.parent,
                    request,
                    linked=getattr(organization, "parent_public", True),
                )
                if organization.parent
                else None
            ),
            "subOrganization": [
                organization_ref(child, request, linked=getattr(child, "public", True))
                for child in children
            ],
        }
    )


def reporter_page(reporter, request) -> dict:
    """schema.org ``Person`` for a reporter's page, working for the publisher."""
    return _compact(
        {
            "@context": SCHEMA,
            **reporter_ref(reporter, request),
            "description": reporter.bio,
            "email": reporter.email if reporter.show_email else None,
            "worksFor": publisher(request),
        }
    )
