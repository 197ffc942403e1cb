"""Automatic saving of the story form in a real browser: a closed tab loses nothing, and an
editor is told, and saving stops, once someone else has saved the story."""

import json
import re

import pytest

from articles.models import Autosave
from tests.factories import ArticleFactory, BylineFactory

from .support import body_editor, expect, log_in, success_message, watch

SAVED = re.compile(r"Saved automatically at \d\d:\d\d \w+\.")  # "15:42 UTC"
# The script posts every five seconds after a change; a little more for the answer.
AUTOSAVE_WAIT_MS = 15_000


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


@pytest.fixture
def story(seed):
    """A made-up story (its words are the test's, not the seed's copy), in the seed's section."""
    story = ArticleFactory(
        headline="Harbour ferries change their timetable",
        body="<p>FERRIES to the outlying islands leave every half hour from Monday.</p>"
        "<p>Tickets are sold at the pier.</p>",
        section=seed.section,
    )
    BylineFactory(article=story, reporter=seed.bylines.get().reporter)
    return story


def test_a_closed_tab_loses_nothing(open_page, editor_user, story):
    page = log_in(open_page(), "desk")
    context = page.context
    page.goto(change_url(story))
    editor = body_editor(page).locator("[contenteditable=true]")
    expect(editor).to_contain_text("FERRIES")

    headline = "Harbour ferries keep their night boats"
    page.get_by_label("Headline:", exact=True).fill(headline)
    editor.locator("p").last.click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("The last boat leaves at midnight.")
    status = page.locator("#autosave .autosave-status")
    expect(status).to_have_text(SAVED, timeout=AUTOSAVE_WAIT_MS)
    open_page.watched[page].assert_clean("the story form while saving automatically")
    page.close()  # the tab goes, unsaved

    story.refresh_from_db()
    assert story.headline != headline  # nothing reached the story itself
    assert Autosave.objects.get().data["headline"] == headline

    again = context.new_page()  # the same login, as after reopening the browser
    watched = watch(again)
    again.goto(change_url(story))
    offer = again.locator("#autosave .autosave-offer")
    expect(offer).to_contain_text("You have changes to this story saved automatically at")
    expect(again.locator("#autosave .autosave-status")).to_contain_text("paused")
    offer.get_by_role("link", name="Restore them").click()

    expect(again.locator("#autosave")).to_contain_text("Restored from your automatic save at")
    expect(again.get_by_label("Headline:", exact=True)).to_have_value(headline)
    expect(body_editor(again).locator("[contenteditable=true]")).to_contain_text(
        "The last boat leaves at midnight."
    )
    again.get_by_role("button", name="Save and continue editing").click()
    expect(success_message(again)).to_contain_text("was changed successfully")
    expect(again.locator("#autosave .autosave-offer")).to_have_count(0)

    story.refresh_from_db()
    assert story.headline == headline
    assert "The last boat leaves at midnight." in story.body
    assert not Autosave.objects.exists()
    watched.assert_clean("the story form restored from its automatic save")


def test_autosave_stops_and_says_who_saved_in_between(
    open_page, editor_user, second_editor_user, story
):
    first = log_in(open_page(), "desk")
    second = log_in(open_page(), "slot")
    first.goto(change_url(story))
    second.goto(change_url(story))
    expect(body_editor(first).locator("[contenteditable=true]")).to_contain_text("FERRIES")

    first.get_by_label("Standfirst:", exact=True).fill("The desk's first standfirst.")
    status = first.locator("#autosave .autosave-status")
    expect(status).to_have_text(SAVED, timeout=AUTOSAVE_WAIT_MS)

    second.get_by_label("Headline:", exact=True).fill("The slot editor's headline")
    second.get_by_role("button", name="Save and continue editing").click()
    expect(success_message(second)).to_contain_text("was changed successfully")

    first.get_by_label("Standfirst:", exact=True).fill("The desk's second standfirst.")
    expect(status).to_contain_text(
        re.compile(
            r"Slot Editor saved this story at \d\d:\d\d \w+: automatic saving has stopped\. "
            r"Copy your text before reloading\."
        ),
        timeout=AUTOSAVE_WAIT_MS,
    )
    # Nothing of theirs was overwritten: the copy kept is the one from before they saved.
    assert Autosave.objects.get().data["standfirst"] == "The desk's first standfirst."
    # The form still holds what the desk typed, to copy.
    expect(first.get_by_label("Standfirst:", exact=True)).to_have_value(
        "The desk's second standfirst."
    )


def test_autosave_goes_on_after_logging_in_again_in_another_tab(open_page, editor_user, story):
    # Django changes the CSRF token at login: the script sends the cookie's, not the form's.
    page = log_in(open_page(), "desk")
    page.goto(change_url(story))
    expect(body_editor(page).locator("[contenteditable=true]")).to_contain_text("FERRIES")

    other = page.context.new_page()
    other.goto("/admin/")
    other.get_by_role("button", name="Log out").click()
    expect(other).to_have_url(re.compile(r"/admin/logout/$"))
    log_in(other, "desk")
    other.close()

    page.get_by_label("Standfirst:", exact=True).fill("Typed after logging in again.")
    expect(page.locator("#autosave .autosave-status")).to_have_text(SAVED, timeout=AUTOSAVE_WAIT_MS)
    assert Autosave.objects.get().data["standfirst"] == "Typed after logging in again."
    open_page.watched[page].assert_clean("the story form after logging in again")


def test_a_request_refused_as_malformed_is_not_sent_again(open_page, editor_user, story):
    page = log_in(open_page(), "desk")
    sent = []

    def refuse(route):
        sent.append(route.request.post_data)
        route.fulfill(
            status=400,
            content_type="application/json",
            body=json.dumps({"error": "Length Required."}),
        )

    page.route(f"**/articles/article/{story.pk}/autosave/", refuse)
    page.goto(change_url(story))
    expect(body_editor(page).locator("[contenteditable=true]")).to_contain_text("FERRIES")

    standfirst = page.get_by_label("Standfirst:", exact=True)
    standfirst.fill("First try.")
    status = page.locator("#autosave .autosave-status")
    expect(status).to_have_text(
        "Not saved automatically: Length Required.", timeout=AUTOSAVE_WAIT_MS
    )
    standfirst.fill("Second try.")
    page.wait_for_timeout(7_000)  # more than the five seconds after a change
    assert len(sent) == 1
    expect(status).to_have_text("Not saved automatically: Length Required.")
