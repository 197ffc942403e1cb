"""Story furniture in the body (issue 17): tables, pull quotes and fact boxes, saved through the
story form with only their own markup, shown to readers, searched by their words."""

import pytest

from articles.models import Article
from tests.factories import ArticleFactory, ReporterFactory, SectionFactory
from tests.forms import article_form

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/articles/article/add/"
# What the editor sends for a two-by-two table with a header row (taken from the editor).
TABLE = (
    '<table style="min-width: 50px"><colgroup><col style="min-width: 25px"><col></colgroup>'
    '<tbody><tr><th colspan="1" rowspan="1"><p>Year</p></th>'
    '<th colspan="1" rowspan="1"><p>Representatives</p></th></tr>'
    '<tr><td colspan="1" rowspan="1"><p>Qianhai</p></td>'
    '<td colspan="1" rowspan="1"><p>1,200</p></td></tr></tbody></table>'
)


def add_story(client, body):
    data = article_form(client.get(ADD_URL))
    data.update(
        headline="Delegates by year",
        slug="delegates-by-year",
        body=body,
        section=str(SectionFactory().pk),
        status="draft",
        **{"bylines-0-reporter": str(ReporterFactory().pk), "bylines-0-order": "0"},
    )
    return client.post(ADD_URL, data)


def test_an_editor_saves_a_table_and_readers_see_a_plain_grid(editor, client):
    response = add_story(editor, f"<p>The figures.</p>{TABLE}")
    assert response.status_code == 302, response.content.decode()[:3000]
    story = Article.objects.get(slug="delegates-by-year")
    assert story.body == (
        "<p>The figures.</p>\n<table><tbody><tr><th><p>Year</p></th><th><p>Representatives</p>"
        "</th></tr><tr><td><p>Qianhai</p></td><td><p>1,200</p></td></tr></tbody></table>"
    )
    story.status = Article.Status.PUBLISHED
    story.published_at = story.created_at
    story.save()
    page = client.get(story.get_absolute_url()).content.decode()
    assert "<th><p>Representatives</p></th>" in page


def test_a_table_with_merged_cells_is_refused_and_nothing_is_saved(editor):
    merged = TABLE.replace(
        '<th colspan="1" rowspan="1"><p>Year</p></th>', '<th colspan="2"><p>Year</p></th>'
    )
    response = add_story(editor, merged)
    assert response.status_code == 200
    assert "A table in the body has merged cells" in response.content.decode()
    assert not Article.objects.filter(slug="delegates-by-year").exists()


def test_hostile_attributes_in_a_table_go_nowhere(editor):
    hostile = TABLE.replace(
        "<td ", '<td onmouseover="steal()" style="background:url(javascript:x)" '
    )
    hostile = hostile.replace("<table ", '<table onclick="x()" data-x="1" ')
    response = add_story(editor, hostile)
    assert response.status_code == 302
    body = Article.objects.get(slug="delegates-by-year").body
    for bad in ("onmouseover", "onclick", "style", "javascript", "data-x", "colgroup"):
        assert bad not in body


def test_search_finds_the_words_in_a_table_cell(client):
    ArticleFactory(headline="Figures by year", body=f"<p>The figures.</p>{TABLE}")
    page = client.get("/search/", {"q": "Representatives"}).content.decode()
    assert "Figures by year" in page


def test_a_pull_quote_and_a_fact_box_keep_only_their_own_class(editor, client):
    body = (
        "<p>Text.</p>"
        '<blockquote class="pull-quote wide" style="font-size:9em" onclick="x()">'
        '<p>We are ready.</p><p>— <a href="javascript:alert(1)">Xu Li</a></p></blockquote>'
        '<aside class="fact-box" data-x="1"><h3>In numbers</h3><ul><li>1,200 delegates</li></ul>'
        "<script>alert(1)</script></aside>"
    )
    response = add_story(editor, body)
    assert response.status_code == 302
    story = Article.objects.get(slug="delegates-by-year")
    assert story.body == (
        "<p>Text.</p>\n"
        '<blockquote class="pull-quote"><p>We are ready.</p>\n'
        '<p>— <a rel="noopener noreferrer">Xu Li</a></p>\n</blockquote>\n'
        '<aside class="fact-box"><h3>In numbers</h3>\n<ul><li>1,200 delegates</li></ul>\n</aside>'
    )
    story.status = Article.Status.PUBLISHED
    story.published_at = story.created_at
    story.save()
    page = client.get(story.get_absolute_url()).content.decode()
    assert '<aside class="fact-box"><h3>In numbers</h3>' in page
