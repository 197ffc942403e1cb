"""Replacing a picture's file in the admin: once the save is committed the old original and every
rendition made from it are gone from storage (a picture taken down stops being served), and the
new file has its own renditions. Deleting a picture deletes its files."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from photos import renditions
from photos.models import Image as LibraryImage
from tests.factories import UserFactory
from tests.photos import pictures

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    user = UserFactory(username="desk")
    user.groups.add(Group.objects.get(name="Editor"))
    client.force_login(user)
    return client


def change_url(image):
    return f"/admin/photos/image/{image.pk}/change/"


def post_change(client, image, *, data=None, name="replacement.jpg", **fields):
    values = {
        "alt_text": image.alt_text,
        "caption": image.caption,
        "credit": image.credit,
        "copyright_notice": image.copyright_notice,
        "focal_x": "" if image.focal_x is None else image.focal_x,
        "focal_y": "" if image.focal_y is None else image.focal_y,
        **fields,
    }
    if data is not None:
        values["file"] = SimpleUploadedFile(name, data, content_type="image/jpeg")
    return client.post(change_url(image), values)


def files_of(image):
    """The stored original and every rendition of ``image`` as it is now."""
    return [image.file.name, *(r.name for r in renditions.all_renditions(image))]


def test_a_replaced_file_and_its_renditions_leave_storage_after_the_commit(
    editor_client, media_root, django_capture_on_commit_callbacks
):
    image = pictures.upload(pictures.jpeg((1600, 1200)), "harbour.jpg", alt_text="The harbour")
    # Crops at a second focal point: renditions of the old file too, which must go as well.
    image.focal_x, image.focal_y = 0.2, 0.3
    image.save()
    old = set(pictures.stored_files(media_root))
    assert image.file.name in old and len(old) > 20

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_change(editor_client, image, data=pictures.jpeg((1200, 900)))
    assert response.status_code == 302, response.context["adminform"].form.errors
    # Not before the commit: a rolled-back save must still find the old files.
    assert old <= set(pictures.stored_files(media_root))
    for callback in callbacks:
        callback()

    image.refresh_from_db()
    assert (image.width, image.height) == (1200, 900)
    assert "harbour" not in image.file.name
    left = set(pictures.stored_files(media_root))
    assert not old & left, "the old original or one of its renditions is still stored"
    assert all(default_storage.exists(name) for name in files_of(image))
    assert set(files_of(image)) == left


def test_a_new_file_with_the_same_name_gets_new_paths_and_the_old_ones_go(
    editor_client, media_root, django_capture_on_commit_callbacks
):
    image = pictures.upload(pictures.jpeg((800, 600)), "photo.jpg")
    old = set(pictures.stored_files(media_root))
    with django_capture_on_commit_callbacks(execute=True):
        post_change(editor_client, image, data=pictures.jpeg((640, 480)), name="photo.jpg")
    image.refresh_from_db()
    assert (image.width, image.height) == (640, 480)
    left = set(pictures.stored_files(media_root))
    assert not old & left
    assert set(files_of(image)) == left


def test_editing_the_text_keeps_the_files(
    editor_client, media_root, django_capture_on_commit_callbacks
):
    image = pictures.upload(pictures.jpeg((800, 600)))
    before = set(pictures.stored_files(media_root))
    with django_capture_on_commit_callbacks(execute=True):
        response = post_change(editor_client, image, caption="A new caption")
    assert response.status_code == 302
    image.refresh_from_db()
    assert image.caption == "A new caption"
    assert set(pictures.stored_files(media_root)) == before


def test_a_refused_replacement_keeps_the_old_files(
    editor_client, media_root, django_capture_on_commit_callbacks
):
    image = pictures.upload(pictures.jpeg((800, 600)))
    before = set(pictures.stored_files(media_root))
    with django_capture_on_commit_callbacks(execute=True):
        response = post_change(editor_client, image, data=b"not a picture\n" * 50)
    assert response.status_code == 200
    assert "file" in response.context["adminform"].form.errors
    assert set(pictures.stored_files(media_root)) == before


def test_a_file_another_image_uses_is_kept(media_root, django_capture_on_commit_callbacks):
    """Scripts may point two rows at one stored file; replacing one's keeps the other's."""
    first = pictures.upload(pictures.jpeg((800, 600)), "shared.jpg")
    second = LibraryImage(alt_text="The same picture", width=first.width, height=first.height)
    second.file.name = first.file.name
    second.save()
    shared = first.file.name
    first_renditions = {r.name for r in renditions.all_renditions(first)}
    with django_capture_on_commit_callbacks(execute=True):
        first.file.save("new.jpg", SimpleUploadedFile("new.jpg", pictures.jpeg((640, 480))))
    assert default_storage.exists(shared)
    assert all(default_storage.exists(r.name) for r in renditions.all_renditions(second))
    assert not any(default_storage.exists(name) for name in first_renditions)


def test_deleting_an_image_in_the_admin_deletes_its_files(
    editor_client, media_root, django_capture_on_commit_callbacks
):
    keep = pictures.upload(pictures.jpeg((700, 500)), "keep.jpg")
    image = pictures.upload(pictures.jpeg((700, 500)), "gone.jpg")
    kept = set(files_of(keep))
    assert set(files_of(image)) <= set(pictures.stored_files(media_root))
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/admin/photos/image/{image.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not LibraryImage.objects.filter(pk=image.pk).exists()
    assert set(pictures.stored_files(media_root)) == kept
