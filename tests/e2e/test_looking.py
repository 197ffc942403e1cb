"""How the pages look at 1280 and 375 pixels wide: a screenshot of each (artifacts/screenshots/),
and what a person would notice: errors, broken requests, sideways scrolling, images without alt
text, a headline below the fold."""

import pytest

from .conftest import DESKTOP, PHONE
from .support import expect, log_in, screenshot

WIDTHS = {"1280": DESKTOP, "375": PHONE}


@pytest.fixture
def site(pictured_site, editor_user):
    return pictured_site


PAGES = {
    "home": lambda story: "/",
    "article": lambda story: story.get_absolute_url(),
    "reporter": lambda story: "/reporters/chang-zhipeng/",
    "person": lambda story: "/people/choi-koon-shum/",
    "organization": lambda story: "/organizations/institute-of-international-trade-rules/",
    "search": lambda story: "/search/?q=Qianhai+forum",
    "admin-article-form": lambda story: f"/admin/articles/article/{story.pk}/change/",
}

SCROLL_WIDTH = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
IMAGES_WITHOUT_ALT = """(requireText) => [...document.images]
    .filter(img => !img.hasAttribute('alt') || (requireText && !img.alt.trim()))
    .map(img => img.outerHTML.slice(0, 200))"""
BROKEN_IMAGES = """() => [...document.images]
    .filter(img => !img.complete || img.naturalWidth === 0)
    .map(img => img.currentSrc || img.src)"""


@pytest.mark.parametrize("name", PAGES)
def test_page_at_desktop_and_phone_widths(open_page, site, name):
    is_admin = name.startswith("admin")
    for width, viewport in WIDTHS.items():
        page = open_page(viewport=viewport)
        watched = open_page.watched[page]
        if is_admin:
            log_in(page, "desk")
        watched.clear()
        page.goto(PAGES[name](site))
        if is_admin:
            expect(page.locator(".field-body [contenteditable=true]")).to_be_visible()
        else:
            expect(page.locator("main h1").first).to_be_attached()
        where = f"{name} at {width} px"

        if name == "article":
            headline = page.locator(".story-header h1")
            expect(headline).to_be_visible()
            box = headline.bounding_box()
            assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (
                f"the headline is not above the fold on {where}: {box}"
            )

        if viewport is PHONE:
            overflow = page.evaluate(SCROLL_WIDTH)
            assert overflow <= 0, f"{where} scrolls sideways by {overflow} px"

        # Every image: alt text (reader pages: words; the admin's icons may be decorative, alt="").
        assert page.evaluate(IMAGES_WITHOUT_ALT, not is_admin) == [], where
        # Bring lazy images in, so a broken one shows up as a failed request.
        for image in page.locator("img").all():
            if image.is_visible():
                image.scroll_into_view_if_needed()
        page.wait_for_function("() => [...document.images].every(img => img.complete)")
        assert page.evaluate(BROKEN_IMAGES) == [], where
        page.evaluate("() => window.scrollTo(0, 0)")
        screenshot(page, f"{name}-{width}")
        watched.assert_clean(where)
