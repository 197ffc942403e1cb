"""What the reader typed, made into the words to look for: never passed on as query syntax."""

import re

# Only this much of the query is read: enough for any real search, and a 10,000-character
# query costs no more than a short one.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12

# Han (with extensions and compatibility ideographs), kana and Hangul syllables.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
_CJK_CHAR = re.compile(f"[{_CJK}]")
# A term: a run of CJK characters, or a run of other letters and digits (no underscore).
_TERM = re.compile(rf"[{_CJK}]+|(?:(?![{_CJK}])[^\W_])+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACE = re.compile(r"\s+")


def clean_query(raw: str | None) -> str:
    """The query as it is searched and shown again: at most MAX_QUERY_LENGTH characters, with
    control characters and runs of white space made single spaces."""
    text = (raw or "")[:MAX_QUERY_LENGTH]
    return _SPACE.sub(" ", _CONTROL.sub(" ", text)).strip()


def parse_query(raw: str | None) -> list[str]:
    """The words to look for, lower-cased, each once, in order, at most MAX_TERMS of them.

    Only runs of letters and digits are kept, so ``AND``, ``OR``, ``NOT``, ``*``, ``-`` and quotes
    are ordinary words or nothing at all, and no input can make the database raise an error.
    """
    terms: list[str] = []
    for term in _TERM.findall(clean_query(raw)):
        term = term.lower()
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def is_cjk(term: str) -> bool:
    return bool(_CJK_CHAR.match(term))


def spread_cjk(text: str) -> str:
    """A space either side of every CJK character, so each one is a token of its own.

    Chinese, Japanese and Korean are written without spaces between words: the index and the
    query are both spread, and a run is searched as a phrase, so "前海" finds "前海深港合作区".
    """
    return _CJK_CHAR.sub(lambda m: f" {m.group()} ", text)
