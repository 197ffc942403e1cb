"""Checks on the reader's pages as a whole: valid HTML (the Nu HTML checker), a weight budget, no
JavaScript needed to read.

The HTML checker is vnu.jar from the npm registry's ``vnu-jar`` package, installed into ``.tools/``
by ``make html-checker`` (part of ``make test``), run with the system's ``java``. ``VNU_JAR`` and
``JAVA`` point elsewhere. Without either, the HTML checks are skipped with the reason, and the
run's summary says so; with ``HTML_CHECK_REQUIRED=1`` (set by ``.ci/run``) that is a failure.

Every reader page type is made once for the folder (``reader_pages``), from one set of stories,
people and pictures, through the test client; the database is rolled back afterwards. The
tests using it are marked ``django_db``, so that pytest-django makes the test database.
"""

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from tests.needed import Needed

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = Path(os.environ.get("VNU_JAR") or ROOT / ".tools/node_modules/vnu-jar/build/dist/vnu.jar")
JAVA = os.environ.get("JAVA") or "java"

HTML_CHECKS = Needed("HTML checks (tests/checks)", "HTML_CHECK_REQUIRED")


def unavailable_reason():
    """Why the HTML checker cannot run here, or None if it can."""
    if not shutil.which(JAVA):
        return f"no Java ({JAVA}; apt-get install default-jre-headless, or set JAVA)"
    if not VNU_JAR.is_file():
        return f"no vnu.jar at {VNU_JAR} (make html-checker, which needs npm; or set VNU_JAR)"
    return None


def pytest_terminal_summary(terminalreporter):
    HTML_CHECKS.summarise(terminalreporter)


@pytest.fixture(scope="package")
def vnu_command():
    """``java -jar vnu.jar``, or the tests that need it are skipped (failed if it is required)."""
    reason = unavailable_reason()
    if reason:
        HTML_CHECKS.unavailable(reason)
    return [shutil.which(JAVA), "-jar", str(VNU_JAR)]


@dataclass(frozen=True)
class Page:
    url: str
    status: int
    html: str
    error: str = ""  # what went wrong making the page, when it could not be made

    def check_status(self, name):
        expected = 404 if name == "404" else 200
        assert self.status == expected, f"{self.url}: {self.status} {self.error}"


SEED_SLUG = "qianhai-forum-draws-1200-representatives"
RICH_BODY = """<p>The centre, <strong>the largest of its kind</strong> in the region, opened on
<em>Tuesday</em>, its operator said.</p>
<h2>What it will do</h2>
<p>It will train models for <a href="https://example.org/report">companies in the area</a>:</p>
<ul><li>language models</li><li>image recognition</li></ul>
<blockquote><p>“We are ready,” the director said.</p></blockquote>
<h3>Who pays</h3>
<ol><li>The district</li><li>Two banks</li></ol>
<p>Details were not given.<br>More is expected next month.</p>
<table><tbody><tr><th><p>Year</p></th><th><p>Machines</p></th></tr>
<tr><td><p>2026</p></td><td><p>1,200</p></td></tr></tbody></table>
<blockquote class="pull-quote"><p>We are ready.</p><p>— The director</p></blockquote>
<aside class="fact-box"><h3>In numbers</h3><ul><li>1,200 machines</li></ul></aside>"""


def figures_body(images):
    """A body with a picture at each width, a gallery and an embed (articles/body.py)."""
    first, second, third = (image.pk for image in images)
    return (
        f'<p>From the quay.</p><figure class="picture" data-image="{first}" data-size="full">'
        "<figcaption>The cranes at <em>night</em></figcaption></figure>"
        f'<figure class="picture" data-image="{second}" data-size="column"></figure>'
        f'<figure class="gallery"><figure class="picture" data-image="{second}"><figcaption>'
        f'One</figcaption></figure><figure class="picture" data-image="{third}"></figure></figure>'
        '<figure class="embed" data-provider="youtube" data-id="dQw4w9WgXcQ"><figcaption>The '
        'first night</figcaption></figure><figure class="embed" data-provider="bluesky" '
        'data-id="demo.bsky.social/3l6oveex3ii2l"></figure><p>The end.</p>'
    )


# Every kind of page a reader can be shown (feeds, sitemaps and the API are not HTML).
PAGE_URLS = {
    "home": "/",
    "home-page-2": "/?page=2",
    "section": "/sections/greater-bay-area/",
    "section-page-2": "/sections/greater-bay-area/?page=2",
    "story-with-lead-picture-corrections-tags-mentions": f"/stories/{SEED_SLUG}/",
    "story-without-lead-picture": "/stories/computing-centre-opens/",
    "story-bare-no-byline-tags-or-mentions": "/stories/a-short-wire-story/",
    "story-with-pictures-gallery-and-embed": "/stories/harbour-in-pictures/",
    "story-live-with-key-events-pinned-and-corrected-entries": "/stories/typhoon-live/",
    "story-live-ended": "/stories/ferry-strike-live/",
    "tag": "/tags/hong-kong/",
    "reporter": "/reporters/chang-zhipeng/",
    "person": "/people/choi-koon-shum/",
    "organization": "/organizations/university-of-international-business-and-economics/",
    "organization-with-parent": "/organizations/institute-of-international-trade-rules/",
    "search-with-results": "/search/?q=Qianhai",
    "search-no-results": "/search/?q=zzyzx",
    "search-empty-query": "/search/",
    "archive": "/archive/",
    "archive-year": "/archive/2026/",
    "archive-month": "/archive/2026/11/",
    "archive-day": "/archive/2026/11/24/",
    "404": "/no-such-page/",
}


def build_site():
    """The seed story with a lead picture and corrections, its reporter with a portrait, a story
    without a picture, a bare one, and enough stories for second pages."""
    from articles.models import Correction
    from people.models import Organization, Person, Reporter
    from tests.factories import ArticleFactory, BylineFactory, CorrectionFactory
    from tests.photos import pictures

    call_command("loaddata", "qianhai-forum", verbosity=0)
    from articles.models import Article

    seed = Article.objects.get(slug=SEED_SLUG)
    seed.lead_image = pictures.upload(
        pictures.jpeg((1600, 1000)),
        alt_text="Delegates in the main hall of the Qianhai International Convention Center",
        caption="The forum's closing session on Saturday.",
        credit="Li Wei / Newsroom",
    )
    seed.save(update_fields=["lead_image"])
    CorrectionFactory(article=seed)
    CorrectionFactory(
        article=seed,
        kind=Correction.Kind.CLARIFICATION,
        text="The forum's organiser is the alliance, not the chamber of commerce.",
    )
    reporter = Reporter.objects.get(slug="chang-zhipeng")
    reporter.photo = pictures.upload(pictures.jpeg((600, 800)), alt_text="Chang Zhipeng")
    reporter.save(update_fields=["photo"])

    other = ArticleFactory(
        headline="Shenzhen-Hong Kong computing centre opens in Qianhai",
        slug="computing-centre-opens",
        section=seed.section,
        body=RICH_BODY,
        published_at=timezone.now() - dt.timedelta(hours=2),
    )
    BylineFactory(article=other, reporter=reporter, order=0)
    BylineFactory(article=other, order=1)
    other.tags.add("Hong Kong", "Artificial intelligence")
    other.mentioned_people.add(Person.objects.get(slug="xu-li"))
    other.mentioned_organizations.add(Organization.objects.get(slug="sensetime"))
    CorrectionFactory(article=other, kind=Correction.Kind.UPDATE, text="Adds the director's words.")

    ArticleFactory(headline="A short wire story", slug="a-short-wire-story", section=seed.section)
    ArticleFactory(
        headline="The harbour in pictures",
        slug="harbour-in-pictures",
        section=seed.section,
        body=figures_body(
            [pictures.upload(pictures.jpeg(), alt_text=f"Demo {n}") for n in range(3)]
        ),
    )
    build_live_stories(reporter)
    # More than one page of stories (20 a page), each with a byline, for the second pages.
    for story in ArticleFactory.create_batch(22, section=seed.section):
        BylineFactory(article=story, reporter=reporter, order=0)


def build_live_stories(reporter):
    """A live story with entries of every kind (a key event, a pinned one, a corrected one, one
    with a picture, one without a title or an author), and one whose coverage has ended."""
    from articles.models import LiveEntry
    from tests.factories import ArticleFactory, BylineFactory
    from tests.photos import pictures

    now = timezone.now()
    live = ArticleFactory(
        headline="Typhoon Koinu: live",
        slug="typhoon-live",
        standfirst="The storm nears the coast; what is shut and what is open.",
        is_live=True,
        published_at=now - dt.timedelta(hours=3),
    )
    BylineFactory(article=live, reporter=reporter, order=0)
    picture = pictures.upload(pictures.jpeg(), alt_text="Waves over the sea wall")
    entries = [
        LiveEntry.objects.create(
            article=live,
            posted_at=now - dt.timedelta(minutes=minutes),
            title=title,
            body=body,
            key_event=key_event,
            pinned=pinned,
        )
        for minutes, title, body, key_event, pinned in [
            (170, "Signal 8 raised", "<p>The observatory raised signal 8.</p>", True, False),
            (120, "", "<p>Ferries to the outlying islands have stopped.</p>", False, False),
            (
                60,
                "Waves over the sea wall",
                f'<p>At Heng Fa Chuen.</p><figure class="picture" data-image="{picture.pk}">'
                "</figure>",
                True,
                False,
            ),
            (30, "Where to find shelter", "<ul><li>Community halls</li></ul>", False, True),
        ]
    ]
    entries[0].authors.add(reporter)
    entries[1].correction = "An earlier version said all ferries had stopped."
    entries[1].corrected_at = now - dt.timedelta(minutes=100)
    entries[1].save()
    ended = ArticleFactory(
        headline="Ferry strike: live",
        slug="ferry-strike-live",
        is_live=True,
        live_closed_at=now - dt.timedelta(minutes=5),
        published_at=now - dt.timedelta(days=1),
    )
    LiveEntry.objects.create(article=ended, body="<p>The strike is over.</p>", key_event=True)


@pytest.fixture(scope="package")
def reader_pages(django_db_setup, django_db_blocker, tmp_path_factory):
    """``{name: Page}`` for every page in PAGE_URLS, made once; nothing is left in the database."""
    from django.db import connection

    pages = {}
    media = tmp_path_factory.mktemp("checks-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        # pytest-django makes the test database only when a collected test is marked django_db.
        name = str(connection.settings_dict["NAME"])
        assert "test" in name or "memory" in name, f"not a test database: {name}"
        with transaction.atomic():
            build_site()
            client = Client()
            for name, url in PAGE_URLS.items():
                try:
                    response = client.get(url)
                except Exception as error:  # noqa: BLE001  (one broken page fails its own test only)
                    pages[name] = Page(url, 500, "", f"{type(error).__name__}: {str(error)[:300]}")
                else:
                    pages[name] = Page(url, response.status_code, response.content.decode())
            transaction.set_rollback(True)
    return pages
