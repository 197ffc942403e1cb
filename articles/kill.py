"""Killing a story for legal reasons, and an administrator's restore.

A kill is not a withdrawal. Withdrawing is an editor's reversible unpublishing: the address
answers 404 and the story can be published again. A kill takes its own permission
(``articles.kill_article``, the Legal role) and a reason, and at once:

- the story's status becomes ``killed``, which ``Article.objects.published()`` never returns, so
  every list, feed, sitemap, search and the API drop it;
- its address and every address it used to have answer 410 Gone (``killed_story_at``, used by
  the story page, its share cards and the API, which answers ``pubstatus: canceled``);
- every page that showed it is purged, from the page cache and the edge, once the kill commits;
- preview links die (a signed link to it answers 410);
- its text stays in the database for the legal record, seen in the admin only by those who may
  kill stories, read-only, with the reason, who and when (on the story, in the workflow log and
  in the admin's log).

No workflow step leads into or out of ``killed`` (``services.EDITOR_STEPS``): ``kill_story`` is the
only way in, and ``restore_story``, an administrator's, the only way out (to withdrawn, never
straight back to readers).
"""

import datetime as dt

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from core import keys as surrogate_keys
from core.models import SlugHistory

from . import keys
from .models import Article, Autosave, StatusChange

Status = Article.Status

PERMISSION = "articles.kill_article"
# What a kill can take down: a story readers see, are scheduled to see, or saw before it was
# withdrawn. Readers cannot see a draft or a story in review: an editor holds or deletes it.
KILLABLE = (Status.PUBLISHED, Status.WITHDRAWN)
REASON_REQUIRED = "Say why the story is taken down: the reason is kept for the legal record."
RESTORE_REASON_REQUIRED = (
    "Say why the story is restored: the reason is kept in the legal record beside the kill."
)
# What a kill (or a restore) writes on the story, and nothing else: its text is the legal record.
KILL_FIELDS = ["status", "killed_at", "killed_by", "kill_reason", "modified_by", "version"]


def can_kill(user) -> bool:
    """Whether ``user`` may kill stories, and see killed ones (the Legal role, administrators)."""
    return user.is_active and user.has_perm(PERMISSION)


def can_restore(user) -> bool:
    """Only an administrator restores a killed story."""
    return user.is_active and user.is_superuser


def killed_story_at(slug: str) -> Article | None:
    """The killed story whose address is, or used to be, ``slug``; None if there is none.

    For the reader's pages, which answer 410 Gone rather than 404 for it. One query, asked only
    once a page has found nothing to show, never on the way to a story that is there.
    """
    used_to = SlugHistory.objects.for_model(Article).filter(slug=slug).values("object_id")
    return (
        Article.objects.filter(Q(slug=slug) | Q(pk__in=used_to), status=Status.KILLED)
        .only("pk", "slug")
        .first()
    )


def _when(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _who(user) -> str:
    if user is None:
        return "someone whose account has since been deleted"
    return user.get_full_name() or user.get_username()


def describe_kill(article: Article) -> str:
    """“Killed on 1 May 2026, 12:00 UTC by Ann Lee.”"""
    if article.killed_at is None:
        return "Killed."
    return f"Killed on {_when(article.killed_at)} by {_who(article.killed_by)}."


def check_killable(article: Article) -> None:
    """Raise ValidationError, saying why, if ``article`` cannot be killed as it is now."""
    if article.status == Status.KILLED:
        raise ValidationError(
            f"“{article}” is already killed. {describe_kill(article)}", code="killed"
        )
    if article.status not in KILLABLE:
        raise ValidationError(
            f"“{article}” is {article.get_status_display().lower()}: only a published, scheduled "
            "or withdrawn story can be killed. Readers cannot see it: an editor can hold it or "
            "delete it.",
            code="not_out",
        )


def _required(reason: str | None, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(message, code="reason")
    return reason


def _log(*, user, article: Article, message: str) -> None:
    """The admin's own log of the story (LogEntry), beside the workflow step."""
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[article],
        action_flag=CHANGE,
        change_message=message,
        single_object=True,
    )


def pages_showing(article: Article) -> set[str]:
    """The surrogate keys of every page that shows or lists ``article``, whatever its status now:
    its own page and every list showing its card (``story:<id>``), the lists it is in (home,
    archive, feeds, API lists, its section, tags, reporters, people and organizations), and the
    sitemaps. More than a status change purges (``keys.story_changed``): a kill must not rely on
    the story having been public a moment ago to take it off a page someone kept."""
    return (
        {surrogate_keys.key(article), keys.SITEMAPS}
        | set(keys.EVERY_LIST)
        | keys.list_keys([article.pk])
    )


@transaction.atomic
def kill_story(
    article: Article, *, user, reason: str, now: dt.datetime | None = None
) -> StatusChange:
    """Take ``article`` down for legal reasons, everywhere, at once (see the module's docstring).

    Raises PermissionDenied if ``user`` may not kill stories, and ValidationError, saving nothing,
    without a reason or for a story that cannot be killed (already killed, or never out).
    """
    if not can_kill(user):
        raise PermissionDenied(
            "Only the Legal role can kill a story: ask a legal or managing editor."
        )
    reason = _required(reason, REASON_REQUIRED)
    now = now or timezone.now()
    article = Article.objects.select_for_update().get(pk=article.pk)
    check_killable(article)
    from_status = article.status
    article.status = Status.KILLED
    article.killed_at, article.killed_by, article.kill_reason = now, user, reason
    article.modified_by = user
    article.version += 1  # a form opened before the kill is refused (ArticleAdminForm)
    article.save(update_fields=[*KILL_FIELDS, "modified_at"])
    step = StatusChange.objects.create(
        article=article, from_status=from_status, to_status=Status.KILLED, user=user, at=now
    )
    _log(user=user, article=article, message=f"Killed (legal). Reason: {reason}")
    # Private copies of the text being typed: nobody edits a killed story, so none is offered back.
    Autosave.objects.filter(article=article).delete()
    surrogate_keys.purge(*pages_showing(article))
    return step


@transaction.atomic
def restore_story(
    article: Article, *, user, reason: str, now: dt.datetime | None = None
) -> StatusChange:
    """An administrator's undoing of a kill: the story comes back as withdrawn (an editor may then
    publish it again, as any withdrawn story), logged with who, when and why.

    Raises PermissionDenied for anyone but an administrator, and ValidationError, saving nothing,
    without a reason or for a story that is not killed.
    """
    if not can_restore(user):
        raise PermissionDenied("Only an administrator can restore a killed story.")
    reason = _required(reason, RESTORE_REASON_REQUIRED)
    now = now or timezone.now()
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status != Status.KILLED:
        raise ValidationError(
            f"“{article}” is not killed: there is nothing to restore.", code="not_killed"
        )
    killed = describe_kill(article)
    article.status = Status.WITHDRAWN
    # The kill's record stays in the logs (the workflow log and the admin's log, with its reason).
    article.killed_at, article.killed_by, article.kill_reason = None, None, ""
    article.modified_by = user
    article.version += 1
    article.save(update_fields=[*KILL_FIELDS, "modified_at"])
    step = StatusChange.objects.create(
        article=article, from_status=Status.KILLED, to_status=Status.WITHDRAWN, user=user, at=now
    )
    _log(
        user=user,
        article=article,
        message=f"Restored from a legal kill, as withdrawn. {killed} Reason: {reason}",
    )
    # Its address now answers 404, like any withdrawn story's: nothing showed it, but an edge
    # that kept the 410 must ask again.
    surrogate_keys.purge(surrogate_keys.key(article))
    return step


def admin_stories(user, queryset, editable):
    """The stories the story admin shows ``user``, out of ``queryset``: ``editable`` (those they
    may edit), less the killed ones unless they may kill stories. Those who may (the Legal role)
    also see, read-only, every story they could kill and every killed one."""
    if not can_kill(user):
        return editable.exclude(status=Status.KILLED)
    if user.has_perm("articles.edit_any_article"):
        return editable  # an editor: every story already
    mine = editable.order_by().values("pk")
    return queryset.filter(Q(pk__in=mine) | Q(status__in=[*KILLABLE, Status.KILLED]))


def hide_killed(user, queryset, lookup: str = "article"):
    """``queryset`` (of rows belonging to a story through ``lookup``: corrections, workflow steps)
    without the rows of killed stories, unless ``user`` may see those."""
    if can_kill(user):
        return queryset
    return queryset.exclude(**{f"{lookup}__status": Status.KILLED})
