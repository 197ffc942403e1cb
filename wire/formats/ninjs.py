"""ninjs, IPTC's news in JSON: one item (an object) or a list of them, in any of the three
versions agencies send.

The versions name the same things differently (IPTC's schemas, ``specification/ninjs-schema_*``
in github.com/iptc/newsinjson):

==================  ===================  ===================  =====================
                    1.x                  2.x                  3.x
==================  ===================  ===================  =====================
headline            headline             headlines[]          headlines[]
summary             description_text,    descriptions[]       descriptions[]
                    description_html
body                body_html,           bodies[]             bodies[]
                    body_text            (contenttype)        (contentType)
byline              byline               by                   by
time of version     versioncreated       versioncreated       versionCreated
embargo             embargoed            embargoed            embargoedUntil
status              pubstatus            pubstatus            pubStatus
subjects            subject[]            subjects[]           subjects[]
                    (scheme + code)      (uri or literal)     (uri or literal)
agency              infosource[] (rel),  infosources[]        infoSources[]
                    copyrightholder      (role),              (role),
                                         copyrightholder      copyrightHolder
standard            $standard.version    standard.version     standard.version
==================  ===================  ===================  =====================

``uri``, ``version``, ``located`` (the dateline) and ``language`` are the same in all three.
A file says its version in ``standard``; when it does not, camelCase names mean 3.x, the plural
lists 2.x, anything else 1.x. Each item of a list is told apart on its own.
"""

import json
from dataclasses import dataclass

from articles.wire import excerpt
from core.text import one_line

from . import USABLE, IngestError, Item, Subject, fields
from .encoding import byte_order_mark, decode, wide_without_mark
from .fields import ItemPlace


@dataclass(frozen=True)
class _Names:
    """What one version calls the fields that are named differently in each."""

    major: int
    versioncreated: str
    embargoed: tuple[str, ...]
    pubstatus: str
    copyrightholder: str
    infosources: str
    source_role: str  # what an infosource's part in the item is called: rel (1.x), role
    byline: str
    subjects: str
    contenttype: str  # in 2.x and 3.x headlines, descriptions and bodies


_V1 = _Names(
    1, "versioncreated", ("embargoed",), "pubstatus", "copyrightholder", "infosource", "rel",
    "byline", "subject", "",
)  # fmt: skip
_V2 = _Names(
    2, "versioncreated", ("embargoed",), "pubstatus", "copyrightholder", "infosources", "role",
    "by", "subjects", "contenttype",
)  # fmt: skip
# 3.x renamed the embargo embargoedUntil; "embargoed" is still read in case an agency kept it.
_V3 = _Names(
    3, "versionCreated", ("embargoedUntil", "embargoed"), "pubStatus", "copyrightHolder",
    "infoSources", "role", "by", "subjects", "contentType",
)  # fmt: skip
_BY_MAJOR = {1: _V1, 2: _V2, 3: _V3}

# Names only 3.x uses (camelCase), and lists only 2.x and 3.x have (1.x names them singular).
_CAMEL_CASE = frozenset({
    "versionCreated", "firstCreated", "contentCreated", "embargoedUntil", "pubStatus",
    "copyrightHolder", "copyrightNotice", "usageTerms", "edNote", "infoSources", "altIds",
    "trustIndicators", "rightsInfo", "digitalSourceType", "representationType", "eventDetails",
    "plannedCoverage",
})  # fmt: skip
_PLURAL = frozenset({
    "headlines", "bodies", "descriptions", "subjects", "infosources", "people", "organisations",
    "places", "events", "objects", "altids", "trustindicators", "genres",
})  # fmt: skip

# An infosource's part, best first: the agency that provides the item, then its originator.
_SOURCE_ROLES = ("provider", "originator")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TEXT_TYPES = ("text/plain", "")


def parse(data: bytes, filename: str, *, provider: str = "") -> list[Item]:
    text = _decode(data, filename)
    document = _load(text, filename)
    if isinstance(document, dict):
        sent = [(document, text)]
    elif isinstance(document, list):
        if not document:
            raise IngestError(filename, None, "the file is an empty list: it holds no items.")
        sent = []
        for number, obj in enumerate(document, start=1):
            if not isinstance(obj, dict):
                raise IngestError(
                    filename,
                    f"item {number}",
                    f"a ninjs item is an object with a uri and a headline, not {fields.kind(obj)}.",
                )
            sent.append((obj, _serialise(obj)))
    else:
        raise IngestError(
            filename,
            None,
            f"a ninjs file holds one item (an object) or a list of items, not {fields.kind(document)}.",
        )
    return [
        _item(obj, raw, ItemPlace(filename, number), provider)
        for number, (obj, raw) in enumerate(sent, start=1)
    ]


def _decode(data: bytes, filename: str) -> str:
    """JSON is UTF-8 (RFC 8259); a byte order mark before it is tolerated."""
    codec, skip = byte_order_mark(data)
    wide = codec if codec != "utf-8" else wide_without_mark(data[skip:])
    if wide:
        name = wide.split("-")[0].upper() + "-" + wide.split("-")[1]
        raise IngestError(
            filename,
            None,
            f"the file is {name} text; ninjs must be UTF-8. Ask the agency to send UTF-8.",
        )
    return decode(
        data[skip:], "utf-8", filename, advice="ninjs must be UTF-8; ask the agency to send UTF-8."
    )


def _load(text: str, filename: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        reason = error.msg[:1].lower() + error.msg[1:]
        raise IngestError(
            filename,
            f"line {error.lineno}, column {error.colno}",
            f"the JSON is broken here ({reason}); the agency's file is damaged or cut short.",
        ) from None
    except RecursionError:
        raise IngestError(
            filename, None, "the JSON is nested too deeply to be a news item."
        ) from None
    except ValueError:
        # A number with thousands of digits (Python refuses to read one that long).
        raise IngestError(filename, None, "the JSON holds a number too long to be read.") from None


def _serialise(obj: dict) -> str:
    """One item of a list, as the record keeps it; \\u escapes where a character could not be
    stored (half a UTF-16 pair), so the record itself never fails to save."""
    raw = json.dumps(obj, ensure_ascii=False, indent=2)
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        raw = json.dumps(obj, ensure_ascii=True, indent=2)
    return raw


def _item(obj: dict, raw: str, place: ItemPlace, provider: str) -> Item:
    uri = _text(obj, "uri", place)
    if not uri.strip():
        raise place.refuse(
            "uri",
            "the item has no uri, the agency's identifier for it: without one a later "
            "version or a kill could not be matched to it.",
        )
    uri = fields.line(uri, place, "uri", limit=fields.MAX_URI)
    place = ItemPlace(place.file, place.number, "uri", uri)
    names = _BY_MAJOR[_major(obj, place)]
    embargoed = next((name for name in names.embargoed if name in obj), names.embargoed[0])
    standfirst = _standfirst(obj, place, names)
    pubstatus = fields.pubstatus(_text(obj, names.pubstatus, place), place, names.pubstatus)
    return Item(
        format=f"ninjs-{names.major}",
        provider=_provider(obj, place, names, provider),
        uri=uri,
        version=fields.version(obj.get("version"), place),
        versioncreated=fields.timestamp(
            _text(obj, names.versioncreated, place), place, names.versioncreated
        ),
        pubstatus=pubstatus,
        embargo_until=fields.timestamp(_text(obj, embargoed, place), place, embargoed),
        # A kill notice may be the uri, version and status alone: the queue keeps the headline.
        headline=_headline(obj, place, names, required=pubstatus == USABLE),
        standfirst=fields.measured(
            standfirst,
            place,
            "description_text" if names.major == 1 else "descriptions",
            limit=fields.MAX_STANDFIRST,
            label="summary",
        ),
        byline=fields.line(
            _text(obj, names.byline, place), place, names.byline, limit=fields.MAX_BYLINE
        ),
        dateline=fields.line(
            _text(obj, "located", place), place, "located", limit=fields.MAX_DATELINE
        ),
        language=fields.line(
            _text(obj, "language", place), place, "language", limit=fields.MAX_LANGUAGE
        ),
        subjects=_subjects(obj, place, names),
        body_html=_body(obj, place, names),
        raw=raw,
    )


def _major(obj: dict, place: ItemPlace) -> int:
    """Which ninjs the item is: its ``standard`` when it says, else what its names show."""
    for key in ("standard", "$standard"):
        standard = obj.get(key)
        if isinstance(standard, dict) and isinstance(standard.get("version"), str):
            said = standard["version"].strip()
            major = said.split(".")[0]
            if major in ("1", "2", "3"):
                return int(major)
            raise place.refuse(
                f"{key}.version",
                f"the item says it is ninjs “{excerpt(said)}”; the queue reads ninjs "
                "1.x, 2.x and 3.x.",
            )
    if _CAMEL_CASE.intersection(obj):
        return 3
    if _PLURAL.intersection(obj):
        return 2
    return 1


def _text(obj: dict, key: str, place: ItemPlace, field: str = "") -> str:
    """A text field; missing or null is ""; anything else (a number, a list) is refused."""
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise place.refuse(field or key, f"should be text, not {fields.kind(value)}.")
    return fields.clean(value, place, field or key)


def _list(obj: dict, key: str, place: ItemPlace) -> list[dict]:
    """A list of objects (headlines, bodies, subjects...); missing or null is []."""
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise place.refuse(key, f"should be a list, not {fields.kind(value)}.")
    for number, entry in enumerate(value, start=1):
        if not isinstance(entry, dict):
            raise place.refuse(
                f"{key}[{number}]", f"should be an object, not {fields.kind(entry)}."
            )
    return value


def _pick(entries: list[dict], role: str) -> int | None:
    """The index of the entry with ``role`` (also as the end of a code, "drol:summary"), else of
    the first; None if there are none."""
    for index, entry in enumerate(entries):
        said = entry.get("role")
        if isinstance(said, str) and said.strip().lower().rsplit(":", 1)[-1] == role:
            return index
    return 0 if entries else None


def _content_type(entry: dict, key: str, place: ItemPlace, field: str) -> str:
    if not key:
        return ""
    return _text(entry, key, place, f"{field}.{key}").split(";")[0].strip().lower()


def _headline(obj: dict, place: ItemPlace, names: _Names, *, required: bool) -> str:
    if names.major == 1:
        field, headline = "headline", _text(obj, "headline", place)
    else:
        field = "headlines"
        entries = _list(obj, field, place)
        index = _pick(entries, "main")
        headline = ""
        if index is not None:
            field = f"headlines[{index + 1}]"
            entry = entries[index]
            headline = _text(entry, "value", place, f"{field}.value")
            if _content_type(entry, names.contenttype, place, field) in _HTML_TYPES:
                headline = one_line(headline)
    headline = fields.line(headline, place, field, limit=fields.MAX_HEADLINE)
    if not headline and required:
        where = "headline" if names.major == 1 else "headlines (a list of {role, value})"
        raise place.refuse(
            field,
            f"the item has no headline; ninjs {names.major}.x sends it in {where}.",
        )
    return headline


def _standfirst(obj: dict, place: ItemPlace, names: _Names) -> str:
    """The agency's summary as plain text: the "summary" description, else the first."""
    if names.major == 1:
        text = _text(obj, "description_text", place)
        if text.strip():
            return " ".join(text.split())
        return one_line(_text(obj, "description_html", place))
    entries = _list(obj, "descriptions", place)
    index = _pick(entries, "summary")
    if index is None:
        return ""
    field = f"descriptions[{index + 1}]"
    entry = entries[index]
    text = _text(entry, "value", place, f"{field}.value")
    if _content_type(entry, names.contenttype, place, field) in _HTML_TYPES:
        return one_line(text)
    return " ".join(text.split())


def _body(obj: dict, place: ItemPlace, names: _Names) -> str:
    """The body as HTML: an HTML body when the item has one, else its plain text made into
    paragraphs."""
    if names.major == 1:
        body_html = _text(obj, "body_html", place)
        if body_html.strip():
            return body_html
        return fields.paragraphs_html(_text(obj, "body_text", place))
    bodies = _list(obj, "bodies", place)
    typed = [
        (_content_type(entry, names.contenttype, place, f"bodies[{number}]"), number, entry)
        for number, entry in enumerate(bodies, start=1)
    ]
    for wanted in (_HTML_TYPES, _TEXT_TYPES):
        for content_type, number, entry in typed:
            if content_type in wanted:
                value = _text(entry, "value", place, f"bodies[{number}].value")
                if value.strip():
                    return value if wanted is _HTML_TYPES else fields.paragraphs_html(value)
    if typed and any(entry.get("value") for _, _, entry in typed):
        sent = ", ".join(sorted({excerpt(content_type) for content_type, _, _ in typed}))
        raise place.refuse(
            "bodies",
            f"no body is HTML or plain text (the item sends {sent}); the queue reads "
            "text/html, application/xhtml+xml and text/plain.",
        )
    return ""


def _subjects(obj: dict, place: ItemPlace, names: _Names) -> tuple[Subject, ...]:
    found = []
    for number, entry in enumerate(_list(obj, names.subjects, place), start=1):
        field = f"{names.subjects}[{number}]"
        given = {
            key: _text(entry, key, place, f"{field}.{key}")
            for key in ("name", "uri", "literal", "scheme", "code")
        }
        if names.major == 1:
            found.append(
                fields.subject(
                    place, field, scheme=given["scheme"], code=given["code"], name=given["name"]
                )
            )
        else:
            # A literal is the agency's own code for the subject, with no vocabulary named.
            found.append(
                fields.subject(
                    place, field, uri=given["uri"], code=given["literal"], name=given["name"]
                )
            )
    return fields.unique(found)


def _provider(obj: dict, place: ItemPlace, names: _Names, given: str) -> str:
    """The agency: the infosource that provides (or originated) the item, else the first named
    one, else the copyright holder, else the one the file was sent in as (``given``)."""
    sources = []
    for number, entry in enumerate(_list(obj, names.infosources, place), start=1):
        field = f"{names.infosources}[{number}]"
        name = _text(entry, "name", place, f"{field}.name") or _text(
            entry, "literal", place, f"{field}.literal"
        )
        role = _text(entry, names.source_role, place, f"{field}.{names.source_role}")
        if name.strip():
            sources.append(
                (role.strip().lower().rsplit(":", 1)[-1].rsplit("/", 1)[-1], name, field)
            )
    chosen = next(
        (
            (name, field)
            for wanted in _SOURCE_ROLES
            for role, name, field in sources
            if role == wanted
        ),
        (sources[0][1], sources[0][2]) if sources else None,
    )
    if chosen is None:
        holder = _text(obj, names.copyrightholder, place)
        chosen = (holder, names.copyrightholder) if holder.strip() else (given, "provider")
    name, field = chosen
    name = fields.line(name, place, field, limit=fields.MAX_PROVIDER, label="agency's name")
    if not name:
        raise place.refuse(
            "provider",
            f"the item does not say which agency sent it (no {names.infosources} and no "
            f"{names.copyrightholder}); give the agency's name when ingesting the file "
            "(ingest --provider, or WIRE_INBOX_PROVIDER for the watched folder).",
        )
    return name
