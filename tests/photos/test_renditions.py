"""Renditions: sizes, formats, crops around the focal point, made once and never again."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from photos import renditions
from photos.models import Image as LibraryImage
from tests.photos import pictures

pytestmark = pytest.mark.django_db


def dimensions_and_format(name):
    with default_storage.open(name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        return image.size, image.format


def test_widths_in_webp_and_the_original_format_for_the_picture_and_each_crop():
    image = pictures.upload(pictures.jpeg((2000, 1500)))
    expected = {
        # ratio: (width, height) of each rendition; never wider than the picture or its crop.
        None: [(320, 240), (640, 480), (1024, 768), (1200, 900), (1600, 1200)],
        "4:3": [(320, 240), (640, 480), (1024, 768), (1200, 900), (1600, 1200)],
        "16:9": [(320, 180), (640, 360), (1024, 576), (1200, 675), (1600, 900)],
        # The square crop is 1,500 wide: the widths up to it, and 1,500 itself.
        "1:1": [(320, 320), (640, 640), (1024, 1024), (1200, 1200), (1500, 1500)],
    }
    for ratio, sizes in expected.items():
        for fmt in ("WEBP", "JPEG"):
            made = renditions.renditions(image, ratio=ratio, fmt=fmt)
            assert [(r.width, r.height) for r in made] == sizes
            for rendition in made:
                assert dimensions_and_format(rendition.name) == (
                    (rendition.width, rendition.height),
                    fmt,
                )
    assert len(renditions.all_renditions(image)) == 40


def test_no_rendition_is_wider_than_a_small_picture():
    image = pictures.upload(pictures.encode(pictures.picture((200, 150)), "PNG"), "small.png")
    assert [(r.width, r.height, r.format) for r in renditions.renditions(image)] == [
        (200, 150, "PNG")
    ]
    assert [(r.width, r.height) for r in renditions.renditions(image, ratio="1:1")] == [(150, 150)]
    assert [(r.width, r.height) for r in renditions.renditions(image, ratio="16:9")] == [(200, 112)]
    for rendition in renditions.all_renditions(image):
        assert dimensions_and_format(rendition.name)[0] == (rendition.width, rendition.height)


def test_a_webp_original_has_webp_renditions_only():
    image = pictures.upload(pictures.encode(pictures.picture((800, 600)), "WEBP"), "photo.webp")
    assert {r.format for r in renditions.all_renditions(image)} == {"WEBP"}


def test_gif_and_transparent_png_renditions_keep_their_format_and_alpha():
    gif = pictures.upload(pictures.animation((400, 300), frames=2), "animation.gif")
    assert {dimensions_and_format(r.name)[1] for r in renditions.renditions(gif)} == {"GIF"}

    logo = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    logo.paste((200, 0, 0, 255), (0, 0, 200, 400))
    png = pictures.upload(pictures.encode(logo, "PNG"), "logo.png")
    for fmt in ("PNG", "WEBP"):
        rendition = renditions.renditions(png, fmt=fmt)[0]
        with default_storage.open(rendition.name, "rb") as handle:
            made = Image.open(io.BytesIO(handle.read())).convert("RGBA")
        assert made.getpixel((made.width - 5, made.height // 2))[3] == 0
        assert made.getpixel((5, made.height // 2))[3] == 255


def red_on_the_left(rendition):
    with default_storage.open(rendition.name, "rb") as handle:
        made = Image.open(io.BytesIO(handle.read())).convert("RGB")
    red, _, blue = made.getpixel((3, made.height // 2))
    return red > 150 and blue < 100


def test_crops_keep_the_focal_point_in_view():
    # Red on the left quarter of a 2:1 picture; a square crop is half its width.
    data = pictures.jpeg((1600, 800))
    left = pictures.upload(data, focal_x=0.1, focal_y=0.5)
    right = pictures.upload(data, focal_x=0.9, focal_y=0.5)
    centred = pictures.upload(data)
    assert red_on_the_left(renditions.renditions(left, ratio="1:1")[0])
    assert not red_on_the_left(renditions.renditions(right, ratio="1:1")[0])
    assert renditions.crop_box(left, "1:1") == (0, 0, 800, 800)
    assert renditions.crop_box(right, "1:1") == (800, 0, 1600, 800)
    assert renditions.crop_box(centred, "1:1") == (400, 0, 1200, 800)
    assert renditions.crop_box(centred, "16:9") == (89, 0, 1511, 800)


def test_moving_the_focal_point_makes_new_crops_under_new_names():
    image = pictures.upload(pictures.jpeg((1600, 800)), focal_x=0.1, focal_y=0.5)
    before = renditions.renditions(image, ratio="1:1")[0]
    image.focal_x = 0.9
    image.save()
    after = renditions.renditions(image, ratio="1:1")[0]
    assert after.name != before.name
    assert default_storage.exists(after.name) and not red_on_the_left(after)
    # The whole-picture renditions do not depend on the focal point and were left alone.
    assert renditions.renditions(image)[0].name.endswith("/320w.jpg")


def test_a_new_file_gets_new_renditions_even_under_the_same_name():
    """Uploads a month apart can share a file name; their renditions must not."""
    with time_machine.travel(dt.datetime(2030, 4, 1, tzinfo=dt.UTC)):
        image = pictures.upload(pictures.jpeg((800, 600)), "harbour.jpg")
    old = renditions.renditions(image)[0]
    with time_machine.travel(dt.datetime(2030, 5, 1, tzinfo=dt.UTC)):
        form = pictures.ImageForm(
            data={"alt_text": image.alt_text},
            files={"file": SimpleUploadedFile("harbour.jpg", pictures.jpeg((600, 800)))},
            instance=image,
        )
        assert form.is_valid(), form.errors
        form.save()
    new = renditions.renditions(image)[0]
    assert image.file.name == "images/2030/05/harbour.jpg"
    assert new.name != old.name
    assert dimensions_and_format(new.name) == ((320, 427), "JPEG")
    assert dimensions_and_format(old.name) == ((320, 240), "JPEG")


def test_an_unknown_ratio_is_an_error_not_a_broken_picture():
    image = pictures.upload(pictures.jpeg((800, 600)))
    with pytest.raises(ValueError, match="PHOTO_CROP_RATIOS"):
        renditions.renditions(image, ratio="3:2")


def test_a_second_request_does_no_image_work(monkeypatch, media_root):
    image = pictures.upload(pictures.jpeg((1600, 1200)))
    before = {
        name: (media_root / name).stat().st_mtime_ns for name in pictures.stored_files(media_root)
    }

    def no_image_work(*args, **kwargs):
        raise AssertionError("Pillow was asked to open a picture")

    monkeypatch.setattr(Image, "open", no_image_work)
    assert renditions.generate_renditions(image) == []
    LibraryImage.objects.get(pk=image.pk).save()  # an edit of the caption, say
    call_command("photo_renditions", stdout=io.StringIO())
    after = {
        name: (media_root / name).stat().st_mtime_ns for name in pictures.stored_files(media_root)
    }
    assert after == before


def test_only_a_missing_rendition_is_made_again(media_root):
    image = pictures.upload(pictures.jpeg((1600, 1200)))
    gone = renditions.renditions(image, fmt="WEBP")[2]
    default_storage.delete(gone.name)
    others = {
        name: (media_root / name).stat().st_mtime_ns for name in pictures.stored_files(media_root)
    }
    made = renditions.generate_renditions(image)
    assert made == [gone]
    assert dimensions_and_format(gone.name) == ((1024, 768), "WEBP")
    for name, mtime in others.items():
        assert (media_root / name).stat().st_mtime_ns == mtime


def test_the_command_makes_renditions_for_new_widths(settings):
    image = pictures.upload(pictures.jpeg((1000, 800)))
    settings.PHOTO_RENDITION_WIDTHS = [320, 480, 640, 1024, 1600]
    new = [r for r in renditions.renditions(image) if r.width == 480]
    assert new and not default_storage.exists(new[0].name)
    out = io.StringIO()
    call_command("photo_renditions", stdout=out)
    assert default_storage.exists(new[0].name)
    assert "Made 8 renditions." in out.getvalue()  # 480 wide: 4 ratios, 2 formats


def test_renditions_carry_no_location_or_owner_data():
    data = pictures.jpeg((1400, 1000), exif=pictures.tracking_exif(), xmp=pictures.xmp())
    image = pictures.upload(data)
    for rendition in renditions.all_renditions(image):
        content = pictures.read_bytes(default_storage, rendition.name)
        for secret in (pictures.OWNER_NAME, pictures.SERIAL, pictures.XMP_SECRET):
            assert secret.encode() not in content, rendition.name
        exif = Image.open(io.BytesIO(content)).getexif()
        assert not exif.get_ifd(pictures.GPS)
        assert set(exif) <= {pictures.ARTIST, pictures.COPYRIGHT}


def test_srcset_and_names_are_computed_without_queries(django_assert_num_queries):
    image = pictures.upload(pictures.jpeg((2000, 1500)))
    image = LibraryImage.objects.get(pk=image.pk)
    with django_assert_num_queries(0):
        value = renditions.srcset(image, fmt="WEBP")
        urls = renditions.sharing_urls(image)
    assert value == ", ".join(
        f"{pictures.rendition_url(image, f'{width}w.webp')} {width}w"
        for width in (320, 640, 1024, 1200, 1600)
    )
    assert urls["og"] == pictures.rendition_url(image, "1200w.jpg")
    assert urls["ratios"]["16:9"] == pictures.rendition_url(image, "16x9-500-500/1200w.jpg")


def test_sharing_urls_give_the_1200_wide_picture_and_the_three_ratios():
    image = pictures.upload(pictures.jpeg((3000, 2000)))
    urls = renditions.sharing_urls(image)
    assert set(urls) == {"og", "og_width", "og_height", "ratios"}
    assert (urls["og_width"], urls["og_height"]) == (1200, 800)
    assert set(urls["ratios"]) == {"1:1", "4:3", "16:9"}
    expected = {"og": (1200, 800), "1:1": (1200, 1200), "4:3": (1200, 900), "16:9": (1200, 675)}
    found = {"og": urls["og"], **urls["ratios"]}
    for key, url in found.items():
        name = url.removeprefix("/media/")
        assert dimensions_and_format(name) == (expected[key], "JPEG")


def test_sharing_urls_for_a_picture_under_1200_wide_use_all_there_is():
    image = pictures.upload(pictures.jpeg((900, 600)))
    urls = renditions.sharing_urls(image)
    assert (urls["og_width"], urls["og_height"]) == (900, 600)
    assert urls["ratios"]["1:1"].endswith("/600w.jpg")


def test_no_image_no_renditions():
    assert renditions.sharing_urls(None) is None
    assert renditions.srcset(None) == ""
    assert renditions.renditions(LibraryImage(alt_text="not saved")) == []


def test_deleting_an_image_removes_its_files(media_root, django_capture_on_commit_callbacks):
    keep = pictures.upload(pictures.jpeg((700, 500)), "keep.jpg")
    image = pictures.upload(pictures.jpeg((700, 500)), "gone.jpg")
    image.focal_x, image.focal_y = 0.2, 0.2
    image.save()  # a second set of crops, which must go too
    kept = set(pictures.stored_files(media_root))
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    left = set(pictures.stored_files(media_root))
    assert left and all("gone" not in name for name in left)
    assert {name for name in kept if "keep" in name} == left
    assert keep.file.name in left


def test_a_picture_saved_in_code_gets_its_dimensions_and_renditions():
    """Scripts (the demo data, imports) store files without the form; the model still knows the
    size, though Django leaves it empty for an unnamed ContentFile."""
    from django.core.files.base import ContentFile

    image = LibraryImage(alt_text="A demo picture")
    image.file.save("demo.jpg", ContentFile(pictures.jpeg((1600, 900))), save=False)
    image.save()
    image.refresh_from_db()
    assert (image.width, image.height) == (1600, 900)
    assert all(default_storage.exists(r.name) for r in renditions.all_renditions(image))


def test_a_failed_rendition_does_not_lose_the_save(caplog):
    """A picture stored some other way than the form, and broken: the row is still saved."""
    from django.core.files.base import ContentFile

    image = LibraryImage(alt_text="A broken file")
    image.file.save("broken.jpg", ContentFile(b"not a picture"), save=False)
    image.width, image.height = 100, 100
    image.save()
    assert LibraryImage.objects.filter(pk=image.pk).exists()
    assert "Could not make the renditions" in caplog.text
    # Once by the photo library, and as a failed task (the background work's log, and the task
    # framework's with the traceback), nothing else.
    assert [r.name for r in caplog.records if r.name == "photos"] == ["photos"]
    assert {record.name for record in caplog.records} == {
        "photos",
        "newsroom.tasks",
        "django_tasks",
    }
    assert "cannot identify image file" in caplog.text  # Pillow's reason, with its traceback
    image.refresh_from_db()
    assert set(image.rendition_failures) == {r.name for r in renditions.all_renditions(image)}


@pytest.mark.parametrize("ratio", ["4x3", "0:1", "wide", 43])
def test_a_crop_ratio_that_is_not_one_is_refused_at_start_up(settings, ratio):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.PHOTO_CROP_RATIOS = ["1:1", ratio]
    with pytest.raises(SystemCheckError, match=r"photos\.E001.*PHOTO_CROP_RATIOS"):
        call_command("check")
