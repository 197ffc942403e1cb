"""Live coverage, the newsroom's side: who may write a live story's entries, adding and correcting
them, and opening, closing and reopening the coverage.

Each write is one transaction and, for entries, one django-reversion revision (the entry's text,
flags and authors), so an entry's history is kept like a story's. What readers' pages show and
when they are refreshed is not this module's: an entry saved or deleted, or the coverage opened,
closed or reopened, purges the story's surrogate key (``articles.keys``), and readers' pages and
their poll (``articles.live_views``) follow from that.

Who writes: an editor (``edit_any_article``), on any story; a reporter whose name is on the
story's byline. Unlike the story's own text (``services.can_edit``), a byline reporter keeps
writing entries once the story is published: following events on a published story is the point
of live coverage. Closing and reopening the coverage, and a correction shown to readers, are an
editor's, as a story's corrections are.
"""

import datetime as dt
from collections.abc import Iterable

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from core.text import html_to_text
from people.models import Reporter

from . import body as story_body
from .html import merged_cells, sanitize_html
from .models import Article, Byline, LiveEntry

# A time typed in the form is to the minute, and two clocks are never quite in step: an entry's
# time this far ahead of now is taken as now's, not refused as a time to come.
CLOCK_SLACK = dt.timedelta(minutes=2)


def _local(when: dt.datetime) -> str:
    return date_format(timezone.localtime(when), "DATETIME_FORMAT")


# Who may do what ---------------------------------------------------------------------------------


def is_live_editor(user) -> bool:
    """Editors write on every live story, close and reopen coverage."""
    return user.has_perm("articles.edit_any_article")


def on_byline(user, article: Article) -> bool:
    """Whether ``user``'s own byline (their linked reporter) is on ``article``."""
    if not user.is_authenticated:
        return False
    return Byline.objects.filter(article_id=article.pk, reporter__user=user).exists()


def may_write(user, article: Article, *, perm: str = "articles.add_liveentry") -> bool:
    """Whether ``user`` may add (or, with ``perm="articles.change_liveentry"``, fix) entries of
    ``article``, and make it live: an editor, or a reporter on its byline."""
    if not user.has_perm(perm):
        return False
    return is_live_editor(user) or on_byline(user, article)


def may_close(user) -> bool:
    """Closing and reopening a story's coverage: an editor's who may change entries."""
    return is_live_editor(user) and user.has_perm("articles.change_liveentry")


def may_correct(user) -> bool:
    """A correction shown to readers on an entry is an editor's, as a story's corrections are."""
    return user.has_perm("articles.add_correction")


def own_reporter(user) -> Reporter | None:
    """The byline linked to ``user``'s login, if any."""
    if not user.is_authenticated:
        return None
    return Reporter.objects.filter(user=user).first()


# What an entry may hold --------------------------------------------------------------------------


def clean_body(body: str, *, user=None) -> str:
    """An entry's body as it will be stored, by the story body's rules (``ArticleAdminForm``):
    no merged table cells, some text once cleaned, and only figures that can be shown (pictures
    from the library the user may see, posts of services we take). Raises ValidationError."""
    if merged_cells(body or ""):
        raise ValidationError(
            "A table in the entry has merged cells. Split them (Table menu → Split cell): "
            "tables are kept as plain rows and columns.",
            code="merged_cells",
        )
    cleaned = sanitize_html(body or "")
    if not html_to_text(cleaned):
        raise ValidationError(
            "The entry has no text. Write what happened, or paste it in.", code="required"
        )
    may_see = user is None or user.has_perm("photos.view_image")
    images = story_body.images_for(cleaned) if may_see else {}
    if found := story_body.problems(cleaned, images):
        raise ValidationError(
            [problem.replace("The body's", "The entry's") for problem in found], code="figures"
        )
    return cleaned


def check_authors(user, authors: Iterable[Reporter], *, own: Reporter | None) -> None:
    """A reporter files an entry under their own name, with colleagues' beside it if they like,
    never solely under someone else's (the byline rule of stories). Raises ValidationError."""
    authors = list(authors)
    if is_live_editor(user) or not authors:
        return
    if own is None or own.pk not in {author.pk for author in authors}:
        name = f" ({own.name})" if own is not None else ""
        raise ValidationError(
            f"Your own name{name} must be among the entry's authors: nobody files an entry "
            "solely under someone else's name.",
            code="own_name",
        )


def check_time(posted_at: dt.datetime | None, *, now: dt.datetime) -> dt.datetime:
    """The entry's time: now if none was given; a time still to come is refused (readers would
    see the entry at once, under a time that has not happened)."""
    if posted_at is None:
        return now
    if posted_at > now + CLOCK_SLACK:
        raise ValidationError(
            f"The entry's time, {_local(posted_at)}, has not come yet. Leave it empty for now, "
            "or give a time that has passed.",
            code="future",
        )
    return min(posted_at, now)


def _check_open(article: Article) -> None:
    """Entries go on a live story whose coverage is open and that is not killed."""
    if article.status == Article.Status.KILLED:
        raise ValidationError(
            "The story was taken down for legal reasons: no entry can be added to it.",
            code="killed",
        )
    if not article.is_live:
        raise ValidationError(
            "The story is not live: make it live before adding entries.", code="not_live"
        )
    if article.live_closed_at is not None:
        raise ValidationError(
            f"The live coverage was closed on {_local(article.live_closed_at)}. An editor can "
            "reopen it to add entries.",
            code="closed",
        )


def _locked_story(article: Article, *, whole: bool = False) -> Article:
    """The story's row, locked until the transaction ends, so that the coverage cannot be closed
    (or the story killed) between the check and the write. Only the coverage's columns unless
    ``whole`` (a story that is saved: its save reads the rest)."""
    rows = Article.objects.select_for_update()
    if not whole:
        rows = rows.only("pk", "status", "is_live", "live_closed_at")
    return rows.get(pk=article.pk)


# Entries -----------------------------------------------------------------------------------------


@transaction.atomic
def add_entry(
    article: Article,
    *,
    user,
    body: str,
    title: str = "",
    authors: Iterable[Reporter] | None = None,
    key_event: bool = False,
    pinned: bool = False,
    posted_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> LiveEntry:
    """Add an entry to a live story as ``user`` wrote it, in one transaction and one revision.

    Refused (PermissionDenied) unless ``user`` is an editor or a reporter on the byline; refused
    (ValidationError, naming what to put right) on a story that is not live, whose coverage is
    closed or that was killed, and for a body that is empty once cleaned or shows a figure that
    cannot be shown. ``authors`` default to the user's own byline (none for an editor without
    one); ``posted_at`` to now.
    """
    if not may_write(user, article):
        raise PermissionDenied(
            "Only editors and the reporters on the story's byline add its live entries."
        )
    story = _locked_story(article)
    _check_open(story)
    now = now or timezone.now()
    own = own_reporter(user)
    authors = list(authors or ([own] if own is not None else []))
    check_authors(user, authors, own=own)
    entry = LiveEntry(
        article=story,
        posted_at=check_time(posted_at, now=now),
        title=" ".join((title or "").split()),
        body=clean_body(body, user=user),
        key_event=key_event,
        pinned=pinned,
        created_by=user,
    )
    entry.full_clean(exclude=["article", "authors", "created_by"])
    with reversion.create_revision(atomic=False):
        entry.save()
        if authors:
            entry.authors.set(authors)
        reversion.set_user(user)
        reversion.set_comment("Entry added.")
    return entry


_UNCHANGED = object()


@transaction.atomic
def correct_entry(
    entry: LiveEntry,
    *,
    user,
    body: str | None = None,
    title: str | None = None,
    correction: str = "",
    authors: Iterable[Reporter] | None = None,
    key_event: bool | None = None,
    pinned: bool | None = None,
    posted_at=_UNCHANGED,
    now: dt.datetime | None = None,
) -> LiveEntry:
    """Change an entry as ``user`` edited it, as a new revision; what is None stays as it was.

    A fixed typo is silent. A ``correction`` (what was wrong and what is right now) is shown to
    readers on the entry with its time (``corrected_at``); adding one is an editor's. An entry can
    be fixed after the coverage closed: a mistake stays a mistake.
    """
    if not may_write(user, entry.article, perm="articles.change_liveentry"):
        raise PermissionDenied(
            "Only editors and the reporters on the story's byline change its live entries."
        )
    correction = (correction or "").strip()
    if correction and not may_correct(user):
        raise PermissionDenied("Only an editor adds a correction to an entry.")
    if _locked_story(entry.article).status == Article.Status.KILLED:
        raise ValidationError(
            "The story was taken down for legal reasons: its entries are kept as they were.",
            code="killed",
        )
    now = now or timezone.now()
    current = LiveEntry.objects.select_for_update().get(pk=entry.pk)
    if body is not None:
        current.body = clean_body(body, user=user)
    if title is not None:
        current.title = " ".join(title.split())
    if key_event is not None:
        current.key_event = key_event
    if pinned is not None:
        current.pinned = pinned
    if posted_at is not _UNCHANGED:
        current.posted_at = check_time(posted_at, now=now)
    if correction:
        current.correction = correction
        current.corrected_at = now
    if authors is not None:
        authors = list(authors)
        check_authors(user, authors, own=own_reporter(user))
    current.full_clean(exclude=["article", "authors", "created_by"])
    with reversion.create_revision(atomic=False):
        current.save()
        if authors is not None:
            current.authors.set(authors)
        reversion.set_user(user)
        reversion.set_comment("Entry corrected." if correction else "Entry changed.")
    return current


# The coverage ------------------------------------------------------------------------------------


def _save_coverage(story: Article) -> None:
    # Only these two columns: the story's text, version and times stay as they are (nobody with
    # the story open is stopped by it), and the save purges the story's key (articles.keys).
    story.save(update_fields=["is_live", "live_closed_at"])


@transaction.atomic
def start_coverage(article: Article, *, user) -> Article:
    """Make a story live: it takes entries from now on (an editor's or a byline reporter's)."""
    if not may_write(user, article):
        raise PermissionDenied(
            "Only editors and the reporters on the story's byline make a story live."
        )
    story = _locked_story(article, whole=True)
    if story.status == Article.Status.KILLED:
        raise ValidationError(
            "The story was taken down for legal reasons: it cannot be made live.", code="killed"
        )
    if story.is_live:
        raise ValidationError("The story is live already.", code="live")
    story.is_live, story.live_closed_at = True, None
    _save_coverage(story)
    article.is_live, article.live_closed_at = True, None
    return article


@transaction.atomic
def close_coverage(article: Article, *, user, now: dt.datetime | None = None) -> Article:
    """End the live coverage: readers' pages stop checking for entries and say it has ended."""
    if not may_close(user):
        raise PermissionDenied("Only an editor closes a story's live coverage.")
    story = _locked_story(article, whole=True)
    if not story.is_live:
        raise ValidationError(
            "The story is not live: there is no coverage to close.", code="not_live"
        )
    if story.live_closed_at is not None:
        raise ValidationError(
            f"The live coverage was closed already, on {_local(story.live_closed_at)}.",
            code="closed",
        )
    story.live_closed_at = now or timezone.now()
    _save_coverage(story)
    article.live_closed_at = story.live_closed_at
    return article


@transaction.atomic
def reopen_coverage(article: Article, *, user) -> Article:
    """Take entries again on a story whose coverage was closed (events resumed)."""
    if not may_close(user):
        raise PermissionDenied("Only an editor reopens a story's live coverage.")
    story = _locked_story(article, whole=True)
    if story.status == Article.Status.KILLED:
        raise ValidationError(
            "The story was taken down for legal reasons: its coverage cannot be reopened.",
            code="killed",
        )
    if not story.is_live or story.live_closed_at is None:
        raise ValidationError("The live coverage is open already.", code="open")
    story.live_closed_at = None
    _save_coverage(story)
    article.live_closed_at = None
    return article
