"""Wire copy: the plain-text format reporters file in, read into fields and written back out.

The format is the seed's (``fixtures/source/qianhai-forum.txt``)::

    Shenzhen                      line 1: the dateline, the place the story was filed from
    Chang Zhipeng                 line 2: the reporter's name, as on the byline
    57589527@qq.com               line 3: the reporter's email, which matches the byline
    APPROXIMATELY 1,200 ...       then one paragraph a line
    The forum covered ...

This module only reads and writes text: no database, no files. ``parse`` takes the bytes as they
arrived and the file's name (for messages) and returns a ``WireCopy``, or raises ``WireError``
naming the file and the line. It is tolerant of what copy picks up on its way (a byte order mark,
CRLF line ends, blank lines between paragraphs, spaces at the ends of lines, no newline at the end)
and strict about the rest, so nothing half-read reaches the site.
"""

import hashlib
import html
import json
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# The longest values the story and reporter records take (Article.dateline, Reporter.name,
# Reporter.email); longer copy is refused here rather than cut short or failing in the database.
MAX_DATELINE = 100
MAX_REPORTER_NAME = 200
MAX_EMAIL = 254
# A provisional headline is a working title, so it is kept short enough to read in the admin list.
MAX_PROVISIONAL_HEADLINE = 120

# Line ends as copy arrives from Unix, Windows and old Mac systems. Not str.splitlines(), which
# also splits on form feeds, U+2028 and other characters that belong inside a paragraph.
_LINE_END = re.compile(r"\r\n|\r|\n")
# Control characters other than tab and the line ends: never in real copy, always in binaries.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BOM = "\ufeff"

# The end of a sentence: ., ! or ? with any closing quotes or brackets, then a space; or a Chinese
# or Japanese full stop, exclamation or question mark, which need no space after them.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s)|[。！？]")
# Words that end in a full stop without ending the sentence ("Mr. Xu said ...").
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "st", "no", "gen", "gov", "sen", "rep", "inc", "co", "corp",
    "ltd", "jr", "sr", "vs", "etc", "e.g", "i.e", "u.s", "u.k", "u.n", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sept", "sep", "oct", "nov", "dec",
})  # fmt: skip


class WireError(ValueError):
    """Copy that cannot be imported: which file, which line (1-based; None for the whole file),
    and what is wrong, in words an editor can act on."""

    def __init__(self, file: str, line: int | None, message: str):
        self.file = file
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self):
        file = visible(self.file)
        where = file if self.line is None else f"{file}, line {self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class WireCopy:
    """One story as filed. Text is kept exactly as sent, less spaces at the ends of lines."""

    filename: str
    dateline: str
    reporter_name: str
    reporter_email: str
    paragraphs: tuple[str, ...]

    @property
    def fingerprint(self) -> str:
        """The same story filed again hashes the same, however its lines end or are spaced.

        Made from the dateline, the email (in any case) and the paragraphs, each in Unicode NFC with
        runs of spaces made one; the reporter's name is left out, since the email identifies them.
        """
        parts = [_normalise(self.dateline), _normalise(self.reporter_email).lower()]
        parts += [_normalise(paragraph) for paragraph in self.paragraphs]
        encoded = json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode()
        return hashlib.sha256(encoded).hexdigest()

    @property
    def body_html(self) -> str:
        """The paragraphs as the story body stores them: one ``<p>`` a line, text escaped, so
        anything in the copy that looks like markup is shown as the characters it is."""
        return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in self.paragraphs)

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    @property
    def provisional_headline(self) -> str:
        return provisional_headline(self.paragraphs[0])


def _normalise(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def _line_of(data: bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in bytes) of ``offset`` in ``data``."""
    before = data[:offset]
    line = before.count(b"\n") + 1
    if b"\n" not in before:
        line = before.count(b"\r") + 1  # old Mac line ends
    start = max(before.rfind(b"\n"), before.rfind(b"\r"))
    return line, offset - start


def _decode(data: bytes, filename: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise WireError(
            filename,
            1,
            "the file is UTF-16 text; save it as UTF-8 (plain text) and import it again.",
        )
    nul = data.find(b"\x00")
    if nul != -1:
        line, _ = _line_of(data, nul)
        raise WireError(
            filename, line, "this is a binary file (it contains NUL bytes), not plain-text copy."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _line_of(data, error.start)
        raise WireError(
            filename,
            line,
            f"the text is not UTF-8 (byte 0x{data[error.start]:02X} at column {column} cannot "
            "be read). Save the file as UTF-8 and import it again.",
        ) from None
    return text.removeprefix(_BOM)


def parse(data: bytes, filename: str) -> WireCopy:
    """Read one wire story from the bytes of a file; raise ``WireError`` if it is not one."""
    lines = _text_lines(_decode(data, filename), filename)
    dateline, name, email = lines[:3]
    _check_header(filename, dateline, name, email)
    paragraphs = tuple(line for line in lines[3:] if line)
    if not paragraphs:
        raise WireError(
            filename,
            4,
            "there is no story text: the paragraphs should follow the dateline, reporter and "
            "email lines.",
        )
    return WireCopy(
        filename=filename,
        dateline=dateline,
        reporter_name=name,
        reporter_email=email,
        paragraphs=paragraphs,
    )


def _text_lines(text: str, filename: str) -> list[str]:
    """The file's lines, stripped, at least three; refused if binary or empty."""
    raw_lines = _LINE_END.split(text)
    for number, line in enumerate(raw_lines, start=1):
        control = _CONTROL.search(line)
        if control:
            raise WireError(
                filename,
                number,
                f"control character U+{ord(control[0]):04X} at column {control.start() + 1}: "
                "this looks like a binary file, not plain-text copy.",
            )
    # str.strip() also takes the no-break and ideographic spaces some editors indent with.
    lines = [line.strip() for line in raw_lines]
    if not any(lines):
        raise WireError(filename, 1, "the file is empty.")
    return lines + [""] * (3 - len(lines))


def _check_header(filename: str, dateline: str, name: str, email: str) -> None:
    """Lines 1 to 3: the dateline, the reporter's name and their email."""
    if not dateline:
        raise WireError(
            filename, 1, "line 1 must be the dateline (the place the story was filed from)."
        )
    if len(dateline) > MAX_DATELINE:
        raise WireError(
            filename,
            1,
            f"the dateline is {len(dateline)} characters long (at most {MAX_DATELINE}). The "
            "first three lines must be the dateline, the reporter's name and their email.",
        )
    if not name:
        raise WireError(filename, 2, "line 2 must be the reporter's name.")
    if len(name) > MAX_REPORTER_NAME:
        raise WireError(
            filename,
            2,
            f"the reporter's name is {len(name)} characters long (at most {MAX_REPORTER_NAME}).",
        )
    if not email:
        raise WireError(filename, 3, "line 3 must be the reporter's email address.")
    if not _is_email(email):
        hint = " Lines 2 and 3 look swapped." if _is_email(name) else ""
        raise WireError(
            filename, 3, f"“{excerpt(email)}” is not a valid email address on line 3.{hint}"
        )


def _is_email(value: str) -> bool:
    if len(value) > MAX_EMAIL:
        return False
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _visible_char(char: str) -> str:
    if char == "\\":
        return "\\\\"
    return char if char.isprintable() else repr(char)[1:-1]


def visible(value: str) -> str:
    """``value`` with the characters a reader cannot see (control and format characters such as
    U+202E, which turns the text after it around, or a zero-width space) written as Python escapes
    (``\\u202e``), and backslashes doubled so an escape cannot be faked."""
    return "".join(_visible_char(char) for char in value)


def excerpt(value: str, limit: int = 60) -> str:
    """A refused line as an error message may quote it: ``visible`` and at most ``limit``
    characters, the rest replaced by "…". Every message quoting copy goes through this, so a file
    that is not copy at all (a password file, say) is never echoed at length."""
    pieces = [_visible_char(char) for char in value]
    if sum(map(len, pieces)) <= limit:
        return "".join(pieces)
    kept, length = [], 0
    for piece in pieces:  # whole escapes only: never "\\u20" cut from "\\u202e"
        if length + len(piece) > limit - 1:
            break
        kept.append(piece)
        length += len(piece)
    return "".join(kept) + "…"


def provisional_headline(paragraph: str) -> str:
    """A working headline from the first sentence of ``paragraph``, cut at a word if long.

    Flagged on the story as needing an editor's headline; it only has to say which story it is.
    """
    sentence = paragraph
    for match in _SENTENCE_END.finditer(paragraph):
        candidate = paragraph[: match.end()]
        words = paragraph[: match.start()].split()
        last_word = words[-1].lower() if words else ""
        if match[0][0] == "." and (last_word in _ABBREVIATIONS or len(last_word) == 1):
            continue  # "Mr." or an initial, not the end of the sentence
        sentence = candidate
        break
    return cut_at_word(sentence.strip().rstrip(".。"), MAX_PROVISIONAL_HEADLINE)


def cut_at_word(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters: cut at a word and ended with "…" if longer."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:–—-") + "…"
