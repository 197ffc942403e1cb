"""The watched folder (``WIRE_INBOX``): agencies deliver files into it; ``poll`` takes each into
the wire queue and files it away.

    inbox/            new files, delivered by the agency (written under a hidden or .part/.tmp
                      name, then renamed, so a file is never read half-written)
    inbox/.taking/    a file being taken: a worker claims it by moving it here (a rename is atomic,
                      so two workers polling at once never take the same file); one left here by
                      a worker that died is put back after ten minutes
    inbox/taken/      files whose items are in the queue
    inbox/refused/    files that were refused, each beside a ``.why.txt`` saying where and why

Nothing is deleted: an editor can always find what an agency sent and what became of it.
"""

import datetime as dt
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from django.utils import timezone

from articles import importing

from . import formats, services

# Under the tasks' logger, so that ``manage.py worker`` prints what the inbox took.
logger = logging.getLogger("newsroom.tasks.wire")

TAKING, TAKEN, REFUSED = ".taking", "taken", "refused"
# A file changed in the last few seconds may still be being written by an agency that does not
# rename when done: it is left for the next poll.
SETTLE_SECONDS = 2.0
STILL_BEING_WRITTEN = (".part", ".tmp", ".partial", ".filepart", ".crdownload")


def waiting(inbox: Path, *, now: float | None = None) -> list[Path]:
    """The files delivered and settled, by name: regular files, and links (to be refused by
    ``poll``), none hidden or still being written."""
    now = time.time() if now is None else now
    found = []
    for path in sorted(inbox.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() in STILL_BEING_WRITTEN:
            continue
        try:
            info = path.lstat()
        except FileNotFoundError:  # taken by another worker since the listing
            continue
        if (path.is_symlink() or path.is_file()) and now - info.st_mtime >= SETTLE_SECONDS:
            found.append(path)
    return found


def poll(
    inbox: Path,
    *,
    provider: str = "",
    progress: Callable[[services.FileResult], None] | None = None,
    now: dt.datetime | None = None,
) -> list[services.FileResult]:
    """Take every waiting file of ``inbox`` into the wire queue and file it under taken/ or
    refused/ (``provider`` names the agency for items that do not). A file another worker
    claimed first is left to it; one the database could not take now is put back for the next
    poll; one a worker died holding is put back by the next poll after ``STALE_SECONDS``."""
    for folder in (TAKING, TAKEN, REFUSED):
        (inbox / folder).mkdir(exist_ok=True)
    _put_back_stale(inbox)
    results = []
    for path in waiting(inbox):
        claimed = inbox / TAKING / path.name
        try:
            # Its time is now when it is claimed, so that ``_put_back_stale`` counts from then.
            os.utime(path, follow_symlinks=False)
            os.rename(path, claimed)  # a link is moved, never followed
        except FileNotFoundError:
            continue  # another worker claimed it
        result = _take(claimed, provider=provider, now=now or timezone.now())
        if result.retry:
            os.rename(claimed, path)
            logger.warning("Wire inbox: %s It stays in the inbox for the next poll.", result.error)
            continue
        _file_away(claimed, inbox / (TAKEN if result.ok else REFUSED), result)
        results.append(result)
        (logger.info if result.ok else logger.warning)("Wire inbox: %s", result.describe())
        if progress is not None:
            progress(result)
    if results:
        logger.info("Wire inbox: %s", services.summary(results))
    return results


def _take(claimed: Path, *, provider: str, now: dt.datetime) -> services.FileResult:
    if claimed.is_symlink():
        return services.FileResult(claimed.name, error=f"{claimed.name}: {_LINK}")
    data = importing.read_source(claimed, None, limit=formats.MAX_FILE_BYTES)
    try:
        return services.ingest_file(claimed.name, data, provider=provider, now=now)
    except Exception as error:  # a fault of ours: the file is kept, refused, and the rest go on
        logger.exception("Wire inbox: %s could not be taken", claimed.name)
        return services.FileResult(
            claimed.name,
            error=f"{claimed.name}: not taken, because of an error in the newsroom's software "
            f"({type(error).__name__}); it is kept here to be ingested again once fixed.",
        )


_LINK = "not taken: it is a symbolic link, and links in the inbox are not followed."
# A file claimed longer ago than this was left by a worker that died: it is put back.
STALE_SECONDS = 600


def _put_back_stale(inbox: Path) -> None:
    for claimed in (inbox / TAKING).iterdir():
        try:
            if time.time() - claimed.lstat().st_mtime < STALE_SECONDS:
                continue
            os.rename(claimed, inbox / claimed.name)
        except FileNotFoundError:
            continue  # another poll put it back first
        logger.warning("Wire inbox: %s was left half-taken; it is back in the inbox.", claimed.name)


def _file_away(path: Path, folder: Path, result: services.FileResult) -> None:
    """Move the file into ``folder`` under a name no earlier file has (agencies reuse names),
    and write why beside a refused one. The new name is taken by a hard link, which fails if
    the name exists, so nothing filed before is ever overwritten."""
    number = 1
    while True:
        suffix = "" if number == 1 else f".{number}"
        target = folder / f"{path.stem}{suffix}{path.suffix}"
        try:
            os.link(path, target, follow_symlinks=False)
            break
        except FileExistsError:
            number += 1
    os.unlink(path)
    if not result.ok:
        (folder / f"{target.name}.why.txt").write_text(result.error + "\n", encoding="utf-8")
