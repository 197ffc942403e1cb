"""Agency files read into items: ninjs 1.x, 2.x and 3.x (JSON), NewsML-G2 (XML, with an XHTML or
NITF body) and the newsroom's own plain-text copy (``articles.wire``).

Only reading: no database. ``parse`` takes a file's bytes and its name and returns the items in it
(a NewsML-G2 news message or a ninjs array may hold several), or raises ``IngestError`` naming the
file, the place in it and what is wrong. A file is read whole or refused whole.
"""

import datetime as dt
from dataclasses import dataclass

# An agency text item is a few kilobytes; pictures are not taken in the file. Anything larger is
# refused unread (the command and the inbox read at most this many bytes and one more).
MAX_FILE_BYTES = 5 * 1024 * 1024

USABLE, WITHHELD, CANCELED = "usable", "withheld", "canceled"


class IngestError(ValueError):
    """A file that cannot be taken into the queue: the file, the place in it ("line 12, column
    4", "item 2, field headline"; None for the whole file) and what is wrong, in an editor's
    words."""

    def __init__(self, file: str, place: str | None, message: str):
        self.file, self.place, self.message = file, place, message
        super().__init__(str(self))

    def __str__(self):
        from articles.wire import visible

        where = visible(self.file) if self.place is None else f"{visible(self.file)}, {self.place}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Subject:
    code: str  # "medtop:04000000", an agency's "scheme:code", or "name:economy" when only named
    name: str


@dataclass(frozen=True)
class Item:
    """One agency item as sent. ``body_html`` is the body as received (XHTML or NITF turned into
    HTML, or plain text's paragraphs escaped): the queue puts it through the story sanitiser."""

    format: str  # a wire.models.WireItem.Format value: "ninjs-1", "ninjs-2", "ninjs-3", ...
    provider: str
    uri: str
    version: int
    versioncreated: dt.datetime | None  # aware
    pubstatus: str  # USABLE, WITHHELD or CANCELED
    embargo_until: dt.datetime | None  # aware
    headline: str
    standfirst: str
    byline: str
    dateline: str
    language: str
    subjects: tuple[Subject, ...]
    body_html: str
    raw: str  # the item's own text, as received (one item of a message, re-serialised)
    reporter_email: str = ""  # plain-text copy: the reporter, matched to a byline by email


def parse(data: bytes, filename: str, *, provider: str = "") -> list[Item]:
    """The items in one file, by what the file is (not its name): JSON is ninjs, XML NewsML-G2,
    anything else the plain-text copy format. ``provider`` names the agency for items that do
    not (ninjs 1.x has no provider field); an item naming none when none is given is refused."""
    from . import newsml, ninjs, plaintext

    if len(data) > MAX_FILE_BYTES:
        raise IngestError(filename, None, too_large(len(data)))
    start = _first_character(data)
    if start in ("{", "["):
        return ninjs.parse(data, filename, provider=provider)
    if start == "<":
        return newsml.parse(data, filename, provider=provider)
    return plaintext.parse(data, filename)


def _first_character(data: bytes) -> str:
    """The file's first character after any byte order mark and white space, in whatever
    encoding its start shows (UTF-16 XML is allowed; UTF-16 JSON is refused by ninjs, which
    says why, rather than read as plain text)."""
    from .encoding import byte_order_mark, wide_without_mark

    codec, skip = byte_order_mark(data)
    codec = codec or wide_without_mark(data) or "latin-1"
    head = data[skip : skip + 256].decode(codec, errors="replace")
    return head.lstrip(" \t\r\n")[:1]


def too_large(size: int | None) -> str:
    limit = MAX_FILE_BYTES // (1024 * 1024)
    if size is None:
        return f"the file is larger than {limit} MB; an agency item is at most {limit} MB."
    return f"the file is {size / (1024 * 1024):.1f} MB; an agency item is at most {limit} MB."
