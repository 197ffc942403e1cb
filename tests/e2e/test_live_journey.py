"""A live story in readers' browsers (issue 18): while the newsroom adds entries, an open page
shows each one without a reload; a reader who has scrolled down gets a "new updates" button
rather than a jump; closing the coverage ends the polling and says so on the page.

Entries are added as the admin adds them: the row, then the purge of the story's key that the
admin's receivers make (articles.keys), with the page cache on, so the polls are answered from
it (304s) until each entry purges it.
"""

import datetime as dt

import pytest
from django.utils import timezone

from articles.models import LiveEntry
from core import keys
from people.models import Reporter
from tests.conftest import member

from .conftest import DESKTOP, PHONE
from .support import SCREENSHOTS, expect, log_in, screenshot, success_message
from .test_accessibility import axe_violations

FILLER = (
    "<p>Crews closed the coastal road at dawn, and the harbour's ferries stayed at their "
    "piers while the observatory tracked the storm's course past the islands.</p>"
) * 3


@pytest.fixture
def live_story(seed, settings, page_cache_on):
    """The seed story made live, with a pinned note and five earlier entries (a long page)."""
    settings.LIVE_POLL_SECONDS = 1
    seed.is_live = True
    seed.save()
    reporter = Reporter.objects.get(slug="chang-zhipeng")
    now = timezone.now()
    pinned = LiveEntry.objects.create(
        article=seed,
        posted_at=now - dt.timedelta(hours=2),
        title="How to follow the forum",
        body="<p>Every session is summarised here as it ends.</p>",
        pinned=True,
    )
    pinned.authors.add(reporter)
    for n in range(5):
        LiveEntry.objects.create(
            article=seed,
            posted_at=now - dt.timedelta(minutes=90 - n * 10),
            title=f"Morning session, part {n + 1}",
            body=FILLER,
            key_event=n == 0,
        )
    keys.purge(keys.key(seed))
    return seed


def add_entry(story, title, **fields):
    """What an editor's entry comes to: the row (its save purges the story's key, articles.keys),
    and the purge itself once more, as the admin's receivers make it."""
    entry = LiveEntry.objects.create(
        article=story,
        title=title,
        body=f"<p>{title}: details follow.</p>",
        created_by=member("Editor", "desk"),
        **fields,
    )
    entry.authors.add(Reporter.objects.get(slug="chang-zhipeng"))
    keys.purge(keys.key(story))
    return entry


def polls_seen(page):
    """The statuses the server answered the page's polls with, as they come: from the DevTools
    protocol's raw responses, since a 304 reaches the script as the browser's copy, a 200."""
    asked, seen = set(), []
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")

    def sent(event):
        if "/live.json" in event["request"]["url"]:
            asked.add(event["requestId"])

    def answered(event):
        if event["requestId"] in asked:
            seen.append(event["statusCode"])

    session.on("Network.requestWillBeSent", sent)
    session.on("Network.responseReceivedExtraInfo", answered)
    return seen


def test_a_reader_sees_new_entries_without_reloading(open_page, live_story):
    reader = open_page(viewport=DESKTOP)
    seen = polls_seen(reader)
    reader.goto(live_story.get_absolute_url())
    entries = reader.locator(".live-entries > article")
    expect(entries).to_have_count(6)
    expect(reader.locator(".live-label")).to_have_text("Live")
    reader.evaluate("() => { window.notReloaded = true; }")
    assert axe_violations(reader) == []
    screenshot(reader, "live-story-1280")
    phone = open_page(viewport=PHONE)
    phone.goto(live_story.get_absolute_url())
    expect(phone.locator(".live-entries > article")).to_have_count(6)

    # Three entries, one after another: each is on the open page within a poll or two, under
    # the pinned note, newest first.
    for n, title in enumerate(["Delegates arrive", "Keynote begins", "Agreement signed"]):
        added = add_entry(live_story, title, key_event=title == "Keynote begins")
        expect(entries).to_have_count(7 + n)
        expect(entries.nth(1)).to_have_attribute("id", f"entry-{added.pk}")
        expect(entries.nth(1).locator("h3")).to_have_text(title)
        expect(phone.locator(f"#entry-{added.pk}")).to_be_visible()
    assert reader.evaluate("() => window.notReloaded") is True
    # The key event joined the list at the top, as a link to it.
    keynote = live_story.entries.get(title="Keynote begins")
    expect(reader.locator(".key-events a", has_text="Keynote begins")).to_have_attribute(
        "href", f"#entry-{keynote.pk}"
    )
    # Between entries the polls cost next to nothing: 304s from the page cache, no body.
    reader.wait_for_timeout(2500)
    assert 304 in seen, seen
    assert axe_violations(reader) == []
    screenshot(phone, "live-story-375")
    overflow = phone.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the live story scrolls sideways by {overflow} px at 375 px"
    open_page.watched[reader].assert_clean("the live story")


def test_an_editor_adds_three_entries_and_an_open_page_shows_them(
    open_page, live_story, editor_user
):
    """The whole path: the editor's compact form at the top of the story's page, the save, the
    purge, the poll, the reader's page, with no reload on either side."""
    reader = open_page(viewport=PHONE)
    reader.goto(live_story.get_absolute_url())
    entries = reader.locator(".live-entries > article")
    expect(entries).to_have_count(6)
    reader.evaluate("() => { window.notReloaded = true; }")

    editor = log_in(open_page(viewport=DESKTOP), "desk")
    editor.goto(f"/admin/articles/article/{live_story.pk}/change/")
    form = editor.locator("#live-entry-form")
    for n, title in enumerate(["Delegates arrive", "Keynote begins", "Agreement signed"]):
        form.get_by_label("Title").fill(title)
        form.locator(".prose-editor [contenteditable=true]").click()
        editor.keyboard.type(f"{title}, the desk reports.")
        form.get_by_role("button", name="Add entry").click()
        expect(success_message(editor)).to_contain_text("Entry added")
        form = editor.locator("#live-entry-form")
        expect(entries).to_have_count(7 + n)
        expect(entries.nth(1).locator("h3")).to_have_text(title)
        expect(entries.nth(1)).to_contain_text(f"{title}, the desk reports.")
    screenshot(editor, "live-admin-panel-1280")
    assert reader.evaluate("() => window.notReloaded") is True


def test_a_reader_who_has_scrolled_down_gets_a_button_not_a_jump(open_page, live_story):
    for viewport, name in ((DESKTOP, "1280"), (PHONE, "375")):
        reader = open_page(viewport=viewport)
        reader.goto(live_story.get_absolute_url())
        entries = reader.locator(".live-entries > article")
        expect(entries).to_have_count(6 + (name == "375"))
        # Down in the entries: the list's top is above the window.
        last = entries.last
        last.scroll_into_view_if_needed()
        reader.evaluate("() => window.scrollBy(0, 200)")
        top = reader.evaluate(
            "() => document.querySelector('.live-entries').getBoundingClientRect().top"
        )
        assert top < 0
        before = reader.evaluate("() => window.scrollY")
        added = add_entry(live_story, f"Closing remarks ({name})")
        button = reader.get_by_role("button", name="1 new update")
        expect(button).to_be_visible()
        expect(reader.locator(f"#entry-{added.pk}")).to_have_count(0)  # not put in yet
        assert reader.evaluate("() => window.scrollY") == before  # nothing moved
        assert axe_violations(reader) == []
        # The window as the reader sees it, the button over the entries they are reading.
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        reader.screenshot(path=str(SCREENSHOTS / f"live-story-new-updates-{name}.png"))
        button.click()
        shown = reader.locator(f"#entry-{added.pk}")
        expect(shown).to_be_in_viewport()
        expect(shown).to_be_focused()
        expect(button).to_be_hidden()
        open_page.watched[reader].assert_clean(f"the live story at {name} px")


def test_closing_the_coverage_ends_the_polling_and_marks_the_page(open_page, live_story):
    reader = open_page(viewport=DESKTOP)
    seen = polls_seen(reader)
    reader.goto(live_story.get_absolute_url())
    expect(reader.locator(".live-label")).to_be_visible()
    live_story.live_closed_at = timezone.now()
    live_story.save()  # the story's own save purges its key
    expect(reader.locator(".live-status--ended")).to_contain_text("This live coverage has ended")
    expect(reader.locator(".live-label")).to_have_count(0)
    expect(reader.locator(".live[data-live-poll]")).to_have_count(0)
    asked = len(seen)
    reader.wait_for_timeout(2500)
    assert len(seen) == asked, "the page went on asking after the coverage ended"
    assert axe_violations(reader) == []
    # Opened afresh, the page says so and loads no script.
    again = open_page(viewport=PHONE)
    again.goto(live_story.get_absolute_url())
    expect(again.locator(".live-status--ended")).to_be_visible()
    assert again.locator("script[src$='live.js']").count() == 0
    screenshot(again, "live-story-ended-375")


VISIBILITY = """hidden => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event("visibilitychange"));
}"""


def test_a_hidden_tab_asks_nothing_until_it_is_shown_again(open_page, live_story):
    reader = open_page(viewport=DESKTOP)
    seen = polls_seen(reader)
    reader.goto(live_story.get_absolute_url())
    reader.wait_for_timeout(1500)
    assert seen, "the page never asked for new entries"
    reader.evaluate(VISIBILITY, True)
    reader.wait_for_timeout(300)  # an ask already under way comes back
    asked = len(seen)
    reader.wait_for_timeout(2500)
    assert len(seen) == asked, "the hidden tab went on asking"
    added = add_entry(live_story, "Evening session")
    reader.evaluate(VISIBILITY, False)  # back on the tab: it catches up at once
    expect(reader.locator(f"#entry-{added.pk}")).to_be_visible()
    open_page.watched[reader].assert_clean("the live story")
