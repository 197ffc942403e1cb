"""A reporter sets a pull quote and a fact box in a story with the editor's toolbar; readers see
them at 1280 and 375 pixels (issue 17: pull quotes and fact boxes)."""

from articles.models import Article

from .conftest import DESKTOP, PHONE
from .support import body_editor, choose, editor_button, expect, log_in, screenshot, success_message

HEADLINE = "Night ferries to run all winter"  # made up, not the seed's


def test_a_reporter_sets_a_pull_quote_and_a_fact_box(open_page, seed, reporter_user):
    page = log_in(open_page(), "zhipeng")
    page.goto("/admin/articles/article/add/")
    page.get_by_label("Headline:", exact=True).fill(HEADLINE)
    page.get_by_label("Dateline:", exact=True).fill("Hong Kong")
    choose(page, "id_section", "Greater", "Greater Bay Area")
    text = body_editor(page).locator("[contenteditable=true]")
    text.click()
    page.keyboard.type("The operator said the boats would run until March.")
    page.keyboard.press("Enter")
    page.keyboard.type("The night is ours now.")
    editor_button(page, "pullQuote").click()
    expect(text.locator("blockquote.pull-quote")).to_have_text("The night is ours now.")
    page.keyboard.press("Enter")
    page.keyboard.type("— A ferry captain")
    # Out of the pull quote, then a fact box around a new paragraph.
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("Sailings every 40 minutes")
    editor_button(page, "factBox").click()
    expect(text.locator("aside.fact-box")).to_have_text("Sailings every 40 minutes")

    page.get_by_role("button", name="Save and continue editing").click()
    expect(success_message(page)).to_contain_text("was added successfully")
    story = Article.objects.get(headline=HEADLINE)
    assert '<blockquote class="pull-quote"><p>The night is ours now.</p>' in story.body
    assert "<p>— A ferry captain</p>" in story.body
    assert '<aside class="fact-box"><p>Sailings every 40 minutes</p>' in story.body
    # The editor opens the saved story with the same boxes.
    page.reload()
    expect(text.locator("blockquote.pull-quote")).to_have_count(1)
    expect(text.locator("aside.fact-box")).to_have_count(1)

    story.status = Article.Status.PUBLISHED
    story.published_at = story.created_at
    story.save()
    for width, viewport in {"1280": DESKTOP, "375": PHONE}.items():
        reader = open_page(viewport=viewport)
        reader.goto(story.get_absolute_url())
        expect(reader.locator(".story-body .pull-quote p").first).to_have_text(
            "The night is ours now."
        )
        expect(reader.locator(".story-body .fact-box")).to_contain_text("Sailings every 40 minutes")
        overflow = reader.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the story page scrolls sideways by {overflow} px at {width} px"
        screenshot(reader, f"story-furniture-{width}")
