"""The lead image in shares and search results: OpenGraph's 1200-wide picture, JSON-LD's crops."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image as PILImage

from tests.factories import ArticleFactory
from tests.photos.pictures import jpeg, upload

pytestmark = pytest.mark.django_db


def json_ld(html, kind):
    for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
        data = json.loads(block)
        if data.get("@type") == kind:
            return data
    raise AssertionError(f"no {kind} JSON-LD")


def test_story_with_a_lead_image_shares_it(client):
    image = upload(jpeg((2400, 1600)), caption="The forum's main hall", credit="Li Wei / Agency")
    story = ArticleFactory(lead_image=image)
    html = client.get(story.get_absolute_url()).content.decode()

    og = re.search(r'<meta property="og:image" content="([^"]+)"', html)[1]
    assert og.startswith("http://testserver/media/renditions/") and "1200" in og
    assert '<meta property="og:image:width" content="1200">' in html
    assert (
        '<meta property="og:image:alt" content="Delegates in the forum&#x27;s main hall">' in html
    )
    assert '<meta name="twitter:card" content="summary_large_image">' in html

    article = json_ld(html, "NewsArticle")
    crops = article["image"]
    assert len(set(crops)) == 3
    for url, (width, height) in zip(crops, [(1200, 675), (1200, 900), (1200, 1200)], strict=True):
        stored = Path(settings.MEDIA_ROOT) / url.removeprefix("http://testserver/media/")
        with PILImage.open(stored) as picture:
            assert picture.size == (width, height), url


def test_story_without_a_picture_is_shared_with_its_card(client):
    """No picture: the story's generated share card (tests/articles/test_share_cards.py)."""
    html = client.get(ArticleFactory().get_absolute_url()).content.decode()
    og = re.search(r'<meta property="og:image" content="([^"]+)"', html)[1]
    assert "/card-16x9-" in og
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert len(json_ld(html, "NewsArticle")["image"]) == 3
