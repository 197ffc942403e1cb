"""NewsML-G2: a ``newsItem``, or a ``newsMessage`` with several in its ``itemSet``.

What is read, from each ``newsItem`` (NewsML-G2 names; the namespace is
``http://iptc.org/std/nar/2006-10-01/``, and elements without one are read too):

- ``@guid`` (required) and ``@version`` (1 when absent);
- ``itemMeta``: ``provider`` (its ``name``, else ``@literal``, else the code of ``@qcode``),
  ``versionCreated``, ``embargoed``, ``pubStatus/@qcode`` (``stat:usable``, ``stat:withheld``,
  ``stat:canceled``; usable when absent);
- ``contentMeta``: ``headline``, ``description`` (the ``summary`` role first), ``by`` (else
  the ``creator`` names), ``dateline`` (else ``located/name``), ``language/@tag``, ``subject``
  (``@qcode`` or ``@uri``, and its ``name``);
- ``contentSet``: the body, XHTML (``application/xhtml+xml``) first, then NITF
  (``application/nitf+xml``, with or without its namespace; its ``body.head`` gives the
  headline, byline, dateline and summary when ``contentMeta`` has none), then plain text in
  ``inlineData``.

Other items in a message (packages, concepts) are not news copy and are passed over.
"""

import xml.parsers.expat
from xml.etree.ElementTree import Element, tostring
from xml.sax.saxutils import quoteattr

from articles.wire import excerpt

from . import USABLE, IngestError, Item, fields, markup, xmlsafe
from .fields import ItemPlace
from .markup import find, local, text_of

NAR = "http://iptc.org/std/nar/2006-10-01/"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XHTML_TYPES = ("application/xhtml+xml", "text/html")
_NITF_TYPES = ("application/nitf+xml",)
_TEXT_TYPES = ("text/plain",)


def parse(data: bytes, filename: str, *, provider: str = "") -> list[Item]:
    text = xmlsafe.decode_xml(data, filename)
    root = xmlsafe.parse_xml(text, filename)
    name, namespace = local(root.tag), _namespace(root.tag)
    if name not in ("newsItem", "newsMessage") or namespace not in (NAR, ""):
        shown = f"{{{namespace}}}{name}" if namespace else name
        raise IngestError(
            filename,
            None,
            f"this XML is not a NewsML-G2 news item or news message (it is <{excerpt(shown)}>).",
        )
    if name == "newsItem":
        sent = [(root, text)]
    else:
        elements = [item for item in _children(_child(root, "itemSet"), "newsItem")]
        if not elements:
            raise IngestError(
                filename, None, "the news message holds no news items (in its itemSet)."
            )
        sent = list(zip(elements, _item_texts(text, elements), strict=True))
    return [
        _item(element, raw, ItemPlace(filename, number, "guid"), provider)
        for number, (element, raw) in enumerate(sent, start=1)
    ]


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _child(parent: Element | None, name: str) -> Element | None:
    return next(_children(parent, name), None)


def _children(parent: Element | None, name: str):
    if parent is None:
        return iter(())
    return (element for element in parent if local(element.tag) == name)


def _code(qcode: str) -> str:
    """The code of a qcode ("stat:usable" is "usable", "nprov:REUTERS" "REUTERS")."""
    return qcode.strip().rsplit(":", 1)[-1]


def _item(element: Element, raw: str, place: ItemPlace, provider: str) -> Item:
    guid = fields.line(element.get("guid", ""), place, "guid", limit=fields.MAX_URI)
    if not guid:
        raise place.refuse(
            "guid",
            "the news item has no guid, the agency's identifier for it: without one a later "
            "version or a kill could not be matched to it.",
        )
    place = ItemPlace(place.file, place.number, "guid", guid)
    item_meta = _child(element, "itemMeta")
    content_meta = _child(element, "contentMeta")
    body_html, nitf_head = _body(_child(element, "contentSet"), place)
    headline = _headline(content_meta, place) or _nitf_text(nitf_head, "hl1", place, "headline")
    headline = fields.line(headline, place, "headline", limit=fields.MAX_HEADLINE)
    pubstatus = _pubstatus(_child(item_meta, "pubStatus"), place)
    # A kill notice may be the guid, version and status alone: the queue keeps the headline.
    if not headline and pubstatus == USABLE:
        raise place.refuse("headline", "the news item has no headline (contentMeta/headline).")
    return Item(
        format="newsml-g2",
        provider=_provider(_child(item_meta, "provider"), place, provider),
        uri=guid,
        version=fields.version(element.get("version"), place),
        versioncreated=_when(item_meta, "versionCreated", place),
        pubstatus=pubstatus,
        embargo_until=_when(item_meta, "embargoed", place),
        headline=headline,
        standfirst=fields.measured(
            _description(content_meta, place)
            or _nitf_text(nitf_head, "abstract", place, "description"),
            place,
            "description",
            limit=fields.MAX_STANDFIRST,
            label="summary",
        ),
        byline=fields.line(
            _byline(content_meta, place) or _nitf_text(nitf_head, "byline", place, "by"),
            place,
            "by",
            limit=fields.MAX_BYLINE,
        ),
        dateline=fields.line(
            _dateline(content_meta, place) or _nitf_dateline(nitf_head, place),
            place,
            "dateline",
            limit=fields.MAX_DATELINE,
        ),
        language=fields.line(
            _language(element, content_meta), place, "language", limit=fields.MAX_LANGUAGE
        ),
        subjects=_subjects(content_meta, place),
        body_html=body_html,
        raw=raw,
    )


def _text(element: Element | None, place: ItemPlace, field: str) -> str:
    return fields.clean(text_of(element), place, field)


def _when(item_meta: Element | None, name: str, place: ItemPlace):
    return fields.timestamp(_text(_child(item_meta, name), place, name), place, name)


def _provider(element: Element | None, place: ItemPlace, given: str) -> str:
    name = ""
    if element is not None:
        name = (
            _text(_child(element, "name"), place, "provider")
            or element.get("literal", "")
            or _code(element.get("qcode", ""))
        )
    name = fields.line(
        name or given, place, "provider", limit=fields.MAX_PROVIDER, label="agency's name"
    )
    if not name:
        raise place.refuse(
            "provider",
            "the news item does not say which agency sent it (itemMeta/provider); give the "
            "agency's name when ingesting the file (ingest --provider, or WIRE_INBOX_PROVIDER for the watched folder).",
        )
    return name


def _pubstatus(element: Element | None, place: ItemPlace) -> str:
    if element is None:
        return fields.pubstatus("", place, "pubStatus")
    qcode = element.get("qcode") or element.get("uri", "").rstrip("/").rsplit("/", 1)[-1]
    status = _code(qcode).lower()
    if status and status not in fields.STATUSES:
        raise place.refuse(
            "pubStatus",
            f"“{excerpt(qcode)}” is not a status a news item can have (stat:usable, "
            "stat:withheld or stat:canceled).",
        )
    return fields.pubstatus(status, place, "pubStatus")


def _by_role(elements: list[Element], role: str) -> Element | None:
    """The element with ``role`` (any scheme: "drol:summary"), else the first with no role,
    else the first."""
    for element in elements:
        if _code(element.get("role", "")).lower() == role:
            return element
    unroled = [element for element in elements if not element.get("role")]
    return (unroled or elements or [None])[0]


def _headline(content_meta: Element | None, place: ItemPlace) -> str:
    return _text(_by_role(list(_children(content_meta, "headline")), "main"), place, "headline")


def _description(content_meta: Element | None, place: ItemPlace) -> str:
    chosen = _by_role(list(_children(content_meta, "description")), "summary")
    return _text(chosen, place, "description")


def _byline(content_meta: Element | None, place: ItemPlace) -> str:
    by = _text(_child(content_meta, "by"), place, "by")
    if by:
        return by
    names = [
        _text(_child(creator, "name"), place, "creator") or creator.get("literal", "")
        for creator in _children(content_meta, "creator")
    ]
    return " and ".join(name for name in names if name.strip())


def _dateline(content_meta: Element | None, place: ItemPlace) -> str:
    dateline = _text(_child(content_meta, "dateline"), place, "dateline")
    return dateline or _text(_child(_child(content_meta, "located"), "name"), place, "located")


def _language(element: Element, content_meta: Element | None) -> str:
    language = _child(content_meta, "language")
    tag = language.get("tag", "") if language is not None else ""
    return tag or element.get(_XML_LANG, "")


def _subjects(content_meta: Element | None, place: ItemPlace):
    found = []
    for number, subject in enumerate(_children(content_meta, "subject"), start=1):
        field = f"subject[{number}]"
        qcode = subject.get("qcode", "")
        found.append(
            fields.subject(
                place,
                field,
                uri="" if qcode else subject.get("uri", ""),
                code=qcode,
                name=_text(_child(subject, "name"), place, field),
            )
        )
    return fields.unique(found)


def _nitf_text(head: Element | None, name: str, place: ItemPlace, field: str) -> str:
    return "" if head is None else _text(find(head, name), place, field)


def _nitf_dateline(head: Element | None, place: ItemPlace) -> str:
    """NITF's dateline is the place and the date; the story's dateline is the place."""
    dateline = None if head is None else find(head, "dateline")
    if dateline is None:
        return ""
    location = find(dateline, "location")
    return _text(location if location is not None else dateline, place, "dateline")


def _body(content_set: Element | None, place: ItemPlace) -> tuple[str, Element | None]:
    """The body as HTML, XHTML first, then NITF, then plain text; and NITF's ``body.head``
    when the body is NITF."""
    offered = []
    for element in content_set if content_set is not None else ():
        kind = local(element.tag)
        if kind not in ("inlineXML", "inlineData"):
            continue  # remoteContent: a picture or video elsewhere, not copy
        content_type = element.get("contenttype", "").split(";")[0].strip().lower()
        first = next(iter(element), None)
        if kind == "inlineXML" and not content_type and first is not None:
            # No content type given: what the markup is tells.
            content_type = {"html": _XHTML_TYPES[0], "nitf": _NITF_TYPES[0]}.get(
                local(first.tag), ""
            )
        offered.append((content_type, kind, element))
    # Bodies are at most xmlsafe.MAX_DEPTH deep: the parser refused anything deeper.
    for wanted in (_XHTML_TYPES, _NITF_TYPES, _TEXT_TYPES):
        for content_type, kind, element in offered:
            if content_type not in wanted:
                continue
            if wanted is _TEXT_TYPES:
                if kind == "inlineData":
                    text = fields.clean(element.text or "", place, "contentSet")
                    return fields.paragraphs_html(text), None
            elif wanted is _NITF_TYPES:
                return fields.clean(markup.nitf(element), place, "contentSet"), find(
                    element, "body.head"
                )
            else:
                return fields.clean(markup.xhtml(element), place, "contentSet"), None
    if offered:
        sent = ", ".join(
            sorted({excerpt(content_type or "no content type") for content_type, _, _ in offered})
        )
        raise place.refuse(
            "contentSet",
            f"no body is XHTML, NITF or plain text (the item sends {sent}).",
        )
    return "", None


def _item_texts(text: str, elements: list[Element]) -> list[str]:
    """Each ``newsItem`` of a message as it stands in the file, with the namespace declarations
    it inherits from the message added to its start tag, so that each record is XML that can
    be read on its own. (The text is read again with expat for the items' places in it; the
    defused parse has already shown it holds no DTD.)"""
    source = xmlsafe.without_declaration(text).encode("utf-8")
    parser = xml.parsers.expat.ParserCreate()
    stack: list[tuple[str, dict]] = []
    spans: list[list] = []

    def is_item(name: str) -> bool:
        return (
            len(stack) == 2
            and name.rsplit(":", 1)[-1] == "newsItem"
            and stack[-1][0].rsplit(":", 1)[-1] == "itemSet"
        )

    def start(name, attributes):
        if is_item(name):
            inherited = {
                key: value
                for _, declared in stack
                for key, value in declared.items()
                if (key == "xmlns" or key.startswith("xmlns:")) and key not in attributes
            }
            spans.append([parser.CurrentByteIndex, None, len(name.encode()) + 1, inherited])
        stack.append((name, attributes))

    def end(name):
        stack.pop()
        if is_item(name):
            spans[-1][1] = source.index(b">", parser.CurrentByteIndex) + 1

    parser.StartElementHandler, parser.EndElementHandler = start, end
    try:
        parser.Parse(source, True)
    except xml.parsers.expat.ExpatError:
        spans = []
    if len(spans) != len(elements) or any(finish is None for _, finish, _, _ in spans):
        # Never expected (both parsers read the same text): the items re-written instead.
        return [tostring(element, encoding="unicode") for element in elements]
    texts = []
    for begin, finish, name_end, inherited in spans:
        declarations = "".join(f" {key}={quoteattr(value)}" for key, value in inherited.items())
        item = source[begin : begin + name_end] + declarations.encode()
        texts.append((item + source[begin + name_end : finish]).decode())
    return texts
