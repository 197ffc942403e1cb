"""Agency body markup (XHTML, NITF) written out as plain HTML, without namespaces, for the queue
to put through the story sanitiser (``articles.html``): this module translates, it does not
decide what is safe.

NITF's own names become their HTML ones (``hl2`` a subheading, ``bq`` a quotation); its
wrappers (``block``) and its inline tagging of people, places and sums are unwrapped to their
text; media references and notes for editors are left out with what is inside them.
"""

import html
from collections.abc import Callable, Iterable
from xml.etree.ElementTree import Element

KEEP, UNWRAP, DROP = "keep", "unwrap", "drop"
_VOID = frozenset({"br", "hr", "img"})
# Attributes worth handing on; the sanitiser decides which of them survive.
_ATTRIBUTES = frozenset({"href", "title", "src", "alt", "colspan", "rowspan"})

# Code, or the document's head, never copy.
_XHTML_DROPPED = frozenset({"script", "style", "head", "title", "template", "noscript"})
_XHTML_UNWRAPPED = frozenset({"html", "body"})

_NITF_RENAMED = {"hl1": "h2", "hl2": "h2", "bq": "blockquote", "credit": "p"}
_NITF_KEPT = frozenset({
    "p", "br", "a", "em", "strong", "b", "i", "sub", "sup", "q", "pre", "ul", "ol", "li", "dl",
    "dt", "dd", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
})  # fmt: skip
# Pictures and video are referenced, not sent; notes and footnotes are for editors; the table
# metadata describes a table, it is not in it.
_NITF_DROPPED = frozenset({"media", "note", "fn", "nitf-table-metadata", "body.end", "ed-msg"})


def local(tag: object) -> str:
    """An element's or attribute's name without its namespace ("{http://...}p" is "p")."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def find(root: Element, name: str) -> Element | None:
    """The first element named ``name`` (in any namespace) in ``root``, root included."""
    return next((element for element in root.iter() if local(element.tag) == name), None)


def text_of(element: Element | None) -> str:
    """An element's words, markup dropped, spaces collapsed: for headlines, bylines..."""
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def xhtml(container: Element) -> str:
    """An XHTML body (the children of ``<body>``, or the container's own children when the
    agency sent bare paragraphs) as HTML."""
    body = find(container, "body")
    if body is None:
        return _write([*container], _xhtml_rule)
    return _write([body], _xhtml_rule)


def nitf(container: Element) -> str:
    """A NITF body (``body.content``) as HTML; "" if there is none."""
    content = find(container, "body.content")
    return "" if content is None else _write([*content], _nitf_rule, leading=content.text)


def _xhtml_rule(name: str) -> tuple[str, str]:
    if name in _XHTML_DROPPED:
        return DROP, ""
    if name in _XHTML_UNWRAPPED:
        return UNWRAP, ""
    return KEEP, name


def _nitf_rule(name: str) -> tuple[str, str]:
    if name in _NITF_DROPPED:
        return DROP, ""
    if name in _NITF_RENAMED:
        return KEEP, _NITF_RENAMED[name]
    if name in _NITF_KEPT:
        return KEEP, name
    return UNWRAP, ""  # block, and inline tagging: person, org, location, money, chron...


def _write(
    elements: Iterable[Element],
    rule: Callable[[str], tuple[str, str]],
    *,
    leading: str | None = None,
) -> str:
    out = [_escape(leading)]
    for element in elements:
        _element(element, rule, out)
        out.append(_escape(element.tail))
    return "".join(out).strip()


def _element(element: Element, rule, out: list[str]) -> None:
    # Recursion is bounded: the parser refuses XML deeper than xmlsafe.MAX_DEPTH.
    action, tag = rule(local(element.tag))
    if action == DROP:
        return
    if action == KEEP:
        attributes = "".join(
            f' {local(name)}="{html.escape(value)}"'
            for name, value in element.attrib.items()
            if local(name) in _ATTRIBUTES
        )
        out.append(f"<{tag}{attributes}>")
        if tag in _VOID:
            return
    out.append(_escape(element.text))
    for child in element:
        _element(child, rule, out)
        out.append(_escape(child.tail))
    if action == KEEP:
        out.append(f"</{tag}>")


def _escape(text: str | None) -> str:
    if not text:
        return ""
    if text.isspace():
        # The XML's indentation between blocks: one line end (or space) says the same.
        return "\n" if "\n" in text else " "
    return html.escape(text, quote=False)
