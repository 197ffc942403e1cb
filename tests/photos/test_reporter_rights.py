"""What readers see with a published story changes only by an editor: a reporter may add pictures
(the story form's "+" popup included) and change those no published story shows, but not change or
delete a published (or scheduled) story's lead image, nor the photo of a reporter or a person such a
story shows. Refused on the server: the change page is read-only and a forged POST changes nothing.
"""

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from articles.models import Article
from photos.models import Image as LibraryImage
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    PersonFactory,
    ReporterFactory,
)
from tests.forms import form_fields
from tests.photos import pictures

pytestmark = pytest.mark.django_db


def change_url(image):
    return f"/admin/photos/image/{image.pk}/change/"


def lead_picture(caption="Delegates fill the main hall."):
    return pictures.upload(
        pictures.jpeg((1200, 800)),
        "hall.jpg",
        alt_text="Delegates in the forum's main hall",
        caption=caption,
        credit="Li Wei / Xinhua",
    )


def story_with_lead(image, *, scheduled=False, **fields):
    published_at = timezone.now() + (dt.timedelta(days=1) if scheduled else -dt.timedelta(hours=1))
    return ArticleFactory(lead_image=image, published_at=published_at, **fields)


def public_page(client, story):
    """The story as readers get it a day from now (a scheduled story is out by then), always at
    the same instant, so two renderings of an unchanged story are identical."""
    with time_machine.travel(story.published_at + dt.timedelta(days=1), tick=False):
        response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def edited(editor, image, **changes):
    """The image's change form as an editor's browser would post it, with ``changes``."""
    data = form_fields(editor.get(change_url(image)).content, "image_form")
    data.update(changes)
    return data


def new_file(size=(900, 600)):
    return SimpleUploadedFile("swapped.jpg", pictures.jpeg(size), content_type="image/jpeg")


def stored(image):
    image = LibraryImage.objects.get(pk=image.pk)
    return (image.file.name, image.alt_text, image.caption, image.credit, image.width)


@pytest.mark.parametrize("when", ["published", "scheduled"])
def test_a_reporter_cannot_change_a_published_storys_lead_image(
    reporter, editor, client, when, media_root, django_capture_on_commit_callbacks
):
    image = lead_picture()
    story = story_with_lead(image, scheduled=when == "scheduled")
    before_page, before_row = public_page(client, story), stored(image)
    before_files = pictures.stored_files(media_root)
    assert "Delegates fill the main hall." in before_page

    forged = edited(
        editor,
        image,
        caption="A caption no editor saw",
        alt_text="Alt text no editor saw",
        credit="Nobody",
        file=new_file(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = reporter.post(change_url(image), forged)

    assert response.status_code == 403
    assert stored(image) == before_row
    assert pictures.stored_files(media_root) == before_files
    assert public_page(client, story) == before_page


def test_the_reporter_sees_the_lead_image_read_only_and_cannot_delete_it(reporter, client):
    image = lead_picture()
    story = story_with_lead(image)
    page = reporter.get(change_url(image))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="caption"' not in html and 'name="file"' not in html
    assert "only an editor can change or delete it" in html
    assert "Delegates fill the main hall." in html  # shown, read-only
    assert (
        reporter.post(f"/admin/photos/image/{image.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert LibraryImage.objects.filter(pk=image.pk).exists()
    assert "Delegates fill the main hall." in public_page(client, story)


def test_even_with_the_delete_permission_a_non_editor_cannot_delete_it(reporter_user, reporter):
    """(A lead image is protected from deletion by the story itself; a person's photo is not.)"""
    from django.contrib.auth.models import Permission

    reporter_user.user_permissions.add(Permission.objects.get(codename="delete_image"))
    image = lead_picture(caption="A head-and-shoulders picture")
    ArticleFactory().mentioned_people.add(PersonFactory(photo=image))
    spare = lead_picture()
    delete_url = f"/admin/photos/image/{image.pk}/delete/"
    assert reporter.post(delete_url, {"post": "yes"}).status_code == 403
    response = reporter.post(
        "/admin/photos/image/",
        {"action": "delete_selected", "_selected_action": [image.pk, spare.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert LibraryImage.objects.filter(pk__in=[image.pk, spare.pk]).count() == 2
    # One no published story shows: theirs to delete.
    spare_url = f"/admin/photos/image/{spare.pk}/delete/"
    assert reporter.post(spare_url, {"post": "yes"}).status_code == 302
    assert not LibraryImage.objects.filter(pk=spare.pk).exists()


@pytest.mark.parametrize("whose", ["reporter", "person"])
def test_the_photo_of_a_reporter_or_person_on_a_published_story_is_locked_too(
    reporter, editor, whose
):
    image = lead_picture(caption="A head-and-shoulders picture")
    story = ArticleFactory()
    if whose == "reporter":
        BylineFactory(article=story, reporter=ReporterFactory(photo=image))
    else:
        story.mentioned_people.add(PersonFactory(photo=image))
    before = stored(image)
    response = reporter.post(change_url(image), edited(editor, image, caption="Someone else"))
    assert response.status_code == 403
    assert stored(image) == before


def test_a_reporter_changes_a_picture_only_their_own_draft_uses(
    reporter, reporter_user, editor, media_root, django_capture_on_commit_callbacks
):
    image = lead_picture()
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None, lead_image=image)
    BylineFactory(article=draft, reporter=reporter_user.reporter)
    # Shown with a withdrawn story or a colleague's story in review: no reader sees it either.
    ArticleFactory(status=Article.Status.WITHDRAWN, lead_image=image)
    ArticleFactory(status=Article.Status.REVIEW, published_at=None, lead_image=image)

    assert 'name="caption"' in reporter.get(change_url(image)).content.decode()
    data = edited(editor, image, caption="Delegates at the opening session", file=new_file())
    with django_capture_on_commit_callbacks(execute=True):
        response = reporter.post(change_url(image), data)
    assert response.status_code == 302
    image.refresh_from_db()
    assert image.caption == "Delegates at the opening session"
    assert (image.width, image.height) == (900, 600)


def test_the_story_forms_popup_still_adds_pictures_for_a_reporter(reporter, reporter_user):
    data = pictures.jpeg((1600, 1200))
    response = reporter.post(
        "/admin/photos/image/add/?_to_field=id&_popup=1",
        {
            "alt_text": "Container cranes at Shekou",
            "caption": "Evening at the port",
            "file": SimpleUploadedFile("cranes.jpg", data, content_type="image/jpeg"),
            "_popup": "1",
        },
    )
    assert response.status_code == 200
    image = LibraryImage.objects.get(alt_text="Container cranes at Shekou")
    assert re.search(r"data-popup-response=", response.content.decode())
    assert image.uploaded_by == reporter_user


@pytest.mark.parametrize("when", ["published", "scheduled"])
def test_an_editor_changes_a_published_storys_lead_image(
    editor, client, when, media_root, django_capture_on_commit_callbacks
):
    image = lead_picture()
    story = story_with_lead(image, scheduled=when == "scheduled")
    data = edited(editor, image, caption="Corrected caption from the desk", file=new_file())
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(change_url(image), data)
    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.caption, image.width) == ("Corrected caption from the desk", 900)
    page = public_page(client, story)
    assert "Corrected caption from the desk" in page
    assert "Delegates fill the main hall." not in page
