"""The site as the README's production recipe runs it: gunicorn with two worker processes, no
Redis, and writes made from other processes (``manage.py`` commands). With the default cache,
shared by every process on the machine, every worker stops showing a withdrawn story at once,
and a scheduled story appears on all of them at its time.

Real processes and a real clock: this is the one place the tests wait for time to pass.
"""

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

PROJECT = Path(__file__).resolve().parents[2]
SEED = "/stories/qianhai-forum-draws-1200-representatives/"
READS = 20

SETTINGS = """
from newsroom.settings import *  # noqa
# Static files straight from the apps, so the test needs no collectstatic.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(tmp_path) -> tuple[str, callable]:
    """A database of this test's own: an SQLite file, or a fresh PostgreSQL database when the
    suite runs on PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp_path / 'site.sqlite3'}", lambda: None
    import psycopg

    parts = urlsplit(url)
    name = f"newsroom_workers_{os.getpid()}"
    admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return parts._replace(path=f"/{name}").geturl(), drop


@pytest.fixture
def site(tmp_path):
    """A migrated site with the seed story, served by ``gunicorn -w 2``; yields (base, manage)."""
    port = free_port()
    url, drop = database_url(tmp_path)
    (tmp_path / "worker_settings.py").write_text(SETTINGS)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "PAGE_CACHE_SECONDS", "COUNT_CACHE_SECONDS", "DEBUG"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="worker_settings",
        PYTHONPATH=f"{tmp_path}{os.pathsep}{PROJECT}",
        DEBUG="0",
        SECRET_KEY="workers-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{port}",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=url,
        CACHE_DIR=str(tmp_path / "cache"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )

    def manage(*args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    manage("migrate", "--noinput", "-v", "0")
    manage("loaddata", "qianhai-forum", "-v", "0")
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    server = subprocess.Popen(
        [gunicorn, "newsroom.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310 - loopback
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError(server.stderr.read().decode()[-3000:]) from None
                time.sleep(0.1)
        yield base, manage
    finally:
        server.terminate()
        server.wait(timeout=20)
        drop()


def read(base, path) -> tuple[int, str, str]:
    # A new connection each time, so gunicorn hands the reads to both workers.
    try:
        with urllib.request.urlopen(f"{base}{path}", timeout=10) as response:  # noqa: S310
            return response.status, response.headers.get("X-Cache", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("X-Cache", ""), ""


def test_a_story_withdrawn_from_a_command_disappears_from_every_worker(site):
    base, manage = site
    first = [read(base, SEED) for _ in range(READS)]
    assert all(status == 200 for status, _, _ in first)
    assert [state for _, state, _ in first].count("miss") == 1  # one page, shared by both

    manage(
        "shell",
        "-c",
        "from articles.models import Article; a = Article.objects.get(slug__startswith='qianhai');"
        " a.status = Article.Status.WITHDRAWN; a.save()",
    )

    after = [read(base, SEED)[0] for _ in range(READS)]
    assert after == [404] * READS
    assert all("Qianhai forum" not in read(base, "/")[2] for _ in range(5))


def test_a_scheduled_story_appears_on_every_worker_at_its_time(site):
    base, manage = site
    # Both workers have the front page and "nothing is scheduled" in their cache already.
    assert all(read(base, "/")[0] == 200 for _ in range(6))
    due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)
    manage(
        "shell",
        "-c",
        "import datetime as dt; from articles.models import Article, Section;"
        " Article.objects.create(headline='Scheduled across workers', slug='scheduled-workers',"
        " body='<p>Soon.</p>', section=Section.objects.first(),"
        f" status=Article.Status.PUBLISHED, published_at=dt.datetime.fromisoformat('{due.isoformat()}'))",
    )
    before = [read(base, "/") for _ in range(6)]
    if dt.datetime.now(dt.UTC) < due:  # (a very slow machine may already be past it)
        assert not any("Scheduled across workers" in html for _, _, html in before)

    time.sleep(max(0.0, (due - dt.datetime.now(dt.UTC)).total_seconds()) + 0.2)

    after = [read(base, "/")[2] for _ in range(READS)]
    assert all("Scheduled across workers" in html for html in after)
    assert all(read(base, "/stories/scheduled-workers/")[0] == 200 for _ in range(6))
