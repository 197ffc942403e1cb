"""What every reader page owes readers using keyboards, screen readers and printers."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from articles.models import Article
from people.models import Reporter
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/?page=2",
    "/stories/qianhai-forum-draws-1200-representatives/",
    "/sections/greater-bay-area/",
    "/tags/hong-kong/",
    "/reporters/chang-zhipeng/",
    "/people/choi-koon-shum/",
    "/organizations/university-of-international-business-and-economics/",
    "/archive/",
    "/archive/2026/",
    "/archive/2026/11/",
    "/archive/2026/11/24/",
    "/no-such-page/",
]


class Outline(HTMLParser):
    """The page's elements, in order, with their attributes."""

    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def all(self, tag):
        return [attrs for name, attrs in self.elements if name == tag]


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


@pytest.fixture
def pages(seed):
    # Enough stories for a second front page.
    ArticleFactory.create_batch(20, section=seed.section)
    return PAGES


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_language_one_h1_landmarks_and_a_skip_link(client, pages, url):
    response = client.get(url)
    assert response.status_code in (200, 404)
    page = outline(response.content.decode())

    assert page.all("html")[0]["lang"] == "en"
    assert len(page.all("h1")) == 1
    assert len(page.all("main")) == 1
    assert page.all("main")[0]["id"] == "content"
    assert page.all("header") and page.all("footer") and page.all("nav")
    assert all(nav.get("aria-label") for nav in page.all("nav"))
    first_link = page.all("a")[0]
    assert first_link == {"class": "skip-link", "href": "#content"}
    for image in page.all("img"):
        assert "alt" in image
    links = page.all("link")
    assert {"rel": "stylesheet", "href": "/static/newsroom/print.css", "media": "print"} in links


def test_headings_do_not_skip_levels_on_the_front_page(client, pages):
    html = client.get("/").content.decode()
    levels = [int(level) for level in re.findall(r"<h([1-6])", html)]

    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_images_have_their_alt_text(client, seed, tmp_path, settings):
    """A reporter's picture is described for readers who cannot see it."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image as PILImage

    from photos.models import Image

    settings.MEDIA_ROOT = tmp_path
    path = tmp_path / "face.png"
    PILImage.new("RGB", (8, 8), "grey").save(path)
    photo = Image.objects.create(
        file=SimpleUploadedFile("face.png", path.read_bytes(), content_type="image/png"),
        alt_text="Chang Zhipeng at his desk",
    )
    Reporter.objects.filter(slug="chang-zhipeng").update(photo=photo)

    page = outline(client.get("/reporters/chang-zhipeng/").content.decode())

    assert [image["alt"] for image in page.all("img")] == ["Chang Zhipeng at his desk"]


def test_focus_is_always_visible():
    css = Path(finders.find("newsroom/site.css")).read_text(encoding="utf-8")

    assert re.search(r":focus-visible\s*\{[^}]*outline:\s*3px solid", css)
    assert ".skip-link:focus" in css
    assert "outline: none" not in css.replace("main:focus { outline: none; }", "")


def test_print_stylesheet_prints_the_story_without_navigation():
    css = Path(finders.find("newsroom/print.css")).read_text(encoding="utf-8")
    hidden = css[: css.index("display: none")]

    for selector in (".masthead nav", ".site-search", ".breadcrumbs", ".site-footer", ".skip-link"):
        assert selector in hidden
    assert '.story-body a[href^="http"]::after' in css
    assert ".print-only { display: block" in css


def test_story_page_prints_its_address(client, seed):
    html = client.get(seed.get_absolute_url()).content.decode()

    assert f'<p class="print-only">Newsroom: http://testserver{seed.get_absolute_url()}</p>' in html


def test_preview_has_the_same_landmarks(admin_client, seed):
    Article.objects.filter(pk=seed.pk).update(status=Article.Status.DRAFT)
    html = admin_client.get(reverse("articles:preview", kwargs={"pk": seed.pk})).content.decode()
    page = outline(html)

    assert len(page.all("h1")) == 1
    assert page.all("a")[0]["href"] == "#content"
