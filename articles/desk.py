"""The desk: what is waiting for the person logged in, as the admin's front page lists it.

Each list is one query, whatever the number of stories: its rows come with the size of the whole
list (a count in a subquery), so "23 drafts" and the ten shown are read together. ``desk()`` then fetches the bylines of every story on the desk in one
more query, and the names of the stories people have open in one more (from the presence index in
the cache, never by asking about each story). tests/articles/test_desk.py counts them.

Everything listed is a story the user may open in the admin (``services.editable_articles``): an
editor's desk has the whole newsroom's queue; a reporter's has their own stories only. A story
whose embargo has not lifted says so (``embargoed_until``, read with the list, no query more).

At the top, when the agency has killed, withheld or sent a new version of copy a story was taken
from and nobody has dealt with it yet (``agency_alerts``; ``articles.admin_agency``).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.query import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.dateformat import format as format_date

from . import admin_agency, kill, presence, services
from .models import Article, Byline, Correction, StatusChange

Status = Article.Status

SHOWN = 10  # stories shown in each list; the count says how many there are in all
SCHEDULED_DAYS = 7  # today and the six days after it
SCHEDULED_SHOWN = 50
RECENT_HOURS = 48
RECENT_AT_LEAST = 10  # a quiet weekend still shows the last ten published
RECENT_SHOWN = 20
LIVE_SHOWN = 10
AGENCY_SHOWN = 20  # a story the agency killed must not hide behind "more"; the count says if so


@dataclass
class StoryList:
    """Some of a list's stories (at most the number shown) and how many the list holds in all."""

    stories: list[Article]
    count: int

    @property
    def more(self) -> int:
        return self.count - len(self.stories)


@dataclass
class ScheduledDay:
    label: str  # "Today", "Tomorrow", "Wednesday 2 December"
    date: dt.date
    relative: bool  # labelled "Today" or "Tomorrow", so the date is worth adding
    stories: list[Article] = field(default_factory=list)


@dataclass
class Scheduled(StoryList):
    days: list[ScheduledDay] = field(default_factory=list)


@dataclass(frozen=True)
class Editing:
    story: Article
    user_id: int
    name: str
    since: dt.datetime


@dataclass
class Desk:
    is_editor: bool
    drafts: StoryList
    review: StoryList
    needs_headline: StoryList
    editing: list[Editing]
    # Stories the agency killed, withheld or sent again since they were taken from its copy.
    agency: StoryList
    # For those who may open published stories (editors); None for everyone else.
    scheduled: Scheduled | None = None
    recent: StoryList | None = None
    # Live stories still open that this user may add entries to.
    live: StoryList | None = None


def visible_stories(user) -> QuerySet:
    """The stories ``user`` may open in the admin (``services.editable_articles``), less those
    killed for legal reasons unless they may see them (``kill.can_kill``)."""
    stories = services.editable_articles(user)
    return stories if kill.can_kill(user) else stories.exclude(status=Article.Status.KILLED)


def _mine(user) -> Q:
    """Stories the user created or is on the byline of."""
    return Q(created_by=user) | Q(
        Exists(Byline.objects.filter(article=OuterRef("pk"), reporter__user=user))
    )


def _listed(queryset: QuerySet, limit: int) -> StoryList:
    """The first ``limit`` stories of ``queryset`` and, in the same query, how many it holds: an
    uncorrelated subquery that the database counts once, from an index where it can (a window
    count would read every matching row, body pages and all on SQLite, to count them)."""
    total = queryset.order_by().values(all=Value(1)).annotate(n=Count("pk")).values("n")
    rows = list(
        queryset.select_related("section")
        .defer("body")
        .annotate(desk_total=Subquery(total, output_field=IntegerField()))[:limit]
    )
    return StoryList(stories=rows, count=rows[0].desk_total if rows else 0)


def my_drafts(*, user, now: dt.datetime) -> StoryList:
    """Drafts the user created or is on the byline of, the latest change first."""
    stories = visible_stories(user).filter(_mine(user), status=Status.DRAFT)
    return _listed(stories.order_by("-modified_at", "-pk"), SHOWN)


def review_queue(*, user, now: dt.datetime) -> StoryList:
    """Stories in review, the longest waiting first, each with ``submitted_at`` (when it last
    went into review; its last change if the log has no such step). An editor's queue is the
    newsroom's; anyone else sees their own stories in review."""
    stories = visible_stories(user).filter(status=Status.REVIEW)
    if not services.is_editor(user):
        stories = stories.filter(_mine(user))
    submitted = (
        StatusChange.objects.filter(article=OuterRef("pk"), to_status=Status.REVIEW)
        .order_by("-at")
        .values("at")[:1]
    )
    stories = stories.annotate(submitted_at=Coalesce(Subquery(submitted), F("modified_at")))
    return _listed(stories.order_by("submitted_at", "pk"), SHOWN)


def scheduled(*, user, now: dt.datetime) -> Scheduled:
    """Stories published with a time still to come, from now to the end of the sixth day after
    today, by day in the newsroom's time zone (TIME_ZONE), the soonest first."""
    zone = timezone.get_default_timezone()
    today = timezone.localtime(now, zone).date()
    end = dt.datetime.combine(today + dt.timedelta(days=SCHEDULED_DAYS), dt.time(), zone)
    stories = visible_stories(user).filter(
        status=Status.PUBLISHED, published_at__gt=now, published_at__lt=end
    )
    listed = _listed(stories.order_by("published_at", "pk"), SCHEDULED_SHOWN)
    days: dict[dt.date, ScheduledDay] = {}
    for story in listed.stories:
        day = timezone.localtime(story.published_at, zone).date()
        if day not in days:
            label = day_label(day, today=today)
            days[day] = ScheduledDay(label=label, date=day, relative=day - today < dt.timedelta(2))
        days[day].stories.append(story)
    return Scheduled(stories=listed.stories, count=listed.count, days=list(days.values()))


def day_label(day: dt.date, *, today: dt.date) -> str:
    if day == today:
        return "Today"
    if day == today + dt.timedelta(days=1):
        return "Tomorrow"
    return format_date(day, "l j F")


def recently_published(*, user, now: dt.datetime) -> StoryList:
    """Stories readers can see that went out in the last 48 hours, or the last ten if fewer did,
    the newest first, each with ``correction_count``."""
    public = visible_stories(user).published(now=now)
    latest = public.order_by("-published_at", "-pk").values("pk")[:RECENT_AT_LEAST]
    corrections = (
        Correction.objects.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    stories = public.filter(
        Q(published_at__gte=now - dt.timedelta(hours=RECENT_HOURS)) | Q(pk__in=latest)
    ).annotate(correction_count=Coalesce(Subquery(corrections, output_field=IntegerField()), 0))
    return _listed(stories.order_by("-published_at", "-pk"), RECENT_SHOWN)


def wire_needing_headlines(*, user, now: dt.datetime) -> StoryList:
    """Imported copy whose headline is still the provisional one, not yet published; the newest
    first."""
    # The statuses named, not "not published": the status index then reads only the unpublished
    # few, where a negation would read every story to find them.
    unpublished = [status for status in Status.values if status != Status.PUBLISHED]
    stories = visible_stories(user).filter(needs_headline=True, status__in=unpublished)
    return _listed(stories.order_by("-created_at", "-pk"), SHOWN)


def being_edited(*, user, now: dt.datetime) -> list[Editing]:
    """Who opened which story in the last few minutes (``presence``), the latest first: only
    stories the user may open themselves."""
    openings = presence.recently_opened(now=now)
    if not openings:
        return []
    ids = {opening.article_id for opening in openings}
    stories = visible_stories(user).filter(pk__in=ids).only("pk", "headline", "status").in_bulk()
    return [
        Editing(
            story=stories[opening.article_id],
            user_id=opening.user_id,
            name=opening.name,
            since=opening.since,
        )
        for opening in openings
        if opening.article_id in stories
    ]


def agency_alerts(*, user, now: dt.datetime) -> StoryList:
    """Stories the user may open whose agency copy was killed, withheld or sent in a new version
    since they were taken from it, not yet dealt with: kills and withholdings first, then new
    versions, the newest notice first; each with ``agency_kind`` and ``agency_label``."""
    urgent = Case(
        When(agency_alert_kind__in=admin_agency.URGENT, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    # Not a story killed for legal reasons: it is off every page already, and read-only, so
    # nobody could clear the notice.
    stories = (
        visible_stories(user)
        .filter(agency_alert_at__isnull=False)
        .exclude(status=Status.KILLED)
        .annotate(agency_order=urgent)
        .order_by("agency_order", "-agency_alert_at", "-pk")
    )
    listed = _listed(stories, AGENCY_SHOWN)
    for story in listed.stories:
        kind = story.agency_alert_kind or admin_agency.UPDATED
        story.agency_kind = kind if kind in admin_agency.DESK_LABELS else admin_agency.UPDATED
        story.agency_label = admin_agency.DESK_LABELS[story.agency_kind]
    return listed


def live_coverage(*, user, now: dt.datetime) -> StoryList:
    """Live stories whose coverage is still open: every one for editors, those under their own
    byline for reporters (who add entries to them after publication, ``articles.live``)."""
    stories = Article.objects.filter(is_live=True, live_closed_at__isnull=True).exclude(
        status=Status.KILLED
    )
    if not user.has_perm("articles.edit_any_article"):
        stories = stories.filter(
            Exists(Byline.objects.filter(article=OuterRef("pk"), reporter__user=user))
        )
    return _listed(stories.order_by("-published_at", "-pk"), LIVE_SHOWN)


def desk(*, user, now: dt.datetime) -> Desk:
    """Every list on ``user``'s desk, the bylines of all their stories fetched together."""
    # Published stories open in the admin only for those who may edit any story.
    sees_published = user.has_perm("articles.edit_any_article")
    found = Desk(
        is_editor=services.is_editor(user),
        drafts=my_drafts(user=user, now=now),
        review=review_queue(user=user, now=now),
        needs_headline=wire_needing_headlines(user=user, now=now),
        editing=being_edited(user=user, now=now),
        agency=agency_alerts(user=user, now=now),
        scheduled=scheduled(user=user, now=now) if sees_published else None,
        recent=recently_published(user=user, now=now) if sees_published else None,
        live=live_coverage(user=user, now=now) if user.has_perm("articles.add_liveentry") else None,
    )
    listed = [
        story
        for stories in (
            found.agency,
            found.drafts,
            found.review,
            found.needs_headline,
            found.scheduled,
            found.recent,
            found.live,
        )
        if stories is not None
        for story in stories.stories
    ]
    prefetch_related_objects(
        listed, Prefetch("bylines", queryset=Byline.objects.select_related("reporter"))
    )
    for story in listed:
        story.embargoed_until = (
            story.embargo_until if services.embargo_holds(story, now=now) else None
        )
    return found
