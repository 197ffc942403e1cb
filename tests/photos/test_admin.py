"""The library in the admin: uploads through the checks (also from the story form's "+" popup),
thumbnails, search, and the lead image autocomplete."""

import html
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from photos import renditions
from photos.models import Image as LibraryImage
from tests.photos import pictures

ADD_URL = "/admin/photos/image/add/"
POPUP_URL = ADD_URL + "?_to_field=id&_popup=1"


def post_upload(client, url, data, name="photo.jpg", **fields):
    values = {
        "alt_text": "Delegates in the forum's main hall",
        "caption": "The forum opened on Tuesday.",
        "credit": "Li Wei / Xinhua",
        "file": SimpleUploadedFile(name, data, content_type="image/jpeg"),
        **fields,
    }
    return client.post(url, values)


def test_the_story_forms_popup_uploads_through_the_checks(admin_client, superuser, media_root):
    """The "+" beside the lead image opens this popup; its answer fills in the story's field."""
    data = pictures.jpeg((1600, 1200), exif=pictures.tracking_exif(orientation=6))
    response = post_upload(admin_client, POPUP_URL, data, name="IMG_0001.JPG", _popup="1")
    assert response.status_code == 200
    image = LibraryImage.objects.get()
    answer = re.search(r'data-popup-response="([^"]+)"', response.content.decode())[1]
    assert json.loads(html.unescape(answer)) == {"value": str(image.pk), "obj": str(image)}
    assert (image.width, image.height) == (1200, 1600)  # turned upright
    assert image.uploaded_by == superuser
    assert image.file.name.endswith("/img_0001.jpg")
    stored = pictures.read_bytes(image.file.storage, image.file.name)
    assert pictures.OWNER_NAME.encode() not in stored
    assert all(image.file.storage.exists(r.name) for r in renditions.all_renditions(image))


def test_code_after_the_picture_is_not_stored(admin_client, media_root):
    """A polyglot (PHP after the end of a JPEG) is stored as the picture alone: the re-encoding
    writes the pixels and nothing else."""
    data = pictures.jpeg((300, 200)) + b"<?php system($_GET[1]); ?>"
    assert post_upload(admin_client, ADD_URL, data).status_code == 302
    image = LibraryImage.objects.get()
    for name in pictures.stored_files(media_root):
        assert b"<?php" not in (media_root / name).read_bytes(), name
    assert len(pictures.stored_files(media_root)) == 1 + len(renditions.all_renditions(image))


REFUSALS = {
    "text named .jpg": (b"not a picture at all\n" * 50, "whatever its name says"),
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
    "truncated jpeg": (pictures.jpeg((900, 600))[:1500], "damaged or incomplete"),
    # The Artist tag is kept in what is stored, so code in it would be too.
    "script in the rights exif": (
        pictures.jpeg((300, 200), exif=pictures.exif_with(pictures.ARTIST, "<script>x</script>")),
        "script code in its rights information",
    ),
}


@pytest.mark.parametrize("url", [ADD_URL, POPUP_URL])
@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_refused_upload_is_a_message_on_the_field_and_leaves_no_file(
    admin_client, media_root, url, case
):
    data, words = REFUSALS[case]
    response = post_upload(admin_client, url, data)
    assert response.status_code == 200  # the form again, not a redirect or a popup answer
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["file"]
    assert words in errors["file"][0]
    assert words.replace("'", "&#x27;") in response.content.decode()
    assert LibraryImage.objects.count() == 0
    assert pictures.stored_files(media_root) == []


def test_the_bomb_and_an_oversize_file_are_refused_in_the_admin_too(
    admin_client, media_root, png_bomb, settings
):
    response = post_upload(admin_client, ADD_URL, png_bomb, name="bomb.png")
    assert "million pixels" in response.context["adminform"].form.errors["file"][0]
    settings.PHOTO_MAX_UPLOAD_BYTES = 20_000
    response = post_upload(admin_client, ADD_URL, pictures.noisy_jpeg((800, 600)))
    assert "the limit is 19.5" in response.context["adminform"].form.errors["file"][0]
    assert pictures.stored_files(media_root) == []


def test_alt_text_is_required_and_a_valid_picture_is_not_stored_without_it(
    admin_client, media_root
):
    response = post_upload(admin_client, ADD_URL, pictures.jpeg(), alt_text="")
    assert "alt_text" in response.context["adminform"].form.errors
    assert pictures.stored_files(media_root) == []


def test_the_upload_field_asks_the_browser_for_pictures_only(admin_client):
    page = admin_client.get(ADD_URL).content.decode()
    assert 'accept="image/jpeg,image/png,image/webp,image/gif"' in page
    assert 'enctype="multipart/form-data"' in page


def test_the_list_shows_thumbnails_and_searches_caption_credit_and_alt_text(admin_client):
    harbour = pictures.upload(
        pictures.jpeg((800, 600)),
        alt_text="Container cranes at Shekou",
        caption="Evening at the port",
        credit="Chen Bo / Reuters",
    )
    pictures.upload(pictures.jpeg((800, 600)), alt_text="A forum delegate speaking")
    page = admin_client.get("/admin/photos/image/").content.decode()
    thumbnail = renditions.renditions(harbour, fmt="WEBP")[0]
    assert f'<img src="{thumbnail.url}" width="96" height="72" alt="" loading="lazy">' in page
    for term in ("evening", "reuters", "cranes"):
        found = admin_client.get("/admin/photos/image/", {"q": term}).context["cl"].result_list
        assert list(found) == [harbour], term


def test_the_change_form_previews_the_picture_and_its_crops(admin_client):
    image = pictures.upload(pictures.jpeg((1600, 900)), focal_x=0.2, focal_y=0.5)
    page = admin_client.get(f"/admin/photos/image/{image.pk}/change/").content.decode()
    for ratio in ("1:1", "4:3", "16:9"):
        assert renditions.renditions(image, ratio=ratio, fmt="WEBP")[0].url in page
    assert "Crops around the focal point" in page


def test_the_lead_image_autocomplete_finds_library_pictures(admin_client):
    image = pictures.upload(pictures.jpeg((400, 300)), alt_text="Container cranes at Shekou")
    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "articles",
            "model_name": "article",
            "field_name": "lead_image",
            "term": "cranes",
        },
    )
    assert response.status_code == 200
    assert response.json()["results"] == [{"id": str(image.pk), "text": str(image)}]


def test_a_focal_point_needs_both_coordinates(admin_client):
    response = post_upload(admin_client, ADD_URL, pictures.jpeg(), focal_x="0.3")
    assert "both coordinates" in response.content.decode()


def test_the_story_form_offers_upload_beside_the_lead_image(admin_client, seed):
    page = admin_client.get(f"/admin/articles/article/{seed.pk}/change/").content.decode()
    assert 'id="add_id_lead_image"' in page
    assert 'href="/admin/photos/image/add/?_to_field=id&amp;_popup=1"' in page
