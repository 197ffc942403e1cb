"""Readable history of a story: what each saved revision changed in its headline, standfirst and body."""

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from reversion.models import Version

from core.text import html_to_text

DIFF_FIELDS = [("headline", "Headline"), ("standfirst", "Standfirst"), ("body", "Body")]


def word_diff(old: str, new: str) -> SafeString:
    """Words removed in <del>, words added in <ins>; everything escaped."""
    old_words, new_words = re.split(r"(\s+)", old), re.split(r"(\s+)", new)
    parts = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(old_words[a1:a2])))
            continue
        removed, added = "".join(old_words[a1:a2]), "".join(new_words[b1:b2])
        if removed:
            parts.append(f"<del>{escape(removed)}</del>")
        if added:
            parts.append(f"<ins>{escape(added)}</ins>")
    return mark_safe("".join(parts).replace("\n", "<br>"))


def text_changes(before: dict, after: dict) -> list[dict]:
    """The headline, standfirst and body changes from ``before`` to ``after`` (field -> HTML)."""
    changes = []
    for name, label in DIFF_FIELDS:
        old, new = html_to_text(before.get(name) or ""), html_to_text(after.get(name) or "")
        if old != new:
            changes.append({"label": label, "diff": word_diff(old, new)})
    return changes


def revision_changes(article) -> dict[int, list[dict]]:
    """For each revision of ``article`` (by revision id), the fields it changed and how."""
    versions = (
        Version.objects.get_for_object(article).select_related("revision").order_by("revision_id")
    )
    changes: dict[int, list[dict]] = {}
    previous: dict = {}
    for version in versions:
        changes[version.revision_id] = text_changes(previous, version.field_dict)
        previous = version.field_dict
    return changes
