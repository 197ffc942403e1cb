"""Share cards: the picture a story without one of its own is shared with.

A card is the story's headline and section on the site's design (the colours of
``static/newsroom/site.css``: ink on paper, the section in the accent colour, the masthead's rule),
drawn with Pillow in the fonts shipped in ``articles/fonts/`` (DejaVu, see its LICENSE), in the
three shapes search engines and social sites ask for: 1:1, 4:3 and 16:9, each 1200 wide.

Cards are made on demand by ``articles.views.share_card`` and kept by the page cache under the
story's and its section's surrogate keys. Their addresses carry a digest of what is drawn
(:func:`version`: headline, section, site name and this design's number), so a new headline or
section name gives new addresses and social sites fetch the new card; the story page's parts are
made afresh by the same change (``articles.story_page``). The conventions are those of
``photos.renditions.sharing_urls``: :func:`sharing_urls` returns the same shape.
"""

import functools
import hashlib
import io
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFont

FONTS = Path(__file__).resolve().parent / "fonts"
HEADLINE_FONT = FONTS / "DejaVuSerif-Bold.ttf"  # the site's Georgia, bold
LABEL_FONT = FONTS / "DejaVuSans-Bold.ttf"  # the site's system-ui kickers

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
DESIGN = "1"

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
    drawn = "\0".join((DESIGN, settings.SITE_NAME, article.section.name, article.headline))
    return hashlib.sha256(drawn.encode()).hexdigest()[:12]


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
        while face.getlength(word) > width:  # a word longer than a line
            cut = 1
            while cut < len(word) and face.getlength(word[: cut + 1]) <= width:
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


def fit_headline(headline: str, width: float, height: float, largest: int):
    """The largest size (from ``largest`` down) at which the wrapped headline fits the box, with
    its font and lines. Never clips: below the smallest size tried, the lines are those of the
    smallest size."""
    size = largest
    while True:
        face = font(HEADLINE_FONT, size)
        lines = wrap(headline, face, width)
        if len(lines) * size * LINE_HEIGHT <= height or size <= MIN_HEADLINE_SIZE:
            return size, face, lines
        size = max(MIN_HEADLINE_SIZE, int(size * 0.92))


def spaced(draw, xy, text: str, face, fill, tracking: float) -> None:
    """Text with letter spacing (the site's kickers: ``letter-spacing: .04em``)."""
    x, y = xy
    for char in text:
        draw.text((x, y), char, font=face, fill=fill)
        x += face.getlength(char) + tracking


def render(headline: str, section: str, ratio: str, *, site_name: str, site_host: str = ""):
    """The card as a Pillow image of ``SIZES[ratio]``."""
    width, height = SIZES[ratio]
    margin = 72 if height > 700 else 60
    image = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(image)
    inner = width - 2 * margin

    # The accent band, then the masthead: the site's name over a rule.
    draw.rectangle((0, 0, width, 12), fill=ACCENT)
    masthead = font(HEADLINE_FONT, 44)
    top = 12 + margin * 2 // 3
    draw.text((margin, top), site_name, font=masthead, fill=INK)
    top += 44 + 24
    draw.rectangle((margin, top, width - margin, top + 1), fill=RULE)

    # The foot: a heavy rule (the lead story's top border) and the site's address.
    label = font(LABEL_FONT, 24)
    foot = height - margin
    if site_host:
        draw.text((margin, foot - 24), site_host, font=label, fill=MUTED)
    foot -= 24 + 28
    draw.rectangle((margin, foot, width - margin, foot + 4), fill=INK)

    # The section as a kicker, and the headline as large as the space between allows.
    top += 1 + (40 if height > 700 else 30)
    kicker = font(LABEL_FONT, 28)
    spaced(draw, (margin, top), section.upper(), kicker, ACCENT, tracking=28 * 0.06)
    top += 28 + 26
    box = foot - 28 - top
    largest = {"16:9": 76, "4:3": 88, "1:1": 96}[ratio]
    size, face, lines = fit_headline(headline, inner, box, largest)
    step = size * LINE_HEIGHT
    for n, line in enumerate(lines):
        draw.text((margin, top + n * step), line, font=face, fill=INK)
    return image


def png(article, ratio: str) -> bytes:
    """The card of ``article`` (with its section) in ``ratio``, as PNG."""
    image = render(
        article.headline,
        article.section.name,
        ratio,
        site_name=settings.SITE_NAME,
        site_host=urlsplit(settings.SITE_URL).hostname or "",
    )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
