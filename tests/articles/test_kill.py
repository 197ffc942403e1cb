"""Killing a story for legal reasons (articles/kill.py, articles/admin_kill.py).

Who may kill, through the admin's real POSTs; what a kill takes down: every public address, list,
feed, sitemap, search and API answer that showed the story, cached first, answers 410 or no longer
shows it, never its text; preview links; who sees a killed story in the admin, and how; and an
administrator's restore, to withdrawn.
"""

import datetime as dt
import json

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from jsonschema import Draft202012Validator

from api.views import CANCELED
from articles import kill, services, share_cards
from articles.models import Article, Autosave, StatusChange
from articles.preview import make_token
from fronts.models import Block, Front, Slot
from tests.conftest import member, signed_in
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    OrganizationFactory,
    PersonFactory,
    SectionFactory,
)
from tests.forms import article_form

pytestmark = pytest.mark.django_db

Status = Article.Status

OLD_HEADLINE = "Tycoon named in harbour deal"
HEADLINE = "Tycoon named in harbour land deal"
OLD_SLUG = "tycoon-named-in-harbour-deal"
SLUG = "tycoon-named-in-harbour-land-deal"
STANDFIRST = "Court papers name a shipping magnate."
BODY = "<p>The affidavit lists seven Quillwort shell companies.</p>"
# Words and addresses only the killed story has: none may be on any page after the kill.
MARKERS = ("Tycoon", "Quillwort", "magnate", SLUG, OLD_SLUG)
REASON = "Injunction granted by the High Court on 3 May; counsel's advice attached to the file."
LIST_URL = "/admin/articles/article/"
# Midday, so that the stories of the day (from 09:00) are on one archive day, whenever this runs.
NOON = dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def noon():
    with time_machine.travel(NOON, tick=True):
        yield


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


def kill_url(article):
    return f"/admin/articles/article/{article.pk}/kill/"


def restore_url(article):
    return f"/admin/articles/article/{article.pk}/kill/restore/"


def history_url(article):
    return f"/admin/articles/article/{article.pk}/history/"


def preview_url(article):
    return reverse("articles:preview", kwargs={"pk": article.pk})


@pytest.fixture
def legal_user(db):
    """A lawyer in the Legal role alone: may kill stories and see them, edits nothing."""
    return member("Legal", "counsel", first_name="Ada", last_name="Counsel")


@pytest.fixture
def legal(legal_user):
    return signed_in(legal_user)


@pytest.fixture
def superuser_client(superuser):
    return signed_in(superuser)


@pytest.fixture
def story(reporter_user):
    """A published story with a section, a reporter, a tag, a person and an organization, whose
    headline (and with it its address) changed after publication."""
    story = ArticleFactory(
        headline=OLD_HEADLINE,
        slug=OLD_SLUG,
        standfirst=STANDFIRST,
        body=BODY,
        section=SectionFactory(name="Courts", slug="courts"),
        published_at=timezone.now() - dt.timedelta(hours=2),
        created_by=reporter_user,
    )
    BylineFactory(article=story, reporter=reporter_user.reporter, order=0)
    story.tags.add("Harbour")
    story.mentioned_people.add(PersonFactory(name="Wong Kai-ming", slug="wong-kai-ming"))
    story.mentioned_organizations.add(OrganizationFactory(name="Pier Trust", slug="pier-trust"))
    story.headline, story.slug = HEADLINE, SLUG
    story.save()
    return story


def kill_through_admin(client, article, *, reason=REASON, confirm=True):
    data = {"reason": reason}
    if confirm:
        data["confirm"] = "on"
    return client.post(kill_url(article), data)


def page(response) -> str:
    return response.content.decode()


def assert_not_shown(response, url):
    """Gone (410), or not found, or a page that does not show the story at all."""
    assert response.status_code in (200, 404, 410), (url, response.status_code)
    body = page(response)
    for marker in MARKERS:
        assert marker not in body, (url, marker)


# Who may kill --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["reporter", "editor"])
def test_reporters_and_editors_cannot_open_or_post_the_kill_page(request, story, who):
    client = request.getfixturevalue(who)
    assert client.get(kill_url(story)).status_code == 403
    assert kill_through_admin(client, story).status_code == 403
    story.refresh_from_db()
    assert story.status == Status.PUBLISHED
    assert "Kill (legal)" not in page(client.get(change_url(story)))


@pytest.mark.parametrize("who", ["legal", "superuser_client"])
def test_the_legal_role_and_an_administrator_kill_a_story(request, story, who, commit):
    client = request.getfixturevalue(who)
    user = client.session["_auth_user_id"]
    html = page(client.get(change_url(story)))
    assert f'href="{kill_url(story)}"' in html and "Kill (legal)" in html
    form = page(client.get(kill_url(story)))
    assert "has been removed" in form and "withdrawing" in form
    assert "I understand this takes the story down everywhere, now" in form

    response = commit(lambda: kill_through_admin(client, story))

    assert response.status_code == 302
    assert response["Location"] == change_url(story)
    story.refresh_from_db()
    assert story.status == Status.KILLED
    assert story.kill_reason == REASON
    assert str(story.killed_by_id) == user
    assert abs(story.killed_at - timezone.now()) < dt.timedelta(minutes=1)
    step = story.status_changes.latest()
    assert (step.from_status, step.to_status, str(step.user_id)) == ("published", "killed", user)
    entry = LogEntry.objects.get(object_id=str(story.pk), user_id=user)
    assert REASON in entry.get_change_message()
    after = client.get(response["Location"], follow=True)
    assert "is killed: its address shows only a notice that it was removed" in page(after)


def test_the_page_explains_what_a_kill_does_in_the_newsrooms_words(legal, story):
    html = page(legal.get(kill_url(story)))
    for words in (
        "everywhere, at once",
        "sees only a short notice that the\n      story has been removed",
        "no headline, no text",
        "Preview links to it stop working",
        "only the Legal role and\n      administrators can see it",
        "Editors cannot undo a kill",
        "This is not <strong>withdrawing</strong>",
        "readers then find nothing at its address, and an editor can publish it\n    again",
    ):
        assert words in html, words


@pytest.mark.parametrize(
    ("reason", "confirm", "error"),
    [
        ("", True, kill.REASON_REQUIRED),
        ("   \n  ", True, kill.REASON_REQUIRED),
        (REASON, False, "Tick the box to confirm"),
    ],
)
def test_nothing_is_saved_without_a_reason_and_a_confirmation(legal, story, reason, confirm, error):
    versions = story.version

    response = kill_through_admin(legal, story, reason=reason, confirm=confirm)

    assert response.status_code == 400
    assert error in page(response)
    story.refresh_from_db()
    assert (story.status, story.kill_reason, story.killed_at) == (Status.PUBLISHED, "", None)
    assert story.version == versions
    assert not story.status_changes.filter(to_status=Status.KILLED).exists()
    assert not LogEntry.objects.filter(object_id=str(story.pk)).exists()


def test_the_service_refuses_without_the_permission_or_a_reason(story, editor_user, legal_user):
    with pytest.raises(PermissionDenied, match="Only the Legal role"):
        kill.kill_story(story, user=editor_user, reason=REASON)
    with pytest.raises(ValidationError) as refused:
        kill.kill_story(story, user=legal_user, reason="  ")
    assert refused.value.messages == [kill.REASON_REQUIRED]
    story.refresh_from_db()
    assert story.status == Status.PUBLISHED


def test_a_killed_story_cannot_be_killed_again(legal, legal_user, story):
    kill.kill_story(story, user=legal_user, reason=REASON)

    response = kill_through_admin(legal, story, reason="Another reason")

    assert response.status_code == 409
    assert "is already killed" in page(response)
    story.refresh_from_db()
    assert story.kill_reason == REASON
    assert story.status_changes.filter(to_status=Status.KILLED).count() == 1


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW])
def test_a_story_readers_cannot_see_is_held_or_deleted_not_killed(superuser_client, status):
    draft = ArticleFactory(status=status, published_at=None)
    html = page(superuser_client.get(change_url(draft)))
    assert "Kill (legal)" not in html

    response = kill_through_admin(superuser_client, draft)

    assert response.status_code == 409
    assert "only a published, scheduled or withdrawn story can be killed" in page(response)
    draft.refresh_from_db()
    assert draft.status == status


@pytest.mark.parametrize("when", ["scheduled", "withdrawn"])
def test_a_scheduled_or_withdrawn_story_can_be_killed(client, legal, story, when):
    if when == "scheduled":
        story.published_at = timezone.now() + dt.timedelta(days=1)
        story.save()
    else:
        story.status = Status.WITHDRAWN
        story.save()

    assert kill_through_admin(legal, story).status_code == 302

    story.refresh_from_db()
    assert story.status == Status.KILLED
    assert services.next_publication_after(timezone.now()) is None  # nothing left to go out
    assert client.get(f"/stories/{SLUG}/").status_code == 410


# What a kill takes down --------------------------------------------------------------------------


@pytest.fixture
def newsroom(story, reporter_user, settings):
    """The killed story's surroundings: a neighbour sharing its section, tag, reporter, person and
    organization (so their pages stay after the kill), twenty newer stories in its section (so it
    is on the second page of the home and section listings), and editors' picks of it on the home
    and section fronts."""
    settings.COUNT_CACHE_SECONDS = 3600
    settings.STORY_PARTS_CACHE_SECONDS = 86400
    neighbour = ArticleFactory(
        headline="Ferry timetable changes at the pier",
        slug="ferry-timetable-changes",
        section=story.section,
        published_at=story.published_at - dt.timedelta(hours=1),
    )
    BylineFactory(article=neighbour, reporter=reporter_user.reporter, order=0)
    neighbour.tags.add("Harbour")
    neighbour.mentioned_people.add(*story.mentioned_people.all())
    neighbour.mentioned_organizations.add(*story.mentioned_organizations.all())
    for minutes in range(1, 21):
        ArticleFactory(
            section=story.section, published_at=story.published_at + dt.timedelta(minutes=minutes)
        )
    for section in (None, story.section):
        block = Block.objects.create(
            front=Front.objects.create(section=section), kind="lead", size=3
        )
        Slot.objects.create(block=block, position=1, article=story)
    return {"story": story, "neighbour": neighbour}


def addresses(story, neighbour):
    """Every public address that shows the story, and whether it shows it by headline or text
    (True) or only by its address (sitemaps, feeds' links): all of them before the kill."""
    published = timezone.localtime(story.published_at)
    year, month, day = f"{published:%Y}", f"{published:%m}", f"{published:%d}"
    reporter = story.bylines.get().reporter.slug
    return [
        f"/stories/{SLUG}/",
        neighbour.get_absolute_url(),  # "related stories" under it
        "/",
        "/?page=2",
        "/sections/courts/",
        "/sections/courts/?page=2",
        "/tags/harbour/",
        f"/reporters/{reporter}/",
        "/people/wong-kai-ming/",
        "/organizations/pier-trust/",
        f"/archive/{year}/?page=2",
        f"/archive/{year}/{month}/?page=2",
        f"/archive/{year}/{month}/{day}/?page=2",
        "/feeds/rss/",
        "/feeds/atom/",
        "/feeds/sections/courts/rss/",
        "/feeds/sections/courts/atom/",
        "/feeds/tags/harbour/rss/",
        "/feeds/tags/harbour/atom/",
        f"/feeds/reporters/{reporter}/rss/",
        f"/feeds/reporters/{reporter}/atom/",
        "/sitemap-stories.xml",
        "/news-sitemap.xml",
        "/search/?q=harbour",
        "/search/?q=affidavit",
        "/api/stories/?page_size=100",
        "/api/stories/?page=2",
        "/api/stories/?tag=harbour",
        "/api/stories/?section=courts&page_size=100",
        f"/api/stories/?reporter={reporter}",
        "/api/stories/?person=wong-kai-ming",
        "/api/stories/?organization=pier-trust",
        f"/api/stories/{SLUG}/",
    ]


def test_a_kill_takes_the_story_off_every_page_that_showed_it(
    client, legal, newsroom, page_cache_on, commit
):
    story, neighbour = newsroom["story"], newsroom["neighbour"]
    urls = addresses(story, neighbour)
    card = share_cards.card_path(story, "16:9")
    # Before: every one shows the story, and is kept by the page cache (searches never are).
    for url in urls:
        first = client.get(url)
        assert first.status_code == 200, url
        assert SLUG in page(first) or HEADLINE in page(first), url
        if not url.startswith("/search/"):
            assert client.get(url)["X-Cache"] == "hit", url
    assert client.get(card).status_code == 200
    assert client.get(card)["X-Cache"] == "hit"
    old = client.get(f"/stories/{OLD_SLUG}/")
    assert (old.status_code, old["Location"]) == (301, f"/stories/{SLUG}/")

    assert commit(lambda: kill_through_admin(legal, story)).status_code == 302

    for url in urls:
        if url != f"/api/stories/{SLUG}/":  # its 410 names it: below
            assert_not_shown(client.get(url), url)
    for url in ("/sitemap.xml", "/sitemap-tags.xml", "/sitemap-people.xml", "/api/tags/"):
        assert_not_shown(client.get(url), url)
    # Its own addresses, old and new, and its share cards: gone, with a notice and nothing else.
    for url in (f"/stories/{SLUG}/", f"/stories/{OLD_SLUG}/", card):
        gone = client.get(url)
        assert gone.status_code == 410, url
        assert "This story has been removed" in page(gone)
        assert '<meta name="robots" content="noindex">' in page(gone)
        assert gone["X-Robots-Tag"] == "noindex"
        assert client.get(url).get("X-Cache") != "hit"  # nothing keeps it
    # The API: the story's address, its old one and the first API address say it is canceled.
    canceled = {"uri": f"http://testserver/api/stories/{SLUG}/", "pubstatus": "canceled"}
    for url in (f"/api/stories/{SLUG}/", f"/api/stories/{OLD_SLUG}/", f"/api/articles/{SLUG}/"):
        answer = client.get(url, follow=True)
        assert answer.status_code == 410, url
        assert answer.json() == canceled
    # The neighbour and the fronts are still there, without it.
    assert "Ferry timetable changes" in page(client.get("/tags/harbour/"))
    assert "Ferry timetable changes" in page(client.get("/api/stories/?tag=harbour"))


def test_the_apis_410_is_ninjs_canceled_as_declared(client, story, legal_user):
    kill.kill_story(story, user=legal_user, reason=REASON)

    answer = client.get(f"/api/stories/{SLUG}/")

    assert answer.status_code == 410
    assert answer["Access-Control-Allow-Origin"] == "*"
    validator = Draft202012Validator(
        CANCELED.definition(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    validator.validate(answer.json())
    assert json.loads(answer.content) == {
        "uri": f"http://testserver/api/stories/{SLUG}/",
        "pubstatus": "canceled",
    }


def test_a_withdrawn_story_is_404_and_a_killed_one_410(client, story, legal_user, editor_user):
    """Withdrawing is the editors' reversible unpublishing; a kill is not."""
    services.article_transition(article=story, to_status=Status.WITHDRAWN, user=editor_user)
    assert client.get(f"/stories/{SLUG}/").status_code == 404
    assert client.get(f"/stories/{OLD_SLUG}/").status_code == 404
    assert client.get(f"/api/stories/{SLUG}/").status_code == 404

    kill.kill_story(story, user=legal_user, reason=REASON)

    assert client.get(f"/stories/{SLUG}/").status_code == 410
    assert client.get(f"/stories/{OLD_SLUG}/").status_code == 410
    assert client.get(f"/api/stories/{SLUG}/").status_code == 410
    # An address no story ever had is still a 404.
    assert client.get("/stories/no-such-story/").status_code == 404
    assert client.get("/api/stories/no-such-story/").status_code == 404


def test_an_old_address_answers_410_with_one_query_more_than_a_404(
    client, story, legal_user, django_assert_num_queries
):
    kill.kill_story(story, user=legal_user, reason=REASON)
    client.get("/")  # the sections of the masthead, read once
    # The story by its slug, the old address, the story it leads to (not public), whether that
    # story is killed, and the masthead's sections.
    with django_assert_num_queries(5):
        assert client.get(f"/stories/{OLD_SLUG}/").status_code == 410


def test_a_kill_purges_the_story_and_every_list_it_was_in(story, legal_user, commit):
    purged = []
    from core import keys as surrogate_keys

    surrogate_keys.after_purge(purged.append)
    try:
        commit(lambda: kill.kill_story(story, user=legal_user, reason=REASON))
    finally:
        surrogate_keys._after_purge.remove(purged.append)
    keys_purged = set().union(*purged)
    reporter, tag = story.bylines.get().reporter, story.tags.get()
    person, organization = story.mentioned_people.get(), story.mentioned_organizations.get()
    assert {
        f"story:{story.pk}",
        "front:home",
        "stories:all",
        "sitemaps",
        f"section:{story.section_id}:list",
        f"tag:{tag.pk}:list",
        f"reporter:{reporter.pk}:list",
        f"person:{person.pk}:list",
        f"organization:{organization.pk}:list",
    } <= keys_purged


# Preview links -----------------------------------------------------------------------------------


def test_a_shared_preview_link_dies_with_a_410(client, legal_user, editor_user):
    draft = ArticleFactory(
        headline=HEADLINE, body=BODY, slug=SLUG, status=Status.DRAFT, published_at=None
    )
    link = reverse("articles:preview_signed", kwargs={"token": make_token(draft)})
    assert client.get(link).status_code == 200
    services.article_transition(article=draft, to_status=Status.PUBLISHED, user=editor_user)
    assert client.get(link).status_code == 302  # to the published story

    kill.kill_story(draft, user=legal_user, reason=REASON)

    gone = client.get(link)
    assert gone.status_code == 410
    assert_not_shown(gone, link)
    assert "no-store" in gone["Cache-Control"]
    assert gone["X-Robots-Tag"] == "noindex"


def test_the_staff_preview_shows_a_killed_story_only_to_the_legal_role(
    story, legal_user, legal, editor, reporter, superuser_client
):
    kill.kill_story(story, user=legal_user, reason=REASON)

    for client in (editor, reporter):
        assert client.get(preview_url(story)).status_code == 404
    for client in (legal, superuser_client):
        shown = client.get(preview_url(story))
        assert shown.status_code == 200
        assert HEADLINE in page(shown)


# Who sees a killed story in the admin ------------------------------------------------------------


@pytest.mark.parametrize("who", ["reporter", "editor"])
def test_a_killed_story_does_not_exist_for_reporters_and_editors(request, story, legal_user, who):
    kill.kill_story(story, user=legal_user, reason=REASON)
    client = request.getfixturevalue(who)

    assert HEADLINE not in page(client.get(LIST_URL))
    assert HEADLINE not in page(client.get(LIST_URL, {"q": "Tycoon"}))
    assert HEADLINE not in page(client.get(LIST_URL, {"status": "killed"}))
    assert "Killed (legal)" not in page(client.get(LIST_URL))
    # Its pages answer as for a story that does not exist (the admin's own redirect).
    for url in (change_url(story), history_url(story)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == "/admin/"
    assert client.get(preview_url(story)).status_code == 404
    assert client.post(change_url(story), {"headline": "Changed"}).status_code == 302
    assert client.post(
        f"/admin/articles/article/{story.pk}/delete/", {"post": "yes"}
    ).status_code in (
        302,
        403,
    )
    # Nor its workflow steps: their list names the story.
    assert HEADLINE not in page(client.get("/admin/articles/statuschange/"))
    story.refresh_from_db()
    assert (story.headline, story.status) == (HEADLINE, Status.KILLED)


def test_the_desk_does_not_list_a_killed_story_to_editors(story, editor, legal_user):
    cache.clear()  # who has which story open is kept in the cache
    assert editor.get(change_url(story)).status_code == 200  # open on the desk when killed
    kill.kill_story(story, user=legal_user, reason=REASON)

    assert HEADLINE not in page(editor.get("/admin/"))


@pytest.mark.parametrize("who", ["legal", "superuser_client"])
def test_the_legal_role_sees_a_killed_story_read_only_with_who_when_and_why(
    request, story, legal_user, who
):
    kill.kill_story(story, user=legal_user, reason=REASON)
    client = request.getfixturevalue(who)

    listed = page(client.get(LIST_URL, {"status": "killed"}))
    assert HEADLINE in listed
    assert HEADLINE in page(client.get(LIST_URL, {"q": "Tycoon"}))
    html = page(client.get(change_url(story)))
    assert HEADLINE in html and "Quillwort" in html  # the text, kept for the legal record
    assert 'name="headline"' not in html and 'name="body"' not in html  # read-only
    assert "Killed (legal)" in html and escape(REASON) in html and "Ada Counsel" in html
    assert client.get(history_url(story)).status_code == 200
    record = page(client.get(kill_url(story)))
    assert escape(REASON) in record and "Killed on" in record and "Ada Counsel" in record


@pytest.mark.parametrize("who", ["legal", "superuser_client"])
def test_nobody_changes_or_deletes_a_killed_story_through_the_admin(
    request, story, legal_user, who
):
    kill.kill_story(story, user=legal_user, reason=REASON)
    client = request.getfixturevalue(who)

    response = client.post(change_url(story), {"headline": "Changed", "status": "published"})
    assert response.status_code == 403
    response = client.post(f"/admin/articles/article/{story.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    story.refresh_from_db()
    assert (story.headline, story.status) == (HEADLINE, Status.KILLED)
    assert Article.objects.filter(pk=story.pk).exists()


def test_an_editor_in_the_legal_role_cannot_publish_a_killed_story_again(story, legal_user):
    editor_and_legal = member("Editor", "managing")
    editor_and_legal.groups.add(*legal_user.groups.all())
    client = signed_in(editor_and_legal)
    kill.kill_story(story, user=legal_user, reason=REASON)

    html = page(client.get(change_url(story)))
    assert 'name="status"' not in html
    response = client.post(LIST_URL, {"action": "publish_now", "_selected_action": [story.pk]})
    assert response.status_code == 302
    messages = [str(m) for m in client.get(LIST_URL).context["messages"]]
    assert any("Killed (legal)" in message for message in messages), messages
    response = client.post(
        LIST_URL, {"action": "delete_selected", "_selected_action": [story.pk], "post": "yes"}
    )
    assert response.status_code == 403
    story.refresh_from_db()
    assert story.status == Status.KILLED


def test_the_status_choices_never_offer_killed(editor, story):
    html = page(editor.get(change_url(story)))
    assert 'value="killed"' not in html

    data = article_form(editor.get(change_url(story)))
    data["status"] = "killed"
    response = editor.post(change_url(story), data)

    assert response.status_code == 200
    assert "Select a valid choice" in page(response)
    story.refresh_from_db()
    assert story.status == Status.PUBLISHED


def test_a_kill_drops_the_private_copies_of_its_text(story, editor_user, legal_user):
    Autosave.objects.create(user=editor_user, article=story, data={"headline": "Draft text"})

    kill.kill_story(story, user=legal_user, reason=REASON)

    assert not Autosave.objects.filter(article=story).exists()


# An administrator's restore ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["editor", "legal"])
def test_only_an_administrator_restores(request, story, legal_user, who):
    kill.kill_story(story, user=legal_user, reason=REASON)
    client = request.getfixturevalue(who)

    assert client.get(restore_url(story)).status_code == 403
    assert client.post(restore_url(story), {"reason": "Lifted"}).status_code == 403
    assert "Restore (administrator)" not in page(client.get(change_url(story)))
    story.refresh_from_db()
    assert story.status == Status.KILLED


def test_an_administrator_restores_a_killed_story_as_withdrawn(
    client, superuser_client, superuser, story, legal_user, editor, editor_user, commit
):
    kill.kill_story(story, user=legal_user, reason=REASON)
    assert "Restore (administrator)" in page(superuser_client.get(change_url(story)))
    refused = superuser_client.post(restore_url(story), {"reason": " "})
    assert refused.status_code == 400
    assert kill.RESTORE_REASON_REQUIRED in page(refused)

    response = commit(
        lambda: superuser_client.post(
            restore_url(story), {"reason": "Injunction lifted on appeal."}
        )
    )

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == Status.WITHDRAWN  # never straight back to readers
    assert (story.killed_at, story.killed_by, story.kill_reason) == (None, None, "")
    steps = list(story.status_changes.values_list("from_status", "to_status", "user"))
    assert steps[-2:] == [
        ("published", "killed", legal_user.pk),
        ("killed", "withdrawn", superuser.pk),
    ]
    restored = LogEntry.objects.get(object_id=str(story.pk), user=superuser)
    assert "Injunction lifted on appeal." in restored.get_change_message()
    killed = LogEntry.objects.get(object_id=str(story.pk), user=legal_user)
    assert REASON in killed.get_change_message()  # the kill stays in the log
    # Withdrawn like any other: 404 for readers; editors see it and may publish it again.
    assert client.get(f"/stories/{SLUG}/").status_code == 404
    assert client.get(f"/stories/{OLD_SLUG}/").status_code == 404
    assert editor.get(change_url(story)).status_code == 200
    services.article_transition(article=story, to_status=Status.PUBLISHED, user=editor_user)
    assert client.get(f"/stories/{SLUG}/").status_code == 200


def test_restoring_a_story_that_is_not_killed_is_refused(superuser, story):
    with pytest.raises(ValidationError, match="is not killed"):
        kill.restore_story(story, user=superuser, reason="Why not")
    assert not StatusChange.objects.filter(article=story, to_status=Status.WITHDRAWN).exists()


def test_an_editor_in_the_legal_role_cannot_restore_an_older_text_of_a_killed_story(
    story, editor_user
):
    """History's restore is for stories an editor may change; a killed one is nobody's to edit."""
    import reversion

    with reversion.create_revision():
        story.save()
    version = reversion.models.Version.objects.get_for_object(story).first()
    editor_user.groups.add(member("Legal", "counsel-two").groups.get())
    client = signed_in(editor_user)
    kill.kill_story(story, user=editor_user, reason=REASON)
    url = reverse("admin:articles_article_revision", args=[story.pk, version.pk])
    assert client.post(url).status_code == 403
    story.refresh_from_db()
    assert story.status == Article.Status.KILLED


def test_the_api_document_says_a_story_address_may_answer_410():
    from api.openapi import document

    answers = [get["get"]["responses"] for get in document()["paths"].values()]
    gone = [responses["410"] for responses in answers if "410" in responses]
    assert gone, "no API address documents its 410"
    assert "canceled" in gone[0]["description"]


def test_the_legal_role_reads_a_story_as_readers_see_it_not_its_markup(story, legal):
    page = legal.get(change_url(story)).content.decode()
    assert "&lt;p&gt;" not in page
    assert BODY.split("<p>")[1].split("</p>")[0][:40] in page
