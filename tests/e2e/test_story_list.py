"""The story list at 1280 and 375 px: nothing scrolls sideways, not the page nor the table, and
every column shown is whole; screenshots in artifacts/screenshots/."""

import pytest

from tests.factories import ArticleFactory, BylineFactory

from .conftest import DESKTOP, PHONE
from .support import expect, log_in, screenshot

OVERFLOW = """() => {
    const table = document.querySelector('#changelist .results');
    return {
        page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        table: table.scrollWidth - table.clientWidth,
    };
}"""


@pytest.mark.parametrize("width", ["1280", "375"])
def test_the_story_list_fits_the_screen(open_page, editor_user, seed, width):
    for n in range(6):
        story = ArticleFactory(headline=f"Harbour ferries change their timetable, part {n}")
        BylineFactory(article=story, reporter=seed.bylines.get().reporter)
    page = log_in(open_page(viewport=DESKTOP if width == "1280" else PHONE), "desk")
    page.goto("/admin/articles/article/")
    expect(page.get_by_role("heading", name="Stories")).to_be_visible()
    row = page.locator("#result_list tr", has_text=seed.headline)
    expect(row.locator(".story-bylines")).to_have_text("Chang Zhipeng")
    expect(row).to_contain_text("Published")
    if width == "1280":
        expect(row).to_contain_text("24 November 2026")
        expect(page.locator("#result_list th", has_text="Last changed")).to_be_visible()
    assert page.evaluate(OVERFLOW) == {"page": 0, "table": 0}
    screenshot(page, f"story-list-{width}")
