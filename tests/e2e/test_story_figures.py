"""A reporter puts a picture from the library, a YouTube video, a pull quote, a table and a fact
box in a story; the preview and readers' pages show them, the video behind its placeholder until
the reader asks for it (issue 17)."""

import re

from articles.models import Article
from tests.factories import ImageFactory

from .conftest import DESKTOP, PHONE
from .support import body_editor, choose, editor_button, expect, log_in, screenshot, success_message
from .test_accessibility import axe_violations

HEADLINE = "Cranes return to the night shift"  # made up, not the seed's
VIDEO = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
# Addresses of the services we embed: none is asked for before the reader presses "Load".
SERVICES = re.compile(
    r"https://([a-z0-9-]+\.)*(youtube|youtube-nocookie|ytimg|vimeo|twitter|x)\.com/"
)


def answering(asked):
    """Stands in for the services (this machine has no internet): notes what is asked."""

    def answer(route):
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p>The video</p>")

    return answer


def test_a_reporter_puts_a_picture_and_a_video_in_a_story(open_page, seed, reporter_user):
    ImageFactory(alt_text="Harbour cranes under floodlights", credit="Demo Photographer / Demo")
    ImageFactory(alt_text="A ferry at the quay")
    page = log_in(open_page(), "zhipeng")
    page.goto("/admin/articles/article/add/")
    page.get_by_label("Headline:", exact=True).fill(HEADLINE)
    page.get_by_label("Dateline:", exact=True).fill("Hong Kong")
    choose(page, "id_section", "Greater", "Greater Bay Area")
    text = body_editor(page).locator("[contenteditable=true]")
    text.click()
    page.keyboard.type("The port's cranes now work through the night.")

    # A picture from the library, chosen in the library's own window.
    editor_button(page, "picture").click()
    dialog = page.locator("dialog[open]")
    with page.expect_popup() as opened:
        dialog.get_by_role("button", name="Choose or upload…").click()
    library = opened.value
    with library.expect_event("close"):
        library.get_by_role("link", name="Harbour cranes under floodlights").click(
            no_wait_after=True
        )
    expect(dialog.get_by_label("Picture number in the library")).not_to_have_value("")
    dialog.get_by_label("Caption").fill("The cranes at Kwai Chung after dark")
    dialog.get_by_label("Width").select_option("Full width")
    dialog.get_by_role("button", name="Insert").click()
    picture = text.locator("figure.editor-picture")
    expect(picture.locator("img")).to_have_attribute("alt", "Harbour cranes under floodlights")
    expect(picture).to_contain_text("Photo: Demo Photographer / Demo")
    expect(picture.locator("figcaption")).to_have_text("The cranes at Kwai Chung after dark")
    expect(text).to_be_focused()  # the cursor is back in the caption
    page.keyboard.press("Enter")  # out of the caption, into a new paragraph
    page.keyboard.type("The operator posted a video of the first night.")

    # A video: an address we do not take is refused by name, then the real one.
    editor_button(page, "embed").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Address of the post or video").fill("https://example.org/clip")
    dialog.get_by_role("button", name="Embed").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("YouTube, Vimeo, X, Bluesky and Instagram only")
    dialog.get_by_label("Address of the post or video").fill(VIDEO)
    dialog.get_by_label("Caption (optional)").fill("The first night shift")
    dialog.get_by_role("button", name="Embed").click()
    expect(text.locator("figure.editor-embed")).to_contain_text("YouTube video")
    expect(text).to_be_focused()
    page.keyboard.press("Enter")

    page.keyboard.type("The night is ours now.")
    editor_button(page, "pullQuote").click()
    page.keyboard.press("Enter")
    page.keyboard.type("— A crane operator")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("Night shifts began in November")
    editor_button(page, "factBox").click()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    editor_button(page, "table").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Rows").fill("2")
    dialog.get_by_label("Columns").fill("2")
    dialog.get_by_label("Include header row").select_option("Yes")
    dialog.get_by_role("button", name="Insert Table").click()
    for n, cell in enumerate(("Shift", "Cranes", "Night", "12")):
        if n:
            page.keyboard.press("Tab")
        page.keyboard.type(cell)

    page.get_by_role("button", name="Save and continue editing").click()
    expect(success_message(page)).to_contain_text("was added successfully")
    story = Article.objects.get(headline=HEADLINE)
    cranes = story.body.index('<figure class="picture" data-image=')
    assert 'data-size="full"><figcaption>The cranes at Kwai Chung after dark</figcaption>' in (
        story.body
    )
    assert '<figure class="embed" data-provider="youtube" data-id="dQw4w9WgXcQ">' in story.body
    assert story.body.index('<figure class="embed"') > cranes
    assert '<blockquote class="pull-quote">' in story.body and "<th><p>Shift</p></th>" in story.body
    assert '<aside class="fact-box"><p>Night shifts began in November</p>' in story.body

    # Opened again, the editor shows the same figures.
    page.reload()
    expect(text.locator("figure.editor-picture img")).to_have_attribute(
        "alt", "Harbour cranes under floodlights"
    )
    expect(text.locator("figure.editor-embed")).to_contain_text("YouTube video")
    screenshot(page, "story-figures-editor-1280")

    # The preview shows them as readers will see them.
    with page.context.expect_page() as opened:
        page.locator(".object-tools").get_by_role("link", name="Preview").click()
    preview = opened.value
    expect(preview.locator(".story-picture--full img")).to_have_attribute(
        "alt", "Harbour cranes under floodlights"
    )
    expect(preview.locator(".story-embed .embed-provider")).to_have_text("YouTube video")
    expect(preview.locator(".story-body .fact-box")).to_contain_text("Night shifts")
    preview.close()

    story.status = Article.Status.PUBLISHED
    story.published_at = story.created_at
    story.save()
    for width, viewport in {"1280": DESKTOP, "375": PHONE}.items():
        reader = open_page(viewport=viewport)
        asked = []
        reader.context.route(SERVICES, answering(asked))
        reader.goto(story.get_absolute_url())
        body = reader.locator(".story-body")
        figure = body.locator(".story-picture--full")
        expect(figure.locator("img")).to_have_attribute("alt", "Harbour cranes under floodlights")
        expect(figure.locator("figcaption")).to_have_text(
            "The cranes at Kwai Chung after dark Photo: Demo Photographer / Demo"
        )
        expect(body.locator(".pull-quote p").first).to_have_text("The night is ours now.")
        expect(body.locator("table th")).to_have_text(["Shift", "Cranes"])
        expect(body.locator(".fact-box")).to_contain_text("Night shifts began in November")
        embed = body.locator(".story-embed")
        expect(embed.get_by_role("link", name="Open it on YouTube")).to_have_attribute(
            "href", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
        )
        overflow = reader.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the story page scrolls sideways by {overflow} px at {width} px"
        assert axe_violations(reader) == []
        figure.scroll_into_view_if_needed()
        screenshot(reader, f"story-figures-{width}")
        assert asked == [], "the page asked YouTube for something before the reader did"

        embed.get_by_role("button", name="Load the video").click()
        frame = embed.locator("iframe.embed-frame")
        expect(frame).to_have_attribute("src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
        expect(frame).to_have_attribute("title", "A YouTube video")
        for _ in range(50):  # the frame's request, once the page has made it
            if asked:
                break
            reader.wait_for_timeout(100)
        assert asked == ["https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"]
        reader.context.unroute(SERVICES)


def test_a_reporter_uploads_a_picture_on_the_spot_and_makes_a_gallery(
    open_page, seed, reporter_user, tmp_path
):
    from tests.photos.pictures import jpeg

    ImageFactory(alt_text="Cranes from the water")
    upload = tmp_path / "quay.jpg"
    upload.write_bytes(jpeg((1600, 1000)))
    page = log_in(open_page(), "zhipeng")
    page.goto("/admin/articles/article/add/")
    page.get_by_label("Headline:", exact=True).fill("The quay at night")
    choose(page, "id_section", "Greater", "Greater Bay Area")
    text = body_editor(page).locator("[contenteditable=true]")
    text.click()
    page.keyboard.type("Two views of the quay.")

    # The first picture from the library, the second uploaded through the library's own form
    # (its checks: a picture, described) from the same window.
    for choice in ("Cranes from the water", "upload"):
        editor_button(page, "picture").click()
        dialog = page.locator("dialog[open]")
        with page.expect_popup() as opened:
            dialog.get_by_role("button", name="Choose or upload…").click()
        library = opened.value
        with library.expect_event("close"):
            if choice == "upload":
                library.get_by_role("link", name="Add image").click()
                library.get_by_label("File:").set_input_files(upload)
                library.get_by_label("Alt text:").fill("The quay under lamps")
                library.get_by_label("Credit:").fill("Demo Photographer / Demo")
                library.get_by_role("button", name="Save", exact=True).click(no_wait_after=True)
            else:
                library.get_by_role("link", name=choice).click(no_wait_after=True)
        dialog.get_by_role("button", name="Insert").click()
        expect(text).to_be_focused()

    pictures = text.locator("figure.editor-picture")
    expect(pictures).to_have_count(2)
    expect(pictures.nth(1).locator("img")).to_have_attribute("alt", "The quay under lamps")
    # Both pictures selected, from the first caption to the second, then Gallery.
    pictures.nth(0).locator("figcaption").click()
    page.keyboard.press("Home")
    page.keyboard.down("Shift")
    pictures.nth(1).locator("figcaption").click()
    page.keyboard.up("Shift")
    editor_button(page, "gallery").click()
    expect(text.locator("figure.gallery figure.editor-picture")).to_have_count(2)

    page.get_by_role("button", name="Save and continue editing").click()
    expect(success_message(page)).to_contain_text("was added successfully")
    story = Article.objects.get(headline="The quay at night")
    assert story.body.count('<figure class="picture"') == 2
    assert re.search(
        r'<figure class="gallery"><figure class="picture" data-image="\d+"', story.body
    )

    story.status = Article.Status.PUBLISHED
    story.published_at = story.created_at
    story.save()
    for width, viewport in {"1280": DESKTOP, "375": PHONE}.items():
        reader = open_page(viewport=viewport)
        reader.goto(story.get_absolute_url())
        gallery = reader.locator(".story-gallery")
        expect(gallery.locator("img")).to_have_count(2)
        expect(gallery.locator(".credit").nth(1)).to_have_text("Photo: Demo Photographer / Demo")
        gallery.scroll_into_view_if_needed()
        screenshot(reader, f"story-gallery-{width}")
