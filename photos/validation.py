"""Upload checks for the image library: what reaches storage is a picture and nothing else.

``clean_upload`` is the only way a file gets into the library (the upload form field in
``photos.fields`` calls it, so the admin and the story form's "+" popup both go through it). It
refuses, each with a message an editor can act on:

- files over ``PHOTO_MAX_UPLOAD_BYTES``, before Pillow reads them;
- anything that is not really a JPEG, PNG, WebP or GIF, judged by the content, never the file name
  (SVG, HEIC, PDF, text...);
- pictures over ``PHOTO_MAX_PIXELS`` (all frames of an animation counted), judged from the header,
  so a decompression bomb is refused before a single pixel is decoded;
- damaged or truncated files: the container is walked to its end, then Pillow's ``verify()`` and a
  full decode of every frame;
- polyglots: web page, script or PHP code in the first kilobyte (what browsers sniff), in any
  metadata, or after the end of the picture, and archives or unknown data appended to it.

What is stored is not the upload: the first frame is re-encoded with the EXIF orientation applied and
every piece of metadata dropped (GPS position, camera owner and serial numbers, maker notes, XMP,
comments, text chunks) except the colour profile and the EXIF Artist and Copyright tags, which are
the photographer's rights information. So even a hostile file that got past the checks would reach
storage as plain pixels.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from pathlib import PurePath
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from PIL import Image, ImageOps, UnidentifiedImageError

DEFAULT_MAX_UPLOAD_BYTES = 25 * 1024 * 1024
DEFAULT_MAX_PIXELS = 50_000_000

# Pillow plugins allowed to parse an upload at all; MPO is a JPEG with extra pictures after it
# (phone cameras write them) and is stored as a plain JPEG.
PILLOW_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
STORED_FORMAT = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "GIF"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}

# EXIF tags kept in what is stored and served: who made the picture and who owns the rights.
# Everything else goes, including GPS, CameraOwnerName, BodySerialNumber and the maker notes.
KEPT_EXIF_TAGS = (0x013B, 0x8298)  # Artist, Copyright

# Markup that makes a file something a browser or a server would run. Searched case-insensitively
# in the metadata and anything after the picture; long enough not to turn up by chance in binary.
_CODE_MARKERS = (
    b"<script",
    b"<html",
    b"<body",
    b"<iframe",
    b"<object",
    b"<embed",
    b"<?php",
    b"<!doctype",
    b"javascript:",
)
# Browsers sniff the first bytes of a file; there even a short marker is refused.
_HEAD_MARKERS = (*_CODE_MARKERS, b"<svg", b"<img", b"<meta")
_HEAD_BYTES = 1024
# ISO media "brands" of HEIC, HEIF and AVIF pictures: what iPhones and some Android phones save.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}

MESSAGES = {
    "too_large": "This file is {size}; the limit is {limit}. Export a smaller version of the "
    "picture (4,000 pixels wide is plenty) and upload that.",
    "svg": "SVG drawings are not accepted: they can carry scripts. Upload a JPEG, PNG, WebP or GIF.",
    "heic": "This is a HEIC or AVIF photo (the format iPhones save in). Export it as JPEG and "
    "upload that.",
    "other_format": "This is a {kind} file, not a picture the site can show. Upload a JPEG, PNG, "
    "WebP or GIF.",
    "not_image": "This file is not a JPEG, PNG, WebP or GIF picture, whatever its name says. "
    "Upload one of those.",
    "too_many_pixels": "This picture is {dimensions}; the limit is {limit} million pixels "
    "(a picture that size could exhaust the server's memory). Export a smaller version and "
    "upload that.",
    "damaged": "This file is damaged or incomplete: it could not be read to the end. Save the "
    "picture again from an image editor and upload that.",
    "polyglot": "This file carries web page or script code besides the picture, as disguised "
    "files do, so it was refused. Upload a copy of the picture saved from an image editor.",
    "trailing": "This file has unexpected data after the end of the picture, as disguised files "
    "do, so it was refused. Save the picture again from an image editor and upload that.",
}


def _refuse(code: str, **params) -> ValidationError:
    return ValidationError(MESSAGES[code].format(**params), code=code)


def max_upload_bytes() -> int:
    return getattr(settings, "PHOTO_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


def max_pixels() -> int:
    return getattr(settings, "PHOTO_MAX_PIXELS", DEFAULT_MAX_PIXELS)


@dataclass(frozen=True)
class CleanImage:
    """An accepted upload, ready for storage: re-encoded bytes and what they are."""

    data: bytes
    format: str  # JPEG, PNG, WEBP or GIF
    width: int
    height: int
    name: str  # a safe file name with the extension of the real format

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    def as_file(self) -> SimpleUploadedFile:
        return SimpleUploadedFile(self.name, self.data, content_type=self.content_type)


def clean_upload(upload) -> CleanImage:
    """Check an uploaded file and return the picture to store, or raise ``ValidationError``."""
    size = upload.size
    if size is not None and size > max_upload_bytes():
        raise _refuse(
            "too_large", size=filesizeformat(size), limit=filesizeformat(max_upload_bytes())
        )
    upload.seek(0)
    # One byte over the limit is enough to know, whatever ``size`` claimed.
    data = upload.read(max_upload_bytes() + 1)
    upload.seek(0)
    if len(data) > max_upload_bytes():
        limit = filesizeformat(max_upload_bytes())
        raise _refuse("too_large", size=f"over {limit}", limit=limit)
    return clean_bytes(data, name=getattr(upload, "name", "") or "")


def clean_bytes(data: bytes, *, name: str = "") -> CleanImage:
    """The checks and the re-encoding, on the bytes of an upload (see the module docstring)."""
    image = _open(data)
    source_format = image.format
    width, height = image.size
    # The pictures an MPO carries after the first (depth maps, HDR gain maps) are not used, so
    # they are neither counted nor decoded.
    frames = 1 if source_format == "MPO" else _frame_count(image)
    _check_pixels(width, height, frames)

    layout = _check_structure(data, source_format)
    _check_metadata(data, image, layout)

    try:
        _open(data).verify()
        image = _open(data)
        for frame in range(frames):
            image.seek(frame)
            image.load()
        if frames > 1:
            image = _open(data)
            image.load()
    except ValidationError:
        raise
    except Exception as error:  # Pillow raises many kinds for broken data; all mean the same here.
        raise _refuse("damaged") from error

    stored_format = STORED_FORMAT[source_format]
    lossless = source_format == "WEBP" and layout is not None and layout.lossless
    data_out, size_out = _reencode(image, stored_format, lossless=lossless)
    stem = slugify(PurePath(name).stem)[:60] or "image"
    return CleanImage(
        data=data_out,
        format=stored_format,
        width=size_out[0],
        height=size_out[1],
        name=f"{stem}.{EXTENSIONS[stored_format]}",
    )


# --- type and size ---------------------------------------------------------------------------


def _open(data: bytes) -> Image.Image:
    """Open with only the four allowed parsers; a refusal names what the file really is."""
    try:
        with warnings.catch_warnings():
            # Pixel limits are ours (PHOTO_MAX_PIXELS, checked next), not Pillow's warning.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=PILLOW_FORMATS)
    except Image.DecompressionBombError as error:
        # Over twice Pillow's own limit: refused by Pillow from the header, like ours would.
        raise _refuse(
            "too_many_pixels",
            dimensions=f"over {2 * (Image.MAX_IMAGE_PIXELS or 0) // 1_000_000} million pixels",
            limit=_megapixels(),
        ) from error
    except UnidentifiedImageError as error:
        raise _not_an_image(data) from error
    except Exception as error:
        raise _refuse("damaged") from error
    if image.format not in STORED_FORMAT:  # pragma: no cover - guarded by ``formats``
        raise _not_an_image(data)
    return image


def _not_an_image(data: bytes) -> ValidationError:
    if b"<svg" in data[:_HEAD_BYTES].lower():
        return _refuse("svg")
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return _refuse("heic")
    for signature, kind in (
        (b"%PDF-", "PDF"),
        (b"II*\x00", "TIFF"),
        (b"MM\x00*", "TIFF"),
        (b"BM", "BMP"),
        (b"PK\x03\x04", "ZIP"),
        (b"8BPS", "Photoshop"),
    ):
        if data.startswith(signature):
            return _refuse("other_format", kind=kind)
    return _refuse("not_image")


def _frame_count(image: Image.Image) -> int:
    # Counting reads frame headers only (no pixel data) for GIF, APNG and animated WebP.
    try:
        return max(1, int(getattr(image, "n_frames", 1)))
    except Exception as error:
        raise _refuse("damaged") from error


def _check_pixels(width: int, height: int, frames: int) -> None:
    if width <= 0 or height <= 0:
        raise _refuse("damaged")
    if width * height * frames > max_pixels():
        dimensions = f"{width:,} × {height:,} pixels"
        if frames > 1:
            dimensions += f" × {frames:,} frames"
        raise _refuse("too_many_pixels", dimensions=dimensions, limit=_megapixels())


def _megapixels() -> str:
    return f"{max_pixels() / 1_000_000:g}"


# --- structure: where the picture ends, and what metadata it carries --------------------------


class _Layout(NamedTuple):
    end: int  # offset just after the picture's last byte
    metadata: list[bytes]  # every segment or chunk that is not compressed pixel data
    lossless: bool = False  # WebP only: the picture is VP8L


class _Truncated(Exception):
    pass


def _check_structure(data: bytes, source_format: str) -> _Layout | None:
    """Walk the container to find the end of the picture; refuse truncation and appended data.

    Returns None for a layout the walker does not follow (Pillow may still read it); the metadata
    check then searches the whole file instead.
    """
    walker = {
        "JPEG": _jpeg_layout,
        "MPO": _jpeg_layout,
        "PNG": _png_layout,
        "GIF": _gif_layout,
        "WEBP": _webp_layout,
    }[source_format]
    try:
        layout = walker(data, 0)
        if layout is None:
            return None
        end, metadata = layout.end, list(layout.metadata)
        # Phone cameras put further JPEGs (MPO: depth maps, previews) after the first one.
        while source_format in ("JPEG", "MPO"):
            start = end
            while data[start : start + 1] == b"\x00":
                start += 1
            more = _jpeg_layout(data, start)
            if more is None:
                break
            end = more.end
            metadata.extend(more.metadata)
    except _Truncated as error:
        raise _refuse("damaged") from error
    except (IndexError, ValueError):
        return None
    tail = data[end:]
    if _has_code(tail):
        raise _refuse("polyglot")
    if not _harmless_tail(tail):
        raise _refuse("trailing")
    # A recognised camera trailer is accepted (and dropped when re-encoding) but still searched.
    return _Layout(end, [*metadata, tail], layout.lossless)


def _harmless_tail(tail: bytes) -> bool:
    rest = tail.rstrip(b"\x00\xff \t\r\n")
    if not rest:
        return True
    if _has_zip_directory(rest):
        return False
    # Motion photos (Google, Samsung) append the video; Samsung ends its trailer with "SEFT".
    return rest[4:8] == b"ftyp" or rest.endswith(b"SEFT")


def _has_zip_directory(data: bytes) -> bool:
    """True if ``data`` ends with a ZIP directory, which is how a ZIP or JAR appended to a picture
    is found by unzip and Java (the "GIFAR" trick)."""
    start = max(0, len(data) - 65_557)
    index = data.rfind(b"PK\x05\x06", start)
    if index < 0 or index + 22 > len(data):
        return False
    comment_length = int.from_bytes(data[index + 20 : index + 22], "little")
    return index + 22 + comment_length == len(data)


# A JPEG marker inside entropy-coded data: 0xFF followed by neither a stuffed zero, a restart
# marker nor another fill byte.
_JPEG_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _jpeg_layout(data: bytes, start: int) -> _Layout | None:
    if data[start : start + 2] != b"\xff\xd8":
        return None
    size = len(data)
    pos = start + 2
    metadata = []
    while True:
        if pos >= size:
            raise _Truncated
        if data[pos] != 0xFF:
            return None
        while pos < size and data[pos] == 0xFF:
            pos += 1
        if pos >= size:
            raise _Truncated
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # end of image
            return _Layout(pos, metadata)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        if pos + 2 > size:
            raise _Truncated
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2:
            return None
        segment_end = pos + length
        if segment_end > size:
            raise _Truncated
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:  # APPn (EXIF, XMP, ICC...) and comments
            metadata.append(data[pos + 2 : segment_end])
        pos = segment_end
        if marker == 0xDA:  # start of scan: skip the compressed data to the next marker
            match = _JPEG_MARKER.search(data, pos)
            if match is None:
                raise _Truncated
            pos = match.start()


def _png_layout(data: bytes, start: int) -> _Layout | None:
    size = len(data)
    pos = start + 8
    metadata = []
    while True:
        if pos + 8 > size:
            raise _Truncated
        length = int.from_bytes(data[pos : pos + 4], "big")
        chunk_type = data[pos + 4 : pos + 8]
        chunk_end = pos + 12 + length
        if chunk_end > size:
            raise _Truncated
        if chunk_type not in (b"IDAT", b"fdAT"):
            metadata.append(data[pos + 8 : pos + 8 + length])
        pos = chunk_end
        if chunk_type == b"IEND":
            return _Layout(pos, metadata)


def _gif_layout(data: bytes, start: int) -> _Layout | None:
    size = len(data)
    if size < start + 13:
        raise _Truncated
    flags = data[start + 10]
    pos = start + 13
    if flags & 0x80:
        pos += 3 << ((flags & 0x07) + 1)
    metadata = []
    while True:
        if pos >= size:
            raise _Truncated
        block = data[pos]
        if block == 0x3B:  # trailer
            return _Layout(pos + 1, metadata)
        if block == 0x21:  # extension: comment, application, plain text, graphic control
            if pos + 2 > size:
                raise _Truncated
            pos, content = _gif_sub_blocks(data, pos + 2, keep=True)
            metadata.append(content)
        elif block == 0x2C:  # image descriptor, optional colour table, then the LZW data
            if pos + 10 > size:
                raise _Truncated
            flags = data[pos + 9]
            pos += 10
            if flags & 0x80:
                pos += 3 << ((flags & 0x07) + 1)
            pos, _ = _gif_sub_blocks(data, pos + 1, keep=False)
        else:
            return None


def _gif_sub_blocks(data: bytes, pos: int, *, keep: bool) -> tuple[int, bytes]:
    size = len(data)
    parts = []
    while True:
        if pos >= size:
            raise _Truncated
        length = data[pos]
        pos += 1
        if length == 0:
            return pos, b"".join(parts)
        if pos + length > size:
            raise _Truncated
        if keep:
            parts.append(data[pos : pos + length])
        pos += length


def _webp_layout(data: bytes, start: int) -> _Layout | None:
    size = len(data)
    if data[start : start + 4] != b"RIFF" or data[start + 8 : start + 12] != b"WEBP":
        return None
    end = start + 8 + int.from_bytes(data[start + 4 : start + 8], "little")
    if end > size:
        raise _Truncated
    pos = start + 12
    metadata = []
    lossless = False
    while pos + 8 <= end:
        fourcc = data[pos : pos + 4]
        length = int.from_bytes(data[pos + 4 : pos + 8], "little")
        chunk_end = pos + 8 + length
        if chunk_end > end:
            raise _Truncated
        if fourcc == b"VP8L":
            lossless = True
        if fourcc not in (b"VP8 ", b"VP8L", b"ALPH", b"ANMF"):
            metadata.append(data[pos + 8 : chunk_end])
        pos = chunk_end + (length & 1)
    return _Layout(end, metadata, lossless)


def _check_metadata(data: bytes, image: Image.Image, layout: _Layout | None) -> None:
    """Refuse code hidden where browsers sniff, in metadata, or after the picture."""
    head = data[:_HEAD_BYTES].lower()
    if any(marker in head for marker in _HEAD_MARKERS):
        raise _refuse("polyglot")
    # Where the container walk gave up, the whole file is searched.
    searched = [data] if layout is None else list(layout.metadata)
    # What Pillow decoded from the metadata too: compressed PNG text (zTXt, iTXt) is only
    # readable here.
    for value in image.info.values():
        if isinstance(value, str):
            searched.append(value.encode("utf-8", "replace"))
        elif isinstance(value, bytes):
            searched.append(value)
    if any(_has_code(blob) for blob in searched):
        raise _refuse("polyglot")


def _has_code(blob: bytes) -> bool:
    lowered = blob.lower()
    return any(marker in lowered for marker in _CODE_MARKERS)


# --- what is stored ---------------------------------------------------------------------------


def _reencode(image: Image.Image, stored_format: str, *, lossless: bool) -> tuple[bytes, tuple]:
    """The first frame, upright, with only the colour profile and rights EXIF, as ``stored_format``."""
    # "keep" re-uses the upload's own quantisation tables and subsampling: as close to lossless
    # as a re-encode gets. Pillow allows it for a plain JPEG only.
    keep_quality = stored_format == "JPEG" and image.format == "JPEG"
    ImageOps.exif_transpose(image, in_place=True)
    rights = kept_exif(image)
    icc_profile = image.info.get("icc_profile")
    transparency = image.info.get("transparency")
    image.info = {}  # comments, XMP, text chunks, EXIF: none of it is written back

    if image.mode == "CMYK" or (stored_format == "JPEG" and image.mode not in ("L", "RGB")):
        image = image.convert("RGB")
        icc_profile = None  # a CMYK profile does not describe the converted pixels
        keep_quality = False
    elif stored_format == "WEBP" and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.mode or transparency is not None else "RGB")

    options: dict = {}
    if icc_profile and stored_format != "GIF":
        options["icc_profile"] = icc_profile
    if rights and stored_format != "GIF":
        options["exif"] = rights
    if transparency is not None and image.mode in ("P", "L", "RGB") and stored_format != "WEBP":
        options["transparency"] = transparency
    if stored_format == "JPEG":
        # No optimize=True: for Huffman optimisation libjpeg holds every DCT coefficient of the
        # picture in memory (150 MB more at 50 million pixels) to save a few per cent of a file
        # that readers never download.
        options["quality"] = "keep" if keep_quality else 92
    elif stored_format == "WEBP" and lossless:
        options["lossless"] = True
    elif stored_format == "WEBP":
        options["quality"] = 90
    out = io.BytesIO()
    image.save(out, stored_format, **options)
    return out.getvalue(), image.size


def kept_exif(image: Image.Image) -> bytes | None:
    """The EXIF block to keep: the Artist and Copyright tags only, or None if it has neither."""
    try:
        exif = image.getexif()
    except Exception:
        return None
    kept = Image.Exif()
    for tag in KEPT_EXIF_TAGS:
        value = exif.get(tag)
        if isinstance(value, str | bytes) and value:
            kept[tag] = value
    return kept.tobytes() if len(kept) else None
