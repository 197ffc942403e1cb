"""Bytes to text for agency files: byte order marks, and bytes that do not decode refused with
the line and column where they are."""

import codecs

from articles.wire import excerpt

from . import IngestError

# Longest first: a UTF-32 little-endian mark begins with the UTF-16 one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def byte_order_mark(data: bytes) -> tuple[str, int]:
    """The encoding a byte order mark at the start of ``data`` says, and the mark's length;
    ("", 0) when there is none."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            return codec, len(bom)
    return "", 0


def wide_without_mark(data: bytes) -> str:
    """UTF-16 or UTF-32 text with no byte order mark, told by where the NUL bytes fall among
    the first four (JSON's and XML's own rule, the first character being ASCII); "" if not."""
    head = data[:4]
    if len(head) < 2 or b"\x00" not in head:
        return ""
    if len(head) == 4 and head[:3] == b"\x00\x00\x00":
        return "utf-32-be"
    if len(head) == 4 and head[1:] == b"\x00\x00\x00":
        return "utf-32-le"
    if head[0] == 0:
        return "utf-16-be"
    if head[1] == 0:
        return "utf-16-le"
    return ""


def decode(data: bytes, codec: str, filename: str, *, advice: str) -> str:
    """``data`` decoded, or refused at the first byte that does not decode, naming its line
    and column (counted in the text read so far) and saying what to do (``advice``)."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        before = data[: error.start].decode(codec, errors="replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        bad = data[error.start : min(error.end, error.start + 4)]
        shown = " ".join(f"0x{byte:02X}" for byte in bad)
        raise IngestError(
            filename,
            f"line {line}, column {column}",
            f"the text is not {excerpt(codec.upper())}: {shown} cannot be read there. {advice}",
        ) from None
