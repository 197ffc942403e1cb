"""The watched folder (``WIRE_INBOX``): agencies deliver files into it; ``poll`` takes each into
the wire queue and files it away.

    inbox/            new files, delivered by the agency (written under a hidden or .part/.tmp
                      name, then renamed, so a file is never read half-written)
    inbox/.taking/    a file being taken: a worker claims it by moving it here (a rename is atomic,
                      so two workers polling at once never take the same file)
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

logger = logging.getLogger("newsroom.wire")

TAKING, TAKEN, REFUSED = ".taking", "taken", "refused"
# A file changed in the last few seconds may still be being written by an agency that does not
# rename when done: it is left for the next poll.
SETTLE_SECONDS = 2.0
STILL_BEING_WRITTEN = (".part", ".tmp", ".partial", ".filepart", ".crdownload")


def waiting(inbox: Path, *, now: float | None = None) -> list[Path]:
    """The files delivered and settled, oldest name first: regular files only (a link is left
    where it is, and reported by ``poll``), none hidden or still being written."""
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
    progress: Callable[[services.FileResult], None] | None = None,
    now: dt.datetime | None = None,
) -> list[services.FileResult]:
    """Take every waiting file of ``inbox`` into the wire queue and file it under taken/ or
    refused/. A file another worker claimed first is left to it."""
    for folder in (TAKING, TAKEN, REFUSED):
        (inbox / folder).mkdir(exist_ok=True)
    results = []
    for path in waiting(inbox):
        claimed = inbox / TAKING / path.name
        if path.is_symlink():
            # Never followed (it could make the poll read any file): the link itself is filed.
            result = services.FileResult(path.name, error=f"{path.name}: {_LINK}")
            _file_away(path, inbox / REFUSED, result)
        else:
            try:
                os.rename(path, claimed)
            except FileNotFoundError:
                continue  # another worker claimed it
            data = importing.read_source(claimed, None, limit=formats.MAX_FILE_BYTES)
            result = services.ingest_file(path.name, data, now=now or timezone.now())
            _file_away(claimed, inbox / (TAKEN if result.ok else REFUSED), result)
        results.append(result)
        (logger.info if result.ok else logger.warning)("Wire inbox: %s", result.describe())
        if progress is not None:
            progress(result)
    return results


_LINK = "not taken: it is a symbolic link, and links in the inbox are not followed."


def _file_away(path: Path, folder: Path, result: services.FileResult) -> None:
    """Move the file into ``folder`` under a name no earlier file has (agencies reuse names), and
    write why beside a refused one."""
    target = folder / path.name
    number = 1
    while target.exists() or target.is_symlink():
        number += 1
        target = folder / f"{path.stem}.{number}{path.suffix}"
    os.rename(path, target)
    if not result.ok:
        (folder / f"{target.name}.why.txt").write_text(result.error + "\n", encoding="utf-8")
