"""Stored HTML as plain text: the one rule for search, mentions, revisions and descriptions."""

import html
import re

# Tags inside a word's run of text: removed without a space, so "<b>Qian</b>hai" stays one word.
_INLINE = re.compile(
    r"</?(?:a|abbr|b|code|em|i|mark|s|small|span|strong|sub|sup|u)\b[^>]*>", re.IGNORECASE
)
# Where one block of text ends and the next begins.
_BLOCK_END = re.compile(
    r"</(?:p|h[1-6]|li|blockquote|pre|div|figcaption|caption|dt|dd|th|td)\s*>|<br\s*/?>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")


def html_to_text(value: str) -> str:
    """The words a reader sees in ``value``: one line a block (paragraph, heading, list item,
    quotation...), spaces within a line collapsed, entities as characters, no empty lines."""
    text = _BLOCK_END.sub("\n", _INLINE.sub("", value or ""))
    text = html.unescape(_TAG.sub(" ", text))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def one_line(value: str) -> str:
    """``html_to_text`` on one line: for search text, excerpts and descriptions."""
    return " ".join(html_to_text(value).split())
