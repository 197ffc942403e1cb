"""Uploads that cannot hurt: every refusal, with its message, and what an accepted upload becomes."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image, ImageFile

from photos import validation
from photos.validation import clean_bytes
from tests.photos import pictures


def refusal(data, name="photo.jpg"):
    with pytest.raises(ValidationError) as caught:
        clean_bytes(data, name=name)
    return caught.value.code, " ".join(caught.value.messages)


# --- refusals -----------------------------------------------------------------------------------


def test_a_text_file_named_jpg_is_refused():
    code, message = refusal(b"Delegates gathered in Qianhai on Tuesday.\n" * 20)
    assert code == "not_image"
    assert "not a JPEG, PNG, WebP or GIF" in message


def test_a_truncated_jpeg_is_refused():
    data = pictures.jpeg((800, 600))
    code, message = refusal(data[: len(data) // 2])
    assert code == "damaged"
    assert "damaged or incomplete" in message


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_a_cut_off_file_is_refused_even_if_pillow_is_told_to_tolerate_it(monkeypatch, fmt):
    """Pillow pads a truncated picture with grey when ``LOAD_TRUNCATED_IMAGES`` is set (any code in
    the process may set it); the upload is refused all the same, not stored half grey."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    noise = Image.effect_noise((300, 200), 60).convert("RGB" if fmt != "GIF" else "P")
    data = pictures.encode(noise, fmt)
    for cut in (len(data) // 2, len(data) - 20):
        assert refusal(data[:cut], f"photo.{fmt.lower()}")[0] == "damaged", cut


def test_a_png_with_a_bad_checksum_is_refused_by_verify():
    data = bytearray(pictures.encode(pictures.picture((64, 64)), "PNG"))
    idat = data.index(b"IDAT")
    data[idat + 10] ^= 0xFF  # corrupt the compressed pixels; the chunk's CRC no longer matches
    assert refusal(bytes(data), "photo.png")[0] == "damaged"


def test_a_20000_by_20000_png_bomb_is_refused_before_decoding(png_bomb, monkeypatch):
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self))
    assert len(png_bomb) < 200_000  # 400 million pixels in a small file
    code, message = refusal(png_bomb, "bomb.png")
    assert code == "too_many_pixels"
    assert "50 million pixels" in message
    assert decoded == []


def test_the_bomb_is_refused_by_our_own_check_if_pillows_guard_is_off(png_bomb, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self))
    code, message = refusal(png_bomb, "bomb.png")
    assert code == "too_many_pixels"
    assert "20,000 × 20,000 pixels" in message
    assert decoded == []


def test_a_picture_over_the_pixel_setting_is_refused_from_its_header(settings, monkeypatch):
    settings.PHOTO_MAX_PIXELS = 1_000_000
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self))
    code, message = refusal(pictures.png_bomb(2_000, 1_000), "wide.png")
    assert code == "too_many_pixels"
    assert "2,000 × 1,000 pixels" in message and "1 million pixels" in message
    assert decoded == []


def test_every_frame_of_an_animation_counts_towards_the_pixel_limit(settings):
    settings.PHOTO_MAX_PIXELS = 100 * 100 * 3
    code, message = refusal(pictures.animation((100, 100), frames=4), "animation.gif")
    assert code == "too_many_pixels"
    assert "× 4 frames" in message


def test_an_oversize_file_is_refused_before_pillow_reads_it(settings, monkeypatch):
    settings.PHOTO_MAX_UPLOAD_BYTES = 10_000
    opened = []
    monkeypatch.setattr(Image, "open", lambda *args, **kwargs: opened.append(args))
    upload = io.BytesIO(pictures.noisy_jpeg((800, 600)))
    upload.size = len(upload.getvalue())
    with pytest.raises(ValidationError) as caught:
        validation.clean_upload(upload)
    assert caught.value.code == "too_large"
    assert "the limit is 9.8\xa0KB" in caught.value.messages[0]
    assert opened == []


def test_an_oversize_file_that_understates_its_size_is_still_refused(settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 10_000
    upload = io.BytesIO(pictures.noisy_jpeg((800, 600)))
    upload.size = 10  # what a lying client could claim
    with pytest.raises(ValidationError) as caught:
        validation.clean_upload(upload)
    assert caught.value.code == "too_large"


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(document.cookie)</script></svg>",
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>',
    ],
)
def test_an_svg_is_refused(svg):
    code, message = refusal(svg, "logo.jpg")
    assert code == "svg"
    assert "SVG drawings are not accepted" in message


def test_a_heic_photo_is_refused_with_a_way_out():
    code, message = refusal(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64)
    assert code == "heic"
    assert "Export it as JPEG" in message


@pytest.mark.parametrize("fmt, kind", [("TIFF", "TIFF"), ("BMP", "BMP"), ("PDF", "PDF")])
def test_other_formats_pillow_could_read_are_refused_by_name(fmt, kind):
    data = pictures.encode(pictures.picture((40, 30)), fmt)
    code, message = refusal(data, "photo.jpg")
    assert code == "other_format"
    assert f"This is a {kind} file" in message


PHP = b"<?php system($_GET['c']); ?>"
SCRIPT = b"<script>alert(1)</script>"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x00\x00payload.class" + b"PK\x05\x06" + b"\x00" * 18

POLYGLOTS = {
    # PHP appended after the end of a JPEG: runs if a server ever executes the upload.
    "jpeg + php": (pictures.jpeg((200, 100)) + PHP, PHP),
    # HTML in a JPEG comment, where browsers that sniff would find it.
    "jpeg comment html": (pictures.jpeg((200, 100), comment=b"<html><body>" + SCRIPT), SCRIPT),
    # A ZIP (or JAR) appended to a PNG: "GIFAR"-style, opened by unzip and Java from the end.
    "png + zip": (pictures.encode(pictures.picture((64, 64)), "PNG") + ZIP, b"payload.class"),
    # JavaScript after a GIF's trailer: the GIF/JS polyglot loaded with <script src>.
    "gif + js": (
        pictures.encode(pictures.picture((64, 64)).convert("P"), "GIF") + b"*/=alert(1);//",
        b"alert(1)",
    ),
    # Script in a PNG text chunk.
    "png text script": (
        pictures.encode(pictures.picture((64, 64)), "PNG")[:33]
        + pictures.png_chunk(b"tEXt", b"Comment\x00" + SCRIPT)
        + pictures.encode(pictures.picture((64, 64)), "PNG")[33:],
        SCRIPT,
    ),
    # Markup in an EXIF field that is not kept, within the first kilobyte browsers sniff.
    "jpeg exif html": (
        pictures.jpeg(
            (200, 100), exif=pictures.exif_with(0x010E, '<iframe src="https://evil.example">')
        ),
        b"<iframe",
    ),
    # PHP in XMP, which Pillow reads but never writes back.
    "webp xmp php": (
        pictures.encode(pictures.picture((64, 64)), "WEBP", xmp=b"<x:xmpmeta>" + PHP),
        PHP,
    ),
}


@pytest.mark.parametrize("name", list(POLYGLOTS))
def test_a_polyglot_is_stored_as_the_picture_alone(name):
    """Code hidden in metadata or after the picture is not in what is stored: the re-encoding writes
    the pixels and nothing else, so the file is accepted and stored clean."""
    data, payload = POLYGLOTS[name]
    upload = Image.open(io.BytesIO(data))
    upload.load()  # each really is a valid picture as well
    assert payload in data
    cleaned = clean_bytes(data)
    assert payload not in cleaned.data
    stored = Image.open(io.BytesIO(cleaned.data))
    assert (stored.format, stored.size) == (upload.format, upload.size)
    assert not set(stored.info) & {"comment", "xmp", "exif", "Comment"}


# What the encoder copies from the upload as it is: the rights EXIF tags and the colour profile
# that are kept on purpose, and a palette's colours. Each would carry the code into storage.
PALETTE = list(PHP.ljust(30)) + [0] * (768 - 30)
COPIED_MARKUP = {
    "artist": (
        pictures.jpeg((200, 100), exif=pictures.exif_with(pictures.ARTIST, SCRIPT.decode())),
        "rights information",
    ),
    "copyright": (
        pictures.encode(
            pictures.picture((64, 64)),
            "PNG",
            exif=pictures.exif_with(pictures.COPYRIGHT, "<html><body>"),
        ),
        "rights information",
    ),
    "colour profile": (pictures.jpeg((200, 100), icc_profile=PHP * 4), "colour profile"),
    "gif palette": (pictures.paletted(PALETTE, "GIF"), "colour palette"),
    "png palette": (pictures.paletted(PALETTE, "PNG"), "colour palette"),
}


@pytest.mark.parametrize("name", list(COPIED_MARKUP))
def test_code_in_what_the_re_encoding_copies_is_refused(name, monkeypatch):
    data, where = COPIED_MARKUP[name]
    # Without the check, the re-encoded file would carry the code: this is what it is for.
    monkeypatch.setattr(validation, "_refuse_copied_markup", lambda *args: None)
    stored = clean_bytes(data, name="photo").data
    assert PHP in stored or SCRIPT in stored or b"<html>" in stored
    monkeypatch.undo()

    code, message = refusal(data)
    assert code == "polyglot"
    assert f"code in its {where}" in message and "disguised files" in message


def test_camera_trailers_after_a_jpeg_are_accepted_and_dropped():
    """Motion photos and Samsung trailers are common on phones; they are not refused, but they
    are not stored either."""
    motion = pictures.jpeg((200, 100)) + b"\x00\x00\x00\x18ftypmp42" + b"\x01\x02" * 500
    samsung = pictures.jpeg((200, 100)) + b"\x00\x00Image_UTC_Data1458170015363SEFHxxxxSEFT"
    for data in (motion, samsung):
        cleaned = clean_bytes(data, name="phone.jpg")
        assert b"ftypmp42" not in cleaned.data and b"SEF" not in cleaned.data


def test_an_mpo_from_a_phone_is_accepted_as_a_jpeg():
    first = pictures.picture((300, 200))
    second = pictures.picture((150, 100))
    data = pictures.encode(first, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(data)).format == "MPO"
    cleaned = clean_bytes(data, name="phone.jpg")
    assert (cleaned.format, cleaned.width, cleaned.height) == ("JPEG", 300, 200)


# --- what is accepted, and what it becomes -----------------------------------------------------


@pytest.mark.parametrize(
    "fmt, name, extension",
    [
        ("JPEG", "photo.jpg", "jpg"),
        ("PNG", "photo.png", "png"),
        ("WEBP", "photo.webp", "webp"),
        ("GIF", "photo.gif", "gif"),
        # The name is not trusted: the real type decides the stored extension.
        ("PNG", "photo.jpg", "png"),
        ("JPEG", "holiday.exe", "jpg"),
    ],
)
def test_the_four_formats_are_accepted_under_the_name_of_their_real_type(fmt, name, extension):
    image = pictures.picture((120, 80))
    data = pictures.encode(image if fmt != "GIF" else image.convert("P"), fmt)
    cleaned = clean_bytes(data, name=name)
    assert cleaned.name == f"{name.rsplit('.', 1)[0]}.{extension}"
    assert Image.open(io.BytesIO(cleaned.data)).format == fmt
    assert (cleaned.width, cleaned.height) == (120, 80)


def test_a_hostile_file_name_becomes_a_plain_one():
    cleaned = clean_bytes(pictures.jpeg((40, 30)), name="../../etc/<script>passwd .jpg.php")
    assert cleaned.name == "scriptpasswd-jpg.jpg"


@pytest.mark.parametrize(
    "orientation, size, red_at",
    [
        (1, (300, 200), (10, 100)),  # upright: red on the left
        (3, (300, 200), (290, 100)),  # upside down: red ends up on the right
        (6, (200, 300), (100, 10)),  # turned: red ends up at the top
        (8, (200, 300), (100, 290)),  # turned the other way: red at the bottom
    ],
)
def test_exif_orientation_is_applied(orientation, size, red_at):
    data = pictures.jpeg((300, 200), exif=pictures.tracking_exif(orientation=orientation))
    cleaned = clean_bytes(data)
    stored = Image.open(io.BytesIO(cleaned.data))
    assert stored.size == size == (cleaned.width, cleaned.height)
    red, green, blue = stored.convert("RGB").getpixel(red_at)
    assert red > 150 and blue < 100
    assert pictures.ORIENTATION not in stored.getexif()


def test_location_owner_and_other_metadata_are_stripped_and_rights_kept():
    data = pictures.jpeg(
        (300, 200),
        exif=pictures.tracking_exif(),
        xmp=pictures.xmp(),
        comment=pictures.COMMENT.encode(),
    )
    upload = Image.open(io.BytesIO(data))
    assert upload.getexif().get_ifd(pictures.GPS)  # the upload really carries all of it
    assert upload.getexif().get_ifd(pictures.EXIF_IFD)[pictures.CAMERA_OWNER] == pictures.OWNER_NAME
    assert pictures.XMP_SECRET.encode() in data and pictures.COMMENT.encode() in data

    cleaned = clean_bytes(data)
    stored = Image.open(io.BytesIO(cleaned.data))
    exif = stored.getexif()
    assert dict(exif) == {pictures.ARTIST: "Li Wei", pictures.COPYRIGHT: "(c) Example Agency"}
    assert not exif.get_ifd(pictures.GPS) and not exif.get_ifd(pictures.EXIF_IFD)
    for secret in (pictures.OWNER_NAME, pictures.SERIAL, pictures.XMP_SECRET, pictures.COMMENT):
        assert secret.encode() not in cleaned.data
    assert b"PhoneMaker" not in cleaned.data
    assert "xmp" not in stored.info and "comment" not in stored.info


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_metadata_is_stripped_from_png_and_webp_too(fmt):
    data = pictures.encode(pictures.picture((120, 80)), fmt, exif=pictures.tracking_exif())
    assert pictures.OWNER_NAME.encode() in data
    cleaned = clean_bytes(data, name=f"photo.{fmt.lower()}")
    assert pictures.OWNER_NAME.encode() not in cleaned.data
    assert not Image.open(io.BytesIO(cleaned.data)).getexif().get_ifd(pictures.GPS)


def test_the_colour_profile_is_kept():
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = pictures.jpeg((120, 80), icc_profile=profile)
    cleaned = clean_bytes(data)
    assert Image.open(io.BytesIO(cleaned.data)).info.get("icc_profile") == profile


def test_an_animated_gif_keeps_its_first_frame():
    data = pictures.animation((60, 60), frames=3)
    assert Image.open(io.BytesIO(data)).n_frames == 3
    cleaned = clean_bytes(data, name="animation.gif")
    stored = Image.open(io.BytesIO(cleaned.data))
    assert getattr(stored, "n_frames", 1) == 1
    assert stored.size == (60, 60)
    assert stored.convert("RGB").getpixel((2, 2))[1] > 150  # the first frame's green corner


def test_a_transparent_png_keeps_its_transparency():
    image = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    image.paste((200, 0, 0, 255), (0, 0, 20, 40))
    cleaned = clean_bytes(pictures.encode(image, "PNG"), name="logo.png")
    stored = Image.open(io.BytesIO(cleaned.data))
    assert stored.mode == "RGBA"
    assert stored.getpixel((30, 20))[3] == 0 and stored.getpixel((10, 20))[3] == 255


def test_a_cmyk_jpeg_is_stored_as_rgb():
    data = pictures.encode(pictures.picture((60, 40)).convert("CMYK"), "JPEG")
    stored = Image.open(io.BytesIO(clean_bytes(data).data))
    assert stored.mode == "RGB"


def test_a_lossless_webp_stays_lossless():
    noise = Image.effect_noise((120, 80), 60).convert("RGB")
    cleaned = clean_bytes(pictures.encode(noise, "WEBP", lossless=True), name="chart.webp")
    assert Image.open(io.BytesIO(cleaned.data)).tobytes() == noise.tobytes()
    lossy = clean_bytes(pictures.encode(noise, "WEBP", quality=80), name="photo.webp")
    assert Image.open(io.BytesIO(lossy.data)).tobytes() != noise.tobytes()
