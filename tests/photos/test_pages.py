"""Pictures on the reader's pages: srcset and sizes, no layout shift, and no extra queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from people.models import Reporter
from photos import renditions
from tests.photos import pictures


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def img_tag(html):
    return re.search(r"<picture>.*?</picture>", html, re.S)[0]


@pytest.fixture
def lead(seed):
    image = pictures.upload(
        pictures.jpeg((2400, 1600)),
        alt_text="Delegates fill the forum's main hall",
        caption="The forum's opening session in Qianhai.",
        credit="Li Wei / Xinhua",
    )
    seed.lead_image = image
    seed.save(update_fields=["lead_image"])
    return image


def test_the_story_page_shows_the_lead_image_with_srcset_caption_and_credit(client, seed, lead):
    html = client.get(seed.get_absolute_url()).content.decode()
    picture = img_tag(html)
    widths = (320, 640, 1024, 1200, 1600)
    webp = ", ".join(f"{pictures.rendition_url(lead, f'{w}w.webp')} {w}w" for w in widths)
    jpeg = ", ".join(f"{pictures.rendition_url(lead, f'{w}w.jpg')} {w}w" for w in widths)
    sizes = 'sizes="(min-width: 50rem) 48rem, calc(100vw - 2rem)"'
    assert f'<source type="image/webp" srcset="{webp}" {sizes}>' in picture
    assert f'srcset="{jpeg}" {sizes}' in picture
    # The intrinsic size is known before anything loads, so nothing moves when it arrives.
    assert 'width="1600" height="1067"' in picture
    assert 'loading="eager" fetchpriority="high"' in picture
    assert 'alt="Delegates fill the forum&#x27;s main hall"' in picture
    assert f'src="{pictures.rendition_url(lead, "1024w.jpg")}"' in picture
    assert '<figcaption><span class="caption">The forum&#x27;s opening session' in html
    assert '<span class="credit">Photo: Li Wei / Xinhua</span>' in html


def test_every_url_on_the_page_is_a_file_that_exists(client, seed, lead):
    from django.core.files.storage import default_storage

    html = client.get(seed.get_absolute_url()).content.decode()
    urls = set(re.findall(r"/media/(renditions/[^\s\"]+)", html))
    assert len(urls) >= 10  # 5 widths in WebP and in JPEG (the fallback src is one of them)
    for name in urls:
        assert default_storage.exists(name), name


def test_the_page_does_no_image_work(client, seed, lead, monkeypatch):
    def no_image_work(*args, **kwargs):
        raise AssertionError("a page view opened a picture")

    monkeypatch.setattr(Image, "open", no_image_work)
    assert client.get(seed.get_absolute_url()).status_code == 200


def test_a_lead_image_costs_the_story_page_no_query(client, seed):
    without, html = queries_for(client, seed.get_absolute_url())
    assert "<picture>" not in html
    seed.lead_image = pictures.upload(pictures.jpeg((1200, 800)))
    seed.save(update_fields=["lead_image"])
    with_image, html = queries_for(client, seed.get_absolute_url())
    assert "<picture>" in html
    assert with_image == without


def test_lead_images_cost_the_front_page_no_query(client, seed):
    from tests.factories import ArticleFactory

    stories = [ArticleFactory(section=seed.section) for _ in range(3)]
    without, _ = queries_for(client, "/")
    for story in [seed, *stories]:
        story.lead_image = pictures.upload(pictures.jpeg((700, 500)))
        story.save(update_fields=["lead_image"])
    with_images, _ = queries_for(client, "/")
    assert with_images == without


def test_the_reporter_page_shows_a_square_photo(client, seed):
    reporter = Reporter.objects.get(slug="chang-zhipeng")
    url = reporter.get_absolute_url()
    without, html = queries_for(client, url)
    assert "<picture>" not in html
    reporter.photo = pictures.upload(pictures.jpeg((900, 1200)), alt_text="Chang Zhipeng")
    reporter.save(update_fields=["photo"])
    with_photo, html = queries_for(client, url)
    picture = img_tag(html)
    assert 'width="128" height="128"' in picture and 'sizes="8rem"' in picture
    # The first thing under the masthead: loaded at once.
    assert 'loading="eager"' in picture and 'alt="Chang Zhipeng"' in picture
    squares = renditions.renditions(reporter.photo, ratio="1:1", fmt="WEBP")
    assert [(r.width, r.height) for r in squares] == [(320, 320), (640, 640), (900, 900)]
    assert squares[0].url in picture
    assert with_photo == without


def test_the_tag_renders_nothing_for_no_image():
    from django.template import Context, Template

    template = Template('{% load photos %}[{% responsive_image image sizes="50vw" %}]')
    assert template.render(Context({"image": None})) == "[]"
