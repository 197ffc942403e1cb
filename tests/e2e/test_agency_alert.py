"""An editor on deadline: the agency has killed an item a published story was taken from. The desk
says so first, the story's form says so above everything, and “I have dealt with this” takes the
notice away once the editor has acted (articles/admin_agency.py, articles/desk.py)."""

import datetime as dt

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory

from .conftest import DESKTOP, PHONE
from .support import expect, log_in, screenshot, success_message
from .test_accessibility import axe_violations

HEADLINE = "Typhoon closes the container port at Yantian"  # made up, not the seed's
KILL = (
    "Demo Wire Agency killed this item on 5 December at 09:12 (version 4): do not publish it; "
    "if it is published, withdraw it."
)
SCROLL = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def alert(story, kind, text, minutes_ago):
    """What the wire does when the agency sends word: three fields, written with update()."""
    Article.objects.filter(pk=story.pk).update(
        agency_alert=text,
        agency_alert_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        agency_alert_kind=kind,
    )


@pytest.mark.parametrize("width", ["1280", "375"])
def test_an_editor_deals_with_a_kill_from_the_agency(open_page, editor_user, seed, width):
    killed = ArticleFactory(
        headline=HEADLINE,
        section=seed.section,
        credit="By Jane Doe, Demo Wire Agency",
        published_at=timezone.now() - dt.timedelta(hours=2),
    )
    alert(killed, "killed", KILL, minutes_ago=3)
    updated = ArticleFactory(
        headline="Bridge tolls to fall for lorries from January",
        section=seed.section,
        credit="Demo Wire Agency",
        status=Article.Status.REVIEW,
        published_at=None,
    )
    alert(
        updated,
        "updated",
        "Demo Wire Agency sent version 2 of this item on 5 December at 11:00 (version 2): "
        "compare it with the story.",
        minutes_ago=1,
    )
    viewport = DESKTOP if width == "1280" else PHONE
    page = log_in(open_page(viewport=viewport), "desk")

    # The desk: the kill first, though the new version came in later.
    card = page.locator("#desk-agency")
    expect(card).to_be_visible()
    expect(card.get_by_role("heading", name="From the agency")).to_be_visible()
    rows = card.locator("li")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Killed by the agency")
    expect(rows.nth(0)).to_contain_text(HEADLINE)
    expect(rows.nth(0)).to_contain_text("published, readers can see it")
    expect(rows.nth(1)).to_contain_text("New version")
    assert page.evaluate(SCROLL) == 0
    assert card.bounding_box()["y"] < viewport["height"]  # on the first screen
    screenshot(page, f"agency-alert-desk-{width}")
    assert axe_violations(page) == []

    # The story's form: the notice above everything, read out as an alert.
    rows.nth(0).get_by_role("link", name=HEADLINE).click()
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("Killed by the agency")
    expect(banner).to_contain_text(KILL)
    expect(banner).to_contain_text("This story is published: readers can see it now.")
    box = banner.bounding_box()
    assert box["y"] < page.locator("#article_form").bounding_box()["y"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    assert page.evaluate(SCROLL) == 0
    screenshot(page, f"agency-alert-story-{width}")
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []

    banner.get_by_role("button", name="I have dealt with this").click()
    expect(success_message(page)).to_contain_text("The agency’s notice is off")
    expect(page.locator(".agency-alert")).to_have_count(0)
    killed.refresh_from_db()
    assert killed.agency_alert == "" and killed.agency_alert_at is None
    assert killed.status == Article.Status.PUBLISHED  # the editor's to withdraw, not the button's

    page.goto("/admin/")
    expect(card.locator("li")).to_have_count(1)
    expect(card).not_to_contain_text(HEADLINE)
