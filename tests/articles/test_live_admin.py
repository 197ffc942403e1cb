"""Live coverage, the newsroom's side: making a story live, adding entries from the compact form at
the top of its admin page, correcting them, closing and reopening the coverage, and what each of
these purges. Through the admin's real POSTs, as the Reporter and Editor groups' users."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, LiveEntry
from core import keys
from people.models import Reporter
from tests.conftest import signed_in
from tests.core.test_keys import state, warm
from tests.factories import ArticleFactory, BylineFactory, ReporterFactory, UserFactory
from tests.forms import form_fields

pytestmark = pytest.mark.django_db

EMPTY = "The entry has no text."
ADDED = "Entry added: readers see it within seconds."


def change_url(story):
    return reverse("admin:articles_article_change", args=[story.pk])


def live_url(story, what=""):
    return reverse(f"admin:articles_article_live{'_' + what if what else ''}", args=[story.pk])


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def entry_form(client, story, page=None):
    """The compact form as the page offers it (the story's page, or the panel's own page)."""
    response = client.get(page or change_url(story))
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert 'id="live-entry-form"' in html, "the page offers no entry form"
    return form_fields(html, "live-entry-form")


def add(client, story, page=None, **fields):
    """Fill in the form as offered and press "Add entry"."""
    data = entry_form(client, story, page)
    data.update({f"entry-{name}": value for name, value in fields.items()})
    return client.post(live_url(story, "add"), data)


@pytest.fixture
def live_story(reporter_user):
    """A published live story with the reporter on its byline."""
    story = ArticleFactory(headline="Typhoon reaches the coast", is_live=True)
    BylineFactory(article=story, reporter=reporter_user.reporter, order=0)
    return story


@pytest.fixture
def other_reporter(other_reporter_user):
    return signed_in(other_reporter_user)


# Making a story live, and the first entries ----------------------------------------------------


def test_an_editor_makes_a_story_live_and_adds_an_entry(editor, editor_user):
    story = ArticleFactory(headline="Typhoon reaches the coast")
    page = editor.get(change_url(story)).content.decode()
    assert "Make this story live" in page
    assert 'id="live-entry-form"' not in page

    response = editor.post(live_url(story, "start"), {"back": "story"})
    assert response.status_code == 302
    assert response["Location"] == f"{change_url(story)}#live-coverage"
    story.refresh_from_db()
    assert story.is_live and story.live_closed_at is None

    response = add(
        editor,
        story,
        title="  Landfall  near   Zhuhai ",
        body='<p onclick="x()">Winds of 150 km/h.</p><script>alert(1)</script>',
    )
    assert response.status_code == 302
    assert response["Location"] == f"{change_url(story)}#live-coverage"
    assert ADDED in messages_of(editor.get(response["Location"]))

    entry = story.entries.get()
    assert entry.title == "Landfall near Zhuhai"
    assert entry.body == "<p>Winds of 150 km/h.</p>"  # cleaned like a story's body
    assert entry.created_by == editor_user
    assert list(entry.authors.all()) == []  # an editor without a byline of their own
    assert abs(entry.posted_at - timezone.now()) < dt.timedelta(minutes=1)
    (version,) = Version.objects.get_for_object(entry)
    assert version.revision.user == editor_user


def test_an_editors_entry_carries_their_own_byline_unless_they_choose(editor, editor_user):
    own = ReporterFactory(name="Night Editor", user=editor_user)
    colleague = ReporterFactory(name="Li Wei")
    story = ArticleFactory(is_live=True)

    data = entry_form(editor, story)
    assert data["entry-authors"] == str(own.pk)  # offered selected
    add(editor, story, body="<p>First.</p>")
    add(editor, story, body="<p>Second.</p>", authors=[str(colleague.pk)])
    data = entry_form(editor, story)
    data.pop("entry-authors")  # none chosen: the writer's own
    data["entry-body"] = "<p>Third.</p>"
    editor.post(live_url(story, "add"), data)

    authors = {e.body: [r.name for r in e.authors.all()] for e in story.entries.all()}
    assert authors == {
        "<p>First.</p>": ["Night Editor"],
        "<p>Second.</p>": ["Li Wei"],
        "<p>Third.</p>": ["Night Editor"],
    }


def test_a_byline_reporter_adds_entries_to_their_published_live_story(
    reporter, reporter_user, live_story
):
    # A published story's own page is an editor's; its entries are the byline's too.
    page = live_url(live_story)
    response = add(reporter, live_story, page=page, body="<p>The bridge is closed.</p>")
    assert response.status_code == 302
    assert response["Location"] == f"{page}#live-coverage"
    assert ADDED in messages_of(reporter.get(response["Location"]))

    entry = live_story.entries.get()
    assert [r.name for r in entry.authors.all()] == ["Chang Zhipeng"]
    assert entry.created_by == reporter_user
    assert Version.objects.get_for_object(entry).count() == 1


def test_a_byline_reporter_may_add_a_colleague_but_not_file_under_them_alone(
    reporter, live_story, other_reporter_user
):
    colleague = Reporter.objects.get(user=other_reporter_user)
    page = live_url(live_story)
    mine = str(Reporter.objects.get(name="Chang Zhipeng").pk)
    add(reporter, live_story, page=page, body="<p>Both.</p>", authors=[mine, str(colleague.pk)])
    response = add(
        reporter, live_story, page=page, body="<p>Not mine.</p>", authors=[str(colleague.pk)]
    )
    assert response.status_code == 302
    page_after = reporter.get(response["Location"]).content.decode()
    assert "Your own name (Chang Zhipeng) must be among the entry" in page_after
    assert [e.body for e in live_story.entries.all()] == ["<p>Both.</p>"]


def test_a_reporter_not_on_the_byline_sees_no_form_and_is_refused(
    other_reporter, other_reporter_user, live_story, reporter
):
    data = entry_form(reporter, live_story, page=live_url(live_story))
    data["entry-body"] = "<p>Not my story.</p>"
    assert other_reporter.get(live_url(live_story)).status_code == 403
    assert other_reporter.post(live_url(live_story, "add"), data).status_code == 403
    draft = ArticleFactory(status=Article.Status.DRAFT, created_by=other_reporter_user)
    assert other_reporter.post(live_url(draft, "start")).status_code == 403
    assert not LiveEntry.objects.exists()
    draft.refresh_from_db()
    assert not draft.is_live


def test_a_user_without_the_entry_permission_sees_no_form_and_is_refused(live_story, editor):
    desk = UserFactory(username="copydesk")
    desk.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_article", "change_article", "edit_any_article"]
        )
    )
    client = signed_in(desk)
    page = client.get(change_url(live_story))
    assert page.status_code == 200
    assert 'id="live-entry-form"' not in page.content.decode()
    data = entry_form(editor, live_story)
    data["entry-body"] = "<p>Sneaked in.</p>"
    assert client.post(live_url(live_story, "add"), data).status_code == 403
    assert client.post(live_url(live_story, "close")).status_code == 403
    assert not LiveEntry.objects.exists()


def test_the_panel_loads_the_body_editor_once(editor, reporter, live_story):
    for client, url in [(editor, change_url(live_story)), (reporter, live_url(live_story))]:
        html = client.get(url).content.decode()
        assert html.count('type="importmap"') == 1, url
        assert html.count('<script src="/static/django_prose_editor/editor.js"') == 1, url
        assert html.count("data-django-prose-editor-configurable=") == (
            2 if url == change_url(live_story) else 1
        )  # the story's body and the entry's, one editor script for both


# What is refused, with nothing lost -------------------------------------------------------------


def test_an_empty_entry_is_refused_and_the_title_kept(editor, live_story):
    response = add(editor, live_story, title="Evacuations", body="<p> </p><p></p>")
    assert response.status_code == 302
    page = editor.get(response["Location"])
    assert "The entry was not added" in " ".join(messages_of(page))
    html = page.content.decode()
    assert EMPTY in html
    assert form_fields(html, "live-entry-form")["entry-title"] == "Evacuations"
    assert not LiveEntry.objects.exists()
    # Shown once: the next visit offers an empty form again.
    assert (
        form_fields(editor.get(change_url(live_story)).content, "live-entry-form")["entry-title"]
        == ""
    )


def test_an_entry_with_a_picture_not_in_the_library_is_refused_with_its_text_kept(
    editor, live_story
):
    body = (
        "<p>The harbour this morning.</p>"
        '<figure class="picture" data-image="987654"><figcaption>Boats</figcaption></figure>'
    )
    response = add(editor, live_story, body=body, key_event="on")
    html = editor.get(response["Location"]).content.decode()
    assert "shows picture 987654, which is not in the library" in html
    kept = form_fields(html, "live-entry-form")
    assert "The harbour this morning." in kept["entry-body"]
    assert kept["entry-key_event"] == "on"
    assert not LiveEntry.objects.exists()


def test_an_entry_timed_in_the_future_is_refused(editor, live_story):
    later = timezone.localtime() + dt.timedelta(hours=2)
    response = add(editor, live_story, body="<p>Soon.</p>", posted_at=f"{later:%Y-%m-%dT%H:%M}")
    assert "has not come yet" in editor.get(response["Location"]).content.decode()
    assert not LiveEntry.objects.exists()


def test_an_entry_may_be_timed_earlier(editor, live_story):
    earlier = (timezone.localtime() - dt.timedelta(minutes=40)).replace(second=0, microsecond=0)
    add(editor, live_story, body="<p>Earlier.</p>", posted_at=f"{earlier:%Y-%m-%dT%H:%M}")
    assert live_story.entries.get().posted_at == earlier


def test_flags_pinned_and_key_event(editor, live_story):
    add(editor, live_story, title="Plain", body="<p>Plain.</p>")
    add(editor, live_story, title="Landfall", body="<p>Landfall.</p>", key_event="on")
    add(editor, live_story, title="Shelters", body="<p>Shelters.</p>", pinned="on")
    flags = {e.title: (e.key_event, e.pinned) for e in live_story.entries.all()}
    assert flags == {
        "Plain": (False, False),
        "Landfall": (True, False),
        "Shelters": (False, True),
    }
    html = editor.get(change_url(live_story)).content.decode()
    listed = html[html.index('class="live-entries"') :]
    # Readers' order: the pinned entry first, then the newest.
    assert listed.index("Shelters") < listed.index("Landfall") < listed.index("Plain")
    assert "live-flag--pinned" in listed and "live-flag--key" in listed


# Correcting an entry ----------------------------------------------------------------------------


def entry_change(client, entry):
    url = reverse("admin:articles_liveentry_change", args=[entry.pk])
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return url, form_fields(response.content, "liveentry_form")


def test_an_editors_correction_shows_on_the_entry(editor, live_story):
    add(editor, live_story, body="<p>The fire is at pier 3.</p>")
    entry = live_story.entries.get()
    url, data = entry_change(editor, entry)
    data["body"] = "<p>The fire is at pier 4.</p>"
    data["add_correction"] = "An earlier version gave the wrong pier."
    response = editor.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == f"{change_url(live_story)}#live-coverage"
    assert "Entry corrected" in " ".join(messages_of(editor.get(response["Location"])))

    entry.refresh_from_db()
    assert entry.body == "<p>The fire is at pier 4.</p>"
    assert entry.correction == "An earlier version gave the wrong pier."
    assert abs(entry.corrected_at - timezone.now()) < dt.timedelta(minutes=1)
    assert Version.objects.get_for_object(entry).count() == 2
    assert "live-flag--corrected" in editor.get(change_url(live_story)).content.decode()


def test_a_silent_fix_leaves_no_correction(editor, live_story):
    add(editor, live_story, body="<p>Teh bridge.</p>")
    entry = live_story.entries.get()
    url, data = entry_change(editor, entry)
    data["body"] = "<p>The bridge.</p>"
    assert editor.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert entry.body == "<p>The bridge.</p>"
    assert entry.corrected_at is None and entry.correction == ""


def test_a_byline_reporter_fixes_a_typo_but_adds_no_correction(reporter, editor, live_story):
    add(editor, live_story, body="<p>Teh bridge.</p>")
    entry = live_story.entries.get()
    url, data = entry_change(reporter, entry)
    assert "add_correction" not in data
    data["body"] = "<p>The bridge.</p>"
    data["add_correction"] = "Sneaked past the form."
    response = reporter.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == f"{live_url(live_story)}#live-coverage"
    entry.refresh_from_db()
    assert entry.body == "<p>The bridge.</p>"
    assert entry.corrected_at is None


def test_another_reporter_cannot_open_or_change_an_entry(other_reporter, editor, live_story):
    add(editor, live_story, body="<p>Mine.</p>")
    entry = live_story.entries.get()
    url = reverse("admin:articles_liveentry_change", args=[entry.pk])
    assert other_reporter.get(url).status_code == 302  # "does not exist", for them
    other_reporter.post(url, {"body": "<p>Theirs.</p>", "title": ""})
    entry.refresh_from_db()
    assert entry.body == "<p>Mine.</p>"


def test_entries_are_not_in_the_menus(editor):
    assert "liveentry" not in editor.get("/admin/articles/").content.decode()


# Closing and reopening ---------------------------------------------------------------------------


def test_an_editor_closes_and_reopens_the_coverage(editor, reporter, live_story):
    assert reporter.post(live_url(live_story, "close")).status_code == 403
    live_story.refresh_from_db()
    assert live_story.live_closed_at is None

    response = editor.post(live_url(live_story, "close"), {"back": "story"})
    assert response.status_code == 302
    live_story.refresh_from_db()
    assert live_story.live_closed_at is not None
    html = editor.get(change_url(live_story)).content.decode()
    assert "Reopen the coverage" in html
    assert 'id="live-entry-form"' not in html

    assert reporter.post(live_url(live_story, "reopen")).status_code == 403
    editor.post(live_url(live_story, "reopen"))
    live_story.refresh_from_db()
    assert live_story.live_closed_at is None
    assert "Close the coverage" in editor.get(change_url(live_story)).content.decode()


def test_no_entry_is_added_to_a_closed_coverage(editor, reporter, live_story):
    data = entry_form(reporter, live_story, page=live_url(live_story))
    data["entry-body"] = "<p>Too late.</p>"
    editor.post(live_url(live_story, "close"))
    response = reporter.post(live_url(live_story, "add"), data)
    assert response.status_code == 302
    refused = " ".join(messages_of(reporter.get(response["Location"])))
    assert "The entry was not added: The live coverage was closed on" in refused
    assert not LiveEntry.objects.exists()


def test_no_entry_is_added_to_a_story_that_is_not_live(editor, live_story):
    data = entry_form(editor, live_story)
    data["entry-body"] = "<p>Not live.</p>"
    Article.objects.filter(pk=live_story.pk).update(is_live=False)
    response = editor.post(live_url(live_story, "add"), data)
    assert "make it live before adding entries" in " ".join(
        messages_of(editor.get(response["Location"]))
    )
    assert not LiveEntry.objects.exists()


def test_the_panels_pages_take_posts_only_and_real_story_numbers(editor, live_story):
    assert editor.get(live_url(live_story, "add")).status_code == 405
    assert editor.get(live_url(live_story, "close")).status_code == 405
    too_big = "/admin/articles/article/99999999999999999999999/live/add/"
    assert editor.post(too_big).status_code == 404
    assert editor.post("/admin/articles/article/987654/live/add/").status_code == 404


# What a change purges, and what it costs --------------------------------------------------------


@pytest.fixture
def purged(monkeypatch):
    """The keys each purge names, as the page cache and the edge are told them."""
    found = []
    real = keys.purge_now

    def record(names):
        found.append(set(names))
        real(names)

    monkeypatch.setattr(keys, "purge_now", record)
    return found


@pytest.mark.usefixtures("page_cache_on")
def test_an_entry_purges_its_story_and_nothing_else(client, commit, editor, live_story, purged):
    other = ArticleFactory(headline="Markets close higher")
    data = entry_form(editor, live_story)
    data["entry-body"] = "<p>The eye passes over Macau.</p>"
    warm(client, [live_story.get_absolute_url(), other.get_absolute_url()])

    response = commit(lambda: editor.post(live_url(live_story, "add"), data))
    assert response.status_code == 302
    assert purged == [{keys.key(live_story)}]
    assert state(client, live_story.get_absolute_url()) == "miss"
    assert state(client, other.get_absolute_url()) == "hit"

    purged.clear()
    entry = live_story.entries.get()
    url, fields = entry_change(editor, entry)
    fields["add_correction"] = "The eye passed over Zhuhai, not Macau."
    commit(lambda: editor.post(url, fields))
    commit(lambda: editor.post(live_url(live_story, "close")))
    commit(lambda: editor.post(live_url(live_story, "reopen")))
    commit(lambda: LiveEntry.objects.filter(pk=entry.pk).get().delete())  # from a shell, too
    assert purged == [{keys.key(live_story)}] * 4
    assert state(client, other.get_absolute_url()) == "hit"


def test_adding_an_entry_costs_the_same_however_many_there_are(editor, live_story):
    small = ArticleFactory(is_live=True)
    for number in range(30):
        LiveEntry.objects.create(article=live_story, body=f"<p>Entry {number}.</p>")

    def cost(story):
        data = entry_form(editor, story)
        data["entry-body"] = "<p>One more.</p>"
        with CaptureQueriesContext(connection) as queries:
            assert editor.post(live_url(story, "add"), data).status_code == 302
        return len(queries)

    cost(small)  # the first request warms what every request after it shares
    assert cost(small) == cost(live_story)
    assert live_story.entries.count() == 31


def test_the_desk_lists_open_live_stories_with_a_way_in_for_their_reporters(
    live_story, reporter, other_reporter, editor
):
    """A reporter cannot open a published story's form; the desk leads them to its entries."""
    panel = live_url(live_story)
    assert panel in reporter.get("/admin/").content.decode()
    assert panel in editor.get("/admin/").content.decode()
    assert "Live coverage" not in other_reporter.get("/admin/").content.decode()
    live_story.live_closed_at = live_story.published_at
    live_story.save()
    assert panel not in reporter.get("/admin/").content.decode()
