"""Pictures, galleries and embeds in a story's body (issue 17): what the story form keeps and
refuses, through its real POST, and what readers' pages show."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import embeds
from articles.body import figures, image_ids, problems
from articles.html import sanitize_html
from articles.models import Article
from tests.factories import ArticleFactory, ImageFactory, ReporterFactory, SectionFactory
from tests.forms import article_form

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/articles/article/add/"
YOUTUBE = '<figure class="embed" data-provider="youtube" data-id="dQw4w9WgXcQ">'


def picture(image, caption="", size="column"):
    return (
        f'<figure class="picture" data-image="{image.pk}" data-size="{size}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def add_story(client, body, slug="harbour-pictures"):
    data = article_form(client.get(ADD_URL))
    data.update(
        headline="Harbour pictures",
        slug=slug,
        body=body,
        section=str(SectionFactory().pk),
        status="draft",
        **{"bylines-0-reporter": str(ReporterFactory().pk), "bylines-0-order": "0"},
    )
    return client.post(ADD_URL, data)


def published(body, **fields):
    return ArticleFactory(body=body, status=Article.Status.PUBLISHED, **fields)


# --- Addresses of posts and videos -------------------------------------------------------------


@pytest.mark.parametrize(
    "address, provider, post_id",
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=30s", "youtube", "dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"),
        ("youtube.com/shorts/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"),
        ("https://vimeo.com/76979871", "vimeo", "76979871"),
        ("https://player.vimeo.com/video/76979871", "vimeo", "76979871"),
        ("https://x.com/newsroom/status/1850000000000000000", "x", "1850000000000000000"),
        ("https://twitter.com/newsroom/status/20?s=20", "x", "20"),
        ("https://bsky.app/profile/demo.bsky.social/post/3l6oveex3ii2l", "bluesky",
         "demo.bsky.social/3l6oveex3ii2l"),
        ("https://www.instagram.com/p/C8demoPost1/", "instagram", "C8demoPost1"),
        ("https://www.instagram.com/reel/C8demoPost1/?igsh=x", "instagram", "C8demoPost1"),
    ],
)  # fmt: skip
def test_a_pasted_address_gives_the_provider_and_id(address, provider, post_id):
    found, found_id = embeds.parse(address)
    assert (found.slug, found_id) == (provider, post_id)


@pytest.mark.parametrize(
    "address",
    [
        "https://youtube.com.example.net/watch?v=dQw4w9WgXcQ",  # another host
        "https://example.org/video",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "https://www.youtube.com/@newsroom",  # a channel, not a video
        "https://www.youtube.com/watch?v=<b>x</b>",
        "https://www.facebook.com/video/123",
        "",
    ],
)
def test_any_other_address_is_refused_naming_the_services_we_take(address):
    with pytest.raises(Exception) as refused:
        embeds.parse(address)
    message = " ".join(refused.value.messages)
    assert "YouTube" in message or "We can embed" in message


def test_the_editors_embed_button_asks_the_server(editor, reporter):
    ok = editor.get("/admin/articles/article/embed/", {"address": "https://youtu.be/dQw4w9WgXcQ"})
    assert ok.json() == {"provider": "youtube", "id": "dQw4w9WgXcQ", "name": "A YouTube video"}
    refused = reporter.get("/admin/articles/article/embed/", {"address": "https://evil.example/"})
    assert refused.json()["error"] == embeds.REFUSED
    assert "YouTube, Vimeo, X, Bluesky and Instagram" in embeds.REFUSED


def test_the_embed_check_is_for_people_who_write_stories(client, django_user_model):
    assert client.get("/admin/articles/article/embed/").status_code == 302  # to the login
    nobody = django_user_model.objects.create_user("visitor", password="x", is_staff=True)
    client.force_login(nobody)
    assert client.get("/admin/articles/article/embed/").status_code == 403


def test_the_editor_shows_a_library_picture_by_its_number(editor, client, django_user_model):
    image = ImageFactory(alt_text="Cranes at dawn", credit="Demo / Demo Agency")
    summary = editor.get(f"/admin/photos/image/{image.pk}/summary/").json()
    assert summary["alt"] == "Cranes at dawn"
    assert summary["credit"] == "Demo / Demo Agency"
    assert summary["thumbnail"].endswith(".webp")
    assert editor.get("/admin/photos/image/999999/summary/").status_code == 404
    nobody = django_user_model.objects.create_user("visitor", password="x", is_staff=True)
    client.force_login(nobody)
    assert client.get(f"/admin/photos/image/{image.pk}/summary/").status_code == 403


# --- The sanitiser's rule for each figure -------------------------------------------------------


def test_a_figure_keeps_its_kind_and_references_and_nothing_else():
    image = '<figure class="picture big" data-image="12" data-size="full" id="x" onclick="x()"'
    dirty = (
        f'{image} style="a" data-x="1"><img src="x" onerror="alert(1)">'
        '<figcaption onmouseover="x()">Cranes <a href="javascript:alert(1)">at dawn</a>'
        "<script>alert(1)</script></figcaption></figure>"
    )
    assert sanitize_html(dirty) == (
        '<figure class="picture" data-image="12" data-size="full"><figcaption>Cranes '
        '<a rel="noopener noreferrer">at dawn</a></figcaption></figure>'
    )


@pytest.mark.parametrize(
    "attribute",
    [
        'data-image="12 onload=x"',
        'data-image="javascript:alert(1)"',
        'data-image="0"',
        'data-size="huge"',
        'data-provider="evil"',
        'data-id="&lt;b&gt;x&lt;/b&gt;"',
        'data-id="data:text/html,x"',
    ],
)
def test_a_figure_attribute_against_its_rule_is_dropped(attribute):
    cleaned = sanitize_html(
        f'<figure class="picture" {attribute}><figcaption>c</figcaption></figure>'
    )
    assert cleaned == '<figure class="picture"><figcaption>c</figcaption></figure>'


def test_cleaning_a_body_with_figures_twice_changes_nothing():
    body = sanitize_html(
        f'<p>a</p><figure class="gallery"><figure class="picture" data-image="1"><figcaption>'
        f'x</figcaption></figure><figure class="picture" data-image="2"></figure></figure>'
        f"{YOUTUBE}<figcaption>y</figcaption></figure><p>b</p>"
    )
    assert sanitize_html(body) == body
    assert [f.kind for f in figures(body)] == ["gallery", "embed"]
    assert image_ids(body) == [1, 2]


# --- The story form -----------------------------------------------------------------------------


def test_an_editor_saves_a_picture_a_gallery_and_an_embed(editor):
    cranes, quay, ferry = ImageFactory.create_batch(3)
    body = (
        f"<p>From the quay.</p>{picture(cranes, 'The cranes at <em>dawn</em>', 'full')}"
        f'<figure class="gallery">{picture(quay)}{picture(ferry, "The ferry")}</figure>'
        f"{YOUTUBE}<figcaption>The forum opens</figcaption></figure>"
    )
    response = add_story(editor, body)
    assert response.status_code == 302
    story = Article.objects.get(slug="harbour-pictures")
    assert image_ids(story.body) == [cranes.pk, quay.pk, ferry.pk]
    assert 'data-size="full"><figcaption>The cranes at <em>dawn</em></figcaption>' in story.body
    assert 'data-provider="youtube" data-id="dQw4w9WgXcQ"' in story.body


@pytest.mark.parametrize(
    "figure, message",
    [
        ('<figure class="picture" data-image="999999"><figcaption></figcaption></figure>',
         "shows picture 999999, which is not in the library"),
        ('<figure class="picture"><figcaption>c</figcaption></figure>',
         "a picture without a picture from the library"),
        ('<figure class="embed" data-provider="youtube" data-id="too-short">'
         "<figcaption></figcaption></figure>", "is an embed we cannot show"),
        ('<figure class="embed" data-provider="evil" data-id="dQw4w9WgXcQ"></figure>',
         "is an embed we cannot show"),
        ('<figure class="embed" data-provider="youtube" data-id="&lt;script&gt;"></figure>',
         "is an embed we cannot show"),
        ("<figure><figcaption>c</figcaption></figure>",
         "neither a picture, a gallery nor an embed"),
    ],
)  # fmt: skip
def test_a_figure_that_cannot_be_shown_is_refused_and_nothing_is_saved(editor, figure, message):
    response = add_story(editor, f"<p>Words.</p>{figure}")
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "The body’s figure 1" in page or "The body&#x27;s figure 1" in page
    assert not Article.objects.filter(slug="harbour-pictures").exists()


def test_a_gallery_of_one_picture_is_refused(editor):
    body = f'<p>Words.</p><figure class="gallery">{picture(ImageFactory())}</figure>'
    response = add_story(editor, body)
    assert "a gallery holds two or more pictures only" in response.content.decode()
    assert not Article.objects.filter(slug="harbour-pictures").exists()


def test_a_user_who_may_not_see_the_library_cannot_place_its_pictures(reporter_user, reporter):
    image = ImageFactory()
    for codename in ("view_image", "add_image", "change_image"):
        reporter_user.groups.first().permissions.remove(
            Permission.objects.get(codename=codename, content_type__app_label="photos")
        )
    response = add_story(reporter, f"<p>Words.</p>{picture(image)}")
    assert response.status_code == 200
    assert f"shows picture {image.pk}, which is not in the library" in response.content.decode()
    assert not Article.objects.filter(slug="harbour-pictures").exists()


def test_problems_are_listed_for_each_figure():
    body = f'{YOUTUBE}</figure><figure class="picture" data-image="5"></figure>'
    assert problems(body, {}) == [
        "The body's figure 2 shows picture 5, which is not in the library."
    ]


# --- What readers see ---------------------------------------------------------------------------


def test_readers_see_the_picture_at_its_sizes_with_caption_and_credit(client):
    image = ImageFactory(alt_text="Cranes at dawn", caption="Library words", credit="Li Demo")
    own = published(f"<p>a</p>{picture(image, 'Our <em>own</em> caption', 'full')}")
    page = client.get(own.get_absolute_url()).content.decode()
    figure = re.search(
        r'<figure class="story-picture story-picture--full">.*?</figure>', page, re.S
    )
    assert figure, page
    html = figure[0]
    assert 'type="image/webp"' in html and "srcset=" in html
    assert 'sizes="(min-width: 50rem) 48rem, calc(100vw - 2rem)"' in html
    assert 'loading="lazy"' in html and 'alt="Cranes at dawn"' in html
    assert re.search(r'width="\d+" height="\d+"', html)
    assert '<span class="caption">Our <em>own</em> caption</span>' in html
    assert '<span class="credit">Photo: Li Demo</span>' in html

    plain = published(f"<p>a</p>{picture(image)}")
    page = client.get(plain.get_absolute_url()).content.decode()
    assert '<figure class="story-picture story-picture--column">' in page
    assert '<span class="caption">Library words</span>' in page


def test_a_gallery_shows_its_pictures_in_order(client):
    first, second = ImageFactory(alt_text="First"), ImageFactory(alt_text="Second")
    story = published(f'<p>a</p><figure class="gallery">{picture(first)}{picture(second)}</figure>')
    page = client.get(story.get_absolute_url()).content.decode()
    assert 'role="group" aria-label="Gallery: 2 pictures"' in page
    assert page.index('alt="First"') < page.index('alt="Second"')


def test_a_picture_not_in_the_library_is_left_out(client):
    """A body written around the form (a fixture, the shell) may name a picture the library does
    not have; the page leaves it out."""
    story = published("<p>Before.</p><p>After.</p>")
    missing = '<figure class="picture" data-image="999999"><figcaption>Gone</figcaption></figure>'
    Article.objects.filter(pk=story.pk).update(body=f"<p>Before.</p>{missing}<p>After.</p>")
    page = client.get(story.get_absolute_url()).content.decode()
    assert "Gone" not in page and "story-picture" not in page
    assert "<p>Before.</p>" in page and "<p>After.</p>" in page


def test_an_embed_waits_behind_its_placeholder(client):
    story = published(f"<p>a</p>{YOUTUBE}<figcaption>The forum opens</figcaption></figure>")
    response = client.get(story.get_absolute_url())
    page = response.content.decode()
    assert "<iframe" not in page
    assert "youtube-nocookie.com/embed/dQw4w9WgXcQ" in page  # only in data-frame, for the script
    assert 'data-frame="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in page
    assert '<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">Open it on YouTube</a>' in page
    assert "<figcaption>The forum opens</figcaption>" in page
    assert re.search(r'<script src="[^"]*newsroom/embeds\.js" defer>', page)
    policy = response["Content-Security-Policy"]
    assert "frame-src https://www.youtube-nocookie.com" in policy
    assert "script-src 'self'" in policy


def test_a_story_without_embeds_allows_no_frames_and_no_script(client):
    page = client.get(published("<p>Words only.</p>").get_absolute_url())
    assert "frame-src" not in page["Content-Security-Policy"]
    assert "embeds.js" not in page.content.decode()


def test_the_story_page_costs_the_same_queries_with_one_picture_or_twelve(client):
    images = ImageFactory.create_batch(12)
    one = published(f"<p>a</p>{picture(images[0])}")
    twelve = published("<p>a</p>" + "".join(picture(image) for image in images))

    def count(story):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(story.get_absolute_url()).status_code == 200
        return len(queries)

    assert count(twelve) == count(one)
    assert client.get(twelve.get_absolute_url()).content.decode().count("story-picture--") == 12


def test_a_new_credit_on_a_body_picture_reaches_the_cached_page(client, commit, page_cache_on):
    image = ImageFactory(credit="First Credit")
    story = published(f"<p>a</p>{picture(image)}")
    assert "Photo: First Credit" in client.get(story.get_absolute_url()).content.decode()
    assert "Photo: First Credit" in client.get(story.get_absolute_url()).content.decode()  # kept

    image.credit = "Second Credit"
    commit(lambda: image.save())

    assert "Photo: Second Credit" in client.get(story.get_absolute_url()).content.decode()
