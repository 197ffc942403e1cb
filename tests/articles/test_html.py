"""articles.html.sanitize_html: what a story body may keep, and what it never keeps."""

from pathlib import Path

import pytest
from django.conf import settings

from articles.html import ALLOWED_TAGS, merged_cells, sanitize_html

SEED_SOURCE = Path(settings.BASE_DIR) / "fixtures" / "source" / "qianhai-forum.txt"

REL = 'rel="noopener noreferrer"'

# One of everything the editor can make, written the way the sanitiser writes it.
EVERYTHING_ALLOWED = (
    "<h2>Forum opens</h2>"
    "<h3>Finance</h3>"
    "<h4>Venture capital</h4>"
    "<p>Plain, <strong>bold</strong>, <em>italic</em> and <strong><em>both</em></strong>.<br>"
    "A second line.</p>"
    "<ul><li>Talent</li><li><p>Partnerships</p></li></ul>"
    "<ol><li>Computation</li><li>Industry<ul><li>Downstream</li></ul></li></ol>"
    "<blockquote><p>Qianhai is linked to Hong Kong.</p></blockquote>"
    f'<p><a href="https://example.org/report?year=2024&amp;lang=en" title="The report" {REL}>'
    "report</a>, "
    f'<a href="http://example.org/" {REL}>http</a>, '
    f'<a href="mailto:desk@example.org" {REL}>mail</a>, '
    f'<a href="/stories/qianhai/" {REL}>relative</a>, '
    f'<a href="../people/xu-li/" {REL}>up</a>, '
    f'<a href="?page=2" {REL}>query</a>, '
    f'<a href="#corrections" {REL}>fragment</a></p>'
)


def seed_body():
    """The seed story's body as the fixture builds it: one paragraph per line of the story."""
    lines = SEED_SOURCE.read_text(encoding="utf-8").splitlines()[3:]
    return "\n".join(f"<p>{line}</p>" for line in lines)


# --- What is kept -------------------------------------------------------------------------------


def test_everything_the_editor_makes_is_kept_unchanged():
    """Stored one top-level block a line (as wire copy and fixtures are), nothing else changed."""
    stored = sanitize_html(EVERYTHING_ALLOWED)
    assert stored.replace("\n", "") == EVERYTHING_ALLOWED
    assert stored.startswith("<h2>Forum opens</h2>\n<h3>Finance</h3>\n")
    assert sanitize_html(stored) == stored


def test_blocks_are_stored_one_a_line():
    """The editor sends blocks run together; a story saved without changes must not differ from
    its wire or fixture form, which has a newline between paragraphs."""
    assert sanitize_html("<p>a</p><p>b</p>") == "<p>a</p>\n<p>b</p>"
    assert sanitize_html("<p>a</p>\n<p>b</p>") == "<p>a</p>\n<p>b</p>"
    assert sanitize_html("<ul><li>x</li><li>y</li></ul>") == "<ul><li>x</li><li>y</li></ul>"


TABLE_PARTS = {"table", "thead", "tbody", "tr", "th", "td"}


@pytest.mark.parametrize("tag", sorted(ALLOWED_TAGS - {"br", "a", "li"} - TABLE_PARTS))
def test_each_allowed_tag_is_kept(tag):
    html = f"<{tag}>text</{tag}>"
    assert sanitize_html(html) == html


def test_list_items_and_line_breaks_are_kept():
    html = "<ul><li>one<br>two</li></ul>\n<ol><li>three</li></ol>"
    assert sanitize_html(html) == html


def test_the_allow_list_is_exactly_the_editors_markup():
    assert sorted(ALLOWED_TAGS) == [
        "a", "aside", "blockquote", "br", "em", "figcaption", "figure", "h2", "h3", "h4", "li",
        "ol", "p", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "html, kept",
    [
        (
            '<blockquote class="pull-quote" onclick="x()"><p>We are ready.</p>'
            '<p>— <a href="/people/xu-li/" onmouseover="x()">Xu Li</a></p></blockquote>',
            '<blockquote class="pull-quote"><p>We are ready.</p>\n'
            '<p>— <a href="/people/xu-li/" rel="noopener noreferrer">Xu Li</a></p>\n</blockquote>',
        ),
        (
            '<aside class="fact-box big" style="color:red"><h3>Facts</h3>'
            "<ul><li>1,200 delegates</li></ul></aside>",
            '<aside class="fact-box"><h3>Facts</h3>\n<ul><li>1,200 delegates</li></ul>\n</aside>',
        ),
        ('<aside class="evil">text</aside>', "<aside>text</aside>"),
        ('<blockquote class="x pull"><p>q</p></blockquote>', "<blockquote><p>q</p>\n</blockquote>"),
        ('<p>a class="" b</p>', '<p>a class="" b</p>'),
    ],
)
def test_pull_quotes_and_fact_boxes_keep_their_one_class(html, kept):
    assert sanitize_html(html) == kept
    assert sanitize_html(kept) == kept


def test_a_table_keeps_its_rows_and_cells_and_nothing_else():
    """What the editor writes for a table (colgroup, widths, spans of 1) comes out a plain grid."""
    from_editor = (
        '<table style="min-width: 50px"><colgroup><col style="min-width: 25px"><col></colgroup>'
        '<tbody><tr><th colspan="1" rowspan="1"><p>Year</p></th>'
        '<th colspan="1" rowspan="1" onclick="steal()" class="x"><p>Visitors</p></th></tr>'
        '<tr><td colspan="1" rowspan="1" style="background:url(javascript:x)"><p>2025</p></td>'
        '<td><a href="javascript:alert(1)">1,200</a></td></tr></tbody></table><p>After.</p>'
    )
    assert sanitize_html(from_editor) == (
        "<table><tbody><tr><th><p>Year</p></th><th><p>Visitors</p></th></tr>"
        '<tr><td><p>2025</p></td><td><a rel="noopener noreferrer">1,200</a></td></tr></tbody>'
        "</table>\n<p>After.</p>"
    )


@pytest.mark.parametrize(
    "html, merged",
    [
        ('<td colspan="2">', True),
        ("<th rowspan='3'>", True),
        ("<td colspan=10>", True),
        ('<td colspan="1" rowspan="1">', False),
        ("<p>colspan=2</p>", False),
    ],
)
def test_merged_cells_are_found(html, merged):
    assert merged_cells(html) is merged


def test_seed_body_is_unchanged():
    body = seed_body()
    assert body.count("<p>") == 6
    assert "’" in body and "—" in body  # typographic characters stay as they are

    assert sanitize_html(body) == body


def test_text_and_entities_are_kept():
    html = "<p>Shenzhen &amp; Hong Kong: 1 &lt; 2 &gt; 0, “quoted” — 前海 &nbsp;spaced</p>"
    assert sanitize_html(html) == html


@pytest.mark.parametrize("value", ["", None])
def test_nothing_gives_an_empty_string(value):
    assert sanitize_html(value) == ""


# --- Links --------------------------------------------------------------------------------------


def test_links_get_noopener_noreferrer():
    assert (
        sanitize_html('<a href="https://example.org/">x</a>')
        == f'<a href="https://example.org/" {REL}>x</a>'
    )


@pytest.mark.parametrize(
    "rel", ["opener", "noopener", "nofollow", "noopener noreferrer opener", "me"]
)
def test_a_links_own_rel_is_replaced(rel):
    assert (
        sanitize_html(f'<a href="https://example.org/" rel="{rel}">x</a>')
        == f'<a href="https://example.org/" {REL}>x</a>'
    )


@pytest.mark.parametrize("target", ["_blank", "_top", "_parent", "_self", "somewindow", "_BLANK"])
def test_target_never_survives(target):
    for html in (
        f'<a href="https://example.org/" target="{target}">x</a>',
        f"<a href=https://example.org/ TARGET={target}>x</a>",
    ):
        assert sanitize_html(html) == f'<a href="https://example.org/" {REL}>x</a>'


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "\tjavascript:alert(1)",
        "java\nscript:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "jav&#9;ascript:alert(1)",
        "java&NewLine;script:alert(1)",
        "javascript&colon;alert(1)",
        "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)",
        "&#x6A;avascript:alert(1)",
        "\x01javascript:alert(1)",
        "vbscript:msgbox(1)",
        "VBScript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "DATA:image/svg+xml,<svg onload=alert(1)>",
        "file:///etc/passwd",
        "ftp://example.org/",
        "tel:+85212345678",
        "livescript:alert(1)",
    ],
)
def test_links_to_other_schemes_lose_their_href(href):
    cleaned = sanitize_html(f'<a href="{href}" title="t">click</a>')
    assert cleaned == f'<a title="t" {REL}>click</a>'


@pytest.mark.parametrize(
    "href",
    [
        "https://example.org/",
        "HTTPS://EXAMPLE.ORG/",
        "http://example.org/a?b=c",
        "mailto:desk@example.org",
        "/stories/x/",
        "#notes",
        "?page=2",
        "../x/",
        "x/",
    ],
)
def test_web_mail_relative_and_fragment_links_keep_their_href(href):
    assert f'href="{href}"' in sanitize_html(f'<a href="{href}">x</a>')


# --- What is removed ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # Scripts and styles go, with their content.
        ("<p>a</p><script>alert(1)</script><p>b</p>", "<p>a</p>\n<p>b</p>"),
        ('<script src="https://evil.example/x.js"></script><p>b</p>', "<p>b</p>"),
        ("<SCRIPT>alert(1)</SCRIPT><p>b</p>", "<p>b</p>"),
        ("<p>a<style>p{color:red}</style></p>", "<p>a</p>"),
        ('<style>@import "https://evil.example/x.css";</style>', ""),
        # Inline styles, classes, ids and every other attribute.
        ('<p style="color:red;background:url(javascript:alert(1))">a</p>', "<p>a</p>"),
        ('<p class="lead" id="top" dir="rtl" lang="zh" data-x="1">a</p>', "<p>a</p>"),
        ('<h2 style="x" align="center">a</h2>', "<h2>a</h2>"),
        (
            '<p title="t" lang="en">a</p><blockquote title="t">b</blockquote>',
            "<p>a</p>\n<blockquote>b</blockquote>",
        ),
        (
            '<ol start="3" type="a" data-type="lower-alpha"><li value="4">a</li></ol>',
            "<ol><li>a</li></ol>",
        ),
        (
            '<a href="/x" style="x" class="y" id="z" name="n" download>a</a>',
            f'<a href="/x" {REL}>a</a>',
        ),
        # Event handlers, on any tag.
        ('<p onclick="alert(1)">a</p>', "<p>a</p>"),
        (
            '<a href="/x" onmouseover="alert(1)" ONFOCUS="alert(1)">a</a>',
            f'<a href="/x" {REL}>a</a>',
        ),
        ('<strong onpointerenter="alert(1)">a</strong>', "<strong>a</strong>"),
        (
            '<blockquote cite="javascript:alert(1)" onload=alert(1)>a</blockquote>',
            "<blockquote>a</blockquote>",
        ),
        # Embedded content and active elements go, with their content.
        ('<img src="x" onerror="alert(1)">', ""),
        ('<p>a<img src="https://example.org/p.jpg" alt="photo"></p>', "<p>a</p>"),
        ('<iframe src="https://example.org/"><p>fallback</p></iframe>', ""),
        ('<iframe srcdoc="<script>alert(1)</script>"></iframe>', ""),
        ('<object data="javascript:alert(1)"><p>x</p></object>', ""),
        ('<embed src="data:text/html,<script>alert(1)</script>">', ""),
        ("<svg onload=alert(1)><circle r=1></circle></svg>", ""),
        ('<math><mi xlink:href="javascript:alert(1)">x</mi></math>', ""),
        ("<template><img src=x onerror=alert(1)></template>", ""),
        ('<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>', '"&gt;'),
        ("<textarea><p>a</p></textarea>", ""),
        # Other tags are unwrapped: the text stays, the tag goes.
        ("<h1>a</h1>", "a"),
        ("<h5>a</h5><h6>b</h6>", "ab"),
        ('<div class="x"><p>a</p></div>', "<p>a</p>"),
        ('<p><span style="color:red">a</span></p>', "<p>a</p>"),
        ("<p><u>a</u> <s>b</s> <code>c</code> <sup>d</sup></p>", "<p>a b c d</p>"),
        (
            '<form action="javascript:alert(1)"><input value="x"><button formaction="javascript:alert(1)">go</button></form>',
            "go",
        ),
        ('<details open ontoggle="alert(1)"><summary>s</summary>d</details>', "sd"),
        ("<hr>", ""),
        # Old bold and italic become the editor's tags.
        (
            "<p><b>a</b> <i>b</i> <B>c</B></p>",
            "<p><strong>a</strong> <em>b</em> <strong>c</strong></p>",
        ),
        ('<p><b class="x" onclick="y">a</b></p>', "<p><strong>a</strong></p>"),
        # Comments and other document parts.
        ("<!-- note --><p>a</p>", "<p>a</p>"),
        ('<!--<img src="--><img src=x onerror=alert(1)//">', ""),
        ('<base href="javascript:alert(1)//"><p>a</p>', "<p>a</p>"),
        ('<meta http-equiv="refresh" content="0;url=javascript:alert(1)"><p>a</p>', "<p>a</p>"),
        ('<link rel="stylesheet" href="https://evil.example/x.css"><p>a</p>', "<p>a</p>"),
    ],
)
def test_disallowed_markup_is_removed(html, expected):
    assert sanitize_html(html) == expected


def test_rename_of_b_and_i_does_not_touch_text_or_attributes():
    html = '<p>&lt;b&gt;not a tag&lt;/b&gt; <a href="/x" title="<i>">x</a></p>'
    assert (
        sanitize_html(html)
        == f'<p>&lt;b&gt;not a tag&lt;/b&gt; <a href="/x" title="&lt;i&gt;" {REL}>x</a></p>'
    )


# --- Stability ----------------------------------------------------------------------------------

IDEMPOTENCE_INPUTS = [
    EVERYTHING_ALLOWED,
    seed_body(),
    '<p onclick="x"><b>a</b><i>b</i><a href="javascript:x" target="_blank">c</a></p>',
    "<ul><li><p>a</p><ol><li>b</li></ol></li></ul><h1>c</h1><div>d</div>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<p>unclosed <strong>bold <em>both</p><p>next",
    "<li>stray item</li><td>cell</td>text &amp; more",
    '<a href="https://example.org/?a=1&b=2&amp;c=3" rel="x">q</a>',
    "<p>a &lt;b&gt; <b>&lt;i&gt;</b></p>",
]


@pytest.mark.parametrize("html", IDEMPOTENCE_INPUTS)
def test_sanitising_twice_is_the_same_as_once(html):
    once = sanitize_html(html)
    assert sanitize_html(once) == once
