"""Writes that touch several rows: saving a story, its workflow steps, restoring its text, and
corrections.

Views and the admin call these; model ``save()`` methods only derive fields.
"""

import datetime as dt
from collections.abc import Callable, Iterable

import reversion
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from core.published_use import Use
from people.models import Affiliation, Organization, Person, Reporter
from photos.models import Image

from . import mentions
from .models import Article, BodyImage, Byline, Correction, StatusChange

Status = Article.Status

# The workflow: which status a story may move to from which, and who may make the move.
REPORTER_STEPS = {
    (Status.DRAFT, Status.REVIEW),  # submit for review
    (Status.REVIEW, Status.DRAFT),  # take back (or, by an editor, send back)
}
EDITOR_STEPS = REPORTER_STEPS | {
    (Status.DRAFT, Status.PUBLISHED),
    (Status.REVIEW, Status.PUBLISHED),
    (Status.PUBLISHED, Status.WITHDRAWN),  # unpublish
    (Status.WITHDRAWN, Status.PUBLISHED),
    (Status.WITHDRAWN, Status.DRAFT),
}


def is_editor(user) -> bool:
    """Editors publish, schedule and unpublish; everyone else needs an editor for that."""
    return user.has_perm("articles.publish_article")


def editable_articles(user, queryset: QuerySet | None = None) -> QuerySet:
    """The stories this user may change: all of them for editors; for reporters, their own while
    unpublished (on the byline, or created by them)."""
    queryset = Article.objects.all() if queryset is None else queryset
    if user.has_perm("articles.edit_any_article"):
        return queryset
    if not user.has_perm("articles.change_article"):
        return queryset.none()
    # Two indexed look-ups (no join to make distinct), so a reporter's list costs the same at
    # any size of archive.
    on_byline = Byline.objects.filter(reporter__user=user).values("article_id")
    own = Q(created_by=user) | Q(pk__in=on_byline)
    return queryset.filter(own, status__in=[Status.DRAFT, Status.REVIEW]).order_by(
        *Article._meta.ordering
    )


def can_edit(user, article: Article) -> bool:
    if user.has_perm("articles.edit_any_article"):
        return True
    return editable_articles(user).filter(pk=article.pk).exists()


def next_publication_after(now: dt.datetime) -> dt.datetime | None:
    """When the next scheduled story goes live (for the page cache: ``core.cache.schedule_from``)."""
    return (
        Article.objects.filter(status=Status.PUBLISHED, published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )


def shown_on_published_stories(queryset: QuerySet) -> QuerySet | None:
    """The rows of ``queryset`` (images, people, organizations, affiliations or reporters) that
    readers see with a story whose status is published, scheduled ones included: its lead image
    and the pictures in its body (galleries included), the photos of its reporters and of the
    people it mentions, those people and organizations, those people's roles, and its reporters
    (byline and profile). Changing or deleting one changes a published story, which only a user
    with ``articles.edit_any_article`` (an editor) may do; the people and photos admins refuse the
    rest (registered with ``core.published_use``).
    """
    published = Q(article__status=Status.PUBLISHED)
    mentions = Article.mentioned_people.through.objects.filter(published)
    model = queryset.model
    if model is Image:
        return queryset.filter(
            Exists(Article.objects.filter(lead_image=OuterRef("pk"), status=Status.PUBLISHED))
            | Exists(BodyImage.objects.filter(published, image=OuterRef("pk")))
            | Exists(Byline.objects.filter(published, reporter__photo=OuterRef("pk")))
            | Exists(mentions.filter(person__photo=OuterRef("pk")))
        )
    if model is Person:
        return queryset.filter(Exists(mentions.filter(person=OuterRef("pk"))))
    if model is Reporter:
        return queryset.filter(Exists(Byline.objects.filter(published, reporter=OuterRef("pk"))))
    if model is Affiliation:
        return queryset.filter(Exists(mentions.filter(person=OuterRef("person"))))
    if model is Organization:
        through = Article.mentioned_organizations.through
        return queryset.filter(
            Exists(through.objects.filter(published, organization=OuterRef("pk")))
        )
    return None  # published stories show no rows of this model


KILLED_LABEL = "A story taken down for legal reasons"


def uses_of_image(obj, limit: int | None = None) -> list[Use]:
    """The stories that use ``obj``, if it is a library picture, as lead image or in the body
    (whatever their status), newest first, at most ``limit``: for the picture's page and for
    the admin's refusal to delete it (registered with ``core.published_use``). One query."""
    if not isinstance(obj, Image) or obj.pk is None:
        return []
    in_body = BodyImage.objects.filter(article=OuterRef("pk"), image=obj)
    stories = (
        Article.objects.annotate(in_body=Exists(in_body))
        .filter(Q(lead_image=obj) | Q(in_body=True))
        .only("headline", "status", "published_at", "lead_image_id")
    )
    return [
        Use(
            # A killed story's headline is for the Legal role only (articles.kill).
            label=KILLED_LABEL if story.status == Status.KILLED else story.headline,
            url=reverse("admin:articles_article_change", args=[story.pk]),
            status="Scheduled" if story.is_scheduled else story.get_status_display(),
            how=" and ".join(
                how
                for how, used in [
                    ("lead image", story.lead_image_id == obj.pk),
                    ("in the body", story.in_body),
                ]
                if used
            ),
        )
        for story in (stories[:limit] if limit is not None else stories)
    ]


def allowed_statuses(user, from_status: str) -> list[str]:
    """The statuses a user may choose for a story now in ``from_status`` (staying put included)."""
    steps = EDITOR_STEPS if is_editor(user) else REPORTER_STEPS
    allowed = {from_status} | {to for (frm, to) in steps if frm == from_status}
    return [value for value in Status.values if value in allowed]


def check_transition(*, user, from_status: str, to_status: str) -> None:
    if from_status == to_status:
        return
    steps = EDITOR_STEPS if is_editor(user) else REPORTER_STEPS
    if (from_status, to_status) not in steps:
        raise PermissionDenied(
            f"You cannot move a story from “{Status(from_status).label}” to "
            f"“{Status(to_status).label}”."
            + ("" if is_editor(user) else " Only an editor can publish or unpublish.")
        )


# Embargoes: copy held until a time. One check (``check_embargo``) for every path that publishes or
# schedules (the story form, the list's bulk actions, wire import), whatever the user's role.


class EmbargoRefusal(PermissionDenied):
    """A step an embargo forbids; ``field`` is the story form's field to put right."""

    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.field = field


def local_time(when: dt.datetime) -> str:
    """A time as the site writes it, in the newsroom's time zone: "5 December 2026, 09:00 CST"."""
    return date_format(timezone.localtime(when), "DATETIME_FORMAT")


def embargo_holds(article: Article, *, now: dt.datetime | None = None) -> bool:
    """Whether ``article`` is embargoed and the embargo has not lifted yet."""
    return article.embargo_until is not None and article.embargo_until > (now or timezone.now())


def is_out(article: Article, *, now: dt.datetime | None = None) -> bool:
    """Whether readers can see ``article`` now (``published()``'s rule, for one story in hand)."""
    now = now or timezone.now()
    return (
        article.status == Status.PUBLISHED
        and article.published_at is not None
        and article.published_at <= now
        and not embargo_holds(article, now=now)
    )


def embargo_message(embargo_until: dt.datetime) -> str:
    return (
        f"Embargoed until {local_time(embargo_until)}: publish it then, or schedule it for that "
        "time or later."
    )


def check_embargo(
    *,
    stored: Article | None,
    status: str,
    published_at: dt.datetime | None,
    embargo_until: dt.datetime | None,
    now: dt.datetime | None = None,
) -> None:
    """Refuse, for every role (superusers too), what an embargo forbids when a story as
    ``stored`` (None: a new story) is saved with ``status``, ``published_at`` and
    ``embargo_until``:

    - publishing it, or scheduling it for a time before the embargo lifts (a published story with
      no time is published now); so a story with an embargo still to come is published at the
      embargo's time or later, and the page cache's purge at its publication time
      (``next_publication_after``) is also the embargo's;
    - setting, moving or removing the embargo of a story readers can already see (withdraw it
      first). While it is not out (a draft, in review, withdrawn or scheduled), it may change.

    A save that changes none of the three (a typo fixed on a published story) is not checked.
    Raises ``EmbargoRefusal`` naming the embargo's time.
    """
    now = now or timezone.now()
    if stored is not None and stored.embargo_until != embargo_until and is_out(stored, now=now):
        raise EmbargoRefusal(
            "The story is already published, so its embargo can no longer be set, moved or "
            "removed. Withdraw the story first if the embargo must change.",
            field="embargo_until",
        )
    if status != Status.PUBLISHED or embargo_until is None or embargo_until <= now:
        return
    unchanged = stored is not None and (
        stored.status,
        stored.published_at,
        stored.embargo_until,
    ) == (status, published_at, embargo_until)
    goes_out_at = published_at or now  # saved as published with no time: now
    if not unchanged and goes_out_at < embargo_until:
        scheduling = published_at is not None and published_at > now
        raise EmbargoRefusal(
            embargo_message(embargo_until), field="published_at" if scheduling else "status"
        )


def record_transition(
    *,
    article: Article,
    from_status: str,
    user,
    from_published_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> StatusChange | None:
    """Log a workflow step that has just been saved on ``article``: a change of status, or a
    published story's publication time moved (scheduled, rescheduled, or brought forward to now)."""
    moved = (
        article.status == Status.PUBLISHED
        and from_status == Status.PUBLISHED
        and article.published_at != from_published_at
    )
    if from_status == article.status and not moved:
        return None
    return StatusChange.objects.create(
        article=article,
        from_status=from_status,
        to_status=article.status,
        user=user,
        at=now or timezone.now(),
        published_at=article.published_at if article.status == Status.PUBLISHED else None,
    )


@transaction.atomic
def article_transition(
    *,
    article: Article,
    to_status: str,
    user,
    published_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> StatusChange | None:
    """Move a story to ``to_status`` if ``user`` may, recording who and when.

    Publishing keeps an earlier publication time that has passed (a story taken down and put back
    keeps its first time) but brings a scheduled one forward to now; a ``published_at`` given in
    the future schedules the story, and ``published()`` shows it then.
    """
    now = now or timezone.now()
    article = Article.objects.select_for_update().get(pk=article.pk)
    from_status, from_published_at = article.status, article.published_at
    check_transition(user=user, from_status=from_status, to_status=to_status)
    stored = Article(
        status=from_status, published_at=from_published_at, embargo_until=article.embargo_until
    )
    if to_status == Status.PUBLISHED:
        if published_at is not None:
            article.published_at = published_at
        elif article.published_at is None or article.published_at > now:
            article.published_at = now
    check_embargo(
        stored=stored,
        status=to_status,
        published_at=article.published_at,
        embargo_until=article.embargo_until,
        now=now,
    )
    article.status = to_status
    if (article.status, article.published_at) == (from_status, from_published_at):
        return None
    article.modified_by = user
    article.version += 1
    article.save()
    return record_transition(
        article=article,
        from_status=from_status,
        from_published_at=from_published_at,
        user=user,
        now=now,
    )


@transaction.atomic
def article_save(
    *,
    article: Article,
    user,
    save_related: Callable[[], Iterable[Correction]] | None = None,
    comment: str = "",
) -> Article:
    """Save a story as ``user`` edited it, with everything a save brings, in one transaction.

    - The workflow: the status may only move as ``user`` may move it (``check_transition``), and
      a move, or a published story's time moved, is logged (``record_transition``).
    - The embargo: nobody publishes or schedules the story before it lifts (``check_embargo``).
    - Lost edits: the version goes up by one from the locked row, so a form opened before this
      save is refused (``ArticleAdminForm`` compares them).
    - ``save_related`` saves what the caller edits beside the story (the admin form's tags,
      mentions, bylines and corrections) once the story has an id, and returns the corrections
      it added: those move the story's “Updated” time (``corrections_added``).
    - Mentions: those the editor removed are remembered and never linked again; the people and
      organizations named in the text are linked.
    - A reporter's new story with no byline gets theirs, so it stays theirs to edit.
    - The revision (django-reversion) is saved with ``user`` and ``comment``. Inside a revision
      block the caller opened (the admin's, around a form's save) it joins that block, whose
      comment is then the admin's summary of the change.
    """
    adding = article._state.adding
    with reversion.create_revision(atomic=False):
        stored = _begin_save(article=article, user=user, adding=adding)
        from_status = stored.status if stored else ""
        from_published_at = stored.published_at if stored else None
        check_transition(
            user=user, from_status=from_status or Status.DRAFT, to_status=article.status
        )
        check_embargo(
            stored=stored,
            status=article.status,
            published_at=article.published_at,
            embargo_until=article.embargo_until,
        )
        # The mentions as stored before this save (none for a new story), to tell which ones the
        # editor removed.
        before_people, before_orgs = mentions.mentions_snapshot(article)
        article.save()
        corrections = list(save_related()) if save_related else []
        if not adding:
            mentions.record_unlinked(
                article=article, before_people=before_people, before_orgs=before_orgs
            )
        mentions.link_mentions(article=article)
        if adding:
            _give_reporter_the_byline(article=article, user=user)
        corrections_added(article=article, corrections=corrections)
        record_transition(
            article=article,
            from_status=from_status,
            from_published_at=from_published_at,
            user=user,
        )
        reversion.set_user(user)
        if comment:
            reversion.set_comment(comment)
    return article


AGENCY_ALERT_FIELDS = ("agency_alert", "agency_alert_at", "agency_alert_kind")


def _begin_save(*, article: Article, user, adding: bool) -> Article | None:
    """Lock a story's row until the save commits and move its version on; return the row as
    stored (its status, publication time and embargo), None for a new story."""
    article.modified_by = user
    if adding:
        article.created_by = user
        return None
    current = (
        Article.objects.select_for_update()
        .only("status", "published_at", "embargo_until", "version", *AGENCY_ALERT_FIELDS)
        .get(pk=article.pk)
    )
    article.version = current.version + 1
    # The agency's alert is the wire's to set (it may have come since the form was opened) and
    # the editor's to clear from its own button: a save keeps it as it is now.
    for name in AGENCY_ALERT_FIELDS:
        setattr(article, name, getattr(current, name))
    return current


def _give_reporter_the_byline(*, article: Article, user) -> None:
    """A reporter's new story filed with no byline carries theirs (``BylineFormSet`` allows it)."""
    reporter = getattr(user, "reporter", None)
    if reporter is not None and not article.bylines.exists():
        Byline.objects.create(article=article, reporter=reporter, order=0)


RESTORED_FIELDS = ("headline", "standfirst", "body")


@transaction.atomic
def article_restore_text(*, article: Article, text: dict, user, comment: str = "") -> Article:
    """Put back the headline, standfirst and body of an earlier revision, as a new revision.

    Only the text comes back: status, publication times, bylines and corrections stay as they are
    now, so restoring can never unpublish a story or take back a correction. The save raises the
    version, so anyone with the story open is told before they overwrite the restored text; the
    text it replaces stays in the history.
    """
    with reversion.create_revision(atomic=False):
        article = Article.objects.select_for_update().get(pk=article.pk)
        for name in RESTORED_FIELDS:
            setattr(article, name, text.get(name) or "")
        article.modified_by = user
        article.version += 1
        article.save()
        reversion.set_user(user)
        if comment:
            reversion.set_comment(comment)
    return article


@transaction.atomic
def correction_save(*, correction: Correction) -> Correction:
    """Save a correction; a new one moves its story's “Updated” time (``corrections_added``)."""
    adding = correction._state.adding
    correction.save()
    if adding:
        corrections_added(article=correction.article, corrections=[correction])
    return correction


def corrections_added(*, article: Article, corrections: list[Correction]) -> None:
    """A correction, clarification or update is visible news: it moves the story's “Updated”
    time (never its publication time). A silent fix without one leaves that time alone."""
    latest = max((correction.created_at for correction in corrections), default=None)
    if latest and (article.updated_at is None or latest > article.updated_at):
        Article.objects.filter(pk=article.pk).update(updated_at=latest)
        article.updated_at = latest
