"""An editor works the wire queue (issue 19): filters it by agency, searches it, reads an item and
takes it to a draft story, which opens with the agency's headline, credit and text; a killed item
says so and cannot be taken. axe on the queue and the item's page; screenshots at 1280 and 375 px
in artifacts/screenshots/."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import SectionFactory
from tests.wire.conftest import make_wire_item
from wire import services
from wire.models import WireItem

from .conftest import DESKTOP, PHONE
from .support import body_editor, expect, log_in, screenshot, success_message
from .test_accessibility import axe_violations

QUEUE = "/admin/wire/wireitem/"
SAMPLES = Path(__file__).resolve().parents[1] / "wire" / "samples"
HEADLINE = "Typhoon Ragasa shuts Hong Kong container terminals"  # made up, as all the copy here
SUMMARY = "Terminal operators halted loading as the Observatory raised the No 8 signal."
KILLED = "Minister resigns over bridge contract"
# Fits the page at 375 px: the phone's list keeps only the item, its status and the button.
OVERFLOW = """() => {
    const table = document.querySelector('#changelist .results');
    return {
        page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        table: table.scrollWidth - table.clientWidth,
    };
}"""


@pytest.fixture
def queue():
    SectionFactory(name="Business", slug="business", order=0)
    SectionFactory(name="Greater Bay Area", slug="greater-bay-area", order=1)
    now = timezone.now()
    make_wire_item(
        provider="AFP",
        headline=KILLED,
        standfirst="The minister stepped down after an audit of the contract.",
        pubstatus=WireItem.PubStatus.CANCELED,
        versioncreated=now - dt.timedelta(minutes=50),
        subjects=[("medtop:11000000", "politics")],
    )
    make_wire_item(
        provider="Xinhua",
        headline="Shenzhen metro opens its 20th line",
        standfirst="The line links Qianhai with the airport in 18 minutes.",
        byline="",
        dateline="SHENZHEN",
        versioncreated=now - dt.timedelta(minutes=40),
        subjects=[("medtop:20000000", "transport")],
    )
    make_wire_item(
        provider="AFP",
        headline="Macau casino revenue climbs for a fifth month",
        standfirst="Gaming receipts rose 12 percent from a year earlier.",
        byline="By Lee Chan",
        dateline="MACAU",
        version=2,
        is_update=True,
        versioncreated=now - dt.timedelta(minutes=20),
        subjects=[("medtop:04000000", "economy, business and finance")],
    )
    return make_wire_item(
        provider="Reuters",
        headline=HEADLINE,
        standfirst=SUMMARY,
        byline="By Jane Doe",
        dateline="HONG KONG",
        body="<p>Loading stopped at all nine terminals at Kwai Tsing on Sunday morning.</p>"
        "<p>Shipping lines said vessels would wait outside the harbour until the signal is "
        "lowered.</p>",
        embargo_until=now + dt.timedelta(hours=3),
        versioncreated=now - dt.timedelta(minutes=5),
        subjects=[("medtop:17000000", "weather"), ("medtop:20000000", "transport")],
    )


def assert_axe_clean(page, what):
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page)
    assert violations == [], f"axe on {what}:\n" + "\n".join(violations)


def test_an_editor_takes_agency_copy_from_the_queue_to_a_draft(open_page, editor_user, queue):
    page = log_in(open_page(), editor_user.username)
    page.goto(QUEUE)
    expect(page.get_by_role("heading", name="Wire queue", level=1)).to_be_visible()
    results = page.locator("#result_list tbody tr")
    expect(results).to_have_count(4)
    expect(results.first.locator(".wire-headline")).to_have_text(HEADLINE)  # newest first
    expect(results.first.locator(".wire-summary")).to_have_text(SUMMARY)
    killed_row = results.filter(has_text=KILLED)
    expect(killed_row.locator(".wire-status--killed")).to_have_text("KILLED")
    expect(killed_row.get_by_role("button", name=re.compile("Take to draft"))).to_have_count(0)
    expect(results.filter(has_text="Macau casino")).to_contain_text("2 updated")
    assert_axe_clean(page, "the wire queue")
    screenshot(page, "wire-queue-1280")

    # By agency: AFP's two items only.
    filters = page.locator("#changelist-filter")
    filters.get_by_role("link", name="AFP", exact=True).click()
    expect(results).to_have_count(2)
    expect(page.locator("#result_list .wire-headline")).to_have_text(
        ["Macau casino revenue climbs for a fifth month", KILLED]
    )
    filters.get_by_role("link", name=re.compile("Clear all filters")).click()
    expect(results).to_have_count(4)

    # A word from the headline finds the item.
    page.locator("#searchbar").fill("Ragasa")
    page.locator("#searchbar").press("Enter")
    expect(results).to_have_count(1)
    results.first.get_by_role("link", name=re.compile(HEADLINE)).click()

    # The item, as an editor reads copy.
    expect(page.get_by_role("heading", name=HEADLINE, level=1)).to_be_visible()
    facts = page.locator(".wire-facts")
    expect(facts).to_contain_text("Reuters")
    expect(facts).to_contain_text("By Jane Doe")
    expect(facts).to_contain_text("transport, weather")
    expect(page.locator(".wire-banner--embargo")).to_contain_text("Embargoed until")
    expect(page.locator(".wire-copy")).to_contain_text("Loading stopped at all nine terminals")
    raw = page.locator("details.wire-raw")
    expect(raw.locator("pre")).not_to_be_visible()
    raw.locator("summary").click()
    expect(raw.locator("pre")).to_contain_text('"headline": "Typhoon Ragasa')
    assert_axe_clean(page, "the item's page")
    screenshot(page, "wire-item-1280")

    page.get_by_label("Section").select_option(label="Greater Bay Area")
    page.get_by_role("button", name="Take to draft").click()

    # The draft story's form, with the agency's copy.
    expect(success_message(page)).to_have_text(
        f"Taken to a draft story: “{HEADLINE}”, credited to Reuters. Edit it here; the "
        "agency's copy stays in the wire queue."
    )
    story = Article.objects.get()
    expect(page).to_have_url(re.compile(rf"/admin/articles/article/{story.pk}/change/$"))
    expect(page.get_by_label("Headline:", exact=True)).to_have_value(HEADLINE)
    expect(page.locator("#id_credit")).to_have_value("By Jane Doe, Reuters")
    expect(body_editor(page)).to_contain_text("Loading stopped at all nine terminals")
    assert (story.status, story.section.name) == (Article.Status.DRAFT, "Greater Bay Area")
    open_page.watched[page].assert_clean("the journey")

    # Back in the queue, the item is taken and leads to the story.
    page.goto(QUEUE)
    row = results.filter(has_text=HEADLINE)
    expect(row.locator(".wire-status--taken")).to_have_text("Taken")
    row.get_by_role("link", name="the story").click()
    expect(page).to_have_url(re.compile(rf"/admin/articles/article/{story.pk}/change/$"))


def test_a_killed_item_shows_its_banner_and_no_take_button(open_page, editor_user, queue):
    page = log_in(open_page(), editor_user.username)
    page.goto(QUEUE)
    page.locator("#changelist-filter").get_by_role("link", name="Killed", exact=True).click()
    results = page.locator("#result_list tbody tr")
    expect(results).to_have_count(1)
    results.first.get_by_role("link", name=re.compile(KILLED)).click()

    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("The agency killed this item")
    expect(banner).to_contain_text("do not use it")
    expect(page.get_by_role("button", name="Take to draft")).to_have_count(0)
    assert_axe_clean(page, "a killed item's page")
    screenshot(page, "wire-item-killed-1280")


@pytest.mark.parametrize("width", ["1280", "375"])
def test_the_queue_and_an_item_fit_the_screen(open_page, editor_user, queue, width):
    page = log_in(open_page(viewport=DESKTOP if width == "1280" else PHONE), "desk")
    page.goto(QUEUE)
    headline = page.locator("#result_list .wire-headline", has_text=HEADLINE)
    expect(headline).to_be_visible()
    box = headline.bounding_box()
    viewport = page.viewport_size
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    assert page.evaluate(OVERFLOW) == {"page": 0, "table": 0}
    if width == "375":
        screenshot(page, "wire-queue-375")
    else:
        expect(page.locator("#result_list th", has_text="Subjects")).to_be_visible()

    page.goto(f"{QUEUE}{queue.pk}/change/")
    for whole in (
        page.get_by_role("heading", level=1),
        page.get_by_role("button", name="Take to draft"),
    ):
        expect(whole).to_be_visible()
        box = whole.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow == 0
    if width == "375":
        screenshot(page, "wire-item-375")


def test_an_ingested_newsml_item_reads_as_copy(open_page, editor_user):
    SectionFactory(name="Business", slug="business")
    sample = SAMPLES / "newsml-xhtml.xml"
    result = services.ingest_file(sample.name, sample.read_bytes())
    assert result.ok, result.error
    item = WireItem.objects.get()

    page = log_in(open_page(), editor_user.username)
    page.goto(QUEUE)
    page.get_by_role("link", name=re.compile("Thousand kites fly")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(item.headline)
    copy = page.locator(".wire-copy")
    expect(copy.get_by_role("heading", name="Wind from the east")).to_be_visible()
    expect(copy.locator("li")).to_have_text(["Longest tail: 40 metres", "Smallest kite: a stamp"])
    expect(copy.locator("blockquote")).to_contain_text("The wind did all the work")
    expect(copy).not_to_contain_text("not copy")
    expect(page.locator(".wire-facts")).to_contain_text("Xinhua")
    expect(page.locator(".wire-source")).to_contain_text("newsml-xhtml.xml")
    page.locator("details.wire-raw summary").click()
    expect(page.locator("details.wire-raw pre")).to_contain_text("<newsItem")
    assert_axe_clean(page, "an ingested NewsML-G2 item's page")
    screenshot(page, "wire-item-newsml-1280")
    open_page.watched[page].assert_clean("the item's page")
