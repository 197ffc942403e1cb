"""Renditions are made in the background: the editor's save returns at once, pages show the
original picture at its own size until the worker has made the renditions, then the renditions.

The database back end, with django_tasks_db's worker run in this process (the queue is in the
test's transaction); test_worker_process.py runs a real worker.
"""

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from photos import models as photo_models
from photos import renditions
from photos.models import Image as LibraryImage
from tests.photos import pictures

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/photos/image/add/"


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def keep_the_test_connection(monkeypatch):
    """The worker closes the database connection when it is not in autocommit mode (it never
    should be, in a worker); here it runs inside the test's transaction, which must stay open."""
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


@pytest.fixture
def purged(monkeypatch):
    """The surrogate keys purged (the pages showing a picture are refreshed by its key)."""
    keys = []
    purge = photo_models.keys.purge
    monkeypatch.setattr(photo_models.keys, "purge", lambda *k: (keys.extend(k), purge(*k)))
    return keys


def work_through_queue():
    Worker(
        queue_names=["*"],
        excluded_queue_names=[],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
    ).run()


def picture_on(html):
    return re.search(r"<picture>.*?</picture>", html, re.S)[0]


def media_names(html):
    return re.findall(r"/media/([^\s\"]+)", html)


def upload_in_admin(client, django_capture_on_commit_callbacks, **fields):
    values = {
        "alt_text": "Delegates in the forum's main hall",
        "file": SimpleUploadedFile("hall.jpg", pictures.jpeg((2400, 1600)), "image/jpeg"),
        **fields,
    }
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(ADD_URL, values, follow=True)


def test_the_save_queues_the_renditions_and_pages_show_the_original_until_they_are_made(
    admin_client, seed, client, django_capture_on_commit_callbacks, purged
):
    response = upload_in_admin(admin_client, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "The picture is saved. Its resized copies are being made in the background" in (
        response.content.decode()
    )
    image = LibraryImage.objects.get()
    assert image.renditions_pending
    assert not any(default_storage.exists(r.name) for r in renditions.all_renditions(image))
    [queued] = DBTaskResult.objects.all()
    assert (queued.task_path, queued.args_kwargs["args"]) == (
        "photos.tasks.make_renditions",
        [image.pk],
    )
    change_page = admin_client.get(f"/admin/photos/image/{image.pk}/change/").content.decode()
    assert "being made in the background" in change_page

    # The story page shows the original, with its size, so nothing shifts and nothing is broken.
    seed.lead_image = image
    seed.save(update_fields=["lead_image"])
    picture = picture_on(client.get(seed.get_absolute_url()).content.decode())
    original = image.file.url
    assert f'src="{original}" srcset="{original} 2400w"' in picture
    assert 'width="2400" height="1600"' in picture
    assert "image/webp" not in picture and "/renditions/" not in picture
    assert all(default_storage.exists(name) for name in media_names(picture))

    with django_capture_on_commit_callbacks(execute=True):
        work_through_queue()

    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    image.refresh_from_db()
    assert not image.renditions_pending and image.rendition_failures == {}
    assert all(default_storage.exists(r.name) for r in renditions.all_renditions(image))
    assert f"image:{image.pk}" in purged
    picture = picture_on(client.get(seed.get_absolute_url()).content.decode())
    assert f"{pictures.rendition_url(image, '1600w.webp')} 1600w" in picture
    assert f'src="{pictures.rendition_url(image, "1024w.jpg")}"' in picture
    assert 'width="1600" height="1067"' in picture
    assert all(default_storage.exists(name) for name in media_names(picture))
    change_page = admin_client.get(f"/admin/photos/image/{image.pk}/change/").content.decode()
    assert f"All {len(renditions.all_renditions(image))} were made." in change_page


def test_a_new_focal_point_shows_the_original_until_its_crops_are_made(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        image = pictures.upload(pictures.jpeg((1600, 1200)))
    work_through_queue()
    image.refresh_from_db()
    assert not image.renditions_pending

    with django_capture_on_commit_callbacks(execute=True):
        image.caption = "A caption changes no rendition."
        image.save()
    assert not LibraryImage.objects.get().renditions_pending

    with django_capture_on_commit_callbacks(execute=True):
        image.focal_x, image.focal_y = 0.2, 0.3
        image.save()
    assert LibraryImage.objects.get().renditions_pending
    assert renditions.renditions(image, ratio="1:1") == [renditions.original(image, "1:1")]
    work_through_queue()
    image.refresh_from_db()
    assert not image.renditions_pending
    assert all(default_storage.exists(r.name) for r in renditions.renditions(image, ratio="1:1"))


def test_renditions_made_of_what_the_picture_no_longer_is_leave_it_pending():
    """A save of a new focal point while the worker was making the old one's crops: the row stays
    pending (pages show the original) until the renditions the new save queued are made."""
    image = pictures.upload(pictures.jpeg((800, 600)))
    image.make_renditions()
    in_the_worker = LibraryImage.objects.get(pk=image.pk)
    image.focal_x, image.focal_y = 0.9, 0.9
    image.save()
    in_the_worker.make_renditions()  # as it was when the worker loaded it
    assert LibraryImage.objects.get(pk=image.pk).renditions_pending


def test_a_picture_deleted_before_its_turn_is_nothing_to_make(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        image = pictures.upload(pictures.jpeg((800, 600)))
        image.delete()
    work_through_queue()
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_copies_that_cannot_be_made_are_recorded_retried_and_the_failure_seen(
    monkeypatch, django_capture_on_commit_callbacks, admin_client
):
    encode = renditions._encode
    broken = {"WEBP"}

    def encoder(image, fmt, *args):
        if fmt in broken:
            raise OSError(f"encoder error -2 when writing {fmt}")
        return encode(image, fmt, *args)

    monkeypatch.setattr(renditions, "_encode", encoder)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            image = pictures.upload(pictures.jpeg((1600, 1200)))
        work_through_queue()
    image.refresh_from_db()
    assert not image.renditions_pending  # what could be made is shown; the rest is left out
    assert len(image.rendition_failures) == 19
    assert all(r.format == "JPEG" for r in renditions.renditions(image))
    failed, retry = (
        DBTaskResult.objects.get(status="FAILED"),
        DBTaskResult.objects.get(status="READY"),
    )
    assert failed.exception_class_path == "photos.tasks.RenditionsMissing"
    assert retry.run_after == start + dt.timedelta(seconds=10)
    listing = admin_client.get("/admin/django_tasks_database/dbtaskresult/?status=FAILED")
    assert f"Make the resized copies of a picture ({image.pk})" in listing.content.decode()

    broken.clear()  # whatever broke the encoder is fixed
    with time_machine.travel(start + dt.timedelta(seconds=10), tick=False):
        work_through_queue()
    image.refresh_from_db()
    assert image.rendition_failures == {}
    assert all(default_storage.exists(r.name) for r in renditions.all_renditions(image))


def test_the_command_makes_what_is_pending_without_a_worker():
    image = pictures.upload(pictures.jpeg((800, 600)))
    assert LibraryImage.objects.get().renditions_pending
    call_command("photo_renditions", verbosity=0)
    image.refresh_from_db()
    assert not image.renditions_pending
    assert all(default_storage.exists(r.name) for r in renditions.all_renditions(image))
