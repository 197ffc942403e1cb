"""A reporter's day and an editor's day, from the desk: a new story that survives a reload, sent
for review; a story from the review queue scheduled, and found on the desk on its day."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, BylineFactory

from .conftest import DESKTOP, PHONE
from .support import body_editor, choose, expect, log_in, screenshot, success_message

SAVED = re.compile(r"Saved automatically at \d\d:\d\d")
AUTOSAVE_WAIT_MS = 15_000
HEADLINE = "Night buses join the harbour route"  # a made-up story, not the seed's


def test_a_reporters_day(open_page, reporter_user):
    page = log_in(open_page(), "zhipeng")
    desk = page.locator("#content-main")
    expect(page.get_by_role("heading", name="Your desk")).to_be_visible()
    expect(desk.locator("#desk-drafts")).to_contain_text("No drafts of yours.")

    page.get_by_role("link", name="New story").click()
    expect(page.get_by_role("heading", name="Add story")).to_be_visible()
    page.get_by_label("Headline:", exact=True).fill(HEADLINE)
    page.get_by_label("Standfirst:", exact=True).fill("Three late buses a night from Monday.")
    body_editor(page).locator("[contenteditable=true]").click()
    page.keyboard.type("The first leaves the pier at half past eleven.")
    expect(page.locator("#autosave .autosave-status")).to_have_text(SAVED, timeout=AUTOSAVE_WAIT_MS)

    page.reload()  # as a crashed browser would bring the page back: nothing saved yet
    offer = page.locator("#autosave .autosave-offer")
    expect(offer).to_contain_text("saved automatically")
    offer.get_by_role("link", name="Restore them").click()
    expect(page.get_by_label("Headline:", exact=True)).to_have_value(HEADLINE)
    expect(body_editor(page).locator("[contenteditable=true]")).to_contain_text("half past eleven")
    page.get_by_label("Dateline:", exact=True).fill("Hong Kong")
    choose(page, "id_section", "Greater", "Greater Bay Area")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(success_message(page)).to_contain_text("was added successfully")

    page.get_by_label("Status:", exact=True).select_option(label="In review")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(success_message(page)).to_contain_text("was changed successfully")
    story = Article.objects.get(headline=HEADLINE)
    assert story.status == Article.Status.REVIEW
    assert [b.reporter.name for b in story.bylines.all()] == ["Chang Zhipeng"]

    page.goto("/admin/")
    expect(desk.locator("#desk-review")).to_contain_text(HEADLINE)
    expect(desk.locator("#desk-drafts")).to_contain_text("No drafts of yours.")
    screenshot(page, "desk-reporter")


def test_an_editors_day(open_page, editor_user, reporter_user, seed):
    waiting = ArticleFactory(
        headline="Ferry fares to rise in spring",
        status=Article.Status.REVIEW,
        published_at=None,
        section=seed.section,
    )
    BylineFactory(article=waiting, reporter=seed.bylines.get().reporter)

    page = log_in(open_page(), "desk")
    review = page.locator("#desk-review")
    expect(review).to_contain_text("Ferry fares to rise in spring")
    review.get_by_role("link", name="Ferry fares to rise in spring").click()

    page.get_by_label("Headline:", exact=True).fill("Ferry fares rise in spring")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page.get_by_label("Status:", exact=True).select_option(label="Published")
    page.locator("#id_published_at_0").fill(tomorrow.isoformat())
    page.locator("#id_published_at_1").fill("09:00:00")
    # The panel says what saving will do, as the fields change.
    when = f"{tomorrow.day} {tomorrow:%B %Y}, 09:00 UTC"
    expect(page.locator("#story-save-effect")).to_have_text(f"Saving schedules it for {when}.")
    page.get_by_label("Status:", exact=True).select_option(label="In review")
    expect(page.locator("#story-save-effect")).to_have_text("Saving keeps it in review.")
    page.get_by_label("Status:", exact=True).select_option(label="Published")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(success_message(page)).to_contain_text("was changed successfully")

    waiting.refresh_from_db()
    assert waiting.status == Article.Status.PUBLISHED
    assert timezone.localtime(waiting.published_at).date() == tomorrow

    page.goto("/admin/")
    day = page.locator("#desk-scheduled h3.desk-day", has_text="Tomorrow")
    tomorrows = day.locator("xpath=following-sibling::ul[1]")
    expect(tomorrows.locator("li", has_text="Ferry fares rise in spring")).to_contain_text(
        "09:00 UTC"
    )
    expect(review).not_to_contain_text("Ferry fares")
    screenshot(page, "desk-editor")


@pytest.mark.parametrize("width", ["1280", "375"])
def test_the_desk_fits_the_screen(open_page, editor_user, seed, width):
    for n in range(4):
        story = ArticleFactory(
            headline=f"Harbour ferries change their timetable, part {n}",
            status=Article.Status.REVIEW,
            published_at=None,
            section=seed.section,
        )
        BylineFactory(article=story, reporter=seed.bylines.get().reporter)
    page = log_in(open_page(viewport=DESKTOP if width == "1280" else PHONE), "desk")
    expect(page.locator("#desk-review")).to_contain_text("4 stories in review")
    scroll = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    assert page.evaluate(scroll) == 0
    if width == "375":  # the first list starts on the first screen of a phone
        assert page.locator("#desk-drafts").bounding_box()["y"] < PHONE["height"]
    screenshot(page, f"desk-{width}")
