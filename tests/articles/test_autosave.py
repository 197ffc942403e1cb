"""Automatic saving of the story form (articles/autosave.py): a private copy kept while typing,
offered back on reopening, refused once someone else has saved, and never seen by readers."""

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from articles.autosave import FIELDS, _when
from articles.models import Article, Autosave
from articles.preview import signed_preview_path
from tests.factories import ArticleFactory, BylineFactory
from tests.forms import article_form

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/articles/article/add/"


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


def autosave_url(article=None):
    return f"/admin/articles/article/{article.pk}/autosave/" if article else f"{ADD_URL}autosave/"


def browser(user):
    """A signed-in client that checks CSRF as the site does for a real browser."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def open_form(client, url):
    """The story form as the page offers it, and the CSRF token the page's script sends."""
    form = article_form(client.get(url))
    return form, form["csrfmiddlewaretoken"]


class _AutosaveElement(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.attrs = None

    def handle_starttag(self, tag, attrs):
        if self.attrs is None and dict(attrs).get("id") == "autosave":
            self.attrs = dict(attrs)


def autosave_element(response) -> dict:
    """The attributes of the page's #autosave element, which its script reads."""
    parser = _AutosaveElement()
    parser.feed(response.content.decode())
    assert parser.attrs is not None, "no #autosave on the page"
    return parser.attrs


def post_json(client, url, payload, token):
    return client.post(
        url,
        json.dumps(payload) if not isinstance(payload, str | bytes) else payload,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )


def typed(form, opened_at=None, **changes):
    """The autosave request the page's script makes from ``form`` after ``changes`` were typed
    (on the add page, with ``opened_at``, its data-opened-at)."""
    data = {name: form.get(name, "") for name in FIELDS} | changes
    version = int(form["lock_version"]) if form.get("lock_version") else None
    payload = {"based_on_version": version, "data": data}
    if opened_at is not None:
        payload["opened_at"] = opened_at
    return payload


def open_add_form(client):
    """The add page's form, CSRF token, and the moment it was opened that its script sends."""
    response = client.get(ADD_URL)
    form = article_form(response)
    return form, form["csrfmiddlewaretoken"], autosave_element(response)["data-opened-at"]


@pytest.fixture
def story(section):
    return ArticleFactory(
        section=section,
        headline="Qianhai forum opens",
        body="<p>The forum opened on Friday.</p>",
        status=Article.Status.DRAFT,
    )


@pytest.fixture
def own_draft(section, reporter_user):
    story = ArticleFactory(
        section=section, headline="A reporter's draft", status=Article.Status.DRAFT
    )
    BylineFactory(article=story, reporter=reporter_user.reporter, order=0)
    return story


def test_autosave_keeps_one_private_copy_per_person_and_story(editor_user, story):
    client = browser(editor_user)
    form, token = open_form(client, change_url(story))

    first = post_json(client, autosave_url(story), typed(form, headline="First try"), token)
    assert first.status_code == 200, first.content
    assert first.json()["saved_at"]
    second = post_json(client, autosave_url(story), typed(form, headline="Second try"), token)
    assert second.status_code == 200

    row = Autosave.objects.get()
    assert (row.user, row.article, row.based_on_version) == (editor_user, story, story.version)
    assert row.data["headline"] == "Second try"
    story.refresh_from_db()
    assert story.headline == "Qianhai forum opens"  # the story itself is untouched


def test_autosave_needs_the_csrf_token(editor_user, story):
    client = browser(editor_user)
    form, _token = open_form(client, change_url(story))
    response = post_json(client, autosave_url(story), typed(form, headline="x"), "wrong")
    assert response.status_code == 403
    assert not Autosave.objects.exists()


def test_autosave_needs_a_login(story):
    response = Client().post(autosave_url(story), "{}", content_type="application/json")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_reporter_autosaves_their_own_draft(reporter_user, own_draft):
    client = browser(reporter_user)
    form, token = open_form(client, change_url(own_draft))
    response = post_json(client, autosave_url(own_draft), typed(form, headline="Mine"), token)
    assert response.status_code == 200
    assert Autosave.objects.get().data["headline"] == "Mine"


def test_a_reporter_cannot_autosave_a_colleagues_story(
    reporter_user, other_reporter_user, own_draft
):
    colleague = browser(other_reporter_user)
    _form, token = open_form(colleague, ADD_URL)
    payload = {"based_on_version": own_draft.version, "data": {"headline": "Taken over"}}
    response = post_json(colleague, autosave_url(own_draft), payload, token)
    assert response.status_code == 403
    assert not Autosave.objects.exists()


def test_a_reporter_cannot_autosave_a_published_story(reporter_user, own_draft):
    # A reporter edits their own story only while it is unpublished (services.can_edit).
    Article.objects.filter(pk=own_draft.pk).update(status=Article.Status.PUBLISHED)
    client = browser(reporter_user)
    _form, token = open_form(client, ADD_URL)
    payload = {"based_on_version": own_draft.version, "data": {"headline": "Sneaked in"}}
    response = post_json(client, autosave_url(own_draft), payload, token)
    assert response.status_code == 403
    assert not Autosave.objects.exists()


def test_bad_requests_are_refused_plainly(editor_user, story):
    client = browser(editor_user)
    form, token = open_form(client, change_url(story))
    url = autosave_url(story)
    assert post_json(client, url, "not json", token).status_code == 400
    assert post_json(client, url, {"data": "x"}, token).status_code == 400
    bad_field = typed(form) | {"data": {"headline": ["a list"]}}
    assert post_json(client, url, bad_field, token).status_code == 400
    no_version = typed(form, headline="x") | {"based_on_version": None}
    assert post_json(client, url, no_version, token).status_code == 400
    too_big = typed(form, body="<p>" + "x" * (2 * 1024 * 1024) + "</p>")
    response = post_json(client, url, too_big, token)
    assert response.status_code == 413
    assert "2 MB" in response.json()["error"]
    assert client.get(url).status_code == 405
    missing = post_json(client, "/admin/articles/article/999999/autosave/", typed(form), token)
    assert missing.status_code == 404
    assert not Autosave.objects.exists()


def test_autosave_stops_once_someone_else_has_saved(editor_user, second_editor_user, story):
    first, second = browser(editor_user), browser(second_editor_user)
    first_form, first_token = open_form(first, change_url(story))
    assert (
        post_json(first, autosave_url(story), typed(first_form, headline="Mine"), first_token)
    ).status_code == 200

    second_form, _ = open_form(second, change_url(story))
    second_form["headline"] = "Theirs"
    assert second.post(change_url(story), second_form).status_code == 302

    response = post_json(
        first, autosave_url(story), typed(first_form, headline="Mine, more"), first_token
    )
    assert response.status_code == 409
    answer = response.json()
    assert answer["stopped"] is True
    assert answer["by"] == "Slot Editor"
    assert answer["at"]
    assert Autosave.objects.get().data["headline"] == "Mine"  # nothing overwritten


def test_reopening_offers_the_copy_and_restore_fills_the_form(editor_user, story):
    client = browser(editor_user)
    form, token = open_form(client, change_url(story))
    post_json(
        client,
        autosave_url(story),
        typed(form, headline="Typed before the crash", body="<p>Lost paragraph.</p>"),
        token,
    )

    page = client.get(change_url(story)).content.decode()
    assert "You have changes to this story saved automatically at" in page
    assert "Restore them" in page
    assert 'href="?restore=autosave"' in page
    assert 'data-reload-url="' not in page  # only once restored
    assert article_form(client.get(change_url(story)))["headline"] == "Qianhai forum opens"

    restored = client.get(change_url(story) + "?restore=autosave")
    assert "Restored from your automatic save at" in restored.content.decode()
    restored_form = article_form(restored)
    assert restored_form["headline"] == "Typed before the crash"
    assert "Lost paragraph." in restored_form["body"]
    assert restored_form["lock_version"] == str(story.version)

    # Saving it keeps it, and the copy has done its job.
    assert client.post(change_url(story), restored_form).status_code == 302
    story.refresh_from_db()
    assert story.headline == "Typed before the crash"
    assert "Lost paragraph." in story.body
    assert not Autosave.objects.exists()
    assert "saved automatically at" not in client.get(change_url(story)).content.decode()


def test_restoring_after_someone_else_saved_warns_and_the_save_is_stopped(
    editor_user, second_editor_user, story
):
    first, second = browser(editor_user), browser(second_editor_user)
    form, token = open_form(first, change_url(story))
    post_json(first, autosave_url(story), typed(form, headline="Mine"), token)
    theirs, _ = open_form(second, change_url(story))
    theirs["headline"] = "Theirs"
    assert second.post(change_url(story), theirs).status_code == 302

    offer = first.get(change_url(story)).content.decode()
    assert "Slot Editor saved the story at" in offer

    restored = first.get(change_url(story) + "?restore=autosave")
    restored_form = article_form(restored)
    assert restored_form["headline"] == "Mine"
    # Saved as the tab that was closed would have been: the lost-edit check names who came
    # in between, and keeps the text.
    refused = first.post(change_url(story), restored_form)
    assert refused.status_code == 200
    assert "Slot Editor saved this story at" in refused.content.decode()
    story.refresh_from_db()
    assert story.headline == "Theirs"
    assert Autosave.objects.filter(user=editor_user).exists()


def test_discard_deletes_the_copy(editor_user, story):
    client = browser(editor_user)
    form, token = open_form(client, change_url(story))
    post_json(client, autosave_url(story), typed(form, headline="Never mind"), token)
    response = client.post(autosave_url(story) + "discard/", headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert not Autosave.objects.exists()
    assert "saved automatically at" not in client.get(change_url(story)).content.decode()


def test_discard_by_delete_needs_csrf_too(editor_user, story):
    client = browser(editor_user)
    form, token = open_form(client, change_url(story))
    post_json(client, autosave_url(story), typed(form, headline="Never mind"), token)
    assert client.delete(autosave_url(story) + "discard/").status_code == 403
    assert Autosave.objects.exists()
    assert (
        client.delete(autosave_url(story) + "discard/", headers={"X-CSRFToken": token})
    ).status_code == 200
    assert not Autosave.objects.exists()


def test_saving_the_story_deletes_the_copy(editor_user, story):
    client = browser(editor_user)
    form, token = open_form(client, change_url(story))
    post_json(client, autosave_url(story), typed(form, headline="Draft of a headline"), token)
    form["headline"] = "Saved on purpose"
    assert client.post(change_url(story), form).status_code == 302
    assert not Autosave.objects.exists()


def test_a_new_story_is_autosaved_and_offered_on_the_add_page(editor_user, section):
    client = browser(editor_user)
    form, token, opened_at = open_add_form(client)
    body = "<p>A story started before the tab closed.</p>"
    payload = typed(
        form,
        opened_at,
        headline="Ferry terminal opens",
        slug="ferry-terminal-opens",
        body=body,
        section=str(section.pk),
    )
    assert post_json(client, autosave_url(), payload, token).status_code == 200
    row = Autosave.objects.get()
    assert row.article is None and row.user == editor_user

    # One copy of a new story per person: the next autosave replaces it.
    payload["data"]["standfirst"] = "Passengers from Monday."
    assert post_json(client, autosave_url(), payload, token).status_code == 200
    assert Autosave.objects.count() == 1

    assert "You have changes to this story saved automatically at" in (
        client.get(ADD_URL).content.decode()
    )
    restored = article_form(client.get(ADD_URL + "?restore=autosave"))
    assert restored["headline"] == "Ferry terminal opens"
    assert restored["standfirst"] == "Passengers from Monday."
    assert "started before the tab closed" in restored["body"]
    assert restored["section"] == str(section.pk)

    response = client.post(ADD_URL, restored)
    assert response.status_code == 302, article_form(response)
    assert Article.objects.filter(headline="Ferry terminal opens").exists()
    assert not Autosave.objects.exists()


def test_adding_needs_add_permission(editor_user, section, django_user_model):
    nobody = django_user_model.objects.create_user("visitor", password="x", is_staff=True)
    client = browser(nobody)
    client.get("/admin/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    payload = {"based_on_version": None, "data": {"headline": "Hello"}}
    assert post_json(client, autosave_url(), payload, token).status_code == 403
    assert not Autosave.objects.exists()


def test_the_autosaved_body_is_cleaned(editor_user, story):
    client = browser(editor_user)
    form, token = open_form(client, change_url(story))
    dirty = '<p onclick="steal()">Hello<script>alert(1)</script></p><img src=x onerror=alert(2)>'
    post_json(client, autosave_url(story), typed(form, body=dirty), token)
    stored = Autosave.objects.get().data["body"]
    assert "script" not in stored and "onclick" not in stored and "onerror" not in stored
    assert "Hello" in stored
    restored = client.get(change_url(story) + "?restore=autosave").content.decode()
    assert "alert(1)" not in restored
    assert "steal()" not in restored


def test_readers_never_see_an_autosave(client, editor_user, section):
    published = ArticleFactory(section=section, headline="As published", body="<p>Printed.</p>")
    draft = ArticleFactory(section=section, headline="Draft as saved", status=Article.Status.DRAFT)
    page_before = client.get(published.get_absolute_url()).content
    preview_path = signed_preview_path(draft)
    preview_before = client.get(preview_path).content

    editor = browser(editor_user)
    for story in (published, draft):
        form, token = open_form(editor, change_url(story))
        response = post_json(
            editor,
            autosave_url(story),
            typed(form, headline="UNSAVED HEADLINE", body="<p>UNSAVED BODY</p>"),
            token,
        )
        assert response.status_code == 200
    assert Autosave.objects.count() == 2

    page_after = client.get(published.get_absolute_url())
    assert page_after.status_code == 200
    assert page_after.content == page_before
    assert b"UNSAVED" not in page_after.content
    preview_after = client.get(preview_path)  # the link is still good: the story was not saved
    assert preview_after.status_code == 200
    assert preview_after.content == preview_before
    assert b"UNSAVED" not in preview_after.content
    feed = client.get("/feeds/rss/")
    assert b"As published" in feed.content
    assert b"UNSAVED" not in feed.content


def test_text_no_database_can_hold_is_cleaned_or_refused(editor_user, story):
    client = browser(editor_user)
    form, token = open_form(client, change_url(story))
    with_nul = typed(form, headline="Null\x00byte")
    assert post_json(client, autosave_url(story), with_nul, token).status_code == 200
    assert Autosave.objects.get().data["headline"] == "Nullbyte"
    surrogate = json.dumps(typed(form, headline="x")).replace('"x"', '"\\ud800"')
    assert post_json(client, autosave_url(story), surrogate, token).status_code == 400


def test_one_new_story_copy_per_person_in_the_database(editor_user, story):
    Autosave.objects.create(user=editor_user, article=None, data={})
    Autosave.objects.create(user=editor_user, article=story, data={})
    with pytest.raises(IntegrityError), transaction.atomic():
        Autosave.objects.create(user=editor_user, article=None, data={})
    with pytest.raises(IntegrityError), transaction.atomic():
        Autosave.objects.create(user=editor_user, article=story, data={})


def test_a_new_story_saved_while_its_autosave_was_on_the_way_is_not_offered_again(
    editor_user, section
):
    client = browser(editor_user)
    form, token, opened_at = open_add_form(client)
    late = typed(form, opened_at, headline="Typhoon signal raised", section=str(section.pk))
    assert post_json(client, autosave_url(), late, token).status_code == 200

    # Save is clicked with an autosave still on its way; the save is handled first.
    form.update(late["data"], slug="typhoon-signal-raised", body="<p>Signal 8.</p>")
    assert client.post(ADD_URL, form).status_code == 302
    assert not Autosave.objects.exists()

    response = post_json(client, autosave_url(), late, token)
    assert response.status_code == 409
    assert "saved a new story since this page was opened" in response.json()["error"]
    assert not Autosave.objects.exists()  # the copy the save deleted does not come back
    assert "saved automatically at" not in client.get(ADD_URL).content.decode()


def test_a_new_story_autosave_is_refused_after_a_story_the_user_created(
    editor_user, second_editor_user, section
):
    client = browser(editor_user)
    form, token, _ = open_add_form(client)
    opened_at = timezone.now() - dt.timedelta(minutes=5)
    payload = typed(form, opened_at.isoformat(), headline="Started five minutes ago")

    theirs = ArticleFactory(section=section, created_by=second_editor_user)
    assert theirs.created_at > opened_at
    # Someone else's new story is no reason to stop.
    assert post_json(client, autosave_url(), payload, token).status_code == 200
    Autosave.objects.all().delete()

    mine = ArticleFactory(section=section, created_by=editor_user)
    assert mine.created_at > opened_at
    response = post_json(client, autosave_url(), payload, token)
    assert response.status_code == 409
    assert not Autosave.objects.exists()

    # A page opened after it is another story.
    after = typed(form, timezone.now().isoformat(), headline="Opened since")
    assert post_json(client, autosave_url(), after, token).status_code == 200
    assert Autosave.objects.get().data["headline"] == "Opened since"


def test_a_new_story_autosave_says_when_its_page_was_opened(editor_user):
    client = browser(editor_user)
    form, token, opened_at = open_add_form(client)
    assert timezone.now() - dt.datetime.fromisoformat(opened_at) < dt.timedelta(minutes=1)
    for missing in (None, "yesterday", "2026-11-24T12:00:00", 1764000000):
        payload = typed(form, headline="x") | {"opened_at": missing}
        response = post_json(client, autosave_url(), payload, token)
        assert response.status_code == 400, missing
        assert "opened_at" in response.json()["error"]
    assert not Autosave.objects.exists()


def test_the_page_tells_its_script_the_fields_cookie_and_links(editor_user, story):
    client = browser(editor_user)
    form, token = open_form(client, change_url(story))
    post_json(client, autosave_url(story), typed(form, headline="Kept"), token)
    filters = "?_changelist_filters=status__exact%3Ddraft"

    offer = client.get(change_url(story) + filters)
    element = autosave_element(offer)
    assert element["data-fields"].split() == list(FIELDS)
    assert element["data-csrf-cookie"] == "csrftoken"
    assert "data-opened-at" not in element  # a saved story's page needs none
    assert "data-restored" not in element
    page = offer.content.decode()
    restore = re.search(r'class="button autosave-restore" href="([^"]+)"', page).group(1)
    assert restore == f"{filters}&amp;restore=autosave"  # the list's filters kept

    restored = client.get(change_url(story) + restore.replace("&amp;", "&"))
    assert article_form(restored)["headline"] == "Kept"
    reload = re.search(r'data-reload-url="([^"]+)"', restored.content.decode()).group(1)
    assert reload == change_url(story) + filters  # discarding reloads the story, not the copy
    banner = page[page.index('<div id="autosave"') : page.index("autosave.js")]
    assert "style=" not in banner  # its looks are in story-form.css

    add_page = autosave_element(client.get(ADD_URL))
    assert dt.datetime.fromisoformat(add_page["data-opened-at"]).tzinfo is not None


def test_times_are_written_as_the_rest_of_the_admin_writes_them():
    with timezone.override(dt.UTC):
        now = timezone.now()
        assert _when(now) == now.strftime("%H:%M UTC")
        assert _when(dt.datetime(2024, 11, 24, 12, 0, tzinfo=dt.UTC)) == (
            "24 November 2024, 12:00 UTC"
        )
