"""Share cards: the picture a story without one of its own is shared with.

A card is the story's headline and section on the site's design (the colours of
``static/newsroom/site.css``: ink on paper, the section in the accent colour, the masthead's rule),
drawn with Pillow in the fonts shipped in ``articles/fonts/`` (package data, so an installed
newsroom has them), in the three shapes search engines and social sites ask for: 1:1, 4:3 and
16:9, each 1200 wide. DejaVu (see LICENSE) draws Latin, Greek and Cyrillic; what it has no glyph
for, Chinese, Japanese and Korean, is drawn in Droid Sans Fallback (LICENSE-DroidSansFallback,
Apache 2.0; 3.4 MB, every unified ideograph and Hangul syllable), character by character
(:class:`Mixed`), so a headline mixing "Qianhai" and "前海" is drawn whole. What neither font
can draw is never drawn as empty boxes: a symbol (an emoji) is left out, and a headline with a
letter of another script (Thai, Devanagari...) gives a card with the section and site name only.

Cards are made on demand by ``articles.views.share_card`` and kept by the page cache under the
story's and its section's surrogate keys. Their addresses carry a digest of what is drawn
(:func:`version`: headline, section, site name and address, and this design's number), so a new
headline or section name gives new addresses and social sites fetch the new card; the story
page's parts are made afresh by the same change (``articles.story_page``). An address therefore
always shows the same picture, and is sent with a year's ``immutable`` cache lifetime
(:func:`card_response`). The conventions are those of
``photos.renditions.sharing_urls``: :func:`sharing_urls` returns the same shape.
"""

import functools
import hashlib
import io
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFont

from core.http import conditional_response

FONTS = Path(__file__).resolve().parent / "fonts"
HEADLINE_FONT = FONTS / "DejaVuSerif-Bold.ttf"  # the site's Georgia, bold
LABEL_FONT = FONTS / "DejaVuSans-Bold.ttf"  # the site's system-ui kickers
# Chinese, Japanese and Korean, which DejaVu lacks (it has no Latin: DejaVu draws that). A regular
# weight, emboldened with a stroke of 1/40 of its size beside the bold DejaVu.
CJK_FONT = FONTS / "DroidSansFallback.ttf"
CJK_STROKE = 1 / 40
# What a card's address always shows (its digest changes with what is drawn): kept for a year.
CACHE_CONTROL = "public, max-age=31536000, immutable"

# static/newsroom/site.css :root
INK = "#1a1a1a"
MUTED = "#5c5c5c"
RULE = "#d9d9d9"
ACCENT = "#0b4f8a"
PAPER = "#ffffff"

WIDTH = 1200
# ratio -> (width, height); the order is the one of NewsArticle.image (widest first)
SIZES = {"16:9": (1200, 675), "4:3": (1200, 900), "1:1": (1200, 1200)}
OG_RATIO = "16:9"
# Bump when the drawing changes, so every card gets a new address.
DESIGN = "2"

MIN_HEADLINE_SIZE = 14
LINE_HEIGHT = 1.18


def ratio_slug(ratio: str) -> str:
    """``16:9`` as it appears in a card's address: ``16x9``."""
    return ratio.replace(":", "x")


def ratio_of_slug(slug: str) -> str | None:
    ratio = slug.replace("x", ":")
    return ratio if ratio in SIZES else None


def version(article) -> str:
    """A digest of everything a card shows: changes with the headline, section or site name."""
    drawn = "\0".join(
        (DESIGN, settings.SITE_NAME, site_host(), article.section.name, article.headline)
    )
    return hashlib.sha256(drawn.encode()).hexdigest()[:12]


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or ""


def card_path(article, ratio: str) -> str:
    return reverse(
        "articles:share_card",
        kwargs={"slug": article.slug, "ratio": ratio_slug(ratio), "version": version(article)},
    )


def sharing_urls(article) -> dict:
    """``{"og": url, "og_width": w, "og_height": h, "ratios": {"1:1": url, ...}}``, as
    ``photos.renditions.sharing_urls`` gives for a picture (paths: make them absolute with
    ``core.links.absolute_url``)."""
    width, height = SIZES[OG_RATIO]
    ratios = {ratio: card_path(article, ratio) for ratio in SIZES}
    return {"og": ratios[OG_RATIO], "og_width": width, "og_height": height, "ratios": ratios}


# --- drawing ------------------------------------------------------------------------------------


@functools.cache
def font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


# A code point no font has: what a font draws for it is its "missing glyph" box.
NO_SUCH_CHARACTER = chr(0x10FFFD)


def _glyph(path: Path, char: str) -> tuple:
    mask = font(path, 24).getmask(char)
    return mask.size, Image.Image()._new(mask).tobytes() if mask.size[0] else b""


@functools.cache
def covers(path: Path, char: str) -> bool:
    """Whether the font at ``path`` has a glyph for ``char`` (draws something other than its
    missing-glyph box). Pillow does not read a font's character map, so this compares drawings."""
    return char.isspace() or _glyph(path, char) != _glyph(path, NO_SUCH_CHARACTER)


class Mixed:
    """A font at one size that draws each character in the first of its fonts that has it (the
    design's DejaVu, then the CJK font), with ``getlength`` as a font's, so lines are measured and
    wrapped as with one font, and ``draw`` on one baseline."""

    def __init__(self, path: Path, size: int):
        self.size = size
        self.faces = [(path, font(path, size)), (CJK_FONT, font(CJK_FONT, size))]

    def face_of(self, char: str):
        return next((face for path, face in self.faces if covers(path, char)), None)

    def can_draw(self, text: str) -> bool:
        return all(self.face_of(char) is not None for char in text)

    def runs(self, text: str) -> list[tuple[str, ImageFont.FreeTypeFont]]:
        """``text`` as pieces each drawn in one font (spaces go with the piece before)."""
        pieces: list[tuple[str, ImageFont.FreeTypeFont]] = []
        for char in text:
            face = self.face_of(char) if not (char.isspace() and pieces) else pieces[-1][1]
            if face is None:
                continue
            if pieces and pieces[-1][1] is face:
                pieces[-1] = (pieces[-1][0] + char, face)
            else:
                pieces.append((char, face))
        return pieces

    def getlength(self, text: str) -> float:
        return sum(face.getlength(piece) for piece, face in self.runs(text))

    def draw(self, draw: ImageDraw.ImageDraw, xy, text: str, fill) -> None:
        """Draw ``text`` with its top at ``xy`` (as ``draw.text`` does for one font)."""
        x, y = xy
        primary = self.faces[0][1]
        baseline = y + primary.getmetrics()[0]
        for piece, face in self.runs(text):
            bold = 0 if face is primary else max(1, round(self.size * CJK_STROKE))
            draw.text(
                (x, baseline), piece, font=face, fill=fill, anchor="ls",
                stroke_width=bold, stroke_fill=fill,
            )  # fmt: skip
            x += face.getlength(piece)


@functools.cache
def mixed(path: Path, size: int) -> Mixed:
    return Mixed(path, size)


def drawable(text: str, path: Path) -> str | None:
    """``text`` as the card can draw it: symbols that no font has (emoji) left out; None if a
    letter or digit is not in any font (its words would come out with holes)."""
    face = mixed(path, 40)
    kept = []
    for char in text:
        if face.face_of(char) is not None:
            kept.append(char)
        elif unicodedata.category(char)[0] in "LN":
            return None
    return " ".join("".join(kept).split()) or None


# Characters a line should not start with (closing punctuation, CJK or not): when a run of
# Chinese or Japanese is broken between characters, the one before comes along.
NO_LINE_START = set(
    "、。，．,.!?！？：；:;)）]］}｝」』】〕〉》〗〙〛'\"”’ー々ゝゞぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
)


def wrap(text: str, face: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """``text`` in lines no wider than ``width`` in ``face``: words kept whole where they fit, a
    word wider than a line broken between characters."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if face.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        while face.getlength(word) > width:  # a word longer than a line (or Chinese)
            cut = 1
            while cut < len(word) and face.getlength(word[: cut + 1]) <= width:
                cut += 1
            while 1 < cut < len(word) and word[cut] in NO_LINE_START:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


def fit_headline(headline: str, width: float, height: float, largest: int):
    """The largest size (from ``largest`` down) at which the wrapped headline fits the box, with
    its font (a :class:`Mixed`) and lines. Never clips: below the smallest size tried, the lines
    are those of the smallest size."""
    size = largest
    while True:
        face = mixed(HEADLINE_FONT, size)
        lines = wrap(headline, face, width)
        if len(lines) * size * LINE_HEIGHT <= height or size <= MIN_HEADLINE_SIZE:
            return size, face, lines
        size = max(MIN_HEADLINE_SIZE, int(size * 0.92))


def spaced(draw, xy, text: str, face: Mixed, fill, tracking: float) -> None:
    """Text with letter spacing (the site's kickers: ``letter-spacing: .04em``)."""
    x, y = xy
    for char in text:
        face.draw(draw, (x, y), char, fill)
        x += face.getlength(char) + tracking


# The headline's largest size in each shape: the square has the most room below the masthead.
LARGEST_HEADLINE = {"16:9": 76, "4:3": 92, "1:1": 112}


def render(headline: str, section: str, ratio: str, *, site_name: str, site_host: str = ""):
    """The card as a Pillow image of ``SIZES[ratio]``.

    The section and headline are centred, as a block, between the masthead's rule and the foot's,
    so a short headline in the square does not leave its lower half empty. Text no shipped font
    can draw is left out (:func:`drawable`): without its headline, the card shows the section
    (larger) and the site's name.
    """
    width, height = SIZES[ratio]
    margin = 72 if height > 700 else 60
    image = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(image)
    inner = width - 2 * margin

    # The accent band, then the masthead: the site's name over a rule.
    draw.rectangle((0, 0, width, 12), fill=ACCENT)
    top = 12 + margin * 2 // 3
    name = drawable(site_name, HEADLINE_FONT)
    if name:
        mixed(HEADLINE_FONT, 44).draw(draw, (margin, top), name, INK)
    top += 44 + 24
    draw.rectangle((margin, top, width - margin, top + 1), fill=RULE)

    # The foot: a heavy rule (the lead story's top border) and the site's address.
    foot = height - margin
    if site_host:
        mixed(LABEL_FONT, 24).draw(draw, (margin, foot - 24), site_host, MUTED)
    foot -= 24 + 28
    draw.rectangle((margin, foot, width - margin, foot + 4), fill=INK)

    # The section as a kicker, and the headline as large as the space between allows.
    top += 1 + (40 if height > 700 else 30)
    bottom = foot - 28
    headline = drawable(headline, HEADLINE_FONT)
    kicker_text = drawable(section.upper(), LABEL_FONT) or ""
    kicker_size = 28 if headline else 56
    kicker = mixed(LABEL_FONT, kicker_size)
    kicker_height = kicker_size + 26 if kicker_text else 0
    size, face, lines = (0, None, [])
    if headline:
        size, face, lines = fit_headline(
            headline, inner, bottom - top - kicker_height, LARGEST_HEADLINE[ratio]
        )
    step = size * LINE_HEIGHT
    block = kicker_height + len(lines) * step
    top += max(0, (bottom - top - block) / 2)
    if kicker_text:
        spaced(draw, (margin, top), kicker_text, kicker, ACCENT, tracking=kicker_size * 0.06)
        top += kicker_height
    for n, line in enumerate(lines):
        face.draw(draw, (margin, top + n * step), line, INK)
    return image


def png(article, ratio: str) -> bytes:
    """The card of ``article`` (with its section) in ``ratio``, as PNG."""
    image = render(
        article.headline,
        article.section.name,
        ratio,
        site_name=settings.SITE_NAME,
        site_host=site_host(),
    )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def card_response(request, article, ratio: str, *, last_modified) -> HttpResponse:
    """The card as a response to keep for a year (``CACHE_CONTROL``): its address names what it
    shows. It still carries validators (``ETag``, ``Last-Modified``) and answers 304 to a copy
    that is current; the page cache and the edge keep it under the story's and section's keys,
    like a page (``core.cache``), so a withdrawn story's card stops being served there."""
    response = HttpResponse(png(article, ratio), content_type="image/png")
    return conditional_response(
        request, response, last_modified=last_modified, cache_control=CACHE_CONTROL
    )
