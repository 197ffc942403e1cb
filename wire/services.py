"""The wire queue's writes: items received (``receive``, ``ingest_file``) and taken to a draft
story (``take_to_draft``).

A file is taken whole or not at all (one transaction a file, as ``articles.importing`` does for
plain-text copy), so an agency's message of three items never leaves one of them behind. An item
is known by its provider and uri; a later version replaces the queued one, an older or equal one is
skipped (unless it kills or withholds the item), and a kill or a new version of an item a story
was taken from sets the story's ``agency_alert`` (the story's text is the editor's: the agency
never changes it).
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from articles import importing, services
from articles import wire as copy_format
from articles.html import sanitize_html
from articles.models import AGENCY_KILLED, AGENCY_UPDATED, AGENCY_WITHHELD, Article, Section

from . import formats
from .models import Subject, WireItem

NEW, UPDATED, KILLED, SKIPPED = "new", "updated", "killed", "skipped"
MAX_HEADLINE = Article._meta.get_field("headline").max_length
MAX_DATELINE = Article._meta.get_field("dateline").max_length
MAX_CREDIT = Article._meta.get_field("credit").max_length


class TakeRefused(Exception):
    """An item that cannot be taken to a draft story, in words for the editor."""


@dataclass
class Received:
    """What became of one item of a file."""

    outcome: str  # NEW, UPDATED, KILLED or SKIPPED
    item: WireItem
    message: str = ""

    def describe(self) -> str:
        item = self.item
        what = (
            f"“{copy_format.excerpt(item.headline, 80)}” ({item.provider}, version {item.version})"
        )
        if self.outcome == SKIPPED:
            return f"skipped {what}: {self.message}"
        return {NEW: "new", UPDATED: "updated", KILLED: "KILLED"}[self.outcome] + f" {what}"


@dataclass
class FileResult:
    """One file: the items it brought, or why it was refused (then nothing of it was saved)."""

    filename: str
    received: list[Received] = field(default_factory=list)
    error: str = ""
    retry: bool = False  # refused for a passing reason (the database unreachable), not the file

    @property
    def ok(self) -> bool:
        return not self.error

    def describe(self) -> str:
        if self.error:
            return self.error
        parts = "; ".join(received.describe() for received in self.received)
        return f"{copy_format.visible(self.filename)}: {parts}"


def _fields(parsed: formats.Item, *, now: dt.datetime) -> dict:
    return {
        "version": parsed.version,
        # An agency clock ahead of ours must not pin an item to the top of the queue.
        "versioncreated": min(parsed.versioncreated or now, now),
        "pubstatus": parsed.pubstatus,
        "embargo_until": parsed.embargo_until,
        "headline": parsed.headline,
        "standfirst": parsed.standfirst,
        "byline": parsed.byline,
        "dateline": parsed.dateline,
        "language": parsed.language,
        "body": sanitize_html(parsed.body_html),
        "format": parsed.format,
        "raw": parsed.raw,
        "reporter_email": parsed.reporter_email,
        "received_at": now,
    }


# What a kill notice without copy leaves as it was.
_CONTENT = ("headline", "standfirst", "byline", "dateline", "language", "body", "format")


def receive(parsed: formats.Item, *, filename: str, now: dt.datetime) -> Received:
    """Put one item in the queue: new, a newer version of a queued item (replacing it), or
    skipped when the queue already has this version or a later one. A kill (or withholding, or
    its lifting) counts even at the version the queue has: agencies do not always raise it.
    Call it in a transaction."""
    # The agency in any case: "Xinhua" in one version's name, "XINHUA" in the next one's code.
    existing = (
        WireItem.objects.select_for_update()
        .filter(provider__iexact=parsed.provider, uri=parsed.uri)
        .first()
    )
    status_change = existing is not None and parsed.pubstatus != existing.pubstatus
    if existing is not None and (
        parsed.version < existing.version
        or (parsed.version == existing.version and not status_change)
    ):
        return Received(
            SKIPPED,
            existing,
            f"the queue already has version {existing.version} of this item, and this is "
            f"version {parsed.version}.",
        )
    item = existing or WireItem(provider=parsed.provider, uri=parsed.uri)
    earlier_version = item.version if existing else None
    for name, value in _fields(parsed, now=now).items():
        if existing is not None and name in _CONTENT and not parsed.headline:
            continue  # a bare kill notice: the queue keeps the copy it had
        setattr(item, name, value)
    if not item.headline:
        notice = "kill" if parsed.pubstatus == formats.CANCELED else "withholding"
        item.headline = f"(No headline: {parsed.provider} sent only a {notice} of {parsed.uri})"
    item.filename = filename[: WireItem._meta.get_field("filename").max_length]
    item.is_update = existing is not None
    killed = parsed.pubstatus != formats.USABLE
    item.killed_at = (item.killed_at or now) if killed else None
    item.save()
    if parsed.headline or existing is None:
        item.subjects.set(_subjects(parsed.subjects))
    if item.story_id is not None:
        _alert_story(item, earlier_version=earlier_version, now=now)
    return Received(KILLED if killed else UPDATED if existing else NEW, item)


def _subjects(subjects: Iterable[formats.Subject]) -> list[Subject]:
    """The queue's subjects for these codes, made when new (two queries however many)."""
    named = {subject.code: subject.name for subject in subjects}
    if not named:
        return []
    Subject.objects.bulk_create(
        [Subject(code=code, name=name) for code, name in named.items()], ignore_conflicts=True
    )
    found = list(Subject.objects.filter(code__in=named))
    # A subject first sent with only its code is named when an agency names it.
    unnamed = [s for s in found if s.name == s.code and named[s.code] != s.code]
    for subject in unnamed:
        subject.name = named[subject.code]
    if unnamed:
        Subject.objects.bulk_update(unnamed, ["name"])
    return found


def _alert_story(item: WireItem, *, earlier_version: int | None, now: dt.datetime) -> None:
    """Tell the desk and the story's form what the agency sent after the story was taken. Only
    the alert is written (an update, no revision): the story's text is the editor's."""
    when = services.local_time(now)
    if item.pubstatus == WireItem.PubStatus.CANCELED:
        kind = AGENCY_KILLED
        text = (
            f"{item.provider} killed the item this story was taken from ({when}, version "
            f"{item.version}). Do not publish it; if it is published, withdraw it."
        )
    elif item.pubstatus == WireItem.PubStatus.WITHHELD:
        kind = AGENCY_WITHHELD
        text = (
            f"{item.provider} withheld the item this story was taken from ({when}, version "
            f"{item.version}). Hold the story until the agency releases the item again."
        )
    else:
        kind = AGENCY_UPDATED
        text = (
            f"{item.provider} sent version {item.version} of the item this story was taken from "
            f"({when}; the queue had version {earlier_version} before). Compare the wire "
            "queue's copy with the story."
        )
    Article.objects.filter(pk=item.story_id).update(
        agency_alert=text, agency_alert_kind=kind, agency_alert_at=now
    )


def ingest_file(
    filename: str, data: bytes | Exception, *, provider: str = "", now: dt.datetime | None = None
) -> FileResult:
    """Read one file's items into the queue, all of them or, if any is refused, none."""
    shown = copy_format.visible(filename)
    if isinstance(data, importing.TooLarge):
        return FileResult(filename, error=f"{shown}: {formats.too_large(data.size)}")
    if isinstance(data, importing.ImportRefused):
        return FileResult(filename, error=f"{shown}: not taken: {data}")
    if isinstance(data, Exception):
        return FileResult(filename, error=f"{shown}: cannot be read ({data}).")
    now = now or timezone.now()
    try:
        items = formats.parse(data, filename, provider=provider)
    except formats.IngestError as error:
        return FileResult(filename, error=str(error))
    try:
        try:
            return _receive_file(filename, items, now=now)
        except IntegrityError:
            # Another worker queued one of these items between our look and our insert: look
            # again, once, and find theirs.
            return _receive_file(filename, items, now=now)
    except (OperationalError, InterfaceError) as error:
        # The database is unreachable or busy, not the file at fault: try it again later.
        return FileResult(filename, error=_refused(shown, error), retry=True)
    except DatabaseError as error:
        # The file's transaction has been rolled back; the other files go on.
        return FileResult(filename, error=_refused(shown, error))


def _receive_file(filename: str, items: list[formats.Item], *, now: dt.datetime) -> FileResult:
    with transaction.atomic():
        return FileResult(filename, [receive(item, filename=filename, now=now) for item in items])


def _refused(shown: str, error: Exception) -> str:
    return f"{shown}: not saved, the database refused it ({error})."


def ingest_sources(
    sources: Iterable[tuple[str, bytes | Exception]],
    *,
    provider: str = "",
    progress: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Each ``(filename, bytes)`` on its own: a refused file stops only itself."""
    results = []
    for filename, data in sources:
        result = ingest_file(filename, data, provider=provider)
        results.append(result)
        if progress is not None:
            progress(result)
    return results


def summary(results: list[FileResult]) -> str:
    """“12 items queued from 10 files: 8 new, 3 updated, 1 killed; 2 skipped (the queue had that
    version or a later one); 1 file refused.”"""
    outcomes = [received.outcome for result in results for received in result.received]
    queued = len(outcomes) - outcomes.count(SKIPPED)
    files, refused = len(results), sum(not result.ok for result in results)
    return (
        f"{queued} item{pluralize(queued)} queued from {files} file{pluralize(files)}: "
        f"{outcomes.count(NEW)} new, {outcomes.count(UPDATED)} updated, "
        f"{outcomes.count(KILLED)} killed; {outcomes.count(SKIPPED)} skipped (the queue had that "
        f"version or a later one); {refused} file{pluralize(refused)} refused."
    )


def credit_for(item: WireItem) -> str:
    """The agency credit printed as the story's byline: “By Jane Doe, Reuters”, or the agency
    alone when it sent no byline."""
    name = " ".join(item.byline.split())
    if name.lower().startswith("by "):
        name = name[3:].strip()
    if not name:
        return item.provider[:MAX_CREDIT]
    if item.provider.lower() in name.lower():
        return f"By {name}"[:MAX_CREDIT]
    return f"By {name}, {item.provider}"[:MAX_CREDIT]


def may_take(user) -> bool:
    """Whether ``user`` may take wire copy to a draft story."""
    return user.has_perm("wire.take_wireitem") and user.has_perm("articles.add_article")


def _check_take(item: WireItem, user) -> None:
    if not may_take(user):
        raise PermissionDenied("You may not take wire copy to a story.")
    if item.pubstatus == WireItem.PubStatus.CANCELED:
        raise TakeRefused(
            f"{item.provider} killed this item (version {item.version}): it cannot be used."
        )
    if item.pubstatus == WireItem.PubStatus.WITHHELD:
        raise TakeRefused(
            f"{item.provider} withheld this item (version {item.version}): it cannot be used "
            "until the agency releases it again."
        )
    if item.story_id is not None:
        story = item.story
        raise TakeRefused(f"This item was already taken as “{story.headline}” (story #{story.pk}).")


def take_to_draft(
    *, item: WireItem, user, section: Section | None = None, now: dt.datetime | None = None
) -> Article:
    """A draft story from a queued item, which then remembers it. Raises ``PermissionDenied``
    or ``TakeRefused``. A fixed number of queries, however many subjects or mentions."""
    now = now or timezone.now()
    with transaction.atomic():
        # Only the item's row is locked (PostgreSQL refuses to lock the outer join's side).
        item = (
            WireItem.objects.select_for_update(of=("self",)).select_related("story").get(pk=item.pk)
        )
        _check_take(item, user)
        section = section or importing.default_section()
        if section is None:
            raise TakeRefused("There is no section to put the story in: add a section first.")
        if item.format == WireItem.Format.PLAIN_TEXT:
            story = _take_copy(item, user=user, section=section, now=now)
        else:
            story = _take_agency_item(item, user=user, section=section, now=now)
        item.story, item.taken_at, item.taken_by = story, now, user
        item.save(update_fields=["story", "taken_at", "taken_by"])
    return story


def _take_agency_item(item: WireItem, *, user, section: Section, now: dt.datetime) -> Article:
    headline = copy_format.cut_at_word(" ".join(item.headline.split()), MAX_HEADLINE)
    dateline = copy_format.cut_at_word(" ".join(item.dateline.split()), MAX_DATELINE)
    story = Article(
        headline=headline,
        needs_headline=headline != " ".join(item.headline.split()),  # cut: an editor's job
        standfirst=item.standfirst,
        body=sanitize_html(item.body),
        dateline=dateline,
        section=section,
        status=Article.Status.DRAFT,
        embargo_until=item.embargo_until,
        credit=credit_for(item),
        created_by=user,
        modified_by=user,
    )
    importing.save_new_story(
        story,
        # A subject the agency sent without a name (only "medtop:11000000") makes no tag.
        tags=[subject.name for subject in item.subjects.all() if subject.name != subject.code],
        user=user,
        now=now,
        comment=f"Taken from the wire: {item.provider} item {item.uri}, version {item.version}.",
    )
    return story


def _take_copy(item: WireItem, *, user, section: Section, now: dt.datetime) -> Article:
    """Plain-text copy from a reporter: the byline is theirs (matched by email), as on import."""
    parsed = copy_format.parse(item.raw.encode(), item.filename)
    try:
        result = importing.article_import(
            parsed=parsed, user=user, section=section, embargo_until=item.embargo_until, now=now
        )
    except importing.ImportRefused as refusal:
        raise TakeRefused(str(refusal)[:1].upper() + str(refusal)[1:]) from None
    if result.outcome == importing.SKIPPED:
        raise TakeRefused(f"This copy was {result.message}")
    return result.article
