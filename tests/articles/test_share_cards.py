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


# --- headlines in Chinese, Japanese and Korean, and what no font can draw -------------------------

CJK_HEADLINES = {
    "zh": "前海深港现代服务业合作区举办国际论坛，吸引逾千名代表参加",
    "zh-Hant": "前海論壇開幕，香港與深圳代表共商合作",
    "ja": "東京で国際フォーラム開催、各国の代表が集まる",
    "ko": "서울에서 국제 포럼 개최, 각국 대표 참석",
}


def ink_rows(image, left=0, right=None):
    """The rows of ``image`` with any dark pixel between ``left`` and ``right``."""
    grey = image.convert("L")
    right = right or grey.width
    return [
        y for y in range(grey.height) if grey.crop((left, y, right, y + 1)).getextrema()[0] < 128
    ]


def test_dejavu_alone_would_draw_cjk_as_boxes():
    # What the shipped CJK font is for: without it these come out as "missing glyph" boxes.
    assert not share_cards.covers(share_cards.HEADLINE_FONT, "前")
    assert share_cards.covers(share_cards.HEADLINE_FONT, "Q")


@pytest.mark.parametrize("language", list(CJK_HEADLINES))
def test_cjk_headlines_are_drawn_in_a_font_that_has_them(language):
    headline = CJK_HEADLINES[language]
    face = share_cards.mixed(share_cards.HEADLINE_FONT, 80)
    assert share_cards.drawable(headline, share_cards.HEADLINE_FONT) == headline
    assert all(
        share_cards.covers(share_cards.CJK_FONT, char)
        for char in headline
        if not share_cards.covers(share_cards.HEADLINE_FONT, char)
    )
    assert {f for _, f in face.runs(headline)} >= {face.faces[1][1]}  # the CJK font drew it
    lines = share_cards.wrap(headline, face, 1000)
    assert "".join(lines).replace(" ", "") == headline.replace(" ", "")
    assert not any(line[0] in share_cards.NO_LINE_START for line in lines)

    image = share_cards.render(headline, "经济", "1:1", site_name="Newsroom")
    blank = share_cards.render("", "经济", "1:1", site_name="Newsroom")
    assert image.tobytes() != blank.tobytes()  # the headline is there


def test_a_headline_mixing_latin_and_chinese_keeps_each_in_its_font():
    face = share_cards.mixed(share_cards.HEADLINE_FONT, 60)
    runs = face.runs("Qianhai 前海 forum")
    assert [text for text, _ in runs] == ["Qianhai ", "前海 ", "forum"]
    assert [f for _, f in runs] == [face.faces[0][1], face.faces[1][1], face.faces[0][1]]
    assert face.getlength("Qianhai 前海 forum") == pytest.approx(
        sum(f.getlength(text) for text, f in runs)
    )


def test_what_no_font_has_is_left_out_never_drawn_as_boxes():
    # A symbol no font has (an emoji) is dropped from a headline that is otherwise drawn...
    assert share_cards.drawable("Ferry links resume 🚢", share_cards.HEADLINE_FONT) == (
        "Ferry links resume"
    )
    with_emoji = share_cards.render("Ferry links resume 🚢", "Transport", "16:9", site_name="N")
    without = share_cards.render("Ferry links resume", "Transport", "16:9", site_name="N")
    assert with_emoji.tobytes() == without.tobytes()
    # ...but a headline in a script no shipped font has (Thai) is not drawn with holes: the card
    # shows the section and the site's name only.
    assert share_cards.drawable("ข่าวเศรษฐกิจ forum", share_cards.HEADLINE_FONT) is None
    thai = share_cards.render("ข่าวเศรษฐกิจ forum", "World", "1:1", site_name="Newsroom")
    no_headline = share_cards.render("", "World", "1:1", site_name="Newsroom")
    assert thai.tobytes() == no_headline.tobytes()
    assert ink_rows(no_headline, 72, 1128)  # the site's name, the section and the rules


def test_a_chinese_story_is_served_a_card_with_its_headline(client):
    story = ArticleFactory(headline=CJK_HEADLINES["zh"], section=SectionFactory(name="经济"))
    response = client.get(card_url(story, "16:9"))
    assert response.status_code == 200
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.size == (1200, 675)


# --- layout ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("ratio", list(share_cards.SIZES))
def test_the_section_and_headline_sit_in_the_middle_of_the_card(ratio):
    width, height = share_cards.SIZES[ratio]
    image = share_cards.render("Ferry links resume", "Transport", ratio, site_name="Newsroom")
    margin = 72 if height > 700 else 60
    # Between the masthead's rule (below the site's name) and the foot's heavy rule.
    rows = ink_rows(image, margin, width - margin)
    masthead_rule = 12 + margin * 2 // 3 + 44 + 24
    foot_rule = height - margin - 24 - 28
    block = [y for y in rows if masthead_rule + 2 < y < foot_rule]
    above, below = block[0] - masthead_rule, foot_rule - block[-1]
    assert abs(above - below) < 0.15 * (foot_rule - masthead_rule)


def test_the_square_cards_headline_is_set_larger():
    sizes = {
        ratio: share_cards.fit_headline(
            "Ferry links resume", 1000, 2000, share_cards.LARGEST_HEADLINE[ratio]
        )[0]
        for ratio in share_cards.SIZES
    }
    assert sizes["1:1"] > sizes["4:3"] > sizes["16:9"]


# --- caching ----------------------------------------------------------------------------------------


def test_a_cards_address_is_kept_for_a_year(client):
    story = ArticleFactory()
    response = client.get(card_url(story, "1:1"))

    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "no-cache" not in response["Cache-Control"]
    assert response["ETag"] and response["Last-Modified"]
    again = client.get(card_url(story, "1:1"), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again["Cache-Control"] == "public, max-age=31536000, immutable"


def test_an_old_cards_address_is_sent_on_but_not_kept(client):
    story = ArticleFactory(headline="Ferry links resume")
    old = card_url(story, "16:9")
    Article.objects.filter(pk=story.pk).update(headline="Ferry links resume after storm")
    response = client.get(old)
    assert response.status_code == 302
    assert "immutable" not in response.get("Cache-Control", "")


def test_the_page_cache_keeps_the_card_with_its_keys_and_headers(
    client, settings, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    story = ArticleFactory(headline="Ferry links resume")
    first = client.get(card_url(story, "4:3"))
    second = client.get(card_url(story, "4:3"))

    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert second.content == first.content
    assert second["Cache-Control"] == "public, max-age=31536000, immutable"
    assert {f"story:{story.pk}", f"section:{story.section_id}", "site"} <= set(
        second["Surrogate-Key"].split()
    )
    assert second["Surrogate-Control"]  # the edge keeps it too, and is purged by its keys
    story.headline = "Ferry links resume after storm"
    with django_capture_on_commit_callbacks(execute=True):
        story.save()  # purges story:<pk>: the old address is no longer served from the cache
    assert client.get(card_url(story, "4:3")).status_code == 200
    assert client.get(first.wsgi_request.path).status_code == 302
    cache.clear()


def test_the_site_address_drawn_on_the_card_is_part_of_its_version(settings):
    story = ArticleFactory()
    before = share_cards.version(story)
    settings.SITE_URL = "https://news.example.org"
    assert share_cards.version(story) != before


# --- packaging ----------------------------------------------------------------------------------------


def test_the_fonts_are_installed_with_the_package():
    import fnmatch
    import tomllib
    from pathlib import Path

    root = Path(share_cards.__file__).resolve().parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["articles"]
    shipped = sorted(path.name for path in share_cards.FONTS.iterdir() if path.is_file())
    assert {"DejaVuSerif-Bold.ttf", "DroidSansFallback.ttf", "LICENSE-DroidSansFallback"} <= set(
        shipped
    )
    for name in shipped:
        assert any(fnmatch.fnmatch(f"fonts/{name}", pattern) for pattern in patterns), name
    assert sum(path.stat().st_size for path in share_cards.FONTS.iterdir()) < 5_000_000
