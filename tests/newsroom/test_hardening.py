"""What an outside security test got through (issue 12), as readers and attackers meet it: the
page cache and the Host header, made-up query strings, the lockout behind a proxy, the health
check, feed channel text. The cache tests run on whatever cache the suite has: the default shared
file cache on SQLite, Redis on PostgreSQL."""

import json
import re
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection

from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[2]
SITE = "https://news.example.org"


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["news.example.org", "127.0.0.1", "testserver"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def stored_pages():
    """The page-cache keys written while the test runs, whatever the cache backend."""
    keys = []
    real_set = cache.set

    def recording_set(key, *args, **kwargs):
        if key.startswith("newsroom:page:"):
            keys.append(key)
        return real_set(key, *args, **kwargs)

    with mock.patch.object(cache, "set", side_effect=recording_set):
        yield keys


# --- 2. The Host header never reaches a page, a feed or the cache --------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1:6666", "127.0.0.1.", "news.example.org:8080"])
def test_a_request_with_an_odd_host_leaves_no_trace_for_later_readers(client, page_cache, host):
    story = ArticleFactory(headline="Harbour story")
    for path in ("/feeds/rss/?x", "/", story.get_absolute_url(), "/api/stories/", "/sitemap.xml"):
        poisoned = client.get(path, HTTP_HOST=host).content.decode()
        later = client.get(path, HTTP_HOST="news.example.org")
        assert later.status_code == 200, path
        for html in (poisoned, later.content.decode()):
            assert "6666" not in html and "8080" not in html and "127.0.0.1" not in html, path
    page = client.get(story.get_absolute_url(), HTTP_HOST="news.example.org").content.decode()
    assert f'<link rel="canonical" href="{SITE}{story.get_absolute_url()}">' in page
    ids = re.findall(r'"@id": "([^"]+)"', page)
    assert ids and all(i.startswith(SITE + "/") for i in ids)
    feed = client.get("/feeds/rss/", HTTP_HOST="127.0.0.1:6666").content.decode()
    assert f"<link>{SITE}/</link>" in feed
    assert f"<link>{SITE}{story.get_absolute_url()}</link>" in feed


def test_a_cached_page_is_refused_to_a_host_the_site_does_not_answer(client, page_cache):
    ArticleFactory()
    assert client.get("/", HTTP_HOST="news.example.org")["X-Cache"] == "miss"
    assert client.get("/", HTTP_HOST="news.example.org")["X-Cache"] == "hit"

    refused = client.get("/", HTTP_HOST="evil.example.com")
    assert refused.status_code == 400
    assert not refused.has_header("X-Cache")


# --- 6. Made-up query strings make no cache entries ----------------------------------------------


def test_tracking_parameters_are_served_from_the_one_cached_page(client, page_cache, stored_pages):
    ArticleFactory(headline="Front page story")
    client.get("/")
    for _ in range(30):
        response = client.get(f"/?utm_id={uuid.uuid4().hex}&fbclid=x")
        assert response.status_code == 200 and response["X-Cache"] == "hit"
        assert "Front page story" in response.content.decode()
    assert len(stored_pages) == 1


def test_made_up_page_numbers_are_served_but_never_stored(client, page_cache, stored_pages):
    ArticleFactory.create_batch(3)
    for value in ["abc", "0", "1", "999", "-2", "1e3", "２"]:
        response = client.get(f"/?page={value}")
        assert response.status_code == 200, value
    assert stored_pages == []
    client.get("/")
    assert len(stored_pages) == 1


def test_a_real_second_page_has_an_entry_of_its_own(client, page_cache, stored_pages, settings):
    ArticleFactory.create_batch(25)
    first = client.get("/").content.decode()
    second = client.get("/?page=2")
    assert second["X-Cache"] == "miss"
    assert client.get("/?page=2&utm_source=mail")["X-Cache"] == "hit"
    assert second.content.decode() != first
    assert len(stored_pages) == 2


def test_searches_are_never_stored(client, page_cache, stored_pages):
    ArticleFactory(headline="Zebrafish study")
    for word in ["zebrafish", uuid.uuid4().hex, uuid.uuid4().hex]:
        assert client.get(f"/search/?q={word}").status_code == 200
    assert stored_pages == []


def test_api_answers_keep_no_foreign_parameter_and_since_is_never_stored(
    client, page_cache, stored_pages
):
    ArticleFactory.create_batch(25)
    tracked = client.get("/api/stories/?utm_id=evil")
    assert "utm_id" not in tracked.content.decode()
    assert json.loads(tracked.content)["next"] == f"{SITE}/api/stories/?page=2"
    assert client.get("/api/stories/")["X-Cache"] == "hit"
    for moment in ["2026-01-01", "2026-01-02", "2026-01-03T10:00:00Z"]:
        assert client.get(f"/api/stories/?since={moment}").status_code == 200
    assert len(stored_pages) == 1


# --- 7. The lockout behind a proxy locks the client, not the proxy -------------------------------


@pytest.fixture
def behind_proxy(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.TRUSTED_PROXY_HOPS = 1


LOGIN = "/admin/login/?next=/admin/"
PROXY = {"REMOTE_ADDR": "10.0.0.2"}  # every request reaches the site from the proxy


def test_one_clients_wrong_passwords_do_not_lock_out_the_others(
    client, django_user_model, superuser, behind_proxy
):
    attacker = {**PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    for _ in range(5):
        client.post(LOGIN, {"username": "chief", "password": "wrong"}, **attacker)
    locked = client.post(
        LOGIN, {"username": "chief", "password": "correct horse battery staple"}, **attacker
    )
    assert locked.status_code == 429

    # A forged address to the left of the proxy's entry changes nothing for the attacker...
    spoofed = {**PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.5"}
    response = client.post(
        LOGIN, {"username": "chief", "password": "correct horse battery staple"}, **spoofed
    )
    assert response.status_code == 429

    # ...while the editor at another address signs in with the right password.
    editor = {**PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    response = client.post(
        LOGIN, {"username": "chief", "password": "correct horse battery staple"}, **editor
    )
    assert response.status_code == 302 and client.session.get("_auth_user_id")


def test_without_a_proxy_the_forwarded_header_is_not_believed(client, superuser, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXY_HOPS = 0
    for n in range(3):
        client.post(
            LOGIN,
            {"username": "chief", "password": "wrong"},
            REMOTE_ADDR="203.0.113.5",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = client.post(
        LOGIN,
        {"username": "chief", "password": "correct horse battery staple"},
        REMOTE_ADDR="203.0.113.5",
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )
    assert response.status_code == 429


# --- 9. The health check reads content ----------------------------------------------------------


def test_healthz_is_503_with_a_reason_when_the_stories_cannot_be_read(client):
    with connection.cursor() as cursor:  # undone with the test's transaction
        cursor.execute("ALTER TABLE articles_article RENAME TO articles_article_gone")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["reason"] == "cannot read stories from the database"


HEALTH_OF_A_DAMAGED_FILE = """
import django, sys
django.setup()
from django.core.management import call_command
from django.db import connection
from django.test import Client
call_command("migrate", verbosity=0)
connection.close()
with open(sys.argv[1], "r+b") as f:
    f.write(b"\\xff" * 4096)
client = Client()
print(client.get("/healthz").status_code)
"""


def test_healthz_is_503_when_the_sqlite_file_is_damaged(tmp_path):
    """The outside test overwrote the first 4 KB of the database file: SELECT 1 still answered."""
    database = tmp_path / "site.sqlite3"
    sqlite3.connect(database).close()
    result = subprocess.run(
        [sys.executable, "-c", HEALTH_OF_A_DAMAGED_FILE, str(database)],
        cwd=PROJECT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": f"sqlite:///{database}",
            "PYTHONPATH": str(PROJECT),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip().splitlines()[-1] == "503", result.stdout + result.stderr


# --- 11. Feed channel text is escaped like item text --------------------------------------------


def test_a_section_name_with_markup_is_escaped_in_its_feeds(client):
    section = SectionFactory(name="Sec <script>alert(1)</script>", slug="sec")
    ArticleFactory(section=section)
    rss = client.get("/feeds/sections/sec/rss/").content.decode()
    description = re.search(r"<channel>.*?<description>(.*?)</description>", rss, re.S).group(1)
    assert "&lt;script" not in description.replace("&amp;lt;script", "")
    assert "&amp;lt;script&amp;gt;" in description
    atom = client.get("/feeds/sections/sec/atom/").content.decode()
    subtitle = re.search(r"<subtitle>(.*?)</subtitle>", atom, re.S).group(1)
    assert "&lt;script&gt;" in subtitle and "&amp;" not in subtitle
