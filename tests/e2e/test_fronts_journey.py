"""An editor arranges the home page in the browser, and a reader sees it."""

import datetime as dt

from django.utils import timezone

from fronts.models import Block, Front
from tests.factories import ArticleFactory, SectionFactory

from .conftest import PHONE
from .support import choose, expect, log_in, screenshot, success_message


def newsroom():
    now = timezone.now()
    city = SectionFactory(name="City", slug="city", order=1)
    sport = SectionFactory(name="Sport", slug="sport", order=2)
    for n in range(12):
        ArticleFactory(
            headline=f"Demo story {n:02}",
            section=city if n % 2 else sport,
            published_at=now - dt.timedelta(hours=n + 1),
        )
    return city, sport


def test_an_editor_arranges_the_home_page_and_a_reader_sees_it(open_page, editor_user):
    newsroom()
    page = log_in(open_page(), "desk")
    page.locator('a[href="/admin/fronts/front/"]').first.click()
    page.get_by_role("link", name="Home page").click()
    expect(page.get_by_role("heading", name="Arrange: Home page")).to_be_visible()
    lead = page.locator(".arrange-block").first
    expect(lead).to_contain_text("Now by the rule: Demo story 00")

    # The oldest story leads, under a headline for the front only.
    choose(page, "id_block-0-slot-0-article", "Demo story 11", "Demo story 11")
    page.locator("#id_block-0-slot-0-headline").fill("Eleven hours on: the oldest story leads")

    # The keyboard way: the "Latest" block (the last) moved up one place, past Sport's row.
    blocks = page.locator(".arrange-blocks > li:not(.arrange-block--new)")
    last = blocks.last
    expect(last).to_contain_text("Latest")
    move_up = last.get_by_role("button", name="Move block up")
    move_up.focus()
    page.keyboard.press("Enter")
    expect(blocks.nth(blocks.count() - 2)).to_contain_text("Latest")
    expect(blocks.nth(blocks.count() - 2).locator(".arrange-order")).to_have_value(
        str(blocks.count() - 1)
    )

    # Preview, in a tab of its own, before it goes live.
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Preview").click()
    preview = opened.value
    expect(preview.locator(".preview-banner")).to_contain_text("not saved")
    expect(preview.locator(".front-block--lead .card-headline").first).to_have_text(
        "Eleven hours on: the oldest story leads"
    )
    screenshot(preview, "front-preview-1280")
    preview.close()
    assert not Block.objects.exists()

    page.get_by_role("button", name="Save", exact=True).click()
    expect(success_message(page)).to_contain_text("Home page saved: readers see it now.")
    screenshot(page, "front-arrange-1280")
    kinds = list(Block.objects.filter(front__section=None).values_list("kind", flat=True))
    assert kinds[-2:] == ["latest", "row"]

    # A reader, on a phone: the pinned story leads the home page, the first thing after the masthead.
    reader = open_page(viewport=PHONE)
    reader.goto("/")
    first = reader.locator("main .card-headline").first
    expect(first).to_have_text("Eleven hours on: the oldest story leads")
    box = first.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], f"the lead is below the fold: {box}"
    headlines = reader.locator("main .card-headline").all_inner_texts()
    assert len(headlines) == len(set(headlines)), "a story shows twice on the front"
    screenshot(reader, "front-home-375")
    assert Front.objects.get(section=None).updated_by == editor_user

    # The fronts list and the arrange screen, on an editor's phone: nothing wider than the screen.
    phone = log_in(open_page(viewport=PHONE), "desk")
    phone.goto("/admin/fronts/front/")
    expect(phone.get_by_role("link", name="Home page")).to_be_visible()
    screenshot(phone, "fronts-list-375")
    phone.get_by_role("link", name="Home page").click()
    expect(phone.locator("#id_block-0-slot-0-headline")).to_have_value(
        "Eleven hours on: the oldest story leads"
    )
    overflow = phone.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the arrange screen scrolls sideways by {overflow} px on a phone"
    screenshot(phone, "front-arrange-375")


def test_blocks_are_reordered_by_dragging(open_page, editor_user):
    newsroom()
    page = log_in(open_page(), "desk")
    front, _ = Front.objects.get_or_create(section=None)
    page.goto(f"/admin/fronts/front/{front.pk}/change/")
    blocks = page.locator(".arrange-blocks > li:not(.arrange-block--new)")
    first_title = blocks.nth(0).locator("legend").inner_text()
    blocks.nth(0).locator("legend .arrange-handle").hover()
    page.mouse.down()
    box = blocks.nth(2).bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] - 5, steps=8)
    page.mouse.up()
    expect(blocks.nth(0).locator("legend")).not_to_have_text(first_title)
    orders = [blocks.nth(i).locator(".arrange-order").input_value() for i in range(3)]
    assert orders == ["1", "2", "3"]
    page.get_by_role("button", name="Save", exact=True).click()
    expect(success_message(page)).to_be_visible()
    assert Block.objects.order_by("order").first().kind != "lead"
