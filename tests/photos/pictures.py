"""Pictures for the photo tests, made in memory, and the upload path the admin uses."""

import hashlib
import io
import struct
import zlib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import modelform_factory
from PIL import Image

from photos.models import Image as LibraryImage

RED, BLUE, GREEN = (220, 20, 20), (20, 20, 220), (20, 200, 20)

GPS = 0x8825
EXIF_IFD = 0x8769
ORIENTATION = 0x0112
ARTIST, COPYRIGHT, MAKE, MODEL = 0x013B, 0x8298, 0x010F, 0x0110
CAMERA_OWNER, BODY_SERIAL, LENS_SERIAL = 0xA430, 0xA431, 0xA435

OWNER_NAME = "Jane Q Camera-Owner"
SERIAL = "SN-998877665544"
XMP_SECRET = "22.5431N-114.0579E-secret-location"
COMMENT = "shot at the safe house"


def picture(size=(1200, 800), mode="RGB"):
    """Left quarter red, the rest blue, a green square top left: orientation and crops show."""
    width, height = size
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, max(1, width // 4), height))
    image.paste(GREEN, (0, 0, max(1, width // 10), max(1, height // 10)))
    return image.convert(mode) if mode != "RGB" else image


def encode(image, fmt="JPEG", **options):
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def jpeg(size=(1200, 800), **options):
    return encode(picture(size), "JPEG", quality=90, **options)


def noisy_jpeg(size=(800, 600), quality=90):
    """A JPEG with photographic detail, so its size in bytes is realistic (flat colour is tiny)."""
    noise = Image.effect_noise(size, 60)
    image = Image.merge("RGB", (noise, noise.rotate(90, expand=False), noise.transpose(0)))
    return encode(image, "JPEG", quality=quality)


def animation(size=(100, 100), frames=4):
    """An animated GIF of ``frames`` different frames (Pillow merges identical ones)."""
    images = [picture(size).rotate(90 * n).convert("P") for n in range(frames)]
    return encode(images[0], "GIF", save_all=True, append_images=images[1:], duration=100)


def tracking_exif(orientation=None):
    """EXIF a phone writes: where, on whose camera, with which serial numbers; and the rights."""
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    exif[MAKE] = "PhoneMaker"
    exif[MODEL] = "Phone 12"
    exif[ARTIST] = "Li Wei"
    exif[COPYRIGHT] = "(c) Example Agency"
    exif[GPS] = {1: "N", 2: (22.0, 32.0, 35.2), 3: "E", 4: (114.0, 3.0, 28.4)}
    exif[EXIF_IFD] = {CAMERA_OWNER: OWNER_NAME, BODY_SERIAL: SERIAL, LENS_SERIAL: SERIAL}
    return exif.tobytes()


def exif_with(tag, value):
    """An EXIF block with just ``tag`` set to ``value``."""
    exif = Image.Exif()
    exif[tag] = value
    return exif.tobytes()


def xmp():
    return (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
        f'exif:GPSLatitude="{XMP_SECRET}"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()


def png_bomb(width, height):
    """A PNG whose header says width x height, 1 bit a pixel, all zero: tiny on disk, huge decoded."""
    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND")


def _chunk(kind, data=b""):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_chunk(kind, data):
    return _chunk(kind, data)


ImageForm = modelform_factory(
    LibraryImage,
    fields=["file", "alt_text", "caption", "credit", "copyright_notice", "focal_x", "focal_y"],
)


def form_for(data, name="photo.jpg", **fields):
    values = {"alt_text": "Delegates in the forum's main hall", **fields}
    return ImageForm(data=values, files={"file": SimpleUploadedFile(name, data)})


def upload(data, name="photo.jpg", **fields):
    """Save ``data`` through the library's form (what the admin does); the form must be valid."""
    form = form_for(data, name, **fields)
    assert form.is_valid(), form.errors
    return form.save()


def rendition_url(image, name):
    """Where a rendition of ``image`` is served: ``name`` under its own folder."""
    digest = hashlib.sha1(image.file.name.encode()).hexdigest()[:8]
    stem = Path(image.file.name).stem
    return f"/media/renditions/{image.pk}/{stem}-{digest}/{name}"


def stored_files(root):
    """Every file under ``root`` (MEDIA_ROOT), as paths relative to it."""
    return sorted(str(path.relative_to(root)) for path in Path(root).rglob("*") if path.is_file())


def open_stored(image_or_name, storage=None):
    if isinstance(image_or_name, str):
        with storage.open(image_or_name, "rb") as handle:
            return Image.open(io.BytesIO(handle.read()))
    with image_or_name.file.storage.open(image_or_name.file.name, "rb") as handle:
        return Image.open(io.BytesIO(handle.read()))


def read_bytes(storage, name):
    with storage.open(name, "rb") as handle:
        return handle.read()


def paletted(palette, fmt="GIF", size=(40, 40)):
    """A palette picture whose first ten colours are used, whatever bytes ``palette`` holds."""
    image = Image.new("P", size)
    image.putpalette(palette)
    image.putdata([index % 10 for index in range(size[0] * size[1])])
    return encode(image, fmt)
