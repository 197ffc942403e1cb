"""The edge in front of several app servers, for real: Varnish with deploy/varnish/newsroom.vcl on
loopback, two gunicorn app servers and the task worker sharing one PostgreSQL database and one
Redis. A reader's page is kept at the edge, an editor's save through one app server is seen through
the edge at once while an unrelated page stays kept, and with every app server stopped the edge
still serves the last good pages.

Skipped, with the reason on the summary line, when Varnish or its xkey module (Debian's
``varnish`` and ``varnish-modules``; ``.ci/run`` installs them), PostgreSQL on 127.0.0.1:5432 or
Redis on 127.0.0.1:6379 is missing; a failure instead with ``EDGE_REQUIRED=1`` (``.ci/run``).
"""

import json
import re
import shutil
import subprocess
import time

import pytest

from tests.conftest import SEED_SLUG

from .servers import (
    PG_SERVER,
    PYTHON,
    REDIS_DB,
    REDIS_SERVER,
    Browser,
    Site,
    form_errors,
    form_fields,
    unavailable,
    wait_until,
)

STORY = f"/stories/{SEED_SLUG}/"
# A story sharing nothing with the seed story (section, reporter, tags, people): its page shows
# nothing an edit of the seed story changes, so that edit must leave it at the edge.
OTHER_SLUG = "dragon-boats-race-in-shenzhen-bay"
OTHER = f"/stories/{OTHER_SLUG}/"
EDITOR, PASSWORD = "edge-editor", "a long enough password for the edge test"
NEW_HEADLINE = "Qianhai Forum draws 1,300 representatives, organisers now say"
# How long an edit may take to show through the edge: the save, the purge task through the worker,
# the next request. Polled, so a quick site passes as soon as it shows.
SEEN_WITHIN = 5

SETUP = f"""
import json, sys
import django
django.setup()
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from articles.models import Article, Section

call_command("migrate", verbosity=0)
call_command("loaddata", "qianhai-forum", verbosity=0)
sport = Section.objects.create(name="Sport", slug="sport")
Article.objects.create(
    headline="Dragon boats race in Shenzhen Bay", slug={OTHER_SLUG!r}, section=sport,
    standfirst="Forty crews took part.", body="<p>Forty crews raced.</p>", dateline="Shenzhen",
    status=Article.Status.PUBLISHED, published_at=timezone.now() - timedelta(hours=1),
)
get_user_model().objects.create_superuser({EDITOR!r}, "edge@example.org", {PASSWORD!r})
json.dump({{"story": Article.objects.get(slug={SEED_SLUG!r}).pk}}, open(sys.argv[1], "w"))
"""


def what_is_missing(site: Site) -> str | None:
    """Why this machine cannot run the edge test, or None."""
    if not shutil.which("varnishd"):
        return "varnishd is not installed (apt-get install varnish varnish-modules; .ci/run does)"
    compiled = subprocess.run(
        [
            "varnishd",
            "-C",
            "-j",
            "none",
            "-n",
            site.workdir / "varnish-check",
            "-f",
            site.render_vcl(),
        ],
        capture_output=True,
        text=True,
    )
    if compiled.returncode != 0:
        if "xkey" in compiled.stderr and "VMOD" in compiled.stderr:
            return "Varnish's xkey module is missing (apt-get install varnish-modules)"
        pytest.fail(f"deploy/varnish/newsroom.vcl does not compile:\n{compiled.stderr[-3000:]}")
    try:
        import psycopg

        psycopg.connect(**PG_SERVER, dbname="postgres", connect_timeout=3).close()
    except Exception as error:  # noqa: BLE001 - any reason not to reach it means skip
        return f"PostgreSQL is not reachable on 127.0.0.1:5432 as postgres ({error})"
    try:
        import redis

        redis.Redis(*REDIS_SERVER, db=REDIS_DB, socket_connect_timeout=3).ping()
    except Exception as error:  # noqa: BLE001
        return f"Redis is not reachable on 127.0.0.1:6379 ({error})"
    return None


def postgres(statement: str) -> None:
    import psycopg

    with psycopg.connect(**PG_SERVER, dbname="postgres", autocommit=True) as connection:
        connection.execute(statement)


def flush_redis() -> None:
    import redis

    redis.Redis(*REDIS_SERVER, db=REDIS_DB).flushdb()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("edge"))
    reason = what_is_missing(site)
    if reason:
        unavailable(reason)
    # Purges go through the queue in the database and the real worker, as in production.
    site.env["TASK_BACKEND"] = "database"
    postgres(f'CREATE DATABASE "{site.database}"')
    try:
        flush_redis()
        ids = site.workdir / "ids.json"
        # Nothing is kept at the edge yet: the setup's own changes have nothing to purge there.
        site.start("setup", [PYTHON, "-c", SETUP, ids], env={**site.env, "EDGE_VARNISH_URLS": ""})
        site.run("collectstatic", site.manage("collectstatic", "--noinput", "-v0"))
        if site.processes["setup"].wait(timeout=120) != 0:
            raise AssertionError("setting up the database failed" + site.tail("setup"))
        site.ids = json.loads(ids.read_text())

        site.start_app_server("app1")
        site.start_app_server("app2")
        site.start("worker", site.manage("worker"))
        site.start("varnish", site.varnish_command(site.render_vcl()))
        for name in ("app1", "app2"):
            wait_until(
                lambda name=name: Browser(site.ports[name]).answers("/healthz"),
                seconds=20,
                what=f"app server {name} answering /healthz",
                logs=lambda name=name: site.tail(name),
            )
        wait_until(
            lambda: Browser(site.ports["edge"]).answers("/healthz"),
            seconds=20,
            what="Varnish answering /healthz from the app",
            logs=lambda: site.tail("varnish"),
        )
        yield site
    finally:
        site.stop_all()
        postgres(f'DROP DATABASE IF EXISTS "{site.database}" WITH (FORCE)')
        flush_redis()


@pytest.fixture
def edge(site):
    return Browser(site.ports["edge"])


def kept(edge, site, path) -> str:
    """Read ``path`` through the edge until it is kept there; its body."""
    first = edge.get(path)
    assert first.status == 200, f"{path}: {first.status}" + site.tail()
    second = edge.get(path)
    assert second.cache == "HIT", f"{path} not kept at the edge: {second.headers}"
    return second.body


def test_readers_pages_are_kept_at_the_edge_and_staff_get_the_app(site, edge):
    for path in (STORY, OTHER):
        first = edge.get(path)
        assert (first.status, first.cache) == (200, "MISS"), site.tail()
        # The access log line comes just after the answer: wait for it, then count.
        asked = wait_until(lambda path=path: site.app_requests(path), seconds=5, what="log")
        assert asked == 1

        again = edge.get(path)

        assert (again.status, again.cache) == (200, "HIT")
        assert again.body == first.body
        assert site.app_requests(path) == asked, "a kept page went to the app"
        # What the edge and the app say to each other is not handed to readers.
        for internal in ("xkey", "Surrogate-Key", "Surrogate-Control", "X-Edge-SWR"):
            assert again.header(internal) is None, internal

    # A reader's other cookies are dropped, and the kept page served.
    assert edge.get(STORY, headers={"Cookie": "_ga=GA1.2.3; consent=yes"}).cache == "HIT"
    # Someone with a session (staff) gets the app's own page, never a kept one.
    asked = site.app_requests(STORY)
    staff = edge.get(STORY, headers={"Cookie": "_ga=1; sessionid=not-a-real-session"})
    assert (staff.status, staff.cache) == (200, "PASS")
    wait_until(lambda: site.app_requests(STORY) == asked + 1, seconds=5, what="staff request")
    assert edge.get("/admin/login/").cache == "PASS"

    # Purging: from an address in the ACL (loopback), by key, answered with how many went.
    nothing = edge.request("PURGE", "/", headers={"xkey-purge": "story:999999"})
    assert (nothing.status, nothing.body.strip()) == (200, "Purged 0 objects")
    assert edge.request("PURGE", "/").status == 400


def test_an_edit_is_seen_through_the_edge_at_once_and_the_edge_outlives_the_app(site, edge):
    kept(edge, site, STORY)
    kept(edge, site, OTHER)
    other_asked = site.app_requests(OTHER)

    # An editor saves the story through app server 2, as in the admin.
    editor = Browser(site.ports["app2"], cookies={})
    login = editor.get("/admin/login/")
    editor.request(
        "POST",
        "/admin/login/?next=/admin/",
        form={
            **dict(form_fields(login.body, "login-form")),
            "username": EDITOR,
            "password": PASSWORD,
        },
    )
    assert "sessionid" in editor.cookies, "the editor could not log in" + site.tail("app2")
    change = f"/admin/articles/article/{site.ids['story']}/change/"
    form = editor.get(change)
    assert form.status == 200, site.tail("app2")
    fields = [
        (n, NEW_HEADLINE if n == "headline" else v)
        for n, v in form_fields(form.body, "article_form")
    ]
    saved = editor.request("POST", change, form=[*fields, ("_save", "Save")])
    assert saved.status == 302, f"the save was refused ({saved.status}): {form_errors(saved.body)}"
    started = time.monotonic()

    # Seen through the edge at once (after the worker's purge), on whichever app server.
    wait_until(
        lambda: NEW_HEADLINE in edge.get(STORY).body,
        seconds=SEEN_WITHIN,
        what="the edited headline through the edge",
        logs=lambda: site.tail("worker", "varnish", "app2"),
    )
    seen_after = time.monotonic() - started
    print(f"The edit was seen through the edge {seen_after:.2f} s after the save.")
    # The unrelated page was not purged: still kept, and the app not asked for it again.
    assert edge.get(OTHER).cache == "HIT"
    assert site.app_requests(OTHER) == other_asked
    kept(edge, site, STORY)

    # Every app server stopped: the edge still serves the last good pages, before its health
    # probe notices and after.
    site.stop("app1")
    site.stop("app2")
    for moment in ("just stopped", "found down by the probe"):
        if moment == "found down by the probe":
            wait_until(
                lambda: (
                    len(re.findall(r"\.app[12] .* sick ", site.varnishadm("backend.list"))) == 2
                ),
                seconds=10,
                what="Varnish's probe finding both app servers down",
                logs=lambda: "\n" + site.varnishadm("backend.list"),
            )
        story, other = edge.get(STORY), edge.get(OTHER)
        assert (story.status, story.cache) == (200, "HIT"), moment
        assert NEW_HEADLINE in story.body, moment
        assert (other.status, other.cache) == (200, "HIT"), moment
