"""The reader's pages full of (synthetic) demo stories with pictures, at 1280 and 375 pixels: the
home and a section front, a story with a picture and one without, a reporter, a person and an
organization with their portraits, search, a tag and the archive. Each is screenshot
(artifacts/screenshots/demo-*.png) and checked for what a reader would notice: sideways
scrolling, images without alt text or that fail to load, errors, axe's serious and critical
violations, and, on a phone, the first story starting within the first screen."""

import pytest
from django.core.management import call_command

from articles.models import Article
from people.models import Organization, Person, Reporter

from .conftest import DESKTOP, PHONE
from .support import expect, screenshot
from .test_accessibility import axe_violations
from .test_looking import BROKEN_IMAGES, IMAGES_WITHOUT_ALT, SCROLL_WIDTH

# Characters a line in the story's body: each character of the longest paragraph placed by the
# browser, counted by the line it lands on; the median of the lines but the last (short) one.
MEASURE = """() => {
    const p = [...document.querySelectorAll('.story-body p')]
        .sort((a, b) => b.textContent.length - a.textContent.length)[0];
    const text = p.firstChild, range = document.createRange(), lines = new Map();
    for (let i = 0; i < text.length; i++) {
        range.setStart(text, i); range.setEnd(text, i + 1);
        const top = Math.round(range.getBoundingClientRect().top);
        lines.set(top, (lines.get(top) || 0) + 1);
    }
    const counts = [...lines.values()].slice(0, -1).sort((a, b) => a - b);
    return counts[Math.floor(counts.length / 2)];
}"""


@pytest.fixture
def demo_site(seed):
    call_command("seed_demo", articles=60, pictures=12, verbosity=0)
    pictured = Article.objects.published().filter(is_demo=True, lead_image__isnull=False).first()
    plain = Article.objects.published().filter(is_demo=True, lead_image__isnull=True).first()
    linked = Article.objects.published().filter(is_demo=True)
    person = Person.objects.filter(photo__isnull=False, mentioned_in__in=linked).first()
    organization = Organization.objects.filter(is_demo=True, mentioned_in__in=linked).first()
    reporter = Reporter.objects.filter(is_demo=True, photo__isnull=False, articles__in=linked)
    return {
        "home": "/",
        "section front": pictured.section.get_absolute_url(),
        "story with a picture": pictured.get_absolute_url(),
        "story without one": plain.get_absolute_url(),
        "reporter": reporter.first().get_absolute_url(),
        "person": person.get_absolute_url(),
        "organization": organization.get_absolute_url(),
        "search": "/search/?q=plan",
        "tag": f"/tags/{pictured.tags.first().slug}/",
        "archive": f"/archive/{pictured.published_at:%Y/%m}/",
    }


def test_every_page_type_with_demo_data_at_desktop_and_phone_widths(open_page, demo_site):
    for width, viewport in {"1280": DESKTOP, "375": PHONE}.items():
        page = open_page(viewport=viewport)
        watched = open_page.watched[page]
        for name, path in demo_site.items():
            where = f"{name} ({path}) at {width} px"
            watched.clear()
            response = page.goto(path)
            assert response.status == 200, where
            expect(page.locator("main h1").first).to_be_attached()
            overflow = page.evaluate(SCROLL_WIDTH)
            assert overflow <= 0, f"{where} scrolls sideways by {overflow} px"
            assert page.evaluate(IMAGES_WITHOUT_ALT, True) == [], where
            if name.startswith("story") and viewport is DESKTOP:
                measure = page.evaluate(MEASURE)
                assert 60 <= measure <= 75, f"{where}: {measure:.0f} characters a line"
            if name in ("home", "section front") and viewport is PHONE:
                first = page.locator("main .card-headline").first
                box = first.bounding_box()
                assert box["y"] + box["height"] <= viewport["height"], (
                    f"the first story is below the first screen on {where}: {box}"
                )
            for image in page.locator("main img").all():
                if image.is_visible():
                    image.scroll_into_view_if_needed()
            page.wait_for_function("() => [...document.images].every(img => img.complete)")
            assert page.evaluate(BROKEN_IMAGES) == [], where
            page.evaluate("() => window.scrollTo(0, 0)")
            if viewport is DESKTOP:
                violations = axe_violations(page)
                assert violations == [], f"axe on {where}:\n" + "\n".join(violations)
            screenshot(page, f"demo-{name.replace(' ', '-')}-{width}")
            watched.assert_clean(where)
