"""Links to story previews, for the admin: ``{% load previews %}``."""

import datetime as dt
from dataclasses import dataclass

from django import template
from django.urls import reverse

from articles import preview
from articles.models import Article
from articles.services import embargo_holds
from core.links import absolute_url

register = template.Library()


@dataclass(frozen=True)
class SharePreview:
    """What the story form offers for sharing: a signed link (``url``, "" when none can be
    shared), or while an embargo holds, no link and the time it lifts (``embargoed_until``)."""

    url: str = ""
    embargoed_until: dt.datetime | None = None


@register.simple_tag
def preview_url(article):
    """The staff preview page of ``article`` (login and permission needed)."""
    return reverse("articles:preview", kwargs={"pk": article.pk})


def _share_preview(context, article, *, absolute: bool) -> SharePreview:
    if article is None or article.pk is None:
        return SharePreview()
    saved = Article.objects.only(
        "pk",
        "modified_at",
        "created_at",
        "status",
        "headline",
        "standfirst",
        "body",
        "embargo_until",
    ).get(pk=article.pk)
    if saved.status not in preview.PREVIEWABLE:
        return SharePreview()
    if embargo_holds(saved):
        return SharePreview(embargoed_until=saved.embargo_until)
    path = preview.signed_preview_path(saved)
    request = context.get("request")
    if absolute and request is not None:
        return SharePreview(url=absolute_url(path))
    return SharePreview(url=path)


@register.simple_tag(takes_context=True)
def share_preview(context, article, absolute=False):
    """The story form's share-preview offer for ``article`` (``SharePreview``), made from the
    story as saved, not as it may sit in an unsaved form, so it opens what is in the database."""
    return _share_preview(context, article, absolute=absolute)


@register.simple_tag(takes_context=True)
def signed_preview_url(context, article, absolute=False):
    """A fresh signed preview link for ``article``: its path, or with ``absolute=True`` the full URL;
    "" for a story that is published, withdrawn or under an embargo still to lift.

    The link is made from the story as saved, not as it may sit in an unsaved form, so it opens
    what is in the database.
    """
    return _share_preview(context, article, absolute=absolute).url


@register.simple_tag
def preview_link_expires_at():
    """When a signed preview link made now stops working."""
    return preview.link_expires_at()
