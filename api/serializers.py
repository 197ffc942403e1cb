"""Objects as the API's JSON: stories in IPTC ninjs names, and the people, places and topics in them.

Plain functions from a model instance (with its related rows already fetched) to a dict. The
shapes are described, field by field, in ``api/openapi.py``; the tests hold each response to it.
"""

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode

from articles.html import sanitize_html
from core.links import absolute_url, slug_url


def timestamp(value: dt.datetime | None) -> str | None:
    """RFC 3339 in UTC, to the microsecond: ``2026-11-24T12:00:00Z``."""
    if value is None:
        return None
    text = value.astimezone(dt.UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


class Links:
    """Absolute links on the site's configured address (``SITE_URL``), whatever host the request
    came to: a cached response keeps its links for every later reader."""

    def __init__(self, request):
        self.request = request

    def absolute(self, path: str) -> str:
        return absolute_url(path)

    def api(self, name: str, *, slug: str | None = None, query: dict | None = None) -> str:
        path = slug_url(f"api:{name}", slug) if slug is not None else reverse(f"api:{name}")
        if query:
            path += "?" + urlencode(query)
        return self.absolute(path)


def image(obj, links: Links) -> dict | None:
    if obj is None:
        return None
    return {
        "href": links.absolute(obj.file.url) if obj.file else None,
        "alt_text": obj.alt_text,
        "caption": obj.caption,
        "credit": obj.credit,
        "width": obj.width,
        "height": obj.height,
    }


def reporter_summary(reporter, links: Links) -> dict:
    return {
        "name": reporter.name,
        "slug": reporter.slug,
        "uri": links.api("reporter", slug=reporter.slug),
        "html_url": links.absolute(reporter.get_absolute_url()),
    }


def reporter(obj, links: Links) -> dict:
    data = {
        "uri": links.api("reporter", slug=obj.slug),
        "slug": obj.slug,
        "name": obj.name,
        "job_title": obj.job_title,
        "bio": obj.bio,
        "photo": image(obj.photo, links),
        "html_url": links.absolute(obj.get_absolute_url()),
        "articles_url": links.api("articles", query={"reporter": obj.slug}),
    }
    # The address is on the record to match wire copy; it is public only when the reporter says so.
    if obj.show_email:
        data["email"] = obj.email
    return data


def organization_summary(obj, links: Links) -> dict:
    return {
        "name": obj.name,
        "slug": obj.slug,
        "uri": links.api("organization", slug=obj.slug),
        "html_url": links.absolute(obj.get_absolute_url()),
    }


def person(obj, links: Links) -> dict:
    return {
        "uri": links.api("person", slug=obj.slug),
        "slug": obj.slug,
        "name": obj.name,
        "native_name": obj.native_name,
        "sort_name": obj.sort_name,
        "description": obj.description,
        "photo": image(obj.photo, links),
        "affiliations": [
            {
                "title": affiliation.title,
                "organization": organization_summary(affiliation.organization, links),
                "start_date": affiliation.start_date.isoformat()
                if affiliation.start_date
                else None,
                "end_date": affiliation.end_date.isoformat() if affiliation.end_date else None,
                "current": affiliation.is_current,
            }
            for affiliation in obj.affiliations.all()
        ],
        "html_url": links.absolute(obj.get_absolute_url()),
        "articles_url": links.api("articles", query={"person": obj.slug}),
    }


def organization(obj, links: Links) -> dict:
    return {
        "uri": links.api("organization", slug=obj.slug),
        "slug": obj.slug,
        "name": obj.name,
        "short_name": obj.short_name,
        "kind": obj.kind,
        "kind_label": obj.get_kind_display(),
        "description": obj.description,
        "website": obj.website,
        "parent": organization_summary(obj.parent, links) if obj.parent else None,
        "children": [organization_summary(child, links) for child in obj.children.all()],
        "html_url": links.absolute(obj.get_absolute_url()),
        "articles_url": links.api("articles", query={"organization": obj.slug}),
    }


def section(obj, links: Links) -> dict:
    return {
        "uri": links.api("section", slug=obj.slug),
        "slug": obj.slug,
        "name": obj.name,
        "description": obj.description,
        "html_url": links.absolute(obj.get_absolute_url()),
        "articles_url": links.api("articles", query={"section": obj.slug}),
    }


def tag(obj, links: Links) -> dict:
    return {
        "uri": links.api("tag", slug=obj.slug),
        "slug": obj.slug,
        "name": obj.name,
        "html_url": links.absolute(reverse("articles:tag", kwargs={"slug": obj.slug})),
        "articles_url": links.api("articles", query={"tag": obj.slug}),
    }


def byline_text(names: list[str]) -> str:
    """“Chang Zhipeng”, “A and B”, “A, B and C”: the byline as printed."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def article(obj, links: Links) -> dict:
    """A published story in IPTC ninjs property names, plus the newsroom's own links.

    ``headline``, ``byline``, ``bodyhtml``, ``located``, ``subject``, ``people``,
    ``organisations``, ``uri``, ``type``, ``version``, ``versioncreated``, ``firstcreated``,
    ``pubstatus`` and ``language`` are ninjs names (the single-valued forms from ninjs 1.x where 2.x
    made arrays, as the newsroom's tools read them); ``descriptions`` is ninjs 2.x. The rest are ours.
    So it is ninjs-shaped, not a strictly valid ninjs 2.x document, and does not claim to be one.
    """
    reporters = [byline.reporter for byline in obj.bylines.all()]
    tags = sorted(obj.tags.all(), key=lambda t: t.name.lower())
    # A story edited before its scheduled time was still first seen when it was published.
    version_time = max(time for time in (obj.modified_at, obj.published_at) if time is not None)
    return {
        "uri": links.api("article", slug=obj.slug),
        "type": "text",
        "version": str(obj.version),
        "versioncreated": timestamp(version_time),
        "firstcreated": timestamp(obj.published_at),
        "pubstatus": "usable",
        "language": settings.LANGUAGE_CODE,
        "headline": obj.headline,
        "descriptions": (
            [{"role": "summary", "contenttype": "text/plain", "value": obj.standfirst}]
            if obj.standfirst
            else []
        ),
        "byline": byline_text([reporter.name for reporter in reporters]),
        # Cleaned again on the way out, as on the story page: rows written around save() (fixtures,
        # bulk updates) must not hand a consumer unsafe markup either.
        "bodyhtml": sanitize_html(obj.body),
        "located": obj.dateline,
        "subject": [
            {"name": t.name, "code": t.slug, "rel": "tag", "uri": links.api("tag", slug=t.slug)}
            for t in tags
        ],
        "people": [
            {
                "name": p.name,
                "rel": "mentioned",
                "literal": p.slug,
                "uri": links.api("person", slug=p.slug),
            }
            for p in obj.mentioned_people.all()
        ],
        "organisations": [
            {
                "name": o.name,
                "rel": "mentioned",
                "literal": o.slug,
                "uri": links.api("organization", slug=o.slug),
            }
            for o in obj.mentioned_organizations.all()
        ],
        "slug": obj.slug,
        "published": timestamp(obj.published_at),
        "updated": timestamp(obj.updated_at),
        "section": {
            "name": obj.section.name,
            "slug": obj.section.slug,
            "uri": links.api("section", slug=obj.section.slug),
        },
        "reporters": [reporter_summary(reporter, links) for reporter in reporters],
        "corrections": [
            {
                "kind": correction.kind,
                "label": correction.get_kind_display(),
                "text": correction.text,
                "created": timestamp(correction.created_at),
            }
            for correction in obj.corrections.all()
        ],
        "lead_image": image(obj.lead_image, links),
        "html_url": links.absolute(obj.get_absolute_url()),
    }
