"""The matched words marked with ``<mark>`` in Python, after escaping, by a light suffix-stripping
match that approximates the databases' stemming."""

import functools
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .query import is_cjk

# Not marked when the query has other words: PostgreSQL does not even index them, and a page of
# marked "the"s hides the words that matter.
_COMMON_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "he",
    "her", "his", "in", "is", "it", "its", "of", "on", "or", "she", "that", "the", "their", "they",
    "this", "to", "was", "were", "which", "who", "will", "with",
})  # fmt: skip


def _light_stem(word: str) -> str:
    """Near enough to the databases' English stemming to mark "representatives" for
    "representative" and "forums" for "forum"."""
    word = word.lower()
    for suffix, replacement in (("ies", "y"), ("ing", ""), ("ed", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


@functools.lru_cache(maxsize=256)
def _stem_words(stems: frozenset[str]) -> re.Pattern:
    """Whole words that may have one of these stems: each starts with the stem less its last
    letter ("compan" for "company", to catch "companies"). Only those are stemmed, not every word
    of a story's body."""
    starts = sorted({stem[:-1] for stem in stems}, key=len, reverse=True)
    return re.compile(
        rf"(?<![^\W_])(?:{'|'.join(re.escape(start) for start in starts)})[^\W_]*", re.IGNORECASE
    )


def _match_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    if any(t not in _COMMON_WORDS for t in terms):
        terms = [t for t in terms if t not in _COMMON_WORDS]
    spans = []
    cjk = [t for t in terms if is_cjk(t)]
    if cjk:
        pattern = re.compile("|".join(re.escape(t) for t in sorted(cjk, key=len, reverse=True)))
        spans += [m.span() for m in pattern.finditer(text)]
    stems = {_light_stem(t) for t in terms if not is_cjk(t)}
    if stems:
        spans += [
            m.span()
            for m in _stem_words(frozenset(stems)).finditer(text)
            if _light_stem(m.group()) in stems
        ]
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, terms: list[str]) -> SafeString:
    """``text`` escaped for HTML, with each matched word in ``<mark>``."""
    out, position = [], 0
    for start, end in _match_spans(text, terms):
        out += [escape(text[position:start]), "<mark>", escape(text[start:end]), "</mark>"]
        position = end
    out.append(escape(text[position:]))
    return mark_safe("".join(out))


def excerpt(text: str, terms: list[str], *, before: int = 80, length: int = 240) -> SafeString:
    """About ``length`` characters of ``text`` (one line) around the first match, marked; empty
    if none."""
    spans = _match_spans(text, terms)
    if not spans:
        return mark_safe("")
    start = max(0, spans[0][0] - before)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < spans[0][0] else start
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", spans[0][1], end)
        end = space if space > 0 else end
    body = highlight(text[start:end], terms)
    return mark_safe(("… " if start else "") + body + (" …" if end < len(text) else ""))
