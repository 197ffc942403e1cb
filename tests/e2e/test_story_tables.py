"""A reporter puts a table in a story with the editor's toolbar; readers see it whole at 1280 and
375 pixels (issue 17's first piece of story furniture)."""

from articles.models import Article

from .conftest import DESKTOP, PHONE
from .support import body_editor, choose, editor_button, expect, log_in, screenshot, success_message

HEADLINE = "Ferry timetable changes for the winter"  # made up, not the seed's


def test_a_reporter_inserts_a_table_and_readers_see_it(open_page, seed, reporter_user):
    page = log_in(open_page(), "zhipeng")
    page.goto("/admin/articles/article/add/")
    page.get_by_label("Headline:", exact=True).fill(HEADLINE)
    page.get_by_label("Dateline:", exact=True).fill("Hong Kong")
    choose(page, "id_section", "Greater", "Greater Bay Area")
    body_editor(page).locator("[contenteditable=true]").click()
    page.keyboard.type("The winter sailings, from Monday.")
    page.keyboard.press("Enter")

    editor_button(page, "table").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Rows").fill("2")
    dialog.get_by_label("Columns").fill("2")
    dialog.get_by_label("Include header row").select_option("Yes")
    dialog.get_by_role("button", name="Insert Table").click()
    for n, cell in enumerate(("Route", "First sailing", "Qianhai to Central", "07:30")):
        if n:
            page.keyboard.press("Tab")  # to the next cell (Tab in the last one adds a row)
        page.keyboard.type(cell)

    page.get_by_role("button", name="Save and continue editing").click()
    expect(success_message(page)).to_contain_text("was added successfully")
    story = Article.objects.get(headline=HEADLINE)
    assert "<th><p>Route</p></th>" in story.body and "<td><p>07:30</p></td>" in story.body

    story.status = Article.Status.PUBLISHED
    story.published_at = story.created_at
    story.save()
    for width, viewport in {"1280": DESKTOP, "375": PHONE}.items():
        reader = open_page(viewport=viewport)
        reader.goto(story.get_absolute_url())
        table = reader.locator(".story-body table")
        expect(table.locator("th")).to_have_text(["Route", "First sailing"])
        expect(table.locator("td")).to_have_text(["Qianhai to Central", "07:30"])
        overflow = reader.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the story page scrolls sideways by {overflow} px at {width} px"
        table.scroll_into_view_if_needed()
        screenshot(reader, f"story-table-{width}")
