"""Readable history of a story: what each saved revision changed in its headline, standfirst and
body, and which of the body's furniture (pictures, galleries, embedded posts and videos, tables,
pull quotes, fact boxes) it added, removed or changed, in words."""

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from reversion.models import Version

from core.text import html_to_text, one_line

from . import body as story_body

DIFF_FIELDS = [("headline", "Headline"), ("standfirst", "Standfirst"), ("body", "Body")]

# What a line of furniture changes starts with: in History, what a save did; on the restore page,
# what restoring would do.
VERBS = {
    "past": {"add": "Added", "remove": "Removed", "change": "Changed", "make": "Made"},
    "present": {"add": "Adds", "remove": "Removes", "change": "Changes", "make": "Makes"},
}
WIDTHS = {"column": "column width", "full": "full width"}
# How much of a pull quote's, fact box's or table's words name it in a line.
NAMED_LENGTH = 60


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


def text_changes(
    before: dict, after: dict, images: dict | None = None, *, tense: str = "past"
) -> list[dict]:
    """The headline, standfirst and body changes from ``before`` to ``after`` (field -> HTML):
    each a label, the word diff ("" when no words changed) and, for the body, the furniture
    changes in words. ``images``: the library pictures of both bodies by number
    (``body.images_for``), read here in one query when not given."""
    old_body, new_body = before.get("body") or "", after.get("body") or ""
    if images is None:
        images = story_body.images_for(old_body, new_body)
    furniture = {"body": furniture_changes(old_body, new_body, images, tense=tense)}
    changes = []
    for name, label in DIFF_FIELDS:
        old, new = html_to_text(before.get(name) or ""), html_to_text(after.get(name) or "")
        if old != new or furniture.get(name):
            diff = word_diff(old, new) if old != new else ""
            changes.append({"label": label, "diff": diff, "furniture": furniture.get(name, [])})
    return changes


def revision_changes(article) -> dict[int, list[dict]]:
    """For each revision of ``article`` (by revision id), the fields it changed and how. The
    pictures of every version are read in one query."""
    versions = list(
        Version.objects.get_for_object(article).select_related("revision").order_by("revision_id")
    )
    images = story_body.images_for(*(version.field_dict.get("body") or "" for version in versions))
    changes: dict[int, list[dict]] = {}
    previous: dict = {}
    for version in versions:
        changes[version.revision_id] = text_changes(previous, version.field_dict, images)
        previous = version.field_dict
    return changes


# The body's furniture, compared between two versions.

_BOX_TAG = re.compile(r"<(/?)(table|blockquote|aside)\b([^>]*)>", re.IGNORECASE)
_CLASS = re.compile(r'class="([^"]*)"')
_ROW = re.compile(r"<tr\b.*?</tr>", re.IGNORECASE | re.S)
# The furniture that is not a figure: its name in words, and the tag and class it is stored as.
BOXES = {
    "table": ("table", ""),
    "pull quote": ("blockquote", "pull-quote"),
    "fact box": ("aside", "fact-box"),
}


@dataclass
class _Box:
    """A table, pull quote or fact box of a body: where it starts, its words, its name."""

    kind: str
    start: int
    inner: str

    @property
    def words(self) -> str:
        return one_line(self.inner)

    def describe(self) -> str:
        """The box in words, named by its first row, first paragraph or heading: "a table
        (Year, Delegates)", "a pull quote (“We are ready.”)", "a fact box (In numbers)"."""
        if self.kind == "table":
            row = _ROW.search(self.inner)
            name = ", ".join(html_to_text(row[0]).splitlines()) if row else ""
        else:
            lines = html_to_text(self.inner).splitlines()
            name = lines[0] if lines else ""
            if name and self.kind == "pull quote":
                name = f"“{_shortened(name, NAMED_LENGTH - 2)}”"
        return f"a {self.kind} ({_shortened(name, NAMED_LENGTH)})" if name else f"a {self.kind}"


def _shortened(words: str, length: int) -> str:
    if len(words) <= length:
        return words
    return words[: length - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def boxes(body: str) -> dict[str, list[_Box]]:
    """The tables, pull quotes and fact boxes of a stored body, by kind, in order (one inside
    another of its own kind is part of it)."""
    found: dict[str, list[_Box]] = {kind: [] for kind in BOXES}
    open_tags: list[tuple[str, str | None, int, int]] = []  # tag, kind, start, content start
    for tag in _BOX_TAG.finditer(body or ""):
        name = tag[2].lower()
        if not tag[1]:
            classes = (_CLASS.search(tag[3]) or [None, ""])[1].split()
            kind = next(
                (k for k, (t, c) in BOXES.items() if t == name and (not c or c in classes)), None
            )
            open_tags.append((name, kind, tag.start(), tag.end()))
            continue
        while open_tags:
            opened, kind, start, content = open_tags.pop()
            if opened != name:
                continue
            if kind and not any(outer == kind for _, outer, _, _ in open_tags):
                found[kind].append(_Box(kind, start, body[content : tag.start()]))
            break
    return found


@dataclass
class _Line:
    at: int  # where in its body what it names starts
    verb: str  # a key of VERBS
    words: str  # what follows the verb


class _Comparison:
    """The furniture changes found so far, and the pictures to name pictures by."""

    def __init__(self, images: dict):
        self.images = images
        self.added: list[_Line] = []
        self.removed: list[_Line] = []
        self.changed: list[_Line] = []

    def lines(self, tense: str) -> list[str]:
        verbs = VERBS[tense]
        ordered = [
            *sorted(self.added, key=lambda line: line.at),
            *sorted(self.removed, key=lambda line: line.at),
            *sorted(self.changed, key=lambda line: line.at),
        ]
        return [f"{verbs[line.verb]} {line.words}" for line in ordered]

    def name(self, figure) -> str:
        return story_body.describe(figure, self.images)

    def pictures(self, old: list, new: list, where: str = "") -> list[tuple]:
        """Pictures by their number in the library; ``where``: " a gallery" for a gallery's."""
        pairs, gone, came = _pair(old, new, lambda figure: figure.image_id)
        self.added += [_Line(f.start, "add", self.name(f) + _to(where)) for f in came]
        self.removed += [_Line(f.start, "remove", self.name(f) + _from(where)) for f in gone]
        for before, after in pairs:
            if _caption(before) != _caption(after):
                words = f"the caption of {self.name(after)}{' in' + where if where else ''}"
                self.changed.append(_Line(after.start, "change", words))
            if before.size != after.size and not where:
                words = f"{self.name(after)} {WIDTHS[after.size]}"
                self.changed.append(_Line(after.start, "make", words))
        return pairs

    def galleries(self, old: list, new: list) -> None:
        """Galleries sharing pictures are one gallery, changed: the pair sharing most first."""
        shared = sorted(
            (-len(_numbers(before) & _numbers(after)), i, j)
            for i, before in enumerate(old)
            for j, after in enumerate(new)
            if _numbers(before) & _numbers(after)
        )
        matched: dict[int, int] = {}  # the new gallery's place -> the old one's
        for _, i, j in shared:
            if j not in matched and i not in matched.values():
                matched[j] = i
        self.added += [
            _Line(after.start, "add", self.name(after))
            for j, after in enumerate(new)
            if j not in matched
        ]
        self.removed += [
            _Line(before.start, "remove", self.name(before))
            for i, before in enumerate(old)
            if i not in matched.values()
        ]
        for j, i in matched.items():
            before, after = old[i], new[j]
            pairs = self.pictures(_pictures(before), _pictures(after), " a gallery")
            kept = {id(figure) for pair in pairs for figure in pair}
            order_was = [f.image_id for f in _pictures(before) if id(f) in kept]
            order_now = [f.image_id for f in _pictures(after) if id(f) in kept]
            if order_was != order_now:
                words = f"the order of the pictures in {self.name(after)}"
                self.changed.append(_Line(after.start, "change", words))

    def embeds(self, old: list, new: list) -> None:
        """Embeds by service and post."""
        pairs, gone, came = _pair(
            old, new, lambda f: (f.attrs.get("data-provider"), f.attrs.get("data-id"))
        )
        self.added += [_Line(f.start, "add", self.name(f)) for f in came]
        self.removed += [_Line(f.start, "remove", self.name(f)) for f in gone]
        for before, after in pairs:
            if _caption(before) != _caption(after):
                words = f"the caption of {self.name(after)}"
                self.changed.append(_Line(after.start, "change", words))

    def boxes(self, old: list[_Box], new: list[_Box]) -> None:
        """Tables, pull quotes, fact boxes by their words; those left, by their order: the n-th
        one left of the old body changed into the n-th one left of the new."""
        _, gone, came = _pair(old, new, lambda box: box.words)
        self.changed += [_Line(box.start, "change", box.describe()) for box in came[: len(gone)]]
        self.added += [_Line(box.start, "add", box.describe()) for box in came[len(gone) :]]
        self.removed += [_Line(box.start, "remove", box.describe()) for box in gone[len(came) :]]


def _pair(old: Iterable, new: Iterable, key) -> tuple[list[tuple], list, list]:
    """Match two versions' things of a kind by ``key``, in order: the pairs found in both, those
    only in the old version, those only in the new."""
    waiting: dict = {}
    for thing in old:
        waiting.setdefault(key(thing), []).append(thing)
    pairs, came = [], []
    for thing in new:
        same = waiting.get(key(thing))
        if same:
            pairs.append((same.pop(0), thing))
        else:
            came.append(thing)
    kept = {id(before) for before, _ in pairs}
    return pairs, [thing for thing in old if id(thing) not in kept], came


def _to(where: str) -> str:
    return f" to{where}" if where else ""


def _from(where: str) -> str:
    return f" from{where}" if where else ""


def _caption(figure) -> str:
    return " ".join(story_body.text_of(figure.caption).split())


def _pictures(gallery) -> list:
    return [child for child in gallery.children if child.kind == "picture"]


def _numbers(gallery) -> set:
    return {child.image_id for child in _pictures(gallery)}


def furniture_changes(old: str, new: str, images: dict, *, tense: str = "past") -> list[str]:
    """The furniture added to, removed from or changed in a stored body, in the editor's words:
    "Added a picture (Harbour cranes at dawn)", "Removed a YouTube video", "Added a table (Year,
    Delegates)", "Changed the caption of a picture (…)", "Made a picture (…) full width".
    ``images``: the library pictures of both bodies by number, to name pictures by their
    description (``body.images_for``); ``tense``: "past" for History, "present" for what a
    restore would do.

    Pictures are told apart by their number in the library, embeds by service and post, galleries
    by the pictures they share; tables, pull quotes and fact boxes by their words, then by their
    order (the word diff shows what changed in them). Additions come first, in the new body's
    order, then removals in the old body's order, then changes."""
    if "<" not in old + new:
        return []
    found = _Comparison(images)
    old_figures, new_figures = story_body.figures(old), story_body.figures(new)

    def of_kind(figures, kind):
        return [figure for figure in figures if figure.kind == kind]

    found.pictures(of_kind(old_figures, "picture"), of_kind(new_figures, "picture"))
    found.galleries(of_kind(old_figures, "gallery"), of_kind(new_figures, "gallery"))
    found.embeds(of_kind(old_figures, "embed"), of_kind(new_figures, "embed"))
    old_boxes, new_boxes = boxes(old), boxes(new)
    for kind in BOXES:
        found.boxes(old_boxes[kind], new_boxes[kind])
    return found.lines(tense)
