"""The one place stored HTML is cleaned: everything saved as a story body goes through here.

The allow-list is exactly what the body editor (``articles.forms.BODY_EDITOR_EXTENSIONS``) can
produce: paragraphs and line breaks, h2–h4, bold and italic, links, bulleted and numbered lists,
block quotations, tables (rows of header and data cells, never merged), pull quotes, fact
boxes, and the figures that stand for a library picture, a gallery of them and an embedded post
(``articles.body``: what they are stored as, and how readers get them). Anything else is
removed, whatever path the HTML took to get here (the editor, a paste, an import, the shell).
"""

import re

import nh3

from . import embeds

ALLOWED_TAGS = frozenset({
    "p", "br", "h2", "h3", "h4", "strong", "em", "a", "ul", "ol", "li", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "aside", "figure", "figcaption",
})  # fmt: skip
# The one class each box of story furniture carries, and no other: a pull quote is a quotation
# with its speaker in its last paragraph, a fact box an aside of short items under a heading; a
# figure is a picture, a gallery of pictures or an embed.
ALLOWED_CLASSES = {
    "blockquote": frozenset({"pull-quote"}),
    "aside": frozenset({"fact-box"}),
    "figure": frozenset({"picture", "gallery", "embed"}),
}
ALLOWED_ATTRIBUTES = {
    "a": frozenset({"href", "title"}),
    "figure": frozenset({"data-image", "data-size", "data-provider", "data-id"}),
}
# What each figure attribute may hold: a library picture's number, its width in the story, a
# provider we take and a post's id in the characters ids are made of (the provider's own rule is
# applied where the embed is shown, ``embeds.valid``). Anything else drops the attribute.
FIGURE_VALUES = {
    "data-image": re.compile(r"[1-9][0-9]{0,11}"),
    "data-size": re.compile(r"full|column"),
    "data-provider": re.compile("|".join(embeds.PROVIDERS)),
    "data-id": re.compile(r"[A-Za-z0-9_.:/-]{1,300}"),
}
# Links may only go to web pages and e-mail addresses (relative and #fragment links are kept too).
# Everything else – javascript:, vbscript:, data:, file: … – loses its href.
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Added to every link; any rel or target the input had is dropped, so no link can open a window
# that keeps a handle on our page.
LINK_REL = "noopener noreferrer"

# Tags removed together with everything inside them, rather than unwrapped to their text: their
# content is code, or markup that the browser would read differently from the sanitiser.
REMOVED_WITH_CONTENT = frozenset({
    "script", "style", "template", "iframe", "frame", "frameset", "object", "embed", "applet",
    "svg", "math", "noscript", "noembed", "noframes", "xmp", "plaintext", "textarea", "select",
    "title", "head", "colgroup",
})  # fmt: skip

# <b> and <i> mean the same as <strong> and <em> to the editor (it turns them into those when it
# opens a body), so pasted or imported bold and italics are kept, renamed to the editor's tags.
_RENAMED = {"b": "strong", "i": "em"}
_RENAMED_TAG = re.compile(r"<(/?)(b|i)>")
_EMPTY_CLASS = re.compile(r'(<(?:aside|blockquote|figure)) class=""')
# One block a line: the editor sends "<p>a</p><p>b</p>", wire copy and fixtures have a newline
# between paragraphs; storing one form means an untouched story is unchanged by a save.
_BLOCK_END_THEN_TAG = re.compile(
    r"(</(?:p|h[2-4]|ul|ol|blockquote|table|aside|figure)>)(?=<)(?!</(?:t[hd]|figcaption)>)"
)
# A cell spanning rows or columns: tables are kept as plain grids (a header row, then rows), so a
# merged cell is refused where an editor saves (``merged_cells``) and unmerged anywhere else.
_MERGED_CELL = re.compile(r"<t[hd]\b[^>]*\b(?:col|row)span\s*=\s*[\"']?0*(?:[2-9]|[1-9]\d)", re.I)

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS | _RENAMED.keys()),
    clean_content_tags=set(REMOVED_WITH_CONTENT),
    # "*": nh3 would otherwise allow its default lang and title attributes on every tag.
    attributes={"*": set()} | {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    allowed_classes={tag: set(names) for tag, names in ALLOWED_CLASSES.items()},
    link_rel=LINK_REL,
    strip_comments=True,
    attribute_filter=lambda tag, name, value: _attribute(tag, name, value),
)


def _attribute(tag: str, name: str, value: str) -> str | None:
    if tag == "figure" and name in FIGURE_VALUES:
        return value if FIGURE_VALUES[name].fullmatch(value) else None
    return value


def sanitize_html(value: str) -> str:
    """Keep the body's structure and text; drop scripts, styles, event handlers and unsafe links.

    Disallowed tags are unwrapped (their text stays), except the ones in ``REMOVED_WITH_CONTENT``,
    which go with their content. Every attribute other than a link's ``href`` and ``title`` is
    dropped – ``style``, ``class``, ``id``, ``target``, ``on…`` handlers – except a figure's
    class and ``data-`` attributes, each to its rule (``FIGURE_VALUES``) – and links get
    ``rel="noopener noreferrer"``. The result is stable: cleaning it again changes nothing.
    """
    cleaned = _cleaner.clean(value or "")
    # Safe as plain text substitutions: nh3's output escapes every "<" that is not the start of
    # a tag (in text and in attribute values alike), and <b>/<i> keep no attributes.
    cleaned = _RENAMED_TAG.sub(lambda m: f"<{m[1]}{_RENAMED[m[2]]}>", cleaned)
    # A class not in ALLOWED_CLASSES leaves an empty attribute behind (in a tag: text has no "<").
    cleaned = _EMPTY_CLASS.sub(r"\1", cleaned)
    return _BLOCK_END_THEN_TAG.sub("\\1\n", cleaned)


def merged_cells(value: str) -> bool:
    """Whether ``value`` has a table cell spanning more than one row or column."""
    return bool(_MERGED_CELL.search(value or ""))
