"""Classic XSS payloads in everything a reader sees of a story never reach a page as live markup.

Each payload goes into the body (cleaned on save), the headline and standfirst (plain text,
escaped by the templates), and also the dateline, the section's and tag's names, the reporter's
name and a correction. Then every public page the story is on is fetched and checked by
``find_leaks``, which reports anything a browser would run: script elements, ``on…`` handlers,
``javascript:``/``vbscript:``/``data:`` URLs, inline styles and embedding elements.
``test_the_checker_*`` prove that the checker does catch each payload when it is not escaped.
"""

import json
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from articles.html import ALLOWED_TAGS
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    CorrectionFactory,
    ReporterFactory,
    SectionFactory,
)

PAYLOADS = [
    "<script>alert(1)</script>",
    "<ScRiPt src=https://evil.example/x.js></ScRiPt>",
    '"><script>alert(1)</script>',
    "'><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "'\"><img src=x onerror=alert(1)//>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>x</details>",
    "<input autofocus onfocus=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    '<a href="java&NewLine;script:alert(1)">click</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">click</a>',
    '<a href=" &#14; javascript:alert(1)">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    '<a href="javascript:alert(1)" onmouseover="alert(1)" target="_blank">x</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html,<script>alert(1)</script>">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<template><img src=x onerror=alert(1)></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<form><button formaction="javascript:alert(1)">go</button></form>',
]

# --- The checker --------------------------------------------------------------------------------

STATIC_PREFIX = "/" + settings.STATIC_URL.lstrip("/")
# Elements that are active or embedding, or that make the browser parse what follows differently.
DANGEROUS_ELEMENTS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "portal", "svg", "math",
    "template", "style", "base", "noscript", "noembed", "noframes", "xmp", "plaintext",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "data", "poster", "background", "cite", "codebase",
    "longdesc", "lowsrc", "dynsrc", "srcset", "ping", "manifest", "icon", "archive", "usemap",
}  # fmt: skip
BAD_SCHEMES = ("javascript:", "vbscript:", "livescript:", "data:")
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "importmap"}
CODE_SCRIPT_TYPES = {"", "module", "text/javascript"}
# Anything that opens one of these in the raw HTML is markup, not text: Django escapes every "<"
# it outputs, in text and attribute values alike. Independent of how html.parser tokenises.
RAW_OPENING = re.compile(
    r"<\s*(script|" + "|".join(sorted(DANGEROUS_ELEMENTS)) + r")[\s/>]", re.IGNORECASE
)


def unsafe_url(value):
    # Browsers ignore tabs and newlines anywhere in a URL and spaces and control characters
    # around it; drop them all, so that "jav&#x09;ascript:" (already decoded) is caught.
    squeezed = re.sub(r"[\x00-\x20\x7f]+", "", value).lower()
    return any(scheme in squeezed for scheme in BAD_SCHEMES)


class LeakFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.leaks = []
        self.text = []
        self.allowed_scripts = 0
        self._json_script = None

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _leak(self, what):
        self.leaks.append(f"{what}: {self.get_starttag_text()}")

    def _check(self, tag, attrs):
        attributes = {}
        for name, value in attrs:
            value = value or ""
            attributes[name] = value
            if name.startswith("on"):
                self._leak("event handler")
            elif name in {"style", "srcdoc"}:
                self._leak(f"{name} attribute")
            elif (name in URL_ATTRIBUTES or name.endswith(":href")) and unsafe_url(value):
                self._leak("script URL")
        if tag == "script":
            kind = attributes.get("type", "").strip().lower()
            src = attributes.get("src")
            if src is None and kind in DATA_SCRIPT_TYPES:
                self._json_script = []
                self.allowed_scripts += 1
            elif src and src.startswith(STATIC_PREFIX) and kind in CODE_SCRIPT_TYPES:
                self.allowed_scripts += 1
            else:
                self._leak("script")
        elif tag in DANGEROUS_ELEMENTS:
            self._leak(f"<{tag}> element")
        elif tag == "meta" and "http-equiv" in attributes:
            self._leak("meta http-equiv")

    def handle_endtag(self, tag):
        if tag == "script" and self._json_script is not None:
            try:
                json.loads("".join(self._json_script))
            except ValueError:
                self.leaks.append("data script that is not JSON")
            self._json_script = None

    def handle_data(self, data):
        if self._json_script is not None:
            self._json_script.append(data)
        else:
            self.text.append(data)


def parse(html):
    finder = LeakFinder()
    finder.feed(html)
    finder.close()
    raw_scripts = 0
    for match in RAW_OPENING.finditer(html):
        if match[1].lower() == "script":
            raw_scripts += 1
        else:
            finder.leaks.append(f"raw <{match[1]}>")
    if raw_scripts > finder.allowed_scripts:
        finder.leaks.append(f"{raw_scripts} <script> openings, {finder.allowed_scripts} allowed")
    return finder


def find_leaks(html):
    """Everything in ``html`` a browser would run or load as active content; [] when safe."""
    return parse(html).leaks


def text_of(html):
    """The page's text as a reader sees it (entities decoded), one node per line."""
    return "\n".join(parse(html).text)


# --- The checker catches leaks ------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_checker_flags_each_payload_left_unescaped(payload):
    assert find_leaks(f"<p>{payload}</p>")
    assert find_leaks(f"<div><h1>Headline {payload}</h1></div>")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_checker_passes_each_payload_escaped(payload):
    assert find_leaks(f"<p>{escape(payload)}</p>") == []
    assert find_leaks(f'<meta name="description" content="{escape(payload)}">') == []
    assert payload in text_of(f"<h1>{escape(payload)}</h1>")


@pytest.mark.parametrize(
    "html",
    [
        '<meta name="description" content=""><script>alert(1)</script>">',
        "<title></title><script>alert(1)</script></title>",
        '<a href="/x" title="" onmouseover="alert(1)">x</a>',
        '<a href="java\tscript:alert(1)">x</a>',
        '<a href="  JAVASCRIPT:alert(1)">x</a>',
        '<img srcset="a.png 1x, javascript:alert(1) 2x">',
        '<script type="application/ld+json">{"headline": "</script><script>alert(1)</script>"}',
        '<script type="application/ld+json">{"headline": "x"}; alert(1)</script>',
        '<script src="https://cdn.example/x.js"></script>',
        "<SCRIPT>alert(1)</SCRIPT>",
        "<p>a</p><script\n>alert(1)</script>",
    ],
)
def test_the_checker_flags_leaks_in_any_context(html):
    assert find_leaks(html)


@pytest.mark.django_db
def test_the_checker_flags_an_unescaped_headline_spliced_into_a_real_page(client):
    payload = '"><script>alert(1)</script>'
    article = ArticleFactory(headline=payload)
    html = client.get(article.get_absolute_url()).content.decode()
    assert escape(payload) in html
    assert find_leaks(html) == []

    assert find_leaks(html.replace(escape(payload), payload))


def test_the_checker_accepts_local_module_scripts_and_json_data():
    html = (
        '<script type="importmap">{"imports": {"a": "/static/a.js"}}</script>'
        f'<script type="module" src="{STATIC_PREFIX}django_prose_editor/editor.js"></script>'
        '<script type="application/ld+json">{"headline": "\\u003Cscript\\u003E"}</script>'
    )
    assert find_leaks(html) == []


# --- No payload reaches a page ------------------------------------------------------------------


def story_with(payload):
    """A published story carrying the payload in every field readers see, and its pages."""
    section = SectionFactory(name=payload[:100], slug="payload-section")
    article = ArticleFactory(
        headline=payload,
        standfirst=payload,
        body=f"<p>Before.</p>{payload}<p>After.</p>",
        dateline=payload[:100],
        section=section,
    )
    reporter = ReporterFactory(name=payload, slug="payload-reporter")
    BylineFactory(article=article, reporter=reporter, order=0)
    CorrectionFactory(article=article, text=payload)
    article.tags.add(f"topic {payload}"[:100])
    pages = {
        "story": article.get_absolute_url(),
        "home": reverse("fronts:home"),
        "section": section.get_absolute_url(),
        "tag": reverse("articles:tag", kwargs={"slug": article.tags.get().slug}),
        "reporter": reporter.get_absolute_url(),
    }
    return article, pages


@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS)
def test_stored_body_is_clean(payload):
    article, _ = story_with(payload)
    article.refresh_from_db()

    assert find_leaks(article.body) == []
    assert set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", article.body)) <= ALLOWED_TAGS
    # What follows an unclosed <style>, <math>… is part of it, and goes with it.
    assert article.body.startswith("<p>Before.</p>")


@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_never_reaches_a_page_unescaped(client, payload):
    article, pages = story_with(payload)

    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        html = response.content.decode()

        assert find_leaks(html) == [], name
        # The payload did reach the page, as text: the check above looked at the right page.
        text = text_of(html)
        assert payload in text, name
        if name == "story":
            assert text.count(payload) >= 3  # headline (and page title), standfirst, correction
            assert "Before." in text
