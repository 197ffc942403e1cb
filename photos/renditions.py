"""Renditions: the resized copies that pages show, made once from the stored picture and kept.

Every rendition has a deterministic name built from the image's own row, never from a query or a
look at storage::

    renditions/<pk>/<stem>-<digest>/<width>w.<ext>                    the whole picture
    renditions/<pk>/<stem>-<digest>/<w>x<h>-<fx>-<fy>/<width>w.<ext>  cropped to w:h around the
                                                                      focal point (fx, fy in ‰)

(``stem`` is the stored file's name, ``digest`` 8 hex digits of its whole path), so a page with
fifty pictures computes their ``srcset`` from the rows it already has, and a new file or focal
point gives new names instead of stale pictures under old ones. A URL's content never changes, so
the renditions folder can be served with a far-future ``Cache-Control: immutable``.

When an image's file is replaced, the old original and its folder of renditions are deleted once
the save is committed (``photos.models``; :func:`delete_replaced_file`); deleting an image deletes
its original and ``renditions/<pk>/`` (:func:`delete_files`).

``generate_renditions`` (called in the background after an image is saved, ``photos.tasks``, and
by ``manage.py photo_renditions``, both through ``Image.make_renditions``) makes whatever is missing
from one decode of the original and never touches a rendition that is present. Widths come from
``PHOTO_RENDITION_WIDTHS`` plus ``PHOTO_SHARING_WIDTH``, never wider than the picture (or its crop)
itself; each in WebP and in the original's format, for the whole picture and for each of
``PHOTO_CROP_RATIOS``. Until they are made, pages show the original (``Image.renditions_pending``).

A rendition that cannot be made is not skipped in silence: ``generate_renditions`` stores every one
it can, then raises ``RenditionsFailed`` naming each of the others and why. The image records them
(``Image.rendition_failures``), the admin tells the editor, and :func:`renditions` leaves them out of
what pages use, with the original picture in place of a set that has none left.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import os
import warnings
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image

from .validation import CONTENT_TYPES, EXTENSIONS, PILLOW_FORMATS, kept_exif, max_pixels

RENDITIONS_DIR = "renditions"
DEFAULT_WIDTHS = (320, 640, 1024, 1600)
DEFAULT_SHARING_WIDTH = 1200
DEFAULT_CROP_RATIOS = ("1:1", "4:3", "16:9")
FORMAT_OF_EXTENSION = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF"}

FORMAT_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}

# Encoding, the costly part, runs on this many threads while the next size is being resized
# (Pillow lets go of the GIL while it encodes). On the 2-core machine of bench/photos_bench.py,
# making every rendition of an upload takes about 1.5 times as long on one thread.
ENCODING_THREADS = min(4, os.cpu_count() or 1)

ENCODER_OPTIONS = {
    "JPEG": {"quality": 82, "optimize": True, "progressive": True},
    "WEBP": {"quality": 80, "method": 4},
    "PNG": {},
    "GIF": {},
}


@dataclass(frozen=True)
class Rendition:
    name: str
    url: str
    width: int
    height: int
    format: str
    ratio: str | None

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


# --- configuration ----------------------------------------------------------------------------


def configured_widths() -> list[int]:
    widths = set(getattr(settings, "PHOTO_RENDITION_WIDTHS", DEFAULT_WIDTHS))
    return sorted(widths | {sharing_width()})


def sharing_width() -> int:
    return getattr(settings, "PHOTO_SHARING_WIDTH", DEFAULT_SHARING_WIDTH)


def crop_ratios() -> list[str]:
    return list(getattr(settings, "PHOTO_CROP_RATIOS", DEFAULT_CROP_RATIOS))


def parse_ratio(ratio: str) -> tuple[int, int]:
    across, _, down = ratio.partition(":")
    across, down = int(across), int(down)
    if across <= 0 or down <= 0:
        raise ValueError(f"Not a ratio: {ratio!r}")
    return across, down


# --- names, sizes and URLs: pure arithmetic on the image's row ---------------------------------


def is_ready(image) -> bool:
    """True if ``image`` is saved, has a file and known dimensions (so it can have renditions)."""
    return bool(image is not None and image.pk and image.file and image.width and image.height)


def source_format(image) -> str:
    extension = PurePosixPath(image.file.name).suffix.lstrip(".").lower()
    return FORMAT_OF_EXTENSION.get(extension, "JPEG")


def output_formats(image) -> list[str]:
    """WebP for browsers, and the original's own format for everything else (feeds, sharing)."""
    original = source_format(image)
    return ["WEBP"] if original == "WEBP" else ["WEBP", original]


def focal_point(image) -> tuple[float, float]:
    x = 0.5 if image.focal_x is None else min(max(image.focal_x, 0.0), 1.0)
    y = 0.5 if image.focal_y is None else min(max(image.focal_y, 0.0), 1.0)
    return x, y


def crop_box(image, ratio: str | None) -> tuple[int, int, int, int]:
    """The part of the picture a ratio keeps, centred on the focal point as far as the edges allow."""
    width, height = image.width, image.height
    if ratio is None:
        return 0, 0, width, height
    across, down = parse_ratio(ratio)
    if width * down > height * across:  # wider than the ratio: keep the full height
        crop_width, crop_height = max(1, round(height * across / down)), height
    else:
        crop_width, crop_height = width, max(1, round(width * down / across))
    focal_x, focal_y = focal_point(image)
    left = min(max(round(focal_x * width - crop_width / 2), 0), width - crop_width)
    top = min(max(round(focal_y * height - crop_height / 2), 0), height - crop_height)
    return left, top, left + crop_width, top + crop_height


def widths_for(available: int) -> list[int]:
    """Configured widths up to ``available`` (never upscaled), plus ``available`` itself when the
    picture is narrower than the widest configured width, so big screens get all there is."""
    configured = configured_widths()
    widths = [width for width in configured if width <= available]
    if available < configured[-1] and available not in widths:
        widths.append(available)
    return widths


def _height_for(image, ratio: str | None, width: int) -> int:
    if ratio is None:
        return max(1, round(width * image.height / image.width))
    across, down = parse_ratio(ratio)
    return max(1, round(width * down / across))


def file_folder(pk: int, file_name: str) -> str:
    """The folder of every rendition ever made from one stored file of image ``pk``."""
    # The digest of the whole stored name tells apart two files of the same name in different
    # months, so a replaced picture never finds the old one's renditions "present".
    digest = hashlib.sha1(file_name.encode(), usedforsecurity=False).hexdigest()[:8]
    return f"{RENDITIONS_DIR}/{pk}/{PurePosixPath(file_name).stem}-{digest}"


def _base(image, ratio: str | None) -> str:
    base = file_folder(image.pk, image.file.name)
    if ratio is None:
        return base
    across, down = parse_ratio(ratio)
    focal_x, focal_y = focal_point(image)
    return f"{base}/{across}x{down}-{round(focal_x * 1000):03d}-{round(focal_y * 1000):03d}"


def planned(image, *, ratio: str | None = None, fmt: str | None = None) -> list[Rendition]:
    """One set of renditions (one ratio, one format) the image should have, narrowest first; []
    if it can have none."""
    if ratio is not None and ratio not in crop_ratios():
        raise ValueError(
            f"No renditions are made at {ratio!r}: PHOTO_CROP_RATIOS is {crop_ratios()}"
        )
    if not is_ready(image):
        return []
    fmt = fmt or source_format(image)
    left, top, right, bottom = crop_box(image, ratio)
    base = _base(image, ratio)
    storage = image.file.storage
    result = []
    for width in widths_for(right - left):
        name = f"{base}/{width}w.{EXTENSIONS[fmt]}"
        height = _height_for(image, ratio, width)
        result.append(Rendition(name, storage.url(name), width, height, fmt, ratio))
    return result


def renditions(image, *, ratio: str | None = None, fmt: str | None = None) -> list[Rendition]:
    """One set of renditions as pages use it, narrowest first; [] if the image has none.

    Those the image records as not made (``rendition_failures``) are left out; if that leaves none,
    the original picture takes their place when it is of the format asked for (uncropped, at its
    own size), so a page shows the picture rather than a broken link. So it does for them all while
    they are being made (``renditions_pending``, from the save until the background task is done).
    """
    result = planned(image, ratio=ratio, fmt=fmt)
    if result and getattr(image, "renditions_pending", False):
        # Just saved, the renditions still being made (in the background): the original, sized.
        return [original(image, ratio)] if fmt in (None, source_format(image)) else []
    failed = getattr(image, "rendition_failures", None)
    if not (result and failed):
        return result
    result = [rendition for rendition in result if rendition.name not in failed]
    if result or fmt not in (None, source_format(image)):
        return result
    return [original(image, ratio)]


def original(image, ratio: str | None = None) -> Rendition:
    """The stored original as a stand-in for a set of renditions that could not be made."""
    fmt = source_format(image)
    return Rendition(image.file.name, image.file.url, image.width, image.height, fmt, ratio)


def all_renditions(image) -> list[Rendition]:
    """Every rendition the image should have: each ratio, each format, each width."""
    return [
        rendition
        for ratio in [None, *crop_ratios()]
        for fmt in output_formats(image)
        for rendition in planned(image, ratio=ratio, fmt=fmt)
    ]


def srcset(image, *, ratio: str | None = None, fmt: str | None = None) -> str:
    """The ``srcset`` attribute for one ratio and format ("url 320w, url 640w, ...")."""
    return ", ".join(f"{r.url} {r.width}w" for r in renditions(image, ratio=ratio, fmt=fmt))


def closest(candidates: list[Rendition], width: int) -> Rendition | None:
    """The widest rendition no wider than ``width``, or the narrowest if all are wider."""
    fitting = [r for r in candidates if r.width <= width]
    if fitting:
        return fitting[-1]
    return candidates[0] if candidates else None


def sharing_urls(image) -> dict | None:
    """URLs for OpenGraph and JSON-LD, in the original's format (what every consumer reads).

    ``{"og": url, "og_width": w, "og_height": h, "ratios": {"1:1": url, "4:3": url, "16:9": url}}``:
    the whole picture and each crop at ``PHOTO_SHARING_WIDTH`` (1200) wide, or as wide as the
    picture allows if it is smaller. URLs are as storage gives them (``/media/...`` on the local
    disk): use ``core.links.absolute_url`` for the page head. None if the image has none.
    """
    if not is_ready(image):
        return None
    fmt = source_format(image)
    og = closest(renditions(image, fmt=fmt), sharing_width())
    return {
        "og": og.url,
        "og_width": og.width,
        "og_height": og.height,
        "ratios": {
            ratio: closest(renditions(image, ratio=ratio, fmt=fmt), sharing_width()).url
            for ratio in crop_ratios()
        },
    }


# --- making them ------------------------------------------------------------------------------


class RenditionsFailed(Exception):
    """Some renditions could not be made. ``made`` were stored; ``failures`` gives, for each of the
    others, the exception that stopped it (the first of them is also this one's ``__cause__``)."""

    def __init__(self, made: list[Rendition], failures: dict[Rendition, Exception]):
        super().__init__(f"{len(failures)} renditions could not be made")
        self.made = made
        self.failures = failures

    def reasons(self) -> dict[str, str]:
        """Why, by rendition name: what ``Image.rendition_failures`` records."""
        return {rendition.name: describe_error(error) for rendition, error in self.failures.items()}


def describe_error(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:300]


def describe_failures(image, failures: dict[str, str]) -> list[str]:
    """For the editor: one line per reason, naming the renditions it cost, e.g. "1:1 crop in WebP
    at 320, 640 px wide (OSError: encoder error -2)"."""
    by_name = {rendition.name: rendition for rendition in all_renditions(image)}
    lines = []
    for reason in dict.fromkeys(failures.values()):
        sets: dict[str, list[int]] = {}
        for name in (name for name, why in failures.items() if why == reason):
            rendition = by_name.get(name)
            if rendition is None:  # no longer planned (the settings changed): the name says it
                sets.setdefault(name, [])
                continue
            what = "whole picture" if rendition.ratio is None else f"{rendition.ratio} crop"
            label = f"{what} in {FORMAT_NAMES[rendition.format]}"
            sets.setdefault(label, []).append(rendition.width)
        described = [
            f"{what} at {', '.join(map(str, sorted(widths)))} px wide" if widths else what
            for what, widths in sets.items()
        ]
        lines.append(f"{'; '.join(described)} ({reason})")
    return lines


def generate_renditions(image) -> list[Rendition]:
    """Make the renditions ``image`` lacks, from one decode of its stored file; return them.

    Present renditions are never regenerated (nor is the original opened when none is missing).
    Every rendition that can be made is stored; if any cannot, ``RenditionsFailed`` is raised once
    the others are, naming each and why.
    """
    if not is_ready(image):
        return []
    storage = image.file.storage
    missing = all_renditions(image)
    try:
        missing = [r for r in missing if not storage.exists(r.name)]
        if not missing:
            return []
        source = _open_original(image, _decode_scale(image, missing))
        exif, icc_profile = kept_exif(source), source.info.get("icc_profile")
        source = _working_mode(source)
    except Exception as error:  # no file, a broken one, or storage out of reach: none is made
        raise RenditionsFailed([], dict.fromkeys(missing, error)) from error
    made, failures = _make(image, source, missing, exif, icc_profile)
    if failures:
        raise RenditionsFailed(made, failures) from next(iter(failures.values()))
    return made


def _decode_scale(image, missing: list[Rendition]) -> float:
    """How large the decode needs to be for the largest rendition asked (JPEG decodes at 1/2, 1/4
    or 1/8 size for free)."""
    return max(r.width / _box_width(crop_box(image, r.ratio)) for r in missing)


def _make(
    image, source: Image.Image, missing: list[Rendition], exif, icc_profile
) -> tuple[list[Rendition], dict[Rendition, Exception]]:
    """Resize and encode every rendition in ``missing``; store those made, and return them with
    the exception that stopped each of the others."""
    by_ratio: dict[str | None, list[Rendition]] = defaultdict(list)
    for rendition in missing:
        by_ratio[rendition.ratio].append(rendition)
    jobs: dict[Rendition, Future] = {}
    failures: dict[Rendition, Exception] = {}
    with ThreadPoolExecutor(max_workers=ENCODING_THREADS) as pool:
        for ratio, wanted in by_ratio.items():
            try:
                for resized, width in _resized(image, source, ratio, max(r.width for r in wanted)):
                    for rendition in (r for r in wanted if r.width == width):
                        job = pool.submit(_encode, resized, rendition.format, exif, icc_profile)
                        jobs[rendition] = job
            except Exception as error:  # the rest of this ratio cannot be resized
                failures.update({r: error for r in wanted if r not in jobs})
    made = []
    for rendition, job in jobs.items():
        try:
            _store(image.file.storage, rendition, job.result())
        except Exception as error:  # the encoder's, raised again here, or the storage's
            failures[rendition] = error
        else:
            made.append(rendition)
    return made, failures


def _resized(image, source: Image.Image, ratio: str | None, largest: int) -> Iterator:
    """``(picture, width)`` for the whole picture or a crop at each width up to ``largest``.

    Widest first, each step from the one before, so the full-size decode is resized once per ratio.
    """
    scale_x, scale_y = source.width / image.width, source.height / image.height
    left, top, right, bottom = crop_box(image, ratio)
    box = (left * scale_x, top * scale_y, right * scale_x, bottom * scale_y)
    whole = tuple(round(edge) for edge in box)
    previous = None
    for step in reversed([r for r in planned(image, ratio=ratio) if r.width <= largest]):
        size = (step.width, step.height)
        if previous is None and size == (whole[2] - whole[0], whole[3] - whole[1]):
            previous = source.crop(whole)  # already the right size: nothing to resample
        elif previous is None:
            previous = source.resize(size, Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
        else:
            previous = previous.resize(size, Image.Resampling.LANCZOS)
        yield previous, step.width


def _box_width(box: tuple[int, int, int, int]) -> int:
    return box[2] - box[0]


def _open_original(image, scale: float) -> Image.Image:
    with image.file.storage.open(image.file.name, "rb") as handle:
        data = handle.read()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        source = Image.open(io.BytesIO(data), formats=PILLOW_FORMATS)
    if source.width * source.height > max_pixels():
        raise ValueError(f"{image.file.name} is over PHOTO_MAX_PIXELS; not decoding it")
    if source.format == "JPEG" and scale < 1:
        source.draft(
            source.mode, (math.ceil(source.width * scale), math.ceil(source.height * scale))
        )
    source.load()
    return source


def _working_mode(image: Image.Image) -> Image.Image:
    """A mode Pillow resizes with a proper filter: L, LA, RGB or RGBA."""
    if image.mode in ("L", "LA", "RGB", "RGBA"):
        return image
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode == "1":
        return image.convert("L")
    has_alpha = "A" in image.mode or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB")


def _encode(image: Image.Image, fmt: str, exif: bytes | None, icc_profile: bytes | None) -> bytes:
    if fmt == "JPEG" and image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    elif fmt == "WEBP" and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.mode else "RGB")
    options = dict(ENCODER_OPTIONS[fmt])
    if fmt != "GIF":
        if exif:
            options["exif"] = exif
        if icc_profile:
            options["icc_profile"] = icc_profile
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def _store(storage, rendition: Rendition, data: bytes) -> None:
    saved = storage.save(rendition.name, ContentFile(data))
    if saved != rendition.name:
        # Another process made the same rendition meanwhile; theirs is identical, keep one.
        storage.delete(saved)


def delete_files(*, pk: int, file_name: str, storage) -> None:
    """Remove an image's original and every rendition it ever had (all focal points)."""
    if file_name:
        storage.delete(file_name)
    _delete_tree(storage, f"{RENDITIONS_DIR}/{pk}")


def delete_replaced_file(
    *, pk: int, file_name: str, storage, current_name: str, keep_original: bool = False
) -> None:
    """Remove a file image ``pk`` no longer uses (unless ``keep_original``), and every rendition
    made from it (all focal points), leaving those of ``current_name``, its file now."""
    if not file_name or file_name == current_name:
        return
    if not keep_original:
        storage.delete(file_name)
    folder = file_folder(pk, file_name)
    if current_name and folder == file_folder(pk, current_name):
        return  # two names with the same stem and digest: the folder is the new file's too
    _delete_tree(storage, folder)


def _delete_tree(storage, directory: str) -> None:
    try:
        directories, files = storage.listdir(directory)
    except (FileNotFoundError, NotImplementedError):
        return
    for name in files:
        storage.delete(f"{directory}/{name}")
    for name in directories:
        _delete_tree(storage, f"{directory}/{name}")
    if hasattr(storage, "path"):  # the local disk keeps empty folders; tidy them
        with contextlib.suppress(OSError, NotImplementedError):
            os.rmdir(storage.path(directory))
