"""Accessibility in the browser: axe-core (shipped with axe-playwright-python, run in the page) on
the reader's pages, and the story page used with a keyboard only."""

import pytest

from .support import expect

PAGES = {
    "home": "/",
    "article": "/stories/qianhai-forum-draws-1200-representatives/",
    "section": "/sections/greater-bay-area/",  # the section's front
    "tag": "/tags/hong-kong/",
    "reporter": "/reporters/chang-zhipeng/",
    "person": "/people/xu-li/",
    "organization": "/organizations/university-of-international-business-and-economics/",
    "archive": "/archive/",
    "archive-day": "/archive/2026/11/24/",
    "search": "/search/?q=Qianhai",
    "search-nothing-found": "/search/?q=zzyzx",
    "404": "/no-such-page/",
}
BLOCKING = {"serious", "critical"}


def axe_violations(page):
    """axe-core's violations on the page as loaded, one line each with the elements at fault."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['impact']}: {violation['id']} ({violation['help']}) at "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_or_critical_axe_violations(open_page, pictured_site, name):
    page = open_page()
    response = page.goto(PAGES[name])
    assert response.status == (404 if name == "404" else 200)
    expect(page.locator("main h1").first).to_be_attached()
    violations = axe_violations(page)
    assert violations == [], f"axe on {PAGES[name]}:\n" + "\n".join(violations)


# Every element a keyboard can reach, in the page as loaded: what the Tab key must visit.
MARK_CONTROLS = """() => {
    const selector = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]),'
        + ' select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
    const controls = [...document.querySelectorAll(selector)].filter(
        element => element.getClientRects().length > 0
            && getComputedStyle(element).visibility !== 'hidden');
    controls.forEach((element, index) => element.setAttribute('data-e2e-control', index));
    return controls.map(element => (element.textContent || element.name || element.id).trim());
}"""
FOCUSED = """() => {
    const element = document.activeElement;
    return element ? element.getAttribute('data-e2e-control') : null;
}"""


def test_the_skip_link_takes_a_keyboard_user_to_the_story(open_page, pictured_site):
    page = open_page()
    page.goto(PAGES["article"])
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{page.url.split('#')[0]}#content")
    expect(page.locator("main#content")).to_be_focused()
    # The next Tab goes on inside the story, not back to the masthead.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")


def test_every_control_on_the_story_page_is_reachable_by_keyboard(open_page, pictured_site):
    page = open_page()
    page.goto(PAGES["article"])
    expect(page.locator(".story-header h1")).to_be_visible()
    names = page.evaluate(MARK_CONTROLS)
    assert len(names) > 10, names  # masthead, breadcrumbs, bylines, tags, mentions, footer

    reached, focus_shown = [], True
    for _ in range(len(names) + 5):
        page.keyboard.press("Tab")
        index = page.evaluate(FOCUSED)
        if index is None or (reached and index == reached[0]):
            break  # out of the page, or round again
        reached.append(index)
        focus_shown &= page.evaluate(
            "() => getComputedStyle(document.activeElement).outlineStyle !== 'none'"
        )
    missed = [name for index, name in enumerate(names) if str(index) not in reached]
    assert missed == [], f"not reachable with Tab: {missed}"
    assert reached == sorted(reached, key=int), "Tab order does not follow the page"
    assert focus_shown, "a control shows no focus outline"
