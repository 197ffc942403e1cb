"""The story furniture stored as figures in a body, and the body as readers, feeds and the API get it.

A body is stored cleaned (``articles.html``). Three kinds of figure in it stand for something kept
elsewhere, and are made into what readers see only on the way out:

- a library picture: ``<figure class="picture" data-image="12" data-size="column|full">`` with an
  optional ``<figcaption>`` (empty: the picture's own caption from the library). Its credit always
  comes from the library.
- a gallery: ``<figure class="gallery">`` holding two or more such pictures, in order.
- an embed: ``<figure class="embed" data-provider="youtube" data-id="…">`` (``articles.embeds``)
  with an optional caption.

Pages get each picture at the sizes its renditions offer (``srcset``, ``sizes``, width and height,
loaded lazily) and each embed as a placeholder that loads the service's frame only when the
reader asks; feeds and the API get plain absolute ``<img>`` and links (``render(...,
absolute=True)``). The pictures a body shows are read in one query, however many there are
(``images_for``).
"""

import html
import re
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from core import keys
from core.links import absolute_url
from photos import renditions
from photos.models import Image
from photos.templatetags.photos import responsive_image

from . import embeds

_TAG = re.compile(r"<(/?)figure\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')
_CAPTION = re.compile(r"<figcaption>(.*?)</figcaption>", re.S)
_STRIP_TAGS = re.compile(r"<[^>]+>")

# How wide a picture is drawn, for the browser's choice among its renditions: the story's column
# (site.css --measure, 33rem) or the width of the story's lead picture (48rem).
SIZES = {
    "column": "(min-width: 35rem) 33rem, calc(100vw - 2rem)",
    "full": "(min-width: 50rem) 48rem, calc(100vw - 2rem)",
}
GALLERY_SIZES = "(min-width: 50rem) 24rem, calc(50vw - 1.5rem)"
# What a feed or the API links: a size every reader handles.
FEED_WIDTH = 1024


@dataclass
class Figure:
    """One figure of a stored body: where it is, its kind, attributes, caption and pictures."""

    start: int
    end: int
    attrs: dict
    inner: str
    children: list = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.attrs.get("class", "")

    @property
    def caption(self) -> str:
        """The caption's stored HTML (cleaned, inline), "" if none."""
        found = None if self.kind == "gallery" else _CAPTION.search(self.inner)
        return found[1].strip() if found else ""

    @property
    def image_id(self) -> int | None:
        value = self.attrs.get("data-image", "")
        return int(value) if value.isdigit() else None

    @property
    def size(self) -> str:
        return "full" if self.attrs.get("data-size") == "full" else "column"

    @property
    def embed(self) -> tuple[embeds.Provider, str] | None:
        provider, post_id = self.attrs.get("data-provider", ""), self.attrs.get("data-id", "")
        return (embeds.PROVIDERS[provider], post_id) if embeds.valid(provider, post_id) else None


def figures(body: str) -> list[Figure]:
    """The top-level figures of a stored body, in order, each with the figures inside it."""
    if "<figure" not in (body or ""):
        return []
    top: list[Figure] = []
    stack: list[tuple[int, int, dict, list]] = []  # (start, content start, attrs, children)
    for tag in _TAG.finditer(body):
        if not tag[1]:
            stack.append((tag.start(), tag.end(), dict(_ATTRIBUTE.findall(tag[2])), []))
            continue
        if not stack:
            continue  # a stray end tag: the sanitiser never leaves one, but nothing to close
        start, content, attrs, children = stack.pop()
        made = Figure(start, tag.end(), attrs, body[content : tag.start()], children)
        (stack[-1][3] if stack else top).append(made)
    return top


def pictures(body: str) -> list[Figure]:
    """Every library picture of a body, those in galleries included, in order."""
    found = []
    for figure in figures(body):
        for item in [figure, *figure.children]:
            if item.kind == "picture":
                found.append(item)
    return found


def image_ids(body: str) -> list[int]:
    """The library pictures a body shows, in order, each once."""
    return list(dict.fromkeys(p.image_id for p in pictures(body) if p.image_id))


def embeds_in(body: str) -> list[tuple[embeds.Provider, str]]:
    return [figure.embed for figure in figures(body) if figure.kind == "embed" and figure.embed]


def frame_sources(body: str) -> list[str]:
    """The origins whose frames a page showing ``body`` may load (nothing for most stories)."""
    return embeds.frame_sources(provider.slug for provider, _ in embeds_in(body))


def images_for(*bodies: str) -> dict[int, Image]:
    """The library pictures these bodies show, by number: one query, none without pictures."""
    wanted = {pk for body in bodies for pk in image_ids(body)}
    if not wanted:
        return {}
    return Image.objects.in_bulk(wanted)


def problems(body: str, images: dict[int, Image]) -> list[str]:
    """What stops a stored body's figures from being shown, in the editor's words; ``images``:
    the library pictures the user may use, by number (``images_for``)."""
    found = []
    for number, figure in enumerate(figures(body), start=1):
        place = f"The body's figure {number}"
        if figure.kind == "gallery":
            inside = [child for child in figure.children if child.kind == "picture"]
            if len(inside) < 2 or len(inside) != len(figure.children):
                found.append(f"{place} is a gallery; a gallery holds two or more pictures only.")
            found += [_picture_problem(place, child, images) for child in inside]
        elif figure.kind == "picture":
            found.append(_picture_problem(place, figure, images))
        elif figure.kind == "embed":
            if figure.embed is None:
                found.append(f"{place} is an embed we cannot show: {embeds.REFUSED}")
        else:
            found.append(f"{place} is neither a picture, a gallery nor an embed.")
    return [problem for problem in found if problem]


def _picture_problem(place: str, figure: Figure, images: dict) -> str:
    if figure.image_id is None:
        return f"{place} is a picture without a picture from the library: choose one."
    if figure.image_id not in images:
        return f"{place} shows picture {figure.image_id}, which is not in the library."
    return ""


def render(body: str, images: dict[int, Image], *, absolute: bool = False) -> SafeString:
    """``body`` (stored, cleaned) with its figures made into what readers see: for a page, or
    with ``absolute`` for a feed or the API (plain absolute ``<img>``, embeds as links). A picture
    no longer in the library, or an embed we cannot show, is left out."""
    found = figures(body)
    if not found:
        return mark_safe(body)
    out, at = [], 0
    for figure in found:
        out += [body[at : figure.start], _figure(figure, images, absolute)]
        at = figure.end
    out.append(body[at:])
    return mark_safe("".join(out))


def _figure(figure: Figure, images: dict, absolute: bool) -> str:
    if figure.kind == "picture":
        return _picture(figure, images, absolute, figure.size)
    if figure.kind == "gallery":
        shown = [_picture(child, images, absolute, "gallery") for child in figure.children]
        shown = [item for item in shown if item]
        if not shown:
            return ""
        label = f"Gallery: {len(shown)} picture{'s' if len(shown) > 1 else ''}"
        return format_html(
            '<figure class="story-gallery" role="group" aria-label="{}">{}</figure>',
            label,
            mark_safe("".join(shown)),
        )
    if figure.kind == "embed" and figure.embed:
        return _embed(figure, absolute)
    # A figure of no kind we know (the editor makes none): its caption's words, as a paragraph.
    return f"<p>{figure.caption}</p>" if figure.caption else ""


def _picture(figure: Figure, images: dict, absolute: bool, size: str) -> str:
    image = images.get(figure.image_id)
    if image is None or not renditions.is_ready(image):
        return ""
    keys.show(keys.key(image))
    caption = mark_safe(figure.caption) if figure.caption else image.caption
    if absolute:
        chosen = renditions.closest(renditions.renditions(image), FEED_WIDTH)
        if chosen is None:
            return ""
        picture = format_html(
            '<img src="{}" width="{}" height="{}" alt="{}">',
            absolute_url(chosen.url),
            chosen.width,
            chosen.height,
            image.alt_text,
        )
    else:
        sizes = GALLERY_SIZES if size == "gallery" else SIZES[size]
        picture = render_to_string("components/photo.html", responsive_image(image, sizes=sizes))
    parts = []
    if caption:
        parts.append(format_html('<span class="caption">{}</span>', caption))
    if image.credit:
        parts.append(format_html('<span class="credit">Photo: {}</span>', image.credit))
    captions = format_html("<figcaption>{}</figcaption>", mark_safe(" ".join(parts)))
    css = "" if absolute else f' class="story-picture story-picture--{size}"'
    return f"<figure{css}>{picture}{captions if parts else ''}</figure>"


def _embed(figure: Figure, absolute: bool) -> str:
    provider, post_id = figure.embed
    page = provider.page_url(post_id)
    caption = mark_safe(figure.caption) if figure.caption else ""
    if absolute:
        link = format_html(
            '<a href="{}">{} on {}</a>', page, provider.kind.capitalize(), provider.name
        )
        return format_html("<p>{}{}</p>", link, format_html(": {}", caption) if caption else "")
    return render_to_string(
        "articles/story/embed.html",
        {
            "provider": provider,
            "page": page,
            "frame": provider.frame_url(post_id),
            "caption": caption,
        },
    )


def text_of(caption_html: str) -> str:
    """A caption's words, for saying what a figure is in a list of changes."""
    return html.unescape(_STRIP_TAGS.sub("", caption_html)).strip()


def describe(figure: Figure, images: dict | None = None) -> str:
    """A figure in words, for the revisions' list of changes: "a picture (Harbour at dawn)",
    "a gallery of 3 pictures", "a YouTube video"."""
    if figure.kind == "picture":
        image = (images or {}).get(figure.image_id)
        name = image.alt_text if image else f"picture {figure.image_id or '?'}"
        return f"a picture ({name})"
    if figure.kind == "gallery":
        return f"a gallery of {len(figure.children)} pictures"
    if figure.kind == "embed" and figure.embed:
        return figure.embed[0].describe()
    return "a figure"
