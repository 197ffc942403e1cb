"""Demo pictures: clearly synthetic images, drawn with Pillow, for ``manage.py seed_demo``.

No photograph is shipped or fetched: every demo picture is a geometric "scene" (circles, stripes,
hills under a sun, a skyline, tiles, rings, waves, triangles) in one of a few named palettes, and
every demo portrait an abstract head-and-shoulders silhouette. Each carries a small "DEMO" mark
in its bottom-right corner, and its description says what is drawn, in the words its alt text
uses ("orange circles on a blue field"), so a reader using a screen reader hears what a sighted
reader sees.

Drawing is deterministic: picture ``n`` is the same on every run.
"""

from __future__ import annotations

import functools
import io
import math
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

# The credit every demo picture carries; with the folder below it is what marks a picture as demo
# data (the image library has no ``is_demo`` column).
DEMO_CREDIT = "newsroom demo data"
DEMO_CAPTION = "Demo picture: drawn for the demo data, not a photograph."
# Demo files are stored under this folder, where no upload goes (uploads go to images/<yyyy>/<mm>/).
DEMO_FOLDER = "images/demo"
PICTURE_SIZE = (1600, 900)
# 320 px wide: pages show a portrait at 96 px (192 on a dense screen), and a picture no wider than
# the narrowest rendition width costs one resize per crop.
PORTRAIT_SIZE = (320, 400)
# Crops (1:1, 4:3, 16:9) are kept around the focal point: at the bottom right, every crop keeps
# the DEMO mark; a portrait is as wide as every crop, so only its height is cut, from the top.
PICTURE_FOCUS = (1.0, 1.0)
PORTRAIT_FOCUS = (0.5, 1.0)


@dataclass(frozen=True)
class Palette:
    field: tuple[str, tuple[int, int, int]]  # the background
    main: tuple[str, tuple[int, int, int]]  # the shapes
    second: tuple[str, tuple[int, int, int]]  # more shapes, or a second band


PALETTES = [
    Palette(("blue", (28, 74, 150)), ("orange", (242, 140, 40)), ("cream", (246, 236, 210))),
    Palette(("teal", (20, 120, 120)), ("cream", (246, 236, 210)), ("coral", (240, 110, 90))),
    Palette(("navy", (20, 30, 70)), ("gold", (230, 180, 50)), ("white", (245, 245, 245))),
    Palette(("pale green", (200, 228, 190)), ("dark green", (40, 110, 60)), ("red", (200, 50, 50))),
    Palette(("purple", (80, 40, 120)), ("pink", (240, 150, 190)), ("yellow", (250, 220, 80))),
    Palette(("grey", (120, 125, 130)), ("yellow", (250, 210, 60)), ("black", (30, 30, 30))),
    Palette(("sand", (230, 205, 160)), ("brown", (130, 80, 40)), ("light blue", (120, 180, 230))),
    Palette(("dark red", (120, 20, 30)), ("pink", (245, 170, 170)), ("white", (245, 245, 245))),
]


@dataclass(frozen=True)
class Drawing:
    image: Image.Image
    description: str  # what is drawn, for the alt text: "orange circles on a blue field"


def a(word: str) -> str:
    """``word`` with its indefinite article: "an orange", "a blue"."""
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def mix(one, other, t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(one, other, strict=True))


def gradient(size, top, bottom) -> Image.Image:
    """A vertical gradient from ``top`` to ``bottom`` (made one pixel wide, then stretched)."""
    width, height = size
    strip = Image.new("RGB", (1, height))
    strip.putdata([mix(top, bottom, y / max(1, height - 1)) for y in range(height)])
    return strip.resize(size)


@functools.cache
def mark_font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def demo_mark(image: Image.Image) -> None:
    """The small "DEMO" mark, white on dark, in the bottom-right corner."""
    width, height = image.size
    size = max(12, width // 50)
    face = mark_font(size)
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = draw.textbbox((0, 0), "DEMO", font=face)
    pad = size // 2
    box_width, box_height = right - left + 2 * pad, bottom - top + 2 * pad
    x0, y0 = width - box_width - pad, height - box_height - pad
    draw.rounded_rectangle((x0, y0, x0 + box_width, y0 + box_height), radius=pad, fill=(20, 20, 20))
    draw.text((x0 + pad - left, y0 + pad - top), "DEMO", font=face, fill=(255, 255, 255))


# --- scenes: each draws on a new image and says what it drew ----------------------------------


def circles(size, palette: Palette, rng: random.Random) -> Drawing:
    image = Image.new("RGB", size, palette.field[1])
    draw = ImageDraw.Draw(image)
    width, height = size
    for _ in range(rng.randint(9, 16)):
        r = rng.randint(height // 14, height // 4)
        x, y = rng.randint(0, width), rng.randint(0, height)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=palette.main[1])
    return Drawing(image, f"{palette.main[0]} circles on a {palette.field[0]} field")


def stripes(size, palette: Palette, rng: random.Random) -> Drawing:
    image = Image.new("RGB", size, palette.field[1])
    draw = ImageDraw.Draw(image)
    width, height = size
    band = rng.randint(height // 10, height // 5)
    for n, x in enumerate(range(-height, width + height, band)):
        colour = palette.main[1] if n % 2 else palette.second[1]
        draw.polygon([(x, 0), (x + band // 2, 0), (x + band // 2 - height, height), (x - height, height)], fill=colour)  # fmt: skip
    return Drawing(
        image,
        f"diagonal {palette.main[0]}, {palette.second[0]} and {palette.field[0]} stripes",
    )


def hills(size, palette: Palette, rng: random.Random) -> Drawing:
    width, height = size
    image = gradient(size, mix(palette.second[1], (255, 255, 255), 0.3), palette.second[1])
    draw = ImageDraw.Draw(image)
    r = height // 8
    sx, sy = rng.randint(width // 5, 4 * width // 5), rng.randint(height // 6, height // 3)
    draw.ellipse((sx - r, sy - r, sx + r, sy + r), fill=palette.main[1])
    for layer in range(3):
        base = height * (0.55 + 0.15 * layer)
        phase, wave = rng.random() * math.tau, rng.randint(2, 4)
        points = [(0, height)]
        for x in range(0, width + 40, 40):
            y = base - height * 0.08 * math.sin(phase + wave * math.pi * x / width)
            points.append((x, y))
        points.append((width, height))
        draw.polygon(points, fill=mix(palette.field[1], (0, 0, 0), 0.2 * layer))
    return Drawing(
        image,
        f"{a(palette.main[0])} sun over {palette.field[0]} hills under a {palette.second[0]} sky",
    )


def skyline(size, palette: Palette, rng: random.Random) -> Drawing:
    width, height = size
    image = gradient(size, palette.main[1], mix(palette.main[1], (255, 255, 255), 0.6))
    draw = ImageDraw.Draw(image)
    x = 0
    while x < width:
        w, h = rng.randint(width // 20, width // 9), rng.randint(height // 5, 3 * height // 4)
        draw.rectangle((x, height - h, x + w, height), fill=palette.field[1])
        for wy in range(height - h + 20, height - 20, 36):
            for wx in range(x + 12, x + w - 16, 28):
                if rng.random() < 0.4:
                    draw.rectangle((wx, wy, wx + 12, wy + 16), fill=palette.second[1])
        x += w + rng.randint(4, 20)
    return Drawing(image, f"a skyline of {palette.field[0]} blocks against a {palette.main[0]} sky")


def tiles(size, palette: Palette, rng: random.Random) -> Drawing:
    width, height = size
    image = Image.new("RGB", size, palette.field[1])
    draw = ImageDraw.Draw(image)
    side = height // rng.choice([5, 6, 8])
    colours = [palette.field[1], palette.main[1], palette.second[1]]
    for y in range(0, height, side):
        for x in range(0, width, side):
            draw.rectangle((x + 3, y + 3, x + side - 3, y + side - 3), fill=rng.choice(colours))
    return Drawing(
        image,
        f"a grid of {palette.main[0]}, {palette.second[0]} and {palette.field[0]} squares",
    )


def rings(size, palette: Palette, rng: random.Random) -> Drawing:
    width, height = size
    image = Image.new("RGB", size, palette.field[1])
    draw = ImageDraw.Draw(image)
    cx, cy = rng.randint(width // 3, 2 * width // 3), rng.randint(height // 3, 2 * height // 3)
    step = rng.randint(height // 16, height // 10)
    for n, r in enumerate(range(width, 0, -step)):
        colour = (palette.main, palette.second, palette.field)[n % 3][1]
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
    return Drawing(
        image,
        f"concentric {palette.main[0]}, {palette.second[0]} and {palette.field[0]} rings",
    )


def waves(size, palette: Palette, rng: random.Random) -> Drawing:
    width, height = size
    image = gradient(size, palette.second[1], mix(palette.second[1], (255, 255, 255), 0.5))
    draw = ImageDraw.Draw(image)
    for n in range(6):
        base = height * (0.45 + 0.1 * n)
        phase = rng.random() * math.tau
        points = [(0, height)]
        for x in range(0, width + 20, 20):
            points.append((x, base + height * 0.03 * math.sin(phase + 6 * math.pi * x / width)))
        points.append((width, height))
        draw.polygon(points, fill=mix(palette.field[1], (255, 255, 255), 0.12 * (n % 2)))
    return Drawing(image, f"{palette.field[0]} waves under a {palette.second[0]} sky")


def triangles(size, palette: Palette, rng: random.Random) -> Drawing:
    width, height = size
    image = Image.new("RGB", size, palette.field[1])
    draw = ImageDraw.Draw(image)
    for n in range(rng.randint(10, 18)):
        x, y, s = (
            rng.randint(0, width),
            rng.randint(0, height),
            rng.randint(height // 10, height // 3),
        )
        colour = palette.main[1] if n % 2 else palette.second[1]
        draw.polygon([(x, y - s), (x + s, y + s // 2), (x - s, y + s // 2)], fill=colour)
    return Drawing(
        image,
        f"scattered {palette.main[0]} and {palette.second[0]} triangles on a {palette.field[0]} field",
    )


SCENES = [circles, stripes, hills, skyline, tiles, rings, waves, triangles]
# Every pairing of a scene with a palette, in an order that changes both from one picture to the
# next (step 11 is prime to the 64 pairings, so the first 64 pictures are all different).
PAIRINGS = [(scene, palette) for palette in PALETTES for scene in SCENES]
STEP = 11


def picture(n: int, size: tuple[int, int] = PICTURE_SIZE) -> Drawing:
    """Demo picture number ``n`` (from 0): a scene in a palette, with the DEMO mark."""
    scene, palette = PAIRINGS[(n * STEP) % len(PAIRINGS)]
    drawing = scene(size, palette, random.Random(n))
    demo_mark(drawing.image)
    return drawing


def portrait(n: int, size: tuple[int, int] = PORTRAIT_SIZE) -> Drawing:
    """Demo portrait number ``n``: a plain head-and-shoulders silhouette, with the DEMO mark."""
    width, height = size
    palette = PALETTES[n % len(PALETTES)]
    flip = (n // len(PALETTES)) % 2
    background, figure = (palette.field, palette.second) if flip else (palette.main, palette.field)
    image = gradient(size, mix(background[1], (255, 255, 255), 0.25), background[1])
    draw = ImageDraw.Draw(image)
    rng = random.Random(n)
    cx = width // 2 + rng.randint(-width // 20, width // 20)
    head = width * rng.uniform(0.17, 0.21)
    head_y = height * 0.47  # the square crop pages show keeps the lower 4/5: the head in it
    shoulders = width * rng.uniform(0.36, 0.44)
    draw.ellipse((cx - shoulders, height * 0.74, cx + shoulders, height * 1.3), fill=figure[1])
    draw.rectangle((cx - head * 0.45, head_y, cx + head * 0.45, height * 0.78), fill=figure[1])
    draw.ellipse((cx - head, head_y - head * 1.15, cx + head, head_y + head * 1.15), fill=figure[1])
    demo_mark(image)
    return Drawing(image, f"{a(figure[0])} silhouette on {background[0]}")


def jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()
