"""Upload checks for the image library: what reaches storage is pixels Pillow wrote, nothing else.

``clean_upload`` is the only way a file gets into the library (the upload form field in
``photos.fields`` calls it, so the admin and the story form's "+" popup both go through it).

The defence is the re-encoding: the upload is decoded in full, turned upright and written again by
Pillow in its own format, with nothing of the upload carried over but the pixels, the colour profile
and the EXIF Artist and Copyright tags (the photographer's rights information). Whatever a hostile
file hides in its metadata (comments, XMP, text chunks, maker notes) or after the end of the picture
(PHP, JavaScript, an appended ZIP) is not in what is stored, and neither is the GPS position, the
camera owner's name or a serial number. The checks before it refuse, each with a message an editor
can act on:

- files over ``PHOTO_MAX_UPLOAD_BYTES``, before Pillow reads them;
- anything that is not really a JPEG, PNG, WebP or GIF, judged by the content, never the file name
  (SVG, HEIC, PDF, text...);
- pictures over ``PHOTO_MAX_PIXELS`` (all frames of an animation counted), judged from the header,
  so a decompression bomb is refused before a single pixel is decoded;
- damaged or truncated files: Pillow's ``verify()``, then a full decode of every frame that fails
  on a missing end even where ``ImageFile.LOAD_TRUNCATED_IMAGES`` would let Pillow pad it;
- web page or script code in what the re-encoding copies as it is (the kept EXIF tags, the colour
  profile, a palette): only there could it survive into storage.

An animation is stored as its first frame; an MPO (a JPEG with more pictures after it, as phone
cameras write) as a plain JPEG.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import PurePath

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

# Markup that makes bytes something a browser or a server would run, searched case-insensitively in
# what the re-encoding copies unchanged. These sit in the first kilobytes of the stored file, where
# browsers sniff, hence the short tags too; long enough not to turn up by chance in a palette.
_MARKUP = (
    b"<script",
    b"<html",
    b"<body",
    b"<iframe",
    b"<object",
    b"<embed",
    b"<?php",
    b"<!doctype",
    b"javascript:",
    b"<svg",
    b"<img",
    b"<meta",
)
# How much of the upload is searched for "<svg" to name an SVG in the refusal (browsers sniff the
# same first kilobyte).
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
    "polyglot": "This file carries web page or script code in its {where}, as disguised files "
    "do, so it was refused. Upload a copy of the picture saved from an image editor.",
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
    # The pictures an MPO carries after the first (depth maps, HDR gain maps) are not used, so
    # they are neither counted nor decoded.
    frames = 1 if source_format == "MPO" else _frame_count(image)
    _check_pixels(*image.size, frames)
    image = _decode(data, frames)

    stored_format = STORED_FORMAT[source_format]
    lossless = source_format == "WEBP" and _webp_is_lossless(data)
    data_out, size_out = _reencode(image, stored_format, lossless=lossless)
    stem = slugify(PurePath(name).stem)[:60] or "image"
    return CleanImage(
        data=data_out,
        format=stored_format,
        width=size_out[0],
        height=size_out[1],
        name=f"{stem}.{EXTENSIONS[stored_format]}",
    )


# --- type and size, from the header ----------------------------------------------------------


def _open(data: bytes, source: io.BytesIO | None = None) -> Image.Image:
    """Open with only the four allowed parsers; a refusal names what the file really is."""
    try:
        with warnings.catch_warnings():
            # Pixel limits are ours (PHOTO_MAX_PIXELS, checked next), not Pillow's warning.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(source or io.BytesIO(data), formats=PILLOW_FORMATS)
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


# --- the full decode ---------------------------------------------------------------------------


class _Truncated(Exception):
    pass


class _WholeFile(io.BytesIO):
    """The upload as the decoders read it: a read past the last byte is an error.

    Pillow's decoders take an empty read for a truncated file and, where
    ``ImageFile.LOAD_TRUNCATED_IMAGES`` is set (by any code in the process), pad the missing part
    with grey. Raising instead makes a cut-off upload a refusal whatever that setting says. Only a
    read of a given size counts: ``read()`` ("all the rest") may rightly find nothing.
    """

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        if not chunk and size is not None and size > 0:
            raise _Truncated
        return chunk


def _decode(data: bytes, frames: int) -> Image.Image:
    """Decode every frame (within the pixel limit, checked before); return the first, loaded."""
    try:
        # verify() checks what decoding does not, such as the checksum of every PNG chunk.
        _open(data, _WholeFile(data)).verify()
        if frames > 1:
            later = _open(data, _WholeFile(data))
            for frame in range(1, frames):
                later.seek(frame)
                later.load()
        image = _open(data, _WholeFile(data))
        image.load()
    except ValidationError:
        raise
    except Exception as error:  # Pillow raises many kinds for broken data; all mean the same here.
        raise _refuse("damaged") from error
    return image


def _webp_is_lossless(data: bytes) -> bool:
    """Whether a WebP's (first) picture is lossless (VP8L), so that its copy is too.

    Only the encoder is chosen from this (Pillow does not say); the file was decoded already.
    """
    pos = 12  # after "RIFF", the size and "WEBP"
    while pos + 8 <= len(data):
        fourcc = data[pos : pos + 4]
        if fourcc == b"ANMF":  # an animation frame: its picture follows a 16-byte frame header
            fourcc = data[pos + 24 : pos + 28]
        if fourcc in (b"VP8 ", b"VP8L", b"ALPH"):  # ALPH only ever comes with lossy VP8
            return fourcc == b"VP8L"
        length = int.from_bytes(data[pos + 4 : pos + 8], "little")
        pos += 8 + length + (length & 1)
    return False


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
    _refuse_copied_markup(image, options)
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


def _refuse_copied_markup(image: Image.Image, options: dict) -> None:
    """Refuse markup in what the encoder writes as the upload had it: re-encoding cleans the rest.

    The kept EXIF tags and the colour profile are copied byte for byte, and so are a palette's
    colours (PNG and GIF) and its transparency, which a crafted file can spell text with.
    """
    palette = bytes(image.getpalette() or ()) if image.mode in ("P", "PA") else b""
    transparency = options.get("transparency")
    copied = {
        "rights information (EXIF)": options.get("exif") or b"",
        "colour profile": options.get("icc_profile") or b"",
        "colour palette": palette + (transparency if isinstance(transparency, bytes) else b""),
    }
    for where, blob in copied.items():
        lowered = blob.lower()
        if any(marker in lowered for marker in _MARKUP):
            raise _refuse("polyglot", where=where)


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
