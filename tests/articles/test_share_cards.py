"""Share cards: a story without a picture is shared with its headline and section drawn on the
site's design (articles.share_cards); a story with a picture keeps the picture."""

import io
import json
import re

import pytest
from PIL import Image

from articles import share_cards
from articles.models import Article
from tests.factories import ArticleFactory, SectionFactory
from tests.photos.pictures import jpeg, upload

pytestmark = pytest.mark.django_db


def card_url(story, ratio):
    return share_cards.card_path(story, ratio)


def json_ld(html, kind):
    for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
        data = json.loads(block)
        if data.get("@type") == kind:
            return data
    raise AssertionError(f"no {kind} JSON-LD")


def meta(html, name):
    return re.findall(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', html)


@pytest.mark.parametrize(("ratio", "size"), list(share_cards.SIZES.items()))
def test_each_card_is_a_png_of_its_size(client, ratio, size):
    story = ArticleFactory(headline="Qianhai forum opens to delegates")
    response = client.get(card_url(story, ratio))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Last-Modified"] and response["ETag"]
    with Image.open(io.BytesIO(response.content)) as image:
        image.verify()
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.format == "PNG"
        assert image.size == size


def test_a_long_headline_is_drawn_whole_in_lines_that_fit():
    headline = ("Delegates from across the Greater Bay Area " * 5).strip()[:200]
    assert len(headline) == 200
    for ratio, (width, height) in share_cards.SIZES.items():
        image = share_cards.render(headline, "Greater Bay Area", ratio, site_name="Newsroom")
        assert image.size == (width, height)
        size, face, lines = share_cards.fit_headline(headline, 1000, height / 2, 96)
        assert " ".join(lines) == " ".join(headline.split())  # every word, none cut off
        assert all(face.getlength(line) <= 1000 for line in lines)
        assert len(lines) * size * share_cards.LINE_HEIGHT <= height / 2


def test_a_word_longer_than_a_line_is_broken_not_clipped():
    face = share_cards.font(share_cards.HEADLINE_FONT, 80)
    lines = share_cards.wrap("Supercalifragilisticexpialidocious" * 3, face, 500)
    assert "".join(lines) == "Supercalifragilisticexpialidocious" * 3
    assert all(face.getlength(line) <= 500 for line in lines)


def test_a_story_without_a_picture_is_shared_with_its_card(client, settings):
    story = ArticleFactory(headline="Ferry links resume")
    html = client.get(story.get_absolute_url()).content.decode()
    base = settings.SITE_URL

    assert meta(html, "og:image") == [base + card_url(story, "16:9")]
    assert meta(html, "og:image:width") == ["1200"]
    assert meta(html, "og:image:height") == ["675"]
    assert meta(html, "og:image:alt") == ["Ferry links resume"]
    assert meta(html, "twitter:card") == ["summary_large_image"]
    assert meta(html, "twitter:image") == [base + card_url(story, "16:9")]
    assert json_ld(html, "NewsArticle")["image"] == [
        base + card_url(story, ratio) for ratio in ("16:9", "4:3", "1:1")
    ]


def test_a_story_with_a_picture_is_shared_with_the_picture(client):
    story = ArticleFactory(lead_image=upload(jpeg((2400, 1600)), caption="The hall"))
    html = client.get(story.get_absolute_url()).content.decode()

    assert "card-" not in meta(html, "og:image")[0]
    assert "/media/" in meta(html, "og:image")[0]
    assert all("card-" not in url for url in json_ld(html, "NewsArticle")["image"])
    assert meta(html, "twitter:card") == ["summary_large_image"]


def test_a_drafts_card_is_not_found(client):
    story = ArticleFactory(status=Article.Status.DRAFT)
    assert client.get(card_url(story, "16:9")).status_code == 404


def test_a_new_headline_gives_the_card_a_new_address(client):
    story = ArticleFactory(headline="Ferry links resume")
    old = card_url(story, "1:1")
    story.headline = "Ferry links resume after storm"
    story.save()
    story.refresh_from_db()
    new = card_url(story, "1:1")

    assert new != old
    assert client.get(old).headers["Location"] == new  # an old address is sent on
    html = client.get(story.get_absolute_url()).content.decode()
    assert meta(html, "og:image")[0].endswith(card_url(story, "16:9"))


def test_a_new_section_name_gives_the_card_a_new_address():
    section = SectionFactory(name="Business")
    story = ArticleFactory(section=section)
    old = card_url(story, "4:3")
    section.name = "Economy"
    section.save()
    story = Article.objects.select_related("section").get(pk=story.pk)
    assert card_url(story, "4:3") != old


def test_the_card_is_kept_under_its_storys_and_sections_keys(client):
    story = ArticleFactory()
    response = client.get(card_url(story, "16:9"))

    assert {f"story:{story.pk}", f"section:{story.section_id}"} <= set(
        response["Surrogate-Key"].split()
    )
