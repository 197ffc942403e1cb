"""What the agency sent after a story was taken from its copy, in the admin: the notice at the top
of the story's form, and the editor's “I have dealt with this”.

The wire (``wire.services``) sets ``Article.agency_alert``, ``agency_alert_at`` and
``agency_alert_kind`` when the agency kills, withholds or sends a new version of an item a story
was taken from; it never touches the story itself. The notice stays on the story's form and on
the desk (``articles.desk.agency_alerts``) until someone who may change the story says they have
dealt with it, at ``/admin/articles/article/<id>/agency-alert/`` (a POST; wired into
``ArticleAdmin.get_urls`` with ``agency_urls(self)``). That clears the three fields and writes a
line in the story's admin log; it changes nothing else, so it makes no revision.
"""

import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import re_path, reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from core.admin import is_usable_key

from .models import AGENCY_KILLED, AGENCY_UPDATED, AGENCY_WITHHELD, Article

KILLED, WITHHELD, UPDATED = AGENCY_KILLED, AGENCY_WITHHELD, AGENCY_UPDATED
# What the form's notice and the desk's list (under “From the agency”) call each kind, loud
# (agency-alert.css sets them in capitals: a screen reader still reads words, not letters).
LABELS = {
    KILLED: "Killed by the agency",
    WITHHELD: "Withheld by the agency",
    UPDATED: "New version from the agency",
}
DESK_LABELS = {KILLED: "Killed by the agency", WITHHELD: "Withheld", UPDATED: "New version"}
# A kill or a withholding means the copy must not be (or stay) published: red, read out at once.
URGENT = {KILLED, WITHHELD}
# The field the button posts: the time of the notice the editor read, so a newer one that came
# in while they read it is not cleared unseen.
SHOWN_AT = "alert_at"


# Where a story's copy came from, told by the apps that make stories from copy (the wire queue,
# registered from ``wire.apps``): each gives ``article`` -> [(what, admin address)].
_SOURCES: list[Callable[[Article], list[tuple[str, str]]]] = []


def register_source(find: Callable[[Article], list[tuple[str, str]]]) -> None:
    _SOURCES.append(find)


def sources(article: Article | None) -> list[tuple[str, str]]:
    """The copy ``article`` was taken from, as (what, admin address), for its form."""
    if article is None or article.pk is None:
        return []
    return [found for find in _SOURCES for found in find(article)]


def banner(article: Article | None) -> dict | None:
    """The notice for the top of ``article``'s form, or None if the agency has sent nothing."""
    if article is None or article.pk is None or article.agency_alert_at is None:
        return None
    kind = article.agency_alert_kind or UPDATED
    return {
        "kind": kind,
        "label": LABELS.get(kind, LABELS[UPDATED]),
        "urgent": kind in URGENT,
        "text": article.agency_alert,
        "at": article.agency_alert_at,
        "shown_at": article.agency_alert_at.isoformat(),
        "field": SHOWN_AT,
        "url": reverse("admin:articles_article_agency_alert", args=[article.pk]),
        "sources": sources(article),
    }


def _shown_at(value: str) -> dt.datetime | None:
    """The notice's time as the form sent it back (``banner``'s ``shown_at``), or None."""
    try:
        found = parse_datetime(value[:64])
    except ValueError:  # well formed but no such time ("2026-13-40T…")
        return None
    # The form sends an offset; a time without one is not what it sent.
    return found if found is not None and found.tzinfo is not None else None


def _clear(article: Article, shown_at: dt.datetime | None) -> int:
    """Clear the notice the editor read (the one received at ``shown_at``): 1 if it was, 0 if it
    had gone or been replaced by a newer one."""
    if shown_at is None:
        return 0
    return Article.objects.filter(pk=article.pk, agency_alert_at=shown_at).update(
        agency_alert="", agency_alert_at=None, agency_alert_kind=""
    )


@require_POST
def dealt_with_view(request, model_admin, object_id):
    """Clear the agency's notice on a story, for whoever may change the story; back to its form."""
    object_id = unquote(object_id)
    if not is_usable_key(model_admin.opts.pk, object_id):
        raise Http404("No such story.")
    # Not ``get_object``: its list hides stories this user may not edit, and a refusal must say
    # so (403), not pretend the story is not there.
    article = Article.objects.filter(pk=object_id).first()
    if article is None:
        raise Http404("No such story.")
    if not model_admin.has_change_permission(request, article):
        raise PermissionDenied(
            "Only someone who may change this story can clear the agency's notice."
        )
    with transaction.atomic():  # cleared and logged, or neither
        cleared = _clear(article, _shown_at(request.POST.get(SHOWN_AT, "")))
        if cleared:
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=[article],
                action_flag=CHANGE,
                change_message=f"Agency alert dealt with: {article.agency_alert}",
                single_object=True,
            )
    if cleared:
        model_admin.message_user(
            request,
            f"The agency’s notice is off “{article}” and the desk. Nothing else in the story was "
            "changed.",
            messages.SUCCESS,
        )
    elif article.agency_alert_at is None:
        model_admin.message_user(
            request, f"“{article}” has no notice from the agency to deal with.", messages.INFO
        )
    else:
        model_admin.message_user(
            request,
            "The agency sent something newer while you were reading: read it below before "
            "you say you have dealt with it.",
            messages.WARNING,
        )
    return redirect(reverse("admin:articles_article_change", args=[article.pk]))


def agency_urls(model_admin):
    """The URL of the “I have dealt with this” button."""
    info = model_admin.opts.app_label, model_admin.opts.model_name

    def dealt_with(request, object_id):
        return dealt_with_view(request, model_admin, object_id)

    return [
        re_path(
            r"^([^/]+)/agency-alert/$",
            model_admin.admin_site.admin_view(dealt_with),
            name="{}_{}_agency_alert".format(*info),
        )
    ]
