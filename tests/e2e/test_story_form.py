"""The story form laid out for writing, in a real browser: at a laptop's width and a phone's, the
headline and every box show their text whole, nothing scrolls sideways, the buttons above the
form keep off the headline, and the byline rows show all their columns."""

import re

import pytest
from django.utils import timezone
from taggit.models import Tag
from taggit.utils import edit_string_for_tags

from articles.forms import save_effect

from .conftest import DESKTOP, PHONE
from .support import choose, expect, log_in, screenshot

# What a box must show at least of its text: the first 60 characters (a long value may scroll
# after that), measured in the box's own font.
SHOWN_CHARACTERS = 60

# Each text box of the form whose text (its first SHOWN_CHARACTERS) is wider than the box.
NARROW_BOXES = """(limit) => {
  const canvas = document.createElement("canvas").getContext("2d");
  const boxes = document.querySelectorAll(
    "#article_form input[type=text], #article_form input[type=number], " +
    "#article_form input[type=url], #article_form input:not([type])"
  );
  const narrow = [];
  for (const box of boxes) {
    if (!box.value || !box.getClientRects().length) continue;
    const style = getComputedStyle(box);
    canvas.font = style.font;
    const needed = canvas.measureText(box.value.slice(0, limit)).width;
    const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (needed > room + 1) narrow.push(`${box.id}: ${Math.round(room)}px for ${Math.round(needed)}px`);
  }
  return narrow;
}"""

# Every select2 chip or single choice whose name is cut (an ellipsis, or overflow hidden).
CUT_CHOICES = """() => Array.from(document.querySelectorAll(
    "#article_form .select2-selection__choice, #article_form .select2-selection__rendered"
  )).filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent.trim())"""


def boxes_intersect(a, b):
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_the_story_form_shows_every_field_whole(open_page, pictured_site, editor_user, viewport):
    story = pictured_site
    page = open_page(viewport=viewport)
    log_in(page, "desk")
    page.goto(f"/admin/articles/article/{story.pk}/change/")

    headline = page.locator("#id_headline")
    expect(headline).to_have_value(story.headline)
    expect(page.locator(".story-char-count")).to_have_text(f"{len(story.headline)} / 90")
    screenshot(page, f"story-form-{viewport['width']}")
    # The headline's box holds all of it, across and down.
    assert headline.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert headline.evaluate("el => el.scrollHeight <= el.clientHeight + 1")
    assert page.evaluate(NARROW_BOXES, SHOWN_CHARACTERS) == []
    assert page.evaluate(CUT_CHOICES) == []
    # The page itself never scrolls sideways.
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )

    # History, View on site and Preview keep off the headline.
    headline_box = headline.bounding_box()
    tools = page.locator(".object-tools li")
    expect(tools.first).to_be_visible()
    for index in range(tools.count()):
        tool = tools.nth(index).bounding_box()
        assert not boxes_intersect(tool, headline_box), tools.nth(index).inner_text()

    # The side panel (below the text on a phone) and the bylines' every column on screen.
    expect(page.locator(".story-side .story-publication")).to_be_visible()
    expect(page.locator("#story-save-effect")).to_have_text(
        save_effect(
            status=story.status,
            published_at=story.published_at,
            original=story.status,
            now=timezone.now(),
        )
    )
    delete = page.locator("#id_bylines-0-DELETE")
    delete.scroll_into_view_if_needed()
    for cell in (
        page.locator("#id_bylines-0-reporter + .select2"),
        page.locator("#id_bylines-0-order"),
        delete,
    ):
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box

    # The tags as chips; the organizations' names whole.
    expect(page.locator(".field-tags .tag-chips__chip")).to_have_count(story.tags.count())
    expect(page.locator("#id_mentioned_organizations + .select2")).to_contain_text(
        "Guangdong-Hong Kong-Macao Bay Area Entrepreneurs Alliance"
    )

    # The body editor's paragraph-style menu draws no missing-glyph box: its marker is CSS.
    marker = page.locator(".prose-menubar__selected").first
    expect(marker).to_be_visible()
    assert marker.evaluate("el => getComputedStyle(el, '::after').content") in ('""', "none")

    open_page.watched[page].assert_clean("the story form")


def test_the_tags_box_suggests_existing_tags_and_says_a_new_one_is_new(
    open_page, seed, editor_user
):
    page = open_page()
    log_in(page, "desk")
    page.goto(f"/admin/articles/article/{seed.pk}/change/")
    before = seed.tags.count()
    entry = page.get_by_label("Tags:", exact=True)

    entry.fill("Greater")
    suggestions = page.locator(".field-tags .tag-chips__suggestions li")
    expect(suggestions.first).to_be_visible()
    entry.fill("Ferry pier")
    expect(suggestions.last).to_have_text("New tag: “Ferry pier” (created when you save)")
    entry.press("Enter")
    chips = page.locator(".field-tags .tag-chips__chip")
    expect(chips).to_have_count(before + 1)
    expect(chips.last).to_contain_text("Ferry pier")

    chips.first.get_by_role("button").click()
    expect(chips).to_have_count(before)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator("ul.messagelist li.success")).to_be_visible()
    names = set(seed.tags.names())
    assert "Ferry pier" in names and len(names) == before
    open_page.watched[page].assert_clean("the story form")


def test_tags_with_commas_spaces_and_other_scripts_come_back_unchanged(
    open_page, seed, editor_user
):
    # Names taggit's syntax must quote (a space, a comma) or that are no Latin at all, read from
    # the list the server gives, never re-parsed: unchanged through load and save, and through a
    # save after a tag is added, when the script writes the value itself.
    names = ["Greater Bay Area", "Shenzhen, Qianhai", "前海", "Hong Kong"]
    seed.tags.set(names)
    page = open_page()
    log_in(page, "desk")
    page.goto(f"/admin/articles/article/{seed.pk}/change/")
    chips = page.locator(".field-tags .tag-chips__chip span")
    expect(chips).to_have_text(sorted(names))

    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator("ul.messagelist li.success")).to_be_visible()
    assert sorted(seed.tags.names()) == sorted(names)
    expect(chips).to_have_text(sorted(names))

    entry = page.get_by_label("Tags:", exact=True)
    entry.fill("Ferries")
    entry.press("Enter")
    expect(chips).to_have_count(len(names) + 1)
    # What the script writes is what taggit writes for the same names.
    value = page.locator("input[name=tags]").input_value()
    assert value == edit_string_for_tags([Tag(name=name) for name in [*names, "Ferries"]])
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator("ul.messagelist li.success")).to_be_visible()
    assert sorted(seed.tags.names()) == sorted([*names, "Ferries"])
    open_page.watched[page].assert_clean("the story form")


def test_the_tags_box_says_when_suggestions_are_unavailable(open_page, seed, editor_user):
    page = open_page()
    log_in(page, "desk")
    page.goto(f"/admin/articles/article/{seed.pk}/change/")
    page.route("**/admin/articles/article/tags/?*", lambda route: route.fulfill(status=500))
    Tag.objects.create(name="Ferries")
    before = seed.tags.count()
    entry = page.get_by_label("Tags:", exact=True)

    # "Ferries" exists: with no answer from the server it is not said to be new.
    entry.fill("Ferries")
    suggestions = page.locator(".field-tags .tag-chips__suggestions li")
    expect(suggestions).to_have_count(1)
    expect(suggestions).to_have_text("Suggestions unavailable: add “Ferries”")
    # ... and may still be added.
    entry.press("Enter")
    expect(suggestions).to_have_count(0)
    chips = page.locator(".field-tags .tag-chips__chip span")
    expect(chips).to_have_count(before + 1)
    expect(chips.last).to_have_text("Ferries")

    # The failures were the routed answers, nothing else.
    watched = open_page.watched[page]
    assert watched.problems
    assert all("/admin/articles/article/tags/?q=" in problem for problem in watched.problems)
    watched.clear()
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator("ul.messagelist li.success")).to_be_visible()
    assert "Ferries" in seed.tags.names()
    watched.assert_clean("the story form")


def test_suggestions_stay_closed_once_the_tags_box_loses_the_focus(open_page, seed, editor_user):
    page = open_page()
    log_in(page, "desk")
    change = f"/admin/articles/article/{seed.pk}/change/"

    # A tags box with no suggestion URL: its answer comes after the pause in the typing, with
    # nothing to wait for.
    def without_suggest_url(route):
        response = route.fetch()
        body = re.sub(r'data-suggest-url="[^"]*"', 'data-suggest-url=""', response.text())
        route.fulfill(response=response, body=body)

    page.route(f"**{change}", without_suggest_url)
    page.goto(change)
    chips = page.locator(".field-tags .tag-chips__chip span")
    before = chips.count()
    # Within the pause: "Ferr" typed, the box left (which makes it a chip), the chip taken off
    # again, and the focus on the headline. Nothing typed is left to suggest for, in a box
    # without the focus.
    page.evaluate("""() => {
        const entry = document.getElementById("id_tags");
        entry.focus();
        entry.value = "Ferr";
        entry.dispatchEvent(new Event("input", {bubbles: true}));
        entry.blur();
        document.querySelector(".field-tags .tag-chips__chip:last-child button").click();
        document.getElementById("id_headline").focus();
    }""")
    expect(chips).to_have_count(before)
    page.wait_for_timeout(400)  # past the pause before suggestions are shown
    expect(page.locator(".field-tags .tag-chips__suggestions")).to_be_hidden()
    expect(page.get_by_label("Tags:", exact=True)).to_have_attribute("aria-expanded", "false")
    open_page.watched[page].assert_clean("the story form")


def test_the_boxes_scripts_draw_are_named_and_the_mentions_clear_button_still_clears(
    open_page, seed, editor_user
):
    page = open_page()
    log_in(page, "desk")
    page.goto(f"/admin/articles/article/{seed.pk}/change/")

    # The body editor and the autocomplete boxes take their fields' names (drawn-names.js), the
    # bylines' boxes and the date and time boxes theirs from the server.
    expect(page.get_by_role("textbox", name="Body:", exact=True)).to_be_visible()
    expect(page.get_by_role("combobox", name="Section:", exact=True)).to_be_visible()
    expect(page.get_by_role("combobox", name="Lead image:", exact=True)).to_be_visible()
    expect(page.get_by_role("combobox", name="Reporter", exact=True)).to_have_count(2)
    expect(page.get_by_role("spinbutton", name="Order", exact=True)).to_have_count(2)
    expect(page.get_by_role("searchbox", name="Mentioned people:", exact=True)).to_be_visible()
    for name in ("Publication date", "Publication time", "Updated date", "Updated time"):
        expect(page.get_by_role("textbox", name=name, exact=True)).to_be_visible()

    # The "remove all" × of the mentioned people: one, beside the list of chips, not in it.
    people = page.locator("#id_mentioned_people + .select2 .select2-selection")
    chips = people.locator(".select2-selection__choice")
    expect(chips).to_have_count(seed.mentioned_people.count())
    clear = people.locator(".select2-selection__clear")
    expect(clear).to_have_count(1)
    expect(people.locator("ul .select2-selection__clear")).to_have_count(0)

    # A click on it still takes every person off (select2 opens its list then: a click away
    # closes it).
    clear.click()
    expect(chips).to_have_count(0)
    expect(clear).to_have_count(0)
    page.locator("#content h1").first.click()
    expect(page.locator(".select2-container--open")).to_have_count(0)
    assert page.locator("#id_mentioned_people").evaluate("el => el.selectedOptions.length") == 0

    # One chosen again: a single × again, out of the list, and the form saves just that person.
    choose(page, "id_mentioned_people", "Xu", "Xu Li")
    expect(chips).to_have_count(1)
    expect(clear).to_have_count(1)
    expect(people.locator("ul .select2-selection__clear")).to_have_count(0)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator("ul.messagelist li.success")).to_be_visible()
    assert [person.name for person in seed.mentioned_people.all()] == ["Xu Li"]
    open_page.watched[page].assert_clean("the story form")
