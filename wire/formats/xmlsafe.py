"""Agency XML read safely: the encoding it declares honoured or refused, and no DTD, entity or
external reference ever read.

A document type declaration is where the two classic attacks on XML readers live: entities that
expand to gigabytes ("billion laughs") and external entities that read a file on the server
(``<!ENTITY x SYSTEM "file:///etc/passwd">``). NewsML-G2 needs neither, so any DOCTYPE is
refused before anything in it is expanded (defusedxml with ``forbid_dtd``).

The bytes are decoded here, with Python's codec for the declared encoding, and the parser is
given text: so an unknown or mismatched encoding is refused in the newsroom's words, and a byte
that does not decode is named by line and column.
"""

import codecs
import re
import xml.etree.ElementTree as ET

import defusedxml
import defusedxml.ElementTree

from articles.wire import excerpt

from . import IngestError
from .encoding import byte_order_mark, decode, wide_without_mark

# The XML declaration, at the very start of the text (the XML rule), with its encoding if any.
_DECLARATION = re.compile(r"<\?xml[ \t\r\n][^>]*?\?>")
_ENCODING = re.compile(r"""[ \t\r\n]encoding[ \t\r\n]*=[ \t\r\n]*(["'])([^"']{0,80})\1""")
_DOCTYPE = re.compile(r"<!DOCTYPE", re.IGNORECASE)
# Python codecs that turn bytes into text but are not how any agency writes XML: escape-sequence
# and domain-name codecs would read "\x3c" or "xn--" as markup; UTF-7 is a known way of
# smuggling markup past filters.
_REFUSED_CODECS = frozenset({
    "utf-7", "unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined",
})  # fmt: skip
_ADVICE = "Ask the agency to send the file in the encoding it declares, or in UTF-8."


def decode_xml(data: bytes, filename: str) -> str:
    """The file as text, in the encoding its byte order mark or XML declaration says (UTF-8
    when neither does)."""
    marked, skip = byte_order_mark(data)
    body = data[skip:]
    wide = marked if marked != "utf-8" else ""
    wide = wide or ("" if marked else wide_without_mark(body))
    if wide:
        text = decode(body, wide, filename, advice=_ADVICE)
        declared = _declared_encoding(text)
        if declared and not _codec(declared, filename).startswith(wide[:6]):
            raise IngestError(
                filename,
                "line 1",
                f"the file is {wide[:6].upper()} text but declares the encoding "
                f"“{excerpt(declared)}”; the two must agree.",
            )
        return text
    # The declaration itself is ASCII in every encoding a declaration can be read in here.
    declared = _declared_encoding(body[:200].decode("latin-1"))
    codec = _codec(declared, filename) if declared else "utf-8"
    if marked and codec != "utf-8":
        raise IngestError(
            filename,
            "line 1",
            f"the file begins with a UTF-8 byte order mark but declares the encoding "
            f"“{excerpt(declared)}”; the two must agree.",
        )
    if codec.startswith(("utf-16", "utf-32")):
        raise IngestError(
            filename,
            "line 1",
            f"the file declares the encoding “{excerpt(declared)}” but is not written in it "
            "(its declaration is readable as single bytes). " + _ADVICE,
        )
    return decode(body, codec, filename, advice=_ADVICE)


def _declared_encoding(text: str) -> str:
    declaration = _DECLARATION.match(text)
    if declaration is None:
        return ""
    encoding = _ENCODING.search(declaration[0])
    return encoding[2].strip() if encoding else ""


def _codec(name: str, filename: str) -> str:
    """Python's name for the encoding ``name``; refused if Python has none or it is not one an
    agency writes XML in."""
    try:
        info = codecs.lookup(name)
        # Only text encodings encode text (zlib and base64 are Python codecs too).
        "<".encode(info.name)
    except (LookupError, ValueError):
        info = None
    if info is None or info.name in _REFUSED_CODECS:
        raise IngestError(
            filename,
            "line 1",
            f"the file declares the encoding “{excerpt(name)}”, which is not one we can read. "
            "Ask the agency to send UTF-8.",
        )
    return info.name


def without_declaration(text: str) -> str:
    """``text`` with its XML declaration blanked out (spaces, line ends kept), so the parser
    reads the text it is given and does not act on an encoding already applied, and lines and
    columns in its messages stay those of the file."""
    declaration = _DECLARATION.match(text)
    if declaration is None:
        return text
    blank = re.sub(r"[^\n]", " ", declaration[0])
    return blank + text[declaration.end() :]


# No news item is nested this deep (NewsML-G2 with an XHTML body is some twenty levels); a file
# nested deeper is built to exhaust the worker's memory (700,000 levels fit in 5 MB).
MAX_DEPTH = 200


class _TooDeep(Exception):
    pass


class _DepthLimitedBuilder(ET.TreeBuilder):
    """The standard tree builder, stopping at ``MAX_DEPTH`` levels before it builds more."""

    depth = 0

    def start(self, tag, attrs):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep
        return super().start(tag, attrs)

    def end(self, tag):
        self.depth -= 1
        return super().end(tag)


def parse_xml(text: str, filename: str) -> ET.Element:
    """The document's root element; refused with the line (and column) of what is wrong."""
    parser = defusedxml.ElementTree.DefusedXMLParser(
        target=_DepthLimitedBuilder(), forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    try:
        parser.feed(without_declaration(text))
        return parser.close()
    except _TooDeep:
        raise IngestError(
            filename,
            f"line {parser.parser.CurrentLineNumber}",
            f"the XML is nested more than {MAX_DEPTH} elements deep here; no news item is.",
        ) from None
    except defusedxml.DefusedXmlException:
        doctype = _DOCTYPE.search(text)
        place = f"line {text.count(chr(10), 0, doctype.start()) + 1}" if doctype else None
        raise IngestError(
            filename,
            place,
            "the file has a document type declaration (DOCTYPE). DTDs and entities are not "
            "accepted in agency files: they can expand to gigabytes or read files on our "
            "servers, and NewsML-G2 needs neither.",
        ) from None
    except ET.ParseError as error:
        line, column = error.position
        reason = str(error).split(":")[0]
        raise IngestError(
            filename,
            f"line {line}, column {column + 1}",
            f"the XML is broken here ({excerpt(reason)}); the agency's file is damaged or cut "
            "short.",
        ) from None
    except RecursionError:
        raise IngestError(
            filename, None, "the XML is nested too deeply to be a news item."
        ) from None
