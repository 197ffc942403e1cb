"""A rendition that cannot be made: the picture is saved, the editor is told what is missing and
why, it is logged, pages show the original in its place, and a later save or the command makes it."""

import io
import logging
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from photos import renditions
from photos.models import Image as LibraryImage
from tests.photos import pictures

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/photos/image/add/"


@pytest.fixture
def broken_encoder(monkeypatch):
    """Make the encoder fail for the formats in the returned set (WebP unless changed)."""
    failing = {"WEBP"}
    encode = renditions._encode

    def encoder(image, fmt, *args):
        if fmt in failing:
            raise OSError(f"encoder error -2 when writing {fmt}")
        return encode(image, fmt, *args)

    monkeypatch.setattr(renditions, "_encode", encoder)
    return failing


def upload_in_admin(client, data=None, **fields):
    values = {
        "alt_text": "Delegates in the forum's main hall",
        "file": SimpleUploadedFile("hall.jpg", data or pictures.jpeg((1600, 1200))),
        **fields,
    }
    return client.post(ADD_URL, values, follow=True)


def test_an_upload_whose_webp_copies_fail_is_saved_and_the_editor_told_why(
    admin_client, broken_encoder, caplog
):
    response = upload_in_admin(admin_client)
    assert response.status_code == 200
    image = LibraryImage.objects.get()
    page = response.content.decode()
    warning = re.search(r'<li class="warning">(.*?)</li>', page, re.S)[1]
    assert "The picture is saved, but 19 of its resized copies could not be made" in warning
    assert "Pages use the copies that were made, or the original picture" in warning
    assert "whole picture in WebP at 320, 640, 1024, 1200, 1600 px wide" in warning
    assert "1:1 crop in WebP at 320, 640, 1024, 1200 px wide" in warning
    assert "(OSError: encoder error -2 when writing WEBP)" in warning

    # Logged on the "photos" logger, with the encoder's own traceback.
    [record] = [r for r in caplog.records if r.name == "photos"]
    assert record.levelno == logging.ERROR
    assert f"Could not make the renditions of image {image.pk}" in record.getMessage()
    assert "encoder error -2 when writing WEBP" in caplog.text
    assert 'raise OSError(f"encoder error -2' in caplog.text

    # Every JPEG copy was made all the same (the other encodings on the pool went on).
    for rendition in renditions.all_renditions(image):
        made = default_storage.exists(rendition.name)
        assert made == (rendition.format == "JPEG"), rendition.name
        assert (rendition.name in image.rendition_failures) == (not made)


def test_the_change_page_says_which_copies_are_missing_and_why(admin_client, broken_encoder):
    upload_in_admin(admin_client)
    image = LibraryImage.objects.get()
    page = admin_client.get(f"/admin/photos/image/{image.pk}/change/").content.decode()
    assert "Resized copies" in page
    assert "<strong>19 could not be made</strong>" in page
    assert "<li>whole picture in WebP at 320, 640, 1024, 1200, 1600 px wide; 1:1 crop" in page
    # The previews fall back on what pages show: the JPEG copies.
    assert any(rendition.url in page for rendition in renditions.renditions(image))
    assert ".webp" not in page


def test_saving_again_makes_what_was_missing_and_clears_the_warning(admin_client, broken_encoder):
    upload_in_admin(admin_client)
    image = LibraryImage.objects.get()
    broken_encoder.clear()  # whatever broke the encoder is fixed
    response = admin_client.post(
        f"/admin/photos/image/{image.pk}/change/",
        {"alt_text": image.alt_text, "caption": "Now with a caption."},
        follow=True,
    )
    assert 'class="warning"' not in response.content.decode()
    image.refresh_from_db()
    assert image.rendition_failures == {}
    assert all(default_storage.exists(r.name) for r in renditions.all_renditions(image))
    page = admin_client.get(f"/admin/photos/image/{image.pk}/change/").content.decode()
    assert "All 38 were made." in page


def test_pages_leave_out_what_could_not_be_made(client, seed, broken_encoder):
    seed.lead_image = pictures.upload(pictures.jpeg((2400, 1600)))
    seed.save(update_fields=["lead_image"])
    html = client.get(seed.get_absolute_url()).content.decode()
    picture = re.search(r"<picture>.*?</picture>", html, re.S)[0]
    assert "image/webp" not in picture and ".webp" not in picture
    assert pictures.rendition_url(seed.lead_image, "1600w.jpg") + " 1600w" in picture
    for name in re.findall(r"/media/([^\s\"]+)", picture):
        assert default_storage.exists(name), name


def test_when_no_copy_can_be_made_pages_show_the_original(client, seed, broken_encoder):
    broken_encoder.update({"JPEG", "WEBP"})
    image = pictures.upload(pictures.jpeg((2400, 1600)))
    assert len(image.rendition_failures) == 40
    seed.lead_image = image
    seed.save(update_fields=["lead_image"])
    html = client.get(seed.get_absolute_url()).content.decode()
    picture = re.search(r"<picture>.*?</picture>", html, re.S)[0]
    assert f'src="{image.file.url}"' in picture
    assert f'srcset="{image.file.url} 2400w"' in picture
    assert 'width="2400" height="1600"' in picture  # its own size: nothing shifts as it loads
    assert renditions.sharing_urls(image)["og"] == image.file.url


def test_the_command_reports_what_it_still_cannot_make_and_makes_the_rest_later(broken_encoder):
    image = pictures.upload(pictures.jpeg((1000, 800)))
    assert image.rendition_failures
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command("photo_renditions", stdout=out, stderr=err)
    assert "Made 0 renditions. 1 images failed." in out.getvalue()
    assert f"Image {image.pk} (" in err.getvalue() and "encoder error -2" in err.getvalue()

    broken_encoder.clear()
    out = io.StringIO()
    call_command("photo_renditions", stdout=out)
    assert "Made 12 renditions." in out.getvalue()  # the WebP ones: 4 ratios, 3 widths each
    image.refresh_from_db()
    assert image.rendition_failures == {}


def test_a_crop_that_cannot_be_resized_costs_only_that_crop(monkeypatch, caplog):
    resized = renditions._resized

    def failing(image, source, ratio, largest):
        if ratio == "16:9":
            raise MemoryError("no memory for the 16:9 crop")
        return resized(image, source, ratio, largest)

    monkeypatch.setattr(renditions, "_resized", failing)
    image = pictures.upload(pictures.jpeg((1600, 1200)))
    failed = {
        r.name for r in renditions.all_renditions(image) if not default_storage.exists(r.name)
    }
    assert failed == set(image.rendition_failures)
    assert {r.ratio for r in renditions.all_renditions(image) if r.name in failed} == {"16:9"}
    assert set(image.rendition_failures.values()) == {"MemoryError: no memory for the 16:9 crop"}
    assert "no memory for the 16:9 crop" in caplog.text
