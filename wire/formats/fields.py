"""What every agency format's fields go through on the way to an ``Item``: text cleaned and
measured against what the queue stores, dates that must say their time zone, versions, the
publication status, subject codes, and plain text made into paragraphs.

Every check refuses through an ``ItemPlace``, so the message names the file, the item (its
number and identifier) and the field, and quotes a value only through ``excerpt``.
"""

import datetime as dt
import html
import json
import re
from dataclasses import dataclass

from articles.wire import excerpt

from . import CANCELED, USABLE, WITHHELD, IngestError, Subject

# The longest values the queue stores (wire.models.WireItem, wire.models.Subject): longer ones
# are refused here, naming the field, rather than cut short or failing in the database.
MAX_PROVIDER = 100
MAX_URI = 500
MAX_HEADLINE = 500
MAX_BYLINE = 300
MAX_DATELINE = 200
MAX_LANGUAGE = 20
MAX_SUBJECT_CODE = 200
MAX_SUBJECT_NAME = 200
# A summary is a sentence or two; this is far above any real one and keeps a body sent as the
# summary out of the listing.
MAX_STANDFIRST = 5000
# The version is stored in a PositiveIntegerField: the largest value every database takes.
MAX_VERSION = 2_147_483_647

# Control characters other than tab and line ends: legacy wire systems leave them in copy, and
# a NUL cannot be stored at all (PostgreSQL refuses it), so they are removed, never shown.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Half of a UTF-16 pair with no other half: JSON can spell one ("\ud800"), no database stores it.
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_LINE_END = re.compile(r"\r\n|\r")

STATUSES = (USABLE, WITHHELD, CANCELED)

# IPTC's controlled vocabularies, written as a web address by ninjs 2.x and 3.x and as a scheme
# by 1.x, stored under the short codes NewsML-G2 uses for them, so one subject from two
# formats is one subject in the queue.
_IPTC_SCHEMES = {
    "cv.iptc.org/newscodes/mediatopic/": "medtop",
    "cv.iptc.org/newscodes/subjectcode/": "subj",
    "cv.iptc.org/newscodes/genre/": "genre",
}


@dataclass(frozen=True)
class ItemPlace:
    """Where in a file an item is, for refusals: "item 2 (uri urn:x), field headline"."""

    file: str
    number: int
    key: str = "uri"  # what the format calls the item's identifier: uri (ninjs), guid (G2)
    ident: str = ""

    def at(self, field: str) -> str:
        item = f"item {self.number}"
        if self.ident:
            item = f"{item} ({self.key} {excerpt(self.ident)})"
        return f"{item}, field {field}"

    def refuse(self, field: str, message: str) -> IngestError:
        return IngestError(self.file, self.at(field), message)


def clean(value: str, place: ItemPlace, field: str) -> str:
    """``value`` less the control characters copy picks up; a character no database can store
    (half a UTF-16 pair) refuses the item."""
    if _LONE_SURROGATE.search(value):
        raise place.refuse(
            field,
            "the text holds a broken character (half of a UTF-16 pair) that cannot be stored; "
            "the agency's file is damaged.",
        )
    return _CONTROL.sub("", value)


def line(value: str, place: ItemPlace, field: str, *, limit: int, label: str = "") -> str:
    """One line of text (a headline, a byline...): spaces and line ends collapsed, at most
    ``limit`` characters."""
    text = " ".join(clean(value, place, field).split())
    return measured(text, place, field, limit=limit, label=label)


def measured(text: str, place: ItemPlace, field: str, *, limit: int, label: str = "") -> str:
    if len(text) > limit:
        raise place.refuse(
            field,
            f"the {label or field} is {len(text):,} characters long (at most {limit:,}): "
            f"“{excerpt(text)}”",
        )
    return text


def timestamp(value: str, place: ItemPlace, field: str) -> dt.datetime | None:
    """An ISO 8601 date and time with its time zone (``Z`` or an offset). A time without a zone
    is refused: the desk cannot tell when an embargo ends if it does not know where it was set."""
    text = value.strip()
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise place.refuse(
            field,
            f"“{excerpt(text)}” is not a date and time; the agency should send ISO 8601 with "
            "a time zone, such as 2025-05-03T14:30:00Z or 2025-05-03T22:30:00+08:00.",
        ) from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise place.refuse(
            field,
            f"{field} has no time zone (“{excerpt(text)}”): the agency must add Z or an offset "
            "such as +08:00, or the time could be read hours wrong.",
        )
    return when


def version(value: object, place: ItemPlace, field: str = "version") -> int:
    """The item's version: a whole number from 1 up, sent as a number or as text ("2");
    missing means the first."""
    if value is None or value == "":
        return 1
    if isinstance(value, str) and re.fullmatch(r"\s*[0-9]{1,10}\s*", value):
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        shown = value if isinstance(value, str) else json.dumps(value, default=str)
        raise place.refuse(
            field, f"the version must be a whole number (1, 2, 3...), not “{excerpt(shown)}”."
        )
    if not 1 <= number <= MAX_VERSION:
        raise place.refuse(
            field, f"the version must be 1 or more (up to {MAX_VERSION:,}), not {number}."
        )
    return number


def pubstatus(value: str, place: ItemPlace, field: str) -> str:
    """usable, withheld or canceled; missing means usable (the standards' default)."""
    status = value.strip().lower()
    if not status:
        return USABLE
    if status not in STATUSES:
        raise place.refuse(
            field,
            f"“{excerpt(value)}” is not a status an agency item can have (usable, withheld "
            "or canceled).",
        )
    return status


def paragraphs_html(text: str) -> str:
    """Plain text as body HTML, one ``<p>`` a paragraph, the text escaped so that anything
    looking like markup shows as the characters it is. Paragraphs are separated by blank lines
    when the text has any (lines within a paragraph are joined), otherwise one a line."""
    text = _LINE_END.sub("\n", text).strip()
    if _BLANK_LINE.search(text):
        blocks = [" ".join(block.split()) for block in _BLANK_LINE.split(text)]
    else:
        blocks = [part.strip() for part in text.split("\n")]
    return "\n".join(f"<p>{html.escape(block, quote=False)}</p>" for block in blocks if block)


def subject_code(*, uri: str = "", scheme: str = "", code: str = "", name: str = "") -> str:
    """A subject's code as the queue keys it: ``medtop:04000000`` for an IPTC Media Topic
    however it was written, ``scheme:code`` or the web address for an agency's own
    vocabulary, ``name:...`` when the agency sent only a name; "" when it sent nothing."""
    if not uri and code and "://" in scheme:
        uri = scheme if scheme.endswith(("/", "#")) else f"{scheme}/"
        uri += code
    if uri:
        address = uri.split("://", 1)[-1]
        for prefix, alias in _IPTC_SCHEMES.items():
            if address.startswith(prefix) and len(address) > len(prefix):
                return f"{alias}:{address[len(prefix) :].strip('/')}"
        return uri
    if code:
        return f"{scheme}:{code}" if scheme and ":" not in code else code
    if name:
        return f"name:{name}"
    return ""


def subject(
    place: ItemPlace,
    field: str,
    *,
    uri: str = "",
    scheme: str = "",
    code: str = "",
    name: str = "",
) -> Subject | None:
    uri, scheme, code = (" ".join(value.split()) for value in (uri, scheme, code))
    name = line(name, place, field, limit=MAX_SUBJECT_NAME, label="subject's name")
    key = subject_code(uri=uri, scheme=scheme, code=code, name=name)
    if not key:
        return None  # nothing to file it under: an empty entry, harmless to leave out
    key = measured(
        clean(key, place, field), place, field, limit=MAX_SUBJECT_CODE, label="subject's code"
    )
    label = name or key.removeprefix("name:")
    return Subject(code=key, name=label[:MAX_SUBJECT_NAME])


def unique(subjects) -> tuple[Subject, ...]:
    """The subjects once each, in the agency's order (two schemes may name the same topic)."""
    seen: dict[str, Subject] = {}
    for one in subjects:
        if one is not None and one.code not in seen:
            seen[one.code] = one
    return tuple(seen.values())


def kind(value: object) -> str:
    """What a JSON value is, in words: for "should be text, not a number"."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null"
