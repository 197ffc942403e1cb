"""Wire copy into stories: the writes behind ``manage.py import_article`` and the admin upload.

``articles.wire`` reads a file into fields; ``article_import`` turns one parsed story into a
story with its byline, in one transaction, and ``import_files`` runs a batch, one transaction a
file, so a bad file never stops or half-saves the others. Both the command and the admin page use
``import_files``, so an editor sees the same result for a file wherever they import it.
"""

import datetime as dt
import errno
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import reversion
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from people.models import Reporter

from . import mentions, services, wire
from .models import Article, Byline, Section, TaggedArticle

IMPORTED, SKIPPED, FAILED = "imported", "skipped", "failed"
MAX_HEADLINE = Article._meta.get_field("headline").max_length
# Slugs are cut at a word to this length, leaving room for a "-2" on a clash.
SLUG_BASE_LENGTH = 80
# Wire copy is a few kilobytes; anything this large is not a story.
MAX_FILE_SIZE = 2 * 1024 * 1024


class ImportRefused(Exception):
    """The copy is fine but cannot be imported as asked (publishing without a headline, no
    section to put it in, a reporter the user may not create), or the file is not one to read (a
    symbolic link). A source may be given as one instead of its bytes."""


class TooLarge(Exception):
    """A file over ``MAX_FILE_SIZE``, given as a source instead of its bytes by a caller that
    knows its real size (the file's stat, an upload's ``size``) and so never reads it whole."""

    def __init__(self, size: int | None):
        self.size = size
        super().__init__(size)


def human_size(size: int) -> str:
    """1536 -> "1.5 KB", 5662310 -> "5.4 MB", in the 1,024-based units the limit is set in."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size:,} bytes"


def too_large_message(size: int | None) -> str:
    """ "5.4 MB; wire copy is at most 2 MB", with the bytes when the rounded figures look alike."""
    limit = human_size(MAX_FILE_SIZE)
    if size is None:
        return f"more than {limit}; wire copy is at most {limit}"
    shown = human_size(size)
    if shown == limit:
        return f"{size:,} bytes; wire copy is at most {limit} ({MAX_FILE_SIZE:,} bytes)"
    return f"{shown}; wire copy is at most {limit}"


@dataclass
class ImportResult:
    """What happened to one file: imported (or would be, in a dry run), skipped, or failed."""

    filename: str
    outcome: str
    message: str = ""
    dry_run: bool = False
    article: Article | None = None  # the new story; for a skipped file, the one it repeats
    headline: str = ""
    slug: str = ""
    status: str = ""
    published_at: dt.datetime | None = None
    embargo_until: dt.datetime | None = None
    scheduled: bool = False  # published for when its embargo lifts
    needs_headline: bool = False
    reporter: str = ""
    new_reporter: bool = False
    people: list[str] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    line: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome != FAILED

    def describe(self) -> str:
        """One line for a person: what was (or would be) done with the file, and why."""
        if self.outcome == FAILED:
            return self.message
        filename = wire.visible(self.filename)
        if self.outcome == SKIPPED:
            return f"{filename}: skipped, {self.message}"
        verb = "would be imported" if self.dry_run else "imported"
        state = "published" if self.status == Article.Status.PUBLISHED else "a draft"
        if self.scheduled:
            state = (
                f"scheduled for {services.local_time(self.published_at)}, when its embargo lifts"
            )
        elif self.embargo_until is not None:
            state += f", embargoed until {services.local_time(self.embargo_until)}"
        parts = [f"{filename}: {verb} as “{self.headline}” ({state}, /{self.slug}/)"]
        if self.needs_headline:
            parts.append("provisional headline, needs an editor's headline")
        byline = f"byline {self.reporter}" + (" (new reporter)" if self.new_reporter else "")
        parts.append(byline)
        named = self.people + self.organizations
        if named:
            parts.append("mentions " + ", ".join(named))
        return "; ".join(parts)


def files_to_read(paths: Iterable[str], *, suffix: str = "") -> list[tuple[Path, Path | None]]:
    """Each file a command was given, with the folder it was found in (None for a file named
    itself): a folder gives its files (ending in ``suffix``, if given), less hidden ones. Raises
    ``ImportRefused`` for a folder with none. A missing file is listed, to be reported with the
    others, and so is a link, whatever it points at, to be refused by ``read_source``."""
    files: dict[Path, Path | None] = {}
    for name in paths:
        path = Path(name)
        if not path.is_dir():
            files.setdefault(path, None)
            continue
        found = sorted(
            child
            for child in path.iterdir()
            if child.name.endswith(suffix)
            and not child.name.startswith(".")
            and (child.is_symlink() or child.is_file())
        )
        if not found:
            raise ImportRefused(f"{path}: no {suffix + ' ' if suffix else ''}files in this folder.")
        for child in found:
            files.setdefault(child, path)
    return list(files.items())


def read_source(path: Path, folder: Path | None, *, limit: int = MAX_FILE_SIZE):
    """A file's bytes, or why not, as ``import_files`` takes a source (also used by the wire's
    ``ingest`` and inbox). Links are never followed, in a folder or named directly (an operator
    who means the file it points at passes that file's real path), nor is anything that resolves
    outside the folder it was found in. At most ``limit`` bytes are read; a larger file is
    refused with its real size (``TooLarge``)."""
    link = ImportRefused(
        "it is a symbolic link, and links are not followed. Pass the real path of the file "
        "it points to if that is the copy you mean."
    )
    try:
        if path.is_symlink():
            return link
        if folder is not None and not path.resolve().is_relative_to(folder.resolve()):
            return ImportRefused(f"it resolves to a file outside {folder}.")
        # O_NOFOLLOW: a file swapped for a link since the check above is still not followed.
        # O_NONBLOCK: a named pipe is refused below instead of hanging the command.
        flags = os.O_RDONLY | getattr(os, "O_BINARY", 0)
        flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(path, flags)
        except OSError as error:
            if error.errno == errno.ELOOP:
                return link
            raise
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                return ImportRefused("it is not a regular file.")
            if info.st_size > limit:
                return TooLarge(info.st_size)
            # One byte over the limit is enough for the import to refuse a file that grew.
            return file.read(limit + 1)
    except OSError as error:
        return OSError(error.strerror or str(error))


def default_section() -> Section | None:
    """Where imported stories go unless told otherwise: the first section in the navigation."""
    return Section.objects.order_by("order", "name", "pk").first()


def unique_slug(text: str, *, model=Article, fallback: str = "story") -> str:
    """A slug from ``text`` that no row of ``model`` has yet: "-2", "-3" … added on a clash.

    Call it inside the transaction that saves the row; the unique constraint is the real guard,
    and ``_save_with_unique_slug`` retries if someone took the slug in between.
    """
    full = slugify(text)
    base = full[:SLUG_BASE_LENGTH]
    if len(full) > SLUG_BASE_LENGTH and "-" in base:
        base = base.rsplit("-", 1)[0]  # cut at a word, not inside one
    base = base.strip("-") or fallback
    manager = model._default_manager
    if connections[manager.db].vendor == "sqlite":
        # SQLite's LIKE ignores case, so it cannot use the slug's index: at 100,000 stories each
        # import read the whole table (140 ms). A range of the index finds the same slugs.
        numbered = Q(slug__gte=f"{base}-", slug__lt=f"{base}.")
    else:
        numbered = Q(slug__startswith=f"{base}-")
    taken = set(manager.filter(Q(slug=base) | numbered).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _save_with_unique_slug(obj, source_text: str, *, fallback: str, attempts: int = 5) -> None:
    model = type(obj)
    for attempt in range(attempts):
        obj.slug = unique_slug(source_text, model=model, fallback=fallback)
        try:
            with transaction.atomic():
                obj.save()
            return
        except IntegrityError:
            # Taken by a concurrent save since we looked; anything else is a real error.
            if attempt == attempts - 1 or not model._default_manager.filter(slug=obj.slug).exists():
                raise


def _check_permissions(user, *, publish: bool) -> None:
    if user is None:
        return  # the command line: whoever runs manage.py runs the site
    if not user.has_perm("articles.add_article"):
        raise PermissionDenied("You may not add stories.")
    if publish and not services.is_editor(user):
        raise PermissionDenied("Only an editor can publish: import the story as a draft.")


def _check_byline(user, email: str, reporter: Reporter | None) -> None:
    """Whose byline a user may file under: the desk (``edit_any_article``) and the command line
    run without ``--user`` anyone's; everyone else only their own, the reporter linked to their
    login, so nobody files a story under a colleague's name by putting their email on line 3."""
    if user is None or user.has_perm("articles.edit_any_article"):
        return
    own = Reporter.objects.filter(user=user).first()
    if own is not None and reporter is not None and own.pk == reporter.pk:
        return
    if own is None:
        raise PermissionDenied(
            f"the copy is filed under {email}, and your login is not linked to a reporter's "
            "byline. Only an editor may import copy filed under someone else's email."
        )
    raise PermissionDenied(
        f"the copy is filed under {email}, not your own email ({own.email}). Only an editor may "
        "import another reporter's copy."
    )


def _reporter_for(copy: wire.WireCopy, *, user, dry_run: bool) -> tuple[Reporter, bool]:
    """The byline's reporter, matched by email in any case; created from the copy if new.
    Anyone but the desk must be that reporter (``_check_byline``).

    The reporter's row is locked until the story is saved, so two imports of the same copy at
    once queue here and the second one finds the first one's story (the fingerprint includes the
    email). A new email is serialised by the database's case-insensitive unique email constraint.
    """
    existing = Reporter.objects.filter(email__iexact=copy.reporter_email).order_by("pk")
    reporter = existing.select_for_update().first() if not dry_run else existing.first()
    if reporter is not None:
        _check_byline(user, copy.reporter_email, reporter)
        return reporter, False
    if user is not None and not user.has_perm("people.add_reporter"):
        raise PermissionDenied(
            f"no reporter has the email {copy.reporter_email}, and you may not add reporters. "
            "Ask an editor to add the reporter or to import this story."
        )
    _check_byline(user, copy.reporter_email, None)
    reporter = Reporter(name=copy.reporter_name, email=copy.reporter_email, job_title="Reporter")
    if dry_run:
        reporter.slug = unique_slug(copy.reporter_name, model=Reporter, fallback="reporter")
        return reporter, True
    try:
        with transaction.atomic():
            _save_with_unique_slug(reporter, copy.reporter_name, fallback="reporter")
    except IntegrityError:
        # The same email was just added by someone else: use theirs.
        reporter = existing.select_for_update().first()
        if reporter is None:
            raise
        return reporter, False
    return reporter, True


def _clean_headline(headline: str | None) -> str | None:
    if headline is None:
        return None
    headline = " ".join(headline.split())
    if not headline:
        return None
    if len(headline) > MAX_HEADLINE:
        raise ImportRefused(f"the headline is {len(headline)} characters (at most {MAX_HEADLINE}).")
    return headline


def article_import(
    *,
    parsed: wire.WireCopy,
    user=None,
    publish: bool = False,
    headline: str | None = None,
    allow_duplicate: bool = False,
    dry_run: bool = False,
    section: Section | None = None,
    embargo_until: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> ImportResult:
    """Make a story from parsed wire copy, with its byline and the mentions found in its text.

    Drafts unless ``publish`` (an editor's decision, so only an editor may ask for it, and only
    with an editor's ``headline``: without one the headline is the first sentence, flagged as
    provisional). Copy already imported (same fingerprint) is skipped unless ``allow_duplicate``.
    ``dry_run`` works everything out, the same way, and writes nothing. ``embargo_until`` holds
    the story until then: published with an embargo still to come, it is scheduled for the
    embargo's time (``services.check_embargo`` allows nothing earlier).

    Raises ``ImportRefused`` or ``PermissionDenied`` when the story cannot be imported as asked.
    (Over 60 lines only by its nine keyword arguments, one a line, and this docstring.)
    """
    headline, section = _checked_request(user, publish=publish, headline=headline, section=section)
    now = now or timezone.now()
    result = ImportResult(filename=parsed.filename, outcome=IMPORTED, dry_run=dry_run)

    with transaction.atomic():
        reporter, result.new_reporter = _reporter_for(parsed, user=user, dry_run=dry_run)
        result.reporter = reporter.name
        fingerprint = parsed.fingerprint
        earlier = None if allow_duplicate else _earlier_import(fingerprint)
        if earlier is not None:
            result.outcome, result.article = SKIPPED, earlier
            result.headline, result.slug = earlier.headline, earlier.slug
            result.message = (
                f"already imported as “{earlier.headline}” (/{earlier.slug}/, story #{earlier.pk})."
            )
            return result

        article = Article(
            headline=headline or parsed.provisional_headline,
            needs_headline=headline is None,
            body=parsed.body_html,
            dateline=parsed.dateline,
            section=section,
            status=Article.Status.PUBLISHED if publish else Article.Status.DRAFT,
            published_at=max(now, embargo_until or now) if publish else None,
            embargo_until=embargo_until,
            wire_hash=fingerprint,
            created_by=user,
            modified_by=user,
        )
        result.headline, result.needs_headline = article.headline, article.needs_headline
        result.status, result.published_at = article.status, article.published_at
        result.embargo_until = embargo_until
        result.scheduled = publish and article.published_at > now
        services.check_embargo(
            stored=None,
            status=article.status,
            published_at=article.published_at,
            embargo_until=embargo_until,
            now=now,
        )
        if dry_run:
            result.slug = unique_slug(article.headline)
            people, organizations = mentions.find_mentions(parsed.text)
        else:
            people, organizations = save_new_story(
                article,
                reporters=[reporter],
                user=user,
                now=now,
                comment=f"Imported from wire copy {parsed.filename}.",
            )
            result.slug, result.article = article.slug, article
        result.people = [person.name for person in people]
        result.organizations = [organization.name for organization in organizations]
    return result


def _checked_request(
    user, *, publish: bool, headline: str | None, section: Section | None
) -> tuple[str | None, Section]:
    """The import as asked, refused if the user may not or it cannot be done: the cleaned
    headline (None for a provisional one) and the section."""
    _check_permissions(user, publish=publish)
    headline = _clean_headline(headline)
    if publish and headline is None:
        raise ImportRefused(
            "a story is published only with an editor's headline: give one, or import it as a "
            "draft (it gets a provisional headline to replace)."
        )
    section = section or default_section()
    if section is None:
        raise ImportRefused("there is no section to put the story in: add a section first.")
    return headline, section


def _earlier_import(fingerprint: str) -> Article | None:
    """The story already made from the same copy, if any."""
    return Article.objects.filter(wire_hash=fingerprint).order_by("pk").first()


def save_new_story(
    article: Article,
    *,
    reporters: Iterable[Reporter] = (),
    tags: Iterable[str] = (),
    user,
    now: dt.datetime,
    comment: str,
):
    """Save a story made from copy (imported, or taken from the wire queue) with its bylines,
    tags, first workflow step, mentions and first revision (``comment`` says where it came from);
    return the people and organizations it mentions. The caller holds the transaction."""
    _save_with_unique_slug(article, article.headline, fallback="story")
    Byline.objects.bulk_create(
        Byline(article=article, reporter=reporter, order=order)
        for order, reporter in enumerate(reporters)
    )
    _add_tags(article, tags)
    services.record_transition(article=article, from_status="", user=user, now=now)
    found = mentions.link_mentions(article=article)
    _record_revision(article, user=user, comment=comment)
    return found


def _add_tags(article: Article, names: Iterable[str]) -> None:
    """Tag a new story in three queries however many tags (taggit's ``tags.add`` makes each new
    tag in a query of its own). Names are matched in any case, as ``TAGGIT_CASE_INSENSITIVE``."""
    wanted: dict[str, str] = {}
    for name in names:
        name = " ".join(name.split())[: Tag._meta.get_field("name").max_length]
        if name and slugify(name):
            wanted.setdefault(name.lower(), name)
    if not wanted:
        return
    existing = {tag.name.lower(): tag for tag in _tags_named(wanted)}
    new = [
        Tag(name=name, slug=slugify(name)[:100])
        for key, name in wanted.items()
        if key not in existing
    ]
    if new:
        Tag.objects.bulk_create(new, ignore_conflicts=True)  # a slug taken by another name: skipped
        existing = {tag.name.lower(): tag for tag in _tags_named(wanted)}
    TaggedArticle.objects.bulk_create(
        TaggedArticle(content_object=article, tag=tag) for tag in existing.values()
    )


def _tags_named(wanted: dict[str, str]) -> list[Tag]:
    named = Q()
    for name in wanted.values():
        named |= Q(name__iexact=name)
    return list(Tag.objects.filter(named))


def _record_revision(article: Article, *, user, comment: str) -> None:
    """The imported text as the story's first revision, so History can show what editors changed."""
    if not reversion.is_registered(Article):
        return
    with reversion.create_revision(atomic=False):
        if user is not None:
            reversion.set_user(user)
        reversion.set_comment(comment)
        reversion.add_to_revision(article)


def failed(filename: str, message: str, *, line: int | None = None) -> ImportResult:
    return ImportResult(filename=filename, outcome=FAILED, message=message, line=line)


def import_files(
    sources: Iterable[tuple[str, bytes | Exception]],
    *,
    progress: Callable[[ImportResult], None] | None = None,
    **options,
) -> list[ImportResult]:
    """Import each ``(filename, bytes)`` on its own; a failure stops only that file.

    ``options`` are ``article_import``'s. A source whose bytes could not be read may be given as
    the exception instead, and is reported as failed: ``TooLarge`` for a file over the limit (with
    its real size), ``ImportRefused`` for one not to be read at all. ``progress`` is called after
    each file.
    """
    results = []
    seen: dict[str, str] = {}  # fingerprint -> file, for copies repeated within a dry run
    for filename, data in sources:
        result = _import_one(filename, data, seen=seen, **options)
        results.append(result)
        if progress is not None:
            progress(result)
    return results


def _import_one(filename: str, data, *, seen: dict[str, str], **options) -> ImportResult:
    shown = wire.visible(filename)
    if isinstance(data, TooLarge):
        return failed(filename, f"{shown}: too large ({too_large_message(data.size)}).")
    if isinstance(data, ImportRefused):
        return failed(filename, f"{shown}: not imported: {data}")
    if isinstance(data, Exception):
        return failed(filename, f"{shown}: cannot be read ({data}).")
    if len(data) > MAX_FILE_SIZE:
        # Only the first MAX_FILE_SIZE + 1 bytes were read, so the real size is not known here.
        return failed(filename, f"{shown}: too large ({too_large_message(None)}).")
    try:
        parsed = wire.parse(data, filename)
        earlier = seen.get(parsed.fingerprint)
        if earlier and options.get("dry_run") and not options.get("allow_duplicate"):
            # A real run would import the first file and then skip this one as a repeat.
            return ImportResult(
                filename=filename,
                outcome=SKIPPED,
                dry_run=True,
                message=f"the same copy as {earlier}, which is imported first.",
            )
        seen.setdefault(parsed.fingerprint, filename)
        return article_import(parsed=parsed, **options)
    except wire.WireError as error:
        return failed(filename, str(error), line=error.line)
    except (ImportRefused, PermissionDenied) as refusal:
        return failed(filename, f"{shown}: not imported: {refusal}")
    except DatabaseError as error:
        # The file's transaction has been rolled back; the other files go on.
        return failed(filename, f"{shown}: not saved, the database refused it ({error}).")


def summary(results: list[ImportResult], *, dry_run: bool = False) -> str:
    """“3 stories imported, 1 skipped (already imported), 1 failed.” in newsroom words."""
    imported = sum(result.outcome == IMPORTED for result in results)
    skipped = sum(result.outcome == SKIPPED for result in results)
    failures = sum(result.outcome == FAILED for result in results)
    story = "story" if imported == 1 else "stories"
    verb = "would be imported" if dry_run else "imported"
    scheduled = sum(result.outcome == IMPORTED and result.scheduled for result in results)
    held = f" ({scheduled} scheduled for when the embargo lifts)" if scheduled else ""
    text = (
        f"{imported} {story} {verb}{held}, {skipped} skipped (already imported), {failures} failed"
    )
    return text + (". Dry run: nothing was saved." if dry_run else ".")
