"""The newsroom's journeys in a real browser: a reporter files a story, an editor publishes it, a
reader finds it; two editors collide; a correction; wire copy through the admin's import page."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from articles.models import Article
from people.models import Person, Reporter
from tests.factories import ArticleFactory, BylineFactory, ReporterFactory, SectionFactory
from tests.photos import pictures

from .support import (
    ROOT,
    body_editor,
    choose,
    editor_button,
    expect,
    log_in,
    next_frame,
    success_message,
)

HEADLINE = "Ferry line to the airport opens in Shenzhen"
SEARCH_WORD = "hydrofoil"


@pytest.fixture
def colleague():
    """A second reporter for the byline."""
    return ReporterFactory(name="Li Wei", slug="li-wei", email="li.wei@example.org")


def test_a_reporter_writes_a_story_previews_it_and_submits_it_for_review(
    open_page, reporter_user, colleague
):
    page = open_page()
    log_in(page, "zhipeng")
    # The index's Stories row (its section heading, a link to the app's page, says Stories too).
    page.locator("#articles-article").get_by_role("link", name="Stories").click()
    page.get_by_role("link", name=re.compile("Add story")).click()
    expect(page.get_by_role("heading", name="Add story")).to_be_visible()

    headline = page.get_by_label("Headline:", exact=True)
    headline.fill("Qianhai opens its first hydrofoil ferry terminal")
    headline.press("Tab")  # the admin makes the slug from the headline as it changes
    expect(page.locator("#id_slug")).to_have_value(
        "qianhai-opens-its-first-hydrofoil-ferry-terminal"
    )
    page.get_by_label("Standfirst:", exact=True).fill(
        "Boats to the airport leave every half hour from Monday."
    )

    # The body, in the rich text editor: a paragraph with bold words, one with a link, a list.
    editor = body_editor(page).locator("[contenteditable=true]")
    editor.click()
    page.keyboard.type("The terminal is ")
    editor_button(page, "bold").click()
    page.keyboard.type("open from six in the morning")
    editor_button(page, "bold").click()
    page.keyboard.type(" until midnight.")
    page.keyboard.press("Enter")
    page.keyboard.type("Read the timetable")
    # A triple click selects the paragraph's words; the editor takes it itself, where a keyboard
    # selection (Shift+Home) reaches it through the page's selection events, which it sometimes
    # let pass unseen on CI (the link button then stays disabled).
    editor.locator("p", has_text="Read the timetable").click(click_count=3)
    expect(editor_button(page, "link")).not_to_have_class(re.compile(r"\bdisabled\b"))
    editor_button(page, "link").click()
    dialog = page.locator("dialog.prose-editor-dialog")
    dialog.get_by_label("URL").fill("https://example.org/timetable")
    dialog.get_by_role("button", name="Update").click()
    expect(dialog).to_be_hidden()
    expect(editor.locator("a")).to_have_text("Read the timetable")
    # The editor puts its selection (the linked words) back into the page on the next animation
    # frame: an End pressed before then is undone, and the words typed next replace the link.
    next_frame(page)
    page.keyboard.press("End")
    page.keyboard.type(" before you travel.")
    page.keyboard.press("Enter")
    editor_button(page, "bulletList").click()
    page.keyboard.type("Tickets cost 50 yuan")
    page.keyboard.press("Enter")
    page.keyboard.type("Children under six travel free")
    expect(editor.locator("strong")).to_have_text("open from six in the morning")
    expect(editor.locator("a")).to_have_attribute("href", "https://example.org/timetable")
    expect(editor.locator("a")).to_have_text("Read the timetable")
    expect(editor.locator("ul li")).to_have_count(2)

    page.get_by_label("Dateline:", exact=True).fill("Shenzhen")
    choose(page, "id_section", "Greater", "Greater Bay Area")

    # Bylines: the reporter, then a second one.
    choose(page, "id_bylines-0-reporter", "Chang", "Chang Zhipeng")
    page.get_by_text("Add another Byline").click()
    choose(page, "id_bylines-1-reporter", "Li", "Li Wei")
    page.locator("#id_bylines-1-order").fill("1")

    page.get_by_label("Tags:", exact=True).fill("Qianhai, Ferries")
    choose(page, "id_mentioned_people", "Xu", "Xu Li")

    page.get_by_role("button", name="Save and continue editing").click()
    expect(success_message(page)).to_contain_text("was added successfully")

    story = Article.objects.get(slug="qianhai-opens-its-first-hydrofoil-ferry-terminal")
    assert story.status == Article.Status.DRAFT
    assert [b.reporter.name for b in story.bylines.order_by("order")] == ["Chang Zhipeng", "Li Wei"]
    assert sorted(story.tags.names()) == ["Ferries", "Qianhai"]
    assert list(story.mentioned_people.values_list("name", flat=True)) == ["Xu Li"]

    # The preview opens in a new tab, showing the story as readers will see it.
    with page.context.expect_page() as opened:
        page.locator(".object-tools").get_by_role("link", name="Preview").click()
    preview = opened.value
    expect(preview.locator(".preview-banner")).to_contain_text("not published")
    expect(preview.locator("h1")).to_have_text("Qianhai opens its first hydrofoil ferry terminal")
    body = preview.locator(".story-body")
    expect(body.locator("strong")).to_have_text("open from six in the morning")
    expect(body.get_by_role("link", name="Read the timetable")).to_have_attribute(
        "href", "https://example.org/timetable"
    )
    expect(body.locator("ul > li")).to_have_text(
        ["Tickets cost 50 yuan", "Children under six travel free"]
    )
    expect(preview.locator(".story-header .byline")).to_have_text("By Chang Zhipeng and Li Wei")
    expect(preview.locator(".tags")).to_contain_text("Ferries")
    expect(preview.locator(".mentions")).to_contain_text("Xu Li")
    preview.close()

    # Publishing is not offered: neither in the status list nor as an action on the story list.
    status = page.get_by_label("Status:", exact=True)
    expect(status.locator("option")).to_have_text(["Draft", "In review"])
    status.select_option(label="In review")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(success_message(page)).to_contain_text("was changed successfully")
    story.refresh_from_db()
    assert story.status == Article.Status.REVIEW
    expect(page.locator("#changelist")).to_be_visible()
    expect(page.locator("select[name=action] option[value=publish_now]")).to_have_count(0)

    # A forged publish is refused by the server: the list's "Publish now" action posted by hand,
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    forged = page.request.post(
        "/admin/articles/article/",
        form={
            "csrfmiddlewaretoken": csrf,
            "action": "publish_now",
            "_selected_action": str(story.pk),
            "index": "0",
        },
        headers={"Referer": page.url},
    )
    assert forged.status == 200  # got past the CSRF check, to the list, which ignored it
    story.refresh_from_db()
    assert story.status == Article.Status.REVIEW
    # and "Published" added to the form's status list by hand.
    page.locator("#result_list").get_by_role(
        "link", name="Qianhai opens its first hydrofoil ferry terminal"
    ).click()
    expect(page.get_by_label("Status:", exact=True)).to_have_value("review")
    page.evaluate(
        """() => {
            const select = document.querySelector('#id_status');
            select.add(new Option('Published', 'published'));
            select.value = 'published';
        }"""
    )
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".field-status .errorlist")).to_contain_text(
        re.compile("valid choice|Only an editor can publish")
    )
    story.refresh_from_db()
    assert story.status == Article.Status.REVIEW
    assert not Article.objects.published().filter(pk=story.pk).exists()
    response = page.request.get(story.get_absolute_url())
    assert response.status == 404


def test_a_reporter_adds_a_photo_with_alt_text_to_their_story(
    open_page, reporter_user, seed, tmp_path
):
    """The lead image's "+" opens the library's upload form in a popup; the picture comes back
    selected, and the preview shows it with its alt text."""
    story = ArticleFactory(
        headline="Qianhai's new ferry terminal",
        slug="qianhai-ferry-terminal",
        section=seed.section,
        status=Article.Status.DRAFT,
        published_at=None,
        created_by=reporter_user,
    )
    BylineFactory(article=story, reporter=Reporter.objects.get(slug="chang-zhipeng"), order=0)
    photo = tmp_path / "terminal.jpg"
    photo.write_bytes(pictures.jpeg((1200, 800)))

    page = open_page()
    log_in(page, "zhipeng")
    page.goto(f"/admin/articles/article/{story.pk}/change/")
    lead_image = page.locator(".field-lead_image")
    expect(lead_image).to_be_visible()
    add_photo = lead_image.locator("#add_id_lead_image")
    assert add_photo.count() == 1, (
        "A reporter is offered no way to add a photo: there is no '+' (add) beside Lead image"
    )
    with page.expect_popup() as popup_info:
        add_photo.click()
    popup = popup_info.value
    popup.get_by_label("File").set_input_files(photo)
    popup.get_by_label("Alt text").fill("The terminal's glass hall at dawn")
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#id_lead_image + .select2")).to_contain_text(
        "The terminal's glass hall at dawn"
    )
    page.get_by_role("button", name="Save and continue editing").click()
    expect(success_message(page)).to_be_visible()
    story.refresh_from_db()
    assert story.lead_image.alt_text == "The terminal's glass hall at dawn"

    with page.context.expect_page() as opened:
        page.locator(".object-tools").get_by_role("link", name="Preview").click()
    preview = opened.value
    image = preview.locator(".lead-image img")
    expect(image).to_have_attribute("alt", "The terminal's glass hall at dawn")
    expect(image).to_be_visible()
    preview.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )


@pytest.fixture
def story_in_review(seed, reporter_user):
    """A reporter's story waiting for an editor, with a tag, a byline and a mention to follow."""
    story = ArticleFactory(
        headline="Ferry line to the airport opens",
        slug="ferry-line-to-the-airport",
        standfirst="A boat every half hour from Qianhai to the airport.",
        body=f"<p>The new {SEARCH_WORD} service links Qianhai and the airport.</p>"
        "<p>Xu Li of SenseTime was among the first passengers.</p>",
        section=seed.section,
        status=Article.Status.REVIEW,
        published_at=None,
        created_by=reporter_user,
    )
    BylineFactory(article=story, reporter=Reporter.objects.get(slug="chang-zhipeng"), order=0)
    story.tags.add("Ferries")
    story.mentioned_people.add(Person.objects.get(slug="xu-li"))
    return story


def test_an_editor_schedules_then_publishes_and_a_reader_finds_the_story(
    open_page, editor_user, story_in_review
):
    editor = open_page()
    log_in(editor, "desk")
    editor.goto("/admin/articles/article/")
    editor.locator("#changelist-filter").get_by_role("link", name="In review").click()
    expect(editor).to_have_url(re.compile(r"status=review"))
    editor.locator("#result_list").get_by_role(
        "link", name="Ferry line to the airport opens"
    ).click()

    editor.get_by_label("Headline:", exact=True).fill(HEADLINE)
    editor.get_by_label("Status:", exact=True).select_option(label="Published")
    soon = timezone.localtime() + dt.timedelta(minutes=1)
    editor.locator("#id_published_at_0").fill(soon.strftime("%Y-%m-%d"))
    editor.locator("#id_published_at_1").fill(soon.strftime("%H:%M:%S"))
    editor.get_by_role("button", name="Save", exact=True).click()
    expect(success_message(editor)).to_contain_text("was changed successfully")
    # Back on the list of stories in review, which it has left; it is among the scheduled.
    expect(editor.locator("#result_list tr", has_text=HEADLINE)).to_have_count(0)
    editor.locator("#changelist-filter").get_by_role("link", name="Scheduled").click()
    row = editor.locator("#result_list tr", has_text=HEADLINE)
    expect(row).to_contain_text("Scheduled for")

    reader = open_page()
    reader.goto("/")
    expect(reader.locator("main")).not_to_contain_text(HEADLINE)

    # Publish now, from the story list.
    row.locator("input.action-select").check()
    editor.locator("select[name=action]").select_option("publish_now")
    editor.get_by_role("button", name="Run").or_(editor.get_by_role("button", name="Go")).click()
    expect(success_message(editor)).to_contain_text("1 story published")
    story = Article.objects.get(pk=story_in_review.pk)
    assert story.headline == HEADLINE
    assert story.is_public

    # The reader's front page has it; the reader follows a tag, a reporter and a person.
    reader.goto("/")
    reader.get_by_role("link", name=HEADLINE).first.click()
    expect(reader.locator("h1")).to_have_text(HEADLINE)
    story_url = reader.url

    reader.locator(".tags").get_by_role("link", name="Ferries").click()
    expect(reader.locator("h1")).to_have_text("Ferries")
    expect(reader.get_by_role("link", name=HEADLINE)).to_be_visible()

    reader.goto(story_url)
    reader.locator(".story-header .byline").get_by_role("link", name="Chang Zhipeng").click()
    expect(reader.locator("h1")).to_have_text("Chang Zhipeng")
    expect(reader.get_by_role("link", name=HEADLINE)).to_be_visible()

    reader.goto(story_url)
    reader.locator(".mentions").get_by_role("link", name="Xu Li").click()
    expect(reader.locator("h1")).to_contain_text("Xu Li")
    expect(reader.get_by_role("link", name=HEADLINE)).to_be_visible()

    # Search for a word that is only in the body.
    search = reader.get_by_role("searchbox", name="Search stories")
    search.fill(SEARCH_WORD)
    search.press("Enter")
    expect(reader.locator(".search-summary")).to_contain_text("1 story found")
    results = reader.locator(".search-results")
    expect(results.get_by_role("link", name=HEADLINE)).to_be_visible()
    expect(results.locator("mark").first).to_have_text(re.compile(SEARCH_WORD, re.IGNORECASE))

    # The RSS feed the page advertises, opened in the browser (which shows it as text).
    reader.goto("/")
    feed = reader.locator("link[rel=alternate][type='application/rss+xml']").first
    response = reader.goto(feed.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"].startswith("application/rss+xml")
    expect(reader.locator("body")).to_contain_text(f"<title>{HEADLINE}</title>")


def test_two_editors_edit_the_same_story_and_the_second_save_keeps_the_typed_text(
    open_page, editor_user, second_editor_user, seed
):
    first = log_in(open_page(), "desk")
    second = log_in(open_page(), "slot")
    change_url = f"/admin/articles/article/{seed.pk}/change/"
    first.goto(change_url)
    second.goto(change_url)
    expect(body_editor(second).locator("[contenteditable=true]")).to_contain_text("APPROXIMATELY")

    first.get_by_label("Standfirst:", exact=True).fill(
        "The forum ended on Saturday with 1,200 delegates."
    )
    first.get_by_role("button", name="Save and continue editing").click()
    expect(success_message(first)).to_contain_text("was changed successfully")

    typed_headline = "Qianhai Forum ends with a call for closer ties with Hong Kong"
    second.get_by_label("Headline:", exact=True).fill(typed_headline)
    editor = body_editor(second).locator("[contenteditable=true]")
    editor.locator("p").last.click()
    second.keyboard.press("End")
    second.keyboard.press("Enter")
    second.keyboard.type("The next forum is planned for spring.")
    second.get_by_role("button", name="Save and continue editing").click()

    expect(second.locator(".errorlist.nonfield")).to_contain_text(
        re.compile(r"Not saved: Night Editor saved this story at .*after you opened it")
    )
    expect(second.get_by_label("Headline:", exact=True)).to_have_value(typed_headline)
    expect(body_editor(second).locator("[contenteditable=true]")).to_contain_text(
        "The next forum is planned for spring."
    )
    seed.refresh_from_db()
    assert seed.headline != typed_headline
    assert seed.standfirst == "The forum ended on Saturday with 1,200 delegates."
    assert "planned for spring" not in seed.body


def test_an_editor_adds_a_correction_and_the_reader_sees_it(open_page, editor_user, seed):
    editor = log_in(open_page(), "desk")
    editor.goto(f"/admin/articles/article/{seed.pk}/change/")
    editor.get_by_text("Add another Correction").click()
    editor.locator("#id_corrections-0-kind").select_option(label="Correction")
    text = "An earlier version said the forum began on Saturday. It ended on Saturday."
    editor.locator("#id_corrections-0-text").fill(text)
    editor.get_by_role("button", name="Save", exact=True).click()
    expect(success_message(editor)).to_contain_text("was changed successfully")

    reader = open_page()
    reader.goto(seed.get_absolute_url())
    corrections = reader.get_by_role("region", name="Corrections and updates")
    expect(corrections).to_be_visible()
    expect(corrections).to_contain_text(text)
    expect(reader.locator(".story-header .meta")).to_contain_text("Updated")


def test_an_editor_imports_wire_copy_and_sees_the_draft(open_page, editor_user):
    """The seed's source copy, uploaded on the admin's import page into a site without it."""
    SectionFactory(name="Greater Bay Area", slug="greater-bay-area")
    wire_file = ROOT / "fixtures" / "source" / "qianhai-forum.txt"
    editor = log_in(open_page(), "desk")
    editor.goto("/admin/articles/article/")
    editor.get_by_role("link", name="Import wire copy").click()
    expect(editor).to_have_url(re.compile(r"/admin/articles/article/import/$"))
    expect(editor.get_by_role("heading", name="Import wire copy")).to_be_visible()
    editor.get_by_label("Wire copy files").set_input_files(wire_file)
    editor.get_by_role("button", name="Import").click()

    results = editor.locator("#import-results")
    expect(results).to_contain_text("qianhai-forum.txt")
    expect(results.locator("tbody tr")).to_have_count(1)
    expect(results.locator("tbody tr")).to_contain_text("Imported")
    story = Article.objects.get()
    assert story.status == Article.Status.DRAFT
    assert story.needs_headline
    assert [b.reporter.name for b in story.bylines.all()] == ["Chang Zhipeng"]

    results.get_by_role("link", name="Open the story").click()
    expect(editor).to_have_url(re.compile(rf"/admin/articles/article/{story.pk}/change/"))
    expect(editor.get_by_label("Headline:", exact=True)).to_have_value(story.headline)
    expect(editor.get_by_label("Status:", exact=True)).to_have_value("draft")
    expect(editor.get_by_label("Needs headline")).to_be_checked()
    expect(body_editor(editor).locator("[contenteditable=true]")).to_contain_text(
        "APPROXIMATELY 1,200 representatives"
    )
    # A draft: not on the reader's site.
    assert editor.request.get(story.get_absolute_url()).status == 404

    # The same copy again is skipped, pointing to the story it made.
    editor.goto("/admin/articles/article/import/")
    expect(editor.get_by_role("heading", name="Import wire copy")).to_be_visible()
    editor.get_by_label("Wire copy files").set_input_files(wire_file)
    editor.get_by_role("button", name="Import").click()
    expect(results.locator("tbody tr")).to_contain_text("Skipped")
    assert Article.objects.count() == 1
