"""Links to story previews, for the admin: ``{% load previews %}``."""

from django import template
from django.urls import reverse

from articles import preview
from articles.models import Article
from core.links import absolute_url

register = template.Library()


@register.simple_tag
def preview_url(article):
    """The staff preview page of ``article`` (login and permission needed)."""
    return reverse("articles:preview", kwargs={"pk": article.pk})


@register.simple_tag(takes_context=True)
def signed_preview_url(context, article, absolute=False):
    """A fresh signed preview link for ``article``: its path, or with ``absolute=True`` the full URL.

    The link is made from the story as saved, not as it may sit in an unsaved form, so it opens
    what is in the database.
    """
    if article is None or article.pk is None:
        return ""
    saved = Article.objects.only(
        "pk", "modified_at", "created_at", "status", "headline", "standfirst", "body"
    ).get(pk=article.pk)
    if saved.status not in preview.PREVIEWABLE:
        return ""
    path = preview.signed_preview_path(saved)
    request = context.get("request")
    if absolute and request is not None:
        return absolute_url(path)
    return path


@register.simple_tag
def preview_link_expires_at():
    """When a signed preview link made now stops working."""
    return preview.link_expires_at()
