"""Page benchmark: server time, queries and bytes of every kind of page, cached and not, on SQLite and
PostgreSQL at several sizes; requests per second under gunicorn beside a ceiling; worker memory;
and the time to import 1,000 wire files. Prints a table per database and size, checks the targets,
and writes ``bench/RESULTS.md``.

    .venv/bin/python bench/run.py                                   # 1,000 and 100,000; both databases
    .venv/bin/python bench/run.py --sizes 1000 --databases sqlite   # one quick case
    .venv/bin/python bench/run.py --quick                           # smoke test: fewer requests, short wrk

For each database and size, in order:

1. a fresh database: an SQLite file in a temporary folder, or the PostgreSQL database
   ``newsroom_bench`` on 127.0.0.1:5432 (user postgres; ``BENCH_PG_URL`` names another server),
   dropped at the end; then ``migrate``, ``loaddata qianhai-forum`` and ``seed_demo --articles N``;
2. in a child process with DEBUG off, every page through ``django.test.Client``: the server time
   is the wall time around ``client.get`` (median and 95th percentile of ``--requests`` requests,
   after one untimed request), SQL queries from ``CaptureQueriesContext`` on separate, untimed
   requests (capturing slows SQLite's cursor), and the response's bytes. *Uncached* runs with
   ``PAGE_CACHE_SECONDS=0`` (totals cached per content change still come from the cache, as
   in production); *cold* is the first request after ``cache.clear()`` with the page cache
   on, *warm* the requests after it (all hits). Readers send no cookies. Admin pages are requested
   by a logged-in member of the Editor group and are never cached;
3. gunicorn (2 sync workers) with ``wrk -t2 -c16 -d10s``: the bare ceiling (``bench/ceiling.py``,
   serving the story page's saved HTML from memory), then the site with the page cache on
   (``PAGE_CACHE_SECONDS=600``) and off (``0``), each on the story page and the home page, then the
   ceiling again (the higher of its two figures is the ceiling); the workers' resident memory is
   read from /proc after each run;
4. ``manage.py import_article`` on a folder of 1,000 generated wire files, timed.

Only 127.0.0.1 is contacted. Media and collected static files go to a temporary folder that is
removed at the end; the project's own database and folders are not touched. wrk is Debian's
package (``sudo apt-get install -y wrk``); without it the gunicorn figures are skipped.
"""

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
GUNICORN = str(VENV_BIN / "gunicorn")
PG_SERVER_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_BENCH_DB = "newsroom_bench"
HOST = "127.0.0.1"

# The targets, at 100,000 stories.
TARGET_SIZE = 100_000
PUBLIC_MEDIAN_MS, PUBLIC_P95_MS = 20.0, 50.0
CACHED_MS = 2.0
ADMIN_LIST_P95_MS = 250.0
SEARCH_P95_MS = 100.0
CACHED_SHARE, UNCACHED_SHARE = 0.80, 0.23
LIST_RATE_SHARE = 0.80
WORKER_RSS_MIB = 60.0
IMPORT_FILES, IMPORT_SECONDS = 1_000, 30.0

# The pages that list stories (for "within 20% of their rate at 1,000").
LIST_PAGES = ["home", "section", "tag", "reporter", "person", "organization", "search", "API list"]
# A query shape seen this many times in one request is reported as a possible N+1.
REPEATED_QUERY = 5


# --- Small helpers ------------------------------------------------------------------------------


def say(message: str = "") -> None:
    print(message, flush=True)


def median(values):
    return statistics.median(values) if values else None


def p95(values):
    """Nearest-rank 95th percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def fmt_ms(value, digits=1):
    return "–" if value is None else f"{value:.{digits}f}"


def fmt_int(value):
    return "–" if value is None else f"{value:,}"


def table(headers, rows, align=None) -> str:
    align = align or ["l"] + ["r"] * (len(headers) - 1)
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]

    def line(values):
        out = []
        for i, value in enumerate(values):
            out.append(value.ljust(widths[i]) if align[i] == "l" else value.rjust(widths[i]))
        return "| " + " | ".join(out) + " |"

    rule = "| " + " | ".join(
        ("-" * widths[i]) if align[i] == "l" else ("-" * (widths[i] - 1) + ":")
        for i in range(len(headers))
    )
    return "\n".join([line([str(h) for h in headers]), rule + " |", *(line(r) for r in cells)])


# --- The measuring child process ----------------------------------------------------------------


def measure_main(argv) -> None:
    """In a child process with the bench database's environment: measure every page, print JSON."""
    parser = argparse.ArgumentParser(prog="run.py _measure")
    parser.add_argument("--out", required=True)
    parser.add_argument("--html", required=True)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()

    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    if settings.DEBUG:
        raise SystemExit("The benchmark must run with DEBUG off.")

    n = args.requests
    problems: list[str] = []
    pages = pick_pages(problems)
    editor = make_editor()

    anonymous = Client()
    staff = Client()
    staff.force_login(editor)

    last_capture = {"ms": []}  # each captured query's own time, from the last captured request

    def fetch(client, path, *, capture=False, reader=True):
        """One request: (milliseconds, status, bytes, headers, queries or None)."""
        if reader:
            client.cookies.clear()  # a reader without cookies, like a crawler or wrk
        context = CaptureQueriesContext(connection) if capture else None
        query_ms = []

        def timer(execute, sql, params, many, db_context):
            # Each query's execute() to a tenth of a millisecond (Django's own figure is to the ms).
            started = time.perf_counter()
            try:
                return execute(sql, params, many, db_context)
            finally:
                query_ms.append((time.perf_counter() - started) * 1000)

        with contextlib.ExitStack() as stack:
            if context is not None:  # (an empty CaptureQueriesContext is falsy: it has a length)
                stack.enter_context(context)
                stack.enter_context(connection.execute_wrapper(timer))
            started = time.perf_counter()
            response = client.get(path)
            if getattr(response, "streaming", False):
                body = b"".join(response.streaming_content)
            else:
                body = response.content
            elapsed = (time.perf_counter() - started) * 1000
        queries = [q["sql"] for q in context.captured_queries] if context is not None else None
        if context is not None:
            if len(query_ms) != len(queries):
                query_ms = [float(q["time"]) * 1000 for q in context.captured_queries]
            last_capture["ms"] = query_ms
        return elapsed, response.status_code, body, response, queries

    def series(client, path, count, *, reader=True):
        times, statuses, sizes, hits = [], set(), set(), 0
        for _ in range(count):
            elapsed, status, body, response, _ = fetch(client, path, reader=reader)
            times.append(elapsed)
            statuses.add(status)
            sizes.add(len(body))
            hits += response.get("X-Cache") == "hit"
        return times, statuses, sizes, hits

    results = []
    saved_html = None
    for page in pages:
        name, path, kind = page["name"], page["path"], page["kind"]
        row = {"name": name, "path": path, "kind": kind, "extra": page.get("extra", False)}
        results.append(row)
        if path is None:
            row["error"] = page["error"]
            continue
        reader = kind == "public"
        client = anonymous if reader else staff
        say(f"    {name}: {path}")
        try:
            with override_settings(PAGE_CACHE_SECONDS=0):
                # One untimed request to warm up (first-use caches such as content types), one
                # untimed that counts the queries, the timed ones, then one more count to see that
                # it does not change from request to request.
                fetch(client, path, reader=reader)
                _, status, body, _, first_queries = fetch(client, path, capture=True, reader=reader)
                first_ms = last_capture["ms"]
                times, statuses, sizes, _ = series(client, path, n, reader=reader)
                *_, last_queries = fetch(client, path, capture=True, reader=reader)
            row.update(
                status=sorted(statuses | {status}),
                bytes=len(body),
                bytes_vary=sorted(sizes) if len(sizes) > 1 else None,
                queries=len(first_queries),
                queries_again=len(last_queries),
                median=median(times),
                p95=p95(times),
                max=max(times),
                sql=[q[:400] for q in first_queries],
                sql_ms=[round(ms, 3) for ms in first_ms],
            )
            if name == "article" and status == 200:
                saved_html = body
            check_queries(name, first_queries, problems)
            if len(first_queries) != len(last_queries):
                first_shapes = [query_shape(q) for q in first_queries]
                later_shapes = [query_shape(q) for q in last_queries]
                only_first = [q for q in first_shapes if q not in later_shapes]
                only_later = [q for q in later_shapes if q not in first_shapes]
                problems.append(
                    f"{name} ({path}): {len(first_queries)} queries on the first request, "
                    f"{len(last_queries)} on a later one"
                    + (
                        f"; only the first: {' | '.join(q[:140] for q in only_first)}"
                        if only_first
                        else ""
                    )
                    + (
                        f"; only later: {' | '.join(q[:140] for q in only_later)}"
                        if only_later
                        else ""
                    )
                )
            if row["status"] != [200]:
                problems.append(f"{name} ({path}): status {row['status']}")

            if reader:
                with override_settings(PAGE_CACHE_SECONDS=600):
                    cache.clear()
                    cold, *_ = fetch(client, path, reader=reader)
                    cache.clear()
                    *_, cold_queries = fetch(client, path, capture=True, reader=reader)
                    warm_times, _, _, hits = series(client, path, n, reader=reader)
                    *_, warm_queries = fetch(client, path, capture=True, reader=reader)
                row.update(
                    cold=cold,
                    cold_queries=len(cold_queries),
                    warm_median=median(warm_times),
                    warm_p95=p95(warm_times),
                    warm_queries=len(warm_queries),
                    warm_hits=hits,
                    warm_count=n,
                )
                if hits < n and row["status"] == [200]:
                    problems.append(
                        f"{name} ({path}): only {hits} of {n} requests after the first were page-cache "
                        "hits (the response is not cached)"
                    )
        except Exception as error:  # an app error is a finding, not the end of the benchmark
            row["error"] = f"{type(error).__name__}: {error}"
            where = app_frame(error)
            problems.append(f"{name} ({path}): {row['error']}{where}")
            say(f"      error: {row['error']}{where}")
        finally:
            cache.clear()

    if saved_html is not None:
        Path(args.html).write_bytes(saved_html)
    Path(args.out).write_text(
        json.dumps(
            {
                "pages": results,
                "problems": problems,
                "versions": versions(connection),
                "cache_backend": settings.CACHES["default"]["BACKEND"],
                "story_count": story_count(),
                "gunicorn_paths": {
                    p["name"]: p["path"] for p in pages if p["name"] in ("article", "home")
                },
            },
            indent=1,
        )
    )


def app_frame(error) -> str:
    """The innermost frame of the project's own code in a traceback, for the report."""
    frames = traceback.extract_tb(error.__traceback__)
    own = [
        f
        for f in frames
        if f.filename.startswith(str(ROOT))
        and "/.venv/" not in f.filename
        and "/bench/" not in f.filename
    ]
    if not own:
        return ""
    frame = own[-1]
    return f" (at {Path(frame.filename).relative_to(ROOT)}:{frame.lineno})"


def query_shape(sql: str) -> str:
    """The SQL with its literal values taken out, to compare queries across requests."""
    shape = re.sub(r"'(?:[^']|'')*'", "?", sql)
    shape = re.sub(r"\b\d+(\.\d+)?\b", "?", shape)
    return re.sub(r"\(\s*\?(\s*,\s*\?)*\s*\)", "(…)", shape)


def check_queries(name, queries, problems) -> None:
    shapes: dict[str, int] = {}
    for sql in queries:
        shape = query_shape(sql)
        shapes[shape] = shapes.get(shape, 0) + 1
    for shape, count in shapes.items():
        if count >= REPEATED_QUERY:
            problems.append(
                f"{name}: the same query {count} times in one request (N+1?): {shape[:160]}"
            )


def pick_pages(problems):
    """Every page to measure, found from the data: [{name, path, kind}]."""
    from urllib.parse import urlsplit

    from django.contrib.auth import get_user_model  # noqa: F401  (apps are ready)
    from django.db.models import Exists, OuterRef
    from django.test import Client
    from django.urls import reverse

    from articles.models import Article

    pages = []

    def add(name, make, kind="public", extra=False):
        try:
            path = make()
            if path is None:
                raise LookupError("nothing in the data to show")
            pages.append({"name": name, "path": path, "kind": kind, "extra": extra})
        except Exception as error:
            message = f"{type(error).__name__}: {error}"
            pages.append({"name": name, "path": None, "kind": kind, "error": message})
            problems.append(f"{name}: no page to measure ({message})")

    through = Article.mentioned_organizations.through
    story = (
        Article.objects.published()
        .filter(is_demo=True)
        .filter(Exists(through.objects.filter(article_id=OuterRef("pk"))))
        .order_by("-published_at", "-id")
        .first()
    )
    if story is None:
        story = Article.objects.published().order_by("-published_at", "-id").first()
    if story is None:
        raise SystemExit("No published story in the bench database: did seed_demo run?")

    def first_byline_reporter():
        byline = story.bylines.order_by("order").select_related("reporter").first()
        return byline.reporter.get_absolute_url() if byline else None

    def first_of(related):
        obj = related.order_by("pk").first()
        return obj.get_absolute_url() if obj else None

    def tag_url():
        tag = story.tags.order_by("name").first()
        return reverse("articles:tag", kwargs={"slug": tag.slug}) if tag else None

    def search_url():
        from articles.search import html_to_text

        common = {
            "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it",
            "its", "of", "on", "or", "that", "the", "to", "was", "were", "who", "will", "with",
        }  # fmt: skip
        words = sorted(
            {w.lower() for w in re.findall(r"[A-Za-z]+", html_to_text(story.body))} - common,
            key=lambda w: (-len(w), w),
        )
        return f"{reverse('discovery:search')}?q={words[0]}" if words else None

    def sitemap_page():
        client = Client()
        response = client.get(reverse("discovery:sitemap"))
        if response.status_code != 200:
            raise LookupError(f"/sitemap.xml answered {response.status_code}")
        content = response.content if hasattr(response, "content") else b""
        locations = re.findall(rb"<loc>([^<]+)</loc>", content)
        for location in locations:
            if b"stories" in location or b"article" in location:
                parts = urlsplit(location.decode())
                return parts.path + (f"?{parts.query}" if parts.query else "")
        raise LookupError(f"no stories sitemap in the index (saw {len(locations)} entries)")

    add("home", lambda: reverse("articles:home"))
    add("article", story.get_absolute_url)
    add("section", story.section.get_absolute_url)
    add("tag", tag_url)
    add("reporter", first_byline_reporter)
    add("person", lambda: first_of(story.mentioned_people))
    add("organization", lambda: first_of(story.mentioned_organizations))
    add("search", search_url)
    add("search, rare word", lambda: f"{reverse('discovery:search')}?q=Qianhai", extra=True)
    add("RSS feed", lambda: reverse("discovery:feed_rss"))
    add("sitemap index", lambda: reverse("discovery:sitemap"))
    add("sitemap: stories p.1", sitemap_page)
    add("API list", lambda: reverse("api:articles"))
    add("admin list", lambda: reverse("admin:articles_article_changelist"), kind="admin")
    add(
        "admin change form",
        lambda: reverse("admin:articles_article_change", args=[story.pk]),
        kind="admin",
    )
    return pages


def make_editor():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, _ = get_user_model().objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True, "email": "bench@example.invalid"}
    )
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def story_count():
    from articles.models import Article

    return {"all": Article.objects.count(), "published": Article.objects.published().count()}


def versions(connection):
    import importlib.metadata

    import django

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
        else:
            cursor.execute("show server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"

    def package(name):
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return None

    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database,
        "gunicorn": package("gunicorn"),
        "psycopg": package("psycopg"),
    }


# --- The orchestrating process ------------------------------------------------------------------


class Case:
    """One database at one size: its environment, its database, and what was measured."""

    def __init__(self, database, size, workdir, args):
        self.database, self.size, self.args = database, size, args
        self.dir = workdir / f"{database}-{size}"
        self.dir.mkdir(parents=True)
        if database == "sqlite":
            self.url = f"sqlite:///{self.dir / 'bench.sqlite3'}"
        else:
            base = PG_SERVER_URL.rsplit("/", 1)[0]
            self.url = f"{base}/{PG_BENCH_DB}"
        self.env = bench_env(
            self.url, media_root=self.dir / "media", static_root=workdir / "static"
        )
        self.measured = None
        self.wrk = {}
        self.memory = {}
        self.import_result = None
        self.timings = {}
        self.problems = []

    @property
    def label(self):
        return f"{'SQLite' if self.database == 'sqlite' else 'PostgreSQL'}, {self.size:,} stories"


def bench_env(database_url, *, media_root, static_root, page_cache=None):
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY="bench-" + "x" * 50,
        ALLOWED_HOSTS="testserver,127.0.0.1",
        SITE_URL="http://testserver",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media_root),
        STATIC_ROOT=str(static_root),
        # The default cache (files shared by the run's processes), in a folder of the run's own:
        # a shared Redis would be cleared by the cache runs.
        REDIS_URL="",
        CACHE_DIR=str(Path(media_root).parent / "cache"),
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        PYTHONUNBUFFERED="1",
    )
    env.pop("PAGE_CACHE_SECONDS", None)
    if page_cache is not None:
        env["PAGE_CACHE_SECONDS"] = str(page_cache)
    return env


def run_streamed(command, env, *, prefix="      ", log=None, timeout=None, echo=True):
    """Run a command, echoing its output as it goes; returns (status, output)."""
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    lines = []
    deadline = time.monotonic() + timeout if timeout else None
    in_traceback = False
    try:
        for line in process.stdout:
            lines.append(line)
            # A traceback is summed up by its last line, printed at the end.
            in_traceback = in_traceback or line.startswith("Traceback")
            if echo and not in_traceback:
                print(prefix + line.rstrip(), flush=True)
            if deadline and time.monotonic() > deadline:
                process.kill()
                break
        process.wait()
        if echo and in_traceback and lines:
            print(prefix + "(traceback) " + lines[-1].rstrip(), flush=True)
    except BaseException:
        process.kill()
        process.wait()
        raise
    output = "".join(lines)
    if log:
        Path(log).write_text(output)
    return process.returncode, output


def manage(case, *arguments, echo=True, timeout=None):
    command = [PYTHON, "manage.py", *arguments]
    status, output = run_streamed(command, case.env, echo=echo, timeout=timeout)
    if status != 0:
        last = (output.strip().splitlines() or ["(no output)"])[-1]
        error = RuntimeError(f"manage.py {' '.join(arguments)} failed (status {status}): {last}")
        error.output = output
        raise error
    return output


def pg_admin(sql):
    import psycopg

    with psycopg.connect(
        PG_SERVER_URL.replace("postgres://", "postgresql://", 1), autocommit=True
    ) as conn:
        return (
            conn.execute(sql).fetchall()
            if sql.lstrip().lower().startswith("select")
            else conn.execute(sql)
        )


def pg_available() -> str | None:
    try:
        pg_admin("select 1")
        return None
    except Exception as error:
        return f"{type(error).__name__}: {error}".strip()


def create_database(case):
    if case.database == "postgresql":
        pg_admin(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
        pg_admin(f"CREATE DATABASE {PG_BENCH_DB}")


def drop_database(case):
    if case.database == "postgresql":
        try:
            pg_admin(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
        except Exception as error:
            say(f"    could not drop {PG_BENCH_DB}: {error}")
    else:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(case.url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def http_get(url, timeout=30):
    """(status, bytes) of a GET, without raising for an HTTP error status."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Gunicorn:
    """gunicorn with 2 sync workers on a free port on 127.0.0.1, stopped on leaving the block."""

    def __init__(self, app, env, *, chdir, log, ready_path):
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.log = open(log, "w")  # noqa: SIM115  (closed in __exit__)
        self.process = subprocess.Popen(
            [GUNICORN, app, "-w", "2", "-b", f"{HOST}:{self.port}", "--chdir", str(chdir)],
            cwd=chdir,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.log_path = log
        self.ready_path = ready_path

    def __enter__(self):
        for _ in range(240):  # up to a minute
            if self.process.poll() is not None:
                break
            try:
                http_get(self.base + self.ready_path, timeout=5)
                return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.25)
        self.__exit__(None, None, None)
        tail = "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-20:])
        raise RuntimeError(f"gunicorn did not start:\n{tail}")

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def worker_pids(self):
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The second field (the command) is in parentheses and may hold spaces.
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[1]) == self.process.pid:
                pids.append(int(entry.name))
        return sorted(pids)

    def worker_rss_mib(self):
        sizes = []
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes.append(int(line.split()[1]) / 1024)
            except OSError:
                pass
        return sizes


def wrk(url, seconds):
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    out = done.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:(.*)", out)
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.MULTILINE))
    return {
        "rps": float(rate.group(1)) if rate else None,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1).strip() if errors else None,
        "p50": latency.get("50"),
        "p99": latency.get("99"),
        "raw": out if rate is None else None,
    }


def gunicorn_phase(case, paths, html_file, seconds):
    """Requests per second for the ceiling, then the site cached and uncached."""
    warm_requests = 20

    def warm(server, path):
        statuses = {http_get(server.base + path)[0] for _ in range(warm_requests)}
        if statuses != {200}:
            case.problems.append(f"gunicorn: {path} answered {sorted(statuses)}")

    def measure(server, key, path):
        say(f"    wrk {key}: {path} ({seconds} s)")
        result = wrk(server.base + path, seconds)
        case.wrk[key] = result
        if result["rps"] is None:
            case.problems.append(f"wrk {key}: no figure; output: {result['raw'][:300]}")
        else:
            say(
                f"      {result['rps']:,.0f} requests/s (latency p50 {result['p50']}, p99 {result['p99']})"
            )
        if result["non_2xx"]:
            case.problems.append(f"wrk {key} ({path}): {result['non_2xx']} responses not 2xx/3xx")
        if result["socket_errors"]:
            case.problems.append(f"wrk {key} ({path}): socket errors {result['socket_errors']}")

    article, home = paths.get("article"), paths.get("home")
    if not article or not html_file.exists():
        case.problems.append("gunicorn: no story page to measure (see the in-process table)")
        return
    ceiling_env = dict(case.env, CEILING_HTML=str(html_file))

    def ceiling(key):
        # Before and after the site's runs: other work on the machine shows as a difference, and
        # the higher figure is the ceiling.
        say(f"    gunicorn: the ceiling (bench/ceiling.py), {key}")
        with Gunicorn(
            "ceiling:application",
            ceiling_env,
            chdir=BENCH,
            log=case.dir / "ceiling.log",
            ready_path="/",
        ) as server:
            warm(server, article)
            measure(server, key, article)
            case.memory["ceiling"] = server.worker_rss_mib()

    ceiling("ceiling before")
    for label, seconds_cached in (("cached", 600), ("uncached", 0)):
        env = dict(case.env, PAGE_CACHE_SECONDS=str(seconds_cached))
        say(f"    gunicorn: newsroom.wsgi, PAGE_CACHE_SECONDS={seconds_cached}")
        with Gunicorn(
            "newsroom.wsgi",
            env,
            chdir=ROOT,
            log=case.dir / f"gunicorn-{label}.log",
            ready_path="/healthz",
        ) as server:
            for name, path in (("article", article), ("home", home)):
                if path:
                    warm(server, path)
                    measure(server, f"{name} {label}", path)
            case.memory[label] = server.worker_rss_mib()
            say(
                f"      worker memory after the run: {', '.join(f'{m:.1f}' for m in case.memory[label])} MiB"
            )
            log = Path(server.log_path).read_text(errors="replace")
            if "Traceback" in log or "[ERROR]" in log:
                case.problems.append(f"gunicorn {label}: errors in its log ({server.log_path})")
    ceiling("ceiling after")


WIRE_TEXT = (
    "the port authority said new berths would open next year after a review of demand from "
    "shipping lines and logistics firms across the bay area while researchers asked for clearer "
    "figures on costs and timing for small exporters who rely on the terminals"
)
WIRE_WORDS = WIRE_TEXT.split()
WIRE_NAMES = [
    "Deng Zhonghua",
    "Choi Koon-shum",
    "SenseTime",
    "Qianhai International Convention Center",
]
WIRE_PLACES = ["Shenzhen", "Hong Kong", "Macao", "Guangzhou", "Zhuhai"]


def write_wire_files(folder: Path, count: int) -> None:
    rng = random.Random(1000)
    folder.mkdir(parents=True)
    for i in range(count):
        reporter = i % 20
        paragraphs = []
        for p in range(rng.randint(4, 8)):
            words = [rng.choice(WIRE_WORDS) for _ in range(rng.randint(20, 45))]
            if p == 1 and rng.random() < 0.5:
                words.insert(3, rng.choice(WIRE_NAMES))
            paragraphs.append(" ".join(words).capitalize() + ".")
        paragraphs.append(f"This is bench wire story number {i + 1}.")
        lines = [
            rng.choice(WIRE_PLACES),
            f"Wire Reporter {reporter + 1}",
            f"wire-{reporter + 1}@agency.invalid",
            *paragraphs,
        ]
        (folder / f"story-{i + 1:04d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def import_phase(case, count):
    folder = case.dir / "wire"
    write_wire_files(folder, count)
    say(f"    import_article: {count:,} wire files")
    started = time.monotonic()
    status, output = run_streamed(
        [PYTHON, "manage.py", "import_article", str(folder)],
        case.env,
        echo=False,
        log=case.dir / "import.log",
        timeout=1800,
    )
    elapsed = time.monotonic() - started
    if "Unknown command" in output:
        case.import_result = {"skipped": "manage.py import_article does not exist yet"}
        say("      skipped: the command does not exist")
        return
    summary = [line for line in output.strip().splitlines()[-4:] if line.strip()]
    case.import_result = {"files": count, "seconds": elapsed, "status": status, "summary": summary}
    say(f"      {elapsed:.1f} s (status {status}): {summary[-1] if summary else ''}")
    if status != 0:
        case.problems.append(
            f"import_article: exit status {status}; see {case.dir / 'import.log'} — {' / '.join(summary)}"
        )


def run_case(case, args, has_wrk):
    say()
    say(f"=== {case.label} ===")
    started = time.monotonic()
    try:
        create_database(case)
        say("  migrate")
        t = time.monotonic()
        manage(case, "migrate", "--noinput", echo=False)
        manage(case, "loaddata", "qianhai-forum", echo=False)
        case.timings["migrate + seed story"] = time.monotonic() - t
        say(f"  seed_demo --articles {case.size:,}")
        t = time.monotonic()
        manage(case, "seed_demo", "--articles", str(case.size))
        case.timings["seed_demo"] = time.monotonic() - t

        say(f"  pages in-process ({args.requests} requests each, uncached then cached)")
        t = time.monotonic()
        out, html = case.dir / "measured.json", case.dir / "article.html"
        command = [PYTHON, str(Path(__file__).resolve()), "_measure", "--out", str(out)]
        command += ["--html", str(html), "--requests", str(args.requests)]
        status, output = run_streamed(command, case.env)
        if status != 0 or not out.exists():
            last = (output.strip().splitlines() or ["(no output)"])[-1]
            raise RuntimeError(f"the in-process measurements failed (status {status}): {last}")
        case.measured = json.loads(out.read_text())
        case.problems += case.measured["problems"]
        case.timings["in-process pages"] = time.monotonic() - t
        say(render_case_table(case))

        if has_wrk:
            say(f"  gunicorn -w 2 with wrk -t2 -c16 -d{args.wrk_seconds}s")
            t = time.monotonic()
            try:
                gunicorn_phase(
                    case, case.measured.get("gunicorn_paths", {}), html, args.wrk_seconds
                )
            except Exception as error:
                case.problems.append(f"gunicorn: {error}")
                say(f"    {error}")
            case.timings["gunicorn + wrk"] = time.monotonic() - t

        if args.import_files:
            t = time.monotonic()
            import_phase(case, args.import_files)
            case.timings["import"] = time.monotonic() - t
    except Exception as error:
        case.problems.append(f"the case stopped: {error}")
        say(f"  stopped: {error}")
    finally:
        drop_database(case)
        case.timings["total"] = time.monotonic() - started
        say(f"  {case.label}: {case.timings['total']:.0f} s in all")


# --- Reporting ----------------------------------------------------------------------------------


def render_case_table(case) -> str:
    rows = []
    for page in (case.measured or {}).get("pages", []):
        if page.get("error") and "median" not in page:
            rows.append([page["name"], page.get("path") or "–", "error", *["–"] * 9])
            rows[-1][3] = (page.get("error") or "")[:60]
            continue
        queries = str(page["queries"])
        if page.get("queries_again") not in (None, page["queries"]):
            queries += f"/{page['queries_again']}"
        status = ",".join(str(s) for s in page["status"])
        cached = page["kind"] == "public"
        rows.append(
            [
                page["name"] + (" *" if page.get("extra") else ""),
                page["path"] if len(page["path"]) <= 48 else page["path"][:45] + "…",
                status,
                fmt_int(page["bytes"]),
                queries,
                fmt_ms(page["median"]),
                fmt_ms(page["p95"]),
                f"{fmt_ms(page['cold'])} ({page['cold_queries']}q)"
                if cached and "cold" in page
                else "–",
                fmt_ms(page.get("warm_median"), 2) if cached else "–",
                fmt_ms(page.get("warm_p95"), 2) if cached else "–",
                str(page.get("warm_queries", "–")) if cached else "–",
                f"{page['warm_hits']}/{page['warm_count']}"
                if cached and "warm_hits" in page
                else "–",
            ]
        )
    headers = [
        "page", "path", "status", "bytes", "queries", "uncached median ms", "uncached p95 ms",
        "cold ms (queries)", "warm median ms", "warm p95 ms", "warm queries", "hits",
    ]  # fmt: skip
    align = ["l", "l"] + ["r"] * (len(headers) - 2)
    return table(headers, rows, align)


def render_slow_pages(case) -> str | None:
    """For each page over its target, how much of its time the SQL took, and the slowest query."""
    lines = []
    for page in (case.measured or {}).get("pages", []):
        if "median" not in page or not page.get("sql_ms"):
            continue
        if page["name"] == "admin list":
            over = page["p95"] >= ADMIN_LIST_P95_MS
        elif page["kind"] == "admin":
            over = False
        else:
            over = page["median"] >= PUBLIC_MEDIAN_MS or page["p95"] >= PUBLIC_P95_MS
        if not over:
            continue
        total = sum(page["sql_ms"])
        slowest = max(range(len(page["sql_ms"])), key=lambda i: page["sql_ms"][i])
        sql = re.sub(r"\s+", " ", page["sql"][slowest])
        lines.append(
            f"- {page['name']}: SQL execute {total:.1f} ms of a {page['median']:.1f} ms median "
            f"({len(page['sql_ms'])} queries); slowest {page['sql_ms'][slowest]:.1f} ms: "
            f"`{sql[:160]}{'…' if len(sql) > 160 else ''}`"
        )
    if not lines:
        return None
    return "Pages over their target, with the time their SQL took (one request):\n\n" + "\n".join(
        lines
    )


def ceiling_rps(case):
    figures = [(case.wrk.get(k) or {}).get("rps") for k in ("ceiling before", "ceiling after")]
    figures = [f for f in figures if f]
    return max(figures) if figures else None


def render_gunicorn_table(case) -> str | None:
    if not case.wrk:
        return None
    ceiling = ceiling_rps(case)
    rows = []
    keys = ("ceiling before", "article cached", "home cached", "article uncached", "home uncached")
    for key in (*keys, "ceiling after"):
        result = case.wrk.get(key)
        if not result:
            continue
        rps = result["rps"]
        share = f"{rps / ceiling:.0%}" if rps and ceiling and "ceiling" not in key else "–"
        rows.append(
            [
                key,
                f"{rps:,.0f}" if rps else "–",
                share,
                result["p50"] or "–",
                result["p99"] or "–",
                str(result["non_2xx"]),
            ]
        )
    memory = "; ".join(
        f"{label}: {', '.join(f'{m:.1f}' for m in sizes)} MiB"
        for label, sizes in case.memory.items()
        if sizes
    )
    return (
        table(
            ["wrk run", "requests/s", "of ceiling", "latency p50", "latency p99", "non-2xx"], rows
        )
        + "\n\n*Of ceiling*: of the higher of the two ceiling runs. Worker resident memory after "
        + f"each run ({memory or 'not read'})."
    )


def page_by_name(case, name):
    for page in (case.measured or {}).get("pages", []):
        if page["name"] == name and "median" in page:
            return page
    return None


def evaluate(cases) -> list[list[str]]:
    """Rows of [target, database, measured, result] for the summary."""
    rows = []
    databases = []
    for case in cases:
        if case.database not in databases:
            databases.append(case.database)

    def at_target(database):
        measured = [c for c in cases if c.database == database and c.measured]
        if not measured:
            return None
        return max(measured, key=lambda c: c.size)

    def smallest(database):
        measured = [c for c in cases if c.database == database and c.measured]
        return min(measured, key=lambda c: c.size) if measured else None

    def verdict(ok, case):
        word = "pass" if ok else "FAIL"
        return (
            word
            if case.size >= TARGET_SIZE
            else f"{word} (at {case.size:,}; target is at {TARGET_SIZE:,})"
        )

    for database in databases:
        case = at_target(database)
        db = "SQLite" if database == "sqlite" else "PostgreSQL"
        if case is None:
            rows.append(["all targets", db, "not measured", "–"])
            continue
        public = [p for p in case.measured["pages"] if p["kind"] == "public" and "median" in p]
        public_errors = [
            p["name"] for p in case.measured["pages"] if p["kind"] == "public" and "median" not in p
        ]
        slow = [
            f"{p['name']} {p['median']:.1f}/{p['p95']:.1f}"
            for p in public
            if p["median"] >= PUBLIC_MEDIAN_MS or p["p95"] >= PUBLIC_P95_MS
        ]
        worst = max(public, key=lambda p: p["p95"], default=None)
        figure = (
            f"slowest p95: {worst['name']} {worst['median']:.1f} ms median, {worst['p95']:.1f} ms p95"
            if worst
            else "–"
        )
        if slow:
            figure += "; over (median/p95 ms): " + ", ".join(slow)
        if public_errors:
            figure += "; not measured (error): " + ", ".join(public_errors)
        rows.append(
            [
                f"public pages uncached: median < {PUBLIC_MEDIAN_MS:.0f} ms, p95 < {PUBLIC_P95_MS:.0f} ms",
                db,
                figure,
                verdict(not slow and not public_errors and bool(public), case),
            ]
        )

        # Query counts: the same at every size measured.
        small = smallest(database)
        if small is case:
            rows.append(
                ["public page queries the same at 1,000 and 100,000", db, "needs two sizes", "n/a"]
            )
        else:
            grew = []
            for p in public:
                other = page_by_name(small, p["name"])
                if other and other["queries"] != p["queries"]:
                    grew.append(f"{p['name']} {other['queries']}→{p['queries']}")
            rows.append(
                [
                    f"public page queries the same at {small.size:,} and {case.size:,}",
                    db,
                    ", ".join(grew) or f"all equal ({len(public)} pages)",
                    "pass" if not grew else "FAIL",
                ]
            )

        cached = [p for p in public if p.get("warm_median") is not None]
        slow_cached = [
            f"{p['name']} {p['warm_median']:.2f}" for p in cached if p["warm_median"] >= CACHED_MS
        ]
        worst_cached = max(cached, key=lambda p: p["warm_median"], default=None)
        rows.append(
            [
                f"cached pages (warm median) < {CACHED_MS:.0f} ms",
                db,
                (
                    f"slowest: {worst_cached['name']} {worst_cached['warm_median']:.2f} ms"
                    + (f"; over: {', '.join(slow_cached)}" if slow_cached else "")
                )
                if worst_cached
                else "–",
                verdict(bool(cached) and not slow_cached, case),
            ]
        )

        admin = page_by_name(case, "admin list")
        if admin:
            counts = [
                q
                for q in admin.get("sql", [])
                if re.match(r"\s*SELECT\s+COUNT\(", q, re.IGNORECASE)
            ]
            full = [q for q in counts if " WHERE " not in q.upper()]
            note = f"; {len(counts)} COUNT queries" if counts else "; no COUNT query"
            if full:
                note += "; full-table count: " + " | ".join(q[:80] for q in full)
            rows.append(
                [
                    f"admin list (editor) p95 < {ADMIN_LIST_P95_MS:.0f} ms",
                    db,
                    f"p95 {admin['p95']:.1f} ms, median {admin['median']:.1f} ms, {admin['queries']} queries{note}",
                    verdict(admin["p95"] < ADMIN_LIST_P95_MS and not full, case),
                ]
            )
        search = page_by_name(case, "search")
        if search:
            rows.append(
                [
                    f"search p95 < {SEARCH_P95_MS:.0f} ms",
                    db,
                    f"p95 {search['p95']:.1f} ms ({search['path']})",
                    verdict(search["p95"] < SEARCH_P95_MS, case),
                ]
            )

        ceiling = ceiling_rps(case)
        for key, share in (("article cached", CACHED_SHARE), ("article uncached", UNCACHED_SHARE)):
            rps = (case.wrk.get(key) or {}).get("rps")
            if rps and ceiling:
                rows.append(
                    [
                        f"gunicorn {key} ≥ {share:.0%} of the ceiling",
                        db,
                        f"{rps:,.0f} of {ceiling:,.0f} requests/s = {rps / ceiling:.0%}",
                        verdict(rps >= share * ceiling, case),
                    ]
                )
            else:
                rows.append(
                    [f"gunicorn {key} ≥ {share:.0%} of the ceiling", db, "not measured", "n/a"]
                )

        if small is not case:
            figures, ok = [], True
            for key in ("home uncached", "home cached"):
                big, little = (
                    (case.wrk.get(key) or {}).get("rps"),
                    (small.wrk.get(key) or {}).get("rps"),
                )
                if big and little:
                    figures.append(f"wrk {key} {little:,.0f}→{big:,.0f} ({big / little:.0%})")
                    ok &= big >= LIST_RATE_SHARE * little
            for name in LIST_PAGES:
                big, little = page_by_name(case, name), page_by_name(small, name)
                if big and little:
                    ratio = little["median"] / big["median"]
                    if little["bytes"] < 0.8 * big["bytes"]:
                        # The page at the small size lists fewer stories (a person in 8 of 1,000
                        # stories, not a full page of 20): not the same page, so not compared.
                        figures.append(
                            f"{name} not comparable ({little['bytes']:,} bytes at {small.size:,}, "
                            f"{big['bytes']:,} at {case.size:,}: fewer stories listed; "
                            f"{little['median']:.1f}→{big['median']:.1f} ms)"
                        )
                    elif ratio < LIST_RATE_SHARE:
                        ok = False
                        figures.append(
                            f"{name} {little['median']:.1f}→{big['median']:.1f} ms ({ratio:.0%} of the rate)"
                        )
            rows.append(
                [
                    f"list pages at {case.size:,} ≥ {LIST_RATE_SHARE:.0%} of their rate at {small.size:,}",
                    db,
                    "; ".join(figures) or "–",
                    "pass" if ok and figures else ("FAIL" if figures else "n/a"),
                ]
            )
        else:
            rows.append(["list pages at 100,000 within 20% of 1,000", db, "needs two sizes", "n/a"])

        worker = [m for label in ("cached", "uncached") for m in case.memory.get(label, [])]
        rows.append(
            [
                f"worker memory after the run < {WORKER_RSS_MIB:.0f} MiB",
                db,
                f"largest worker {max(worker):.1f} MiB" if worker else "not measured",
                verdict(max(worker) < WORKER_RSS_MIB, case) if worker else "n/a",
            ]
        )

        result = case.import_result or {}
        if "seconds" in result:
            scaled = result["seconds"] * IMPORT_FILES / result["files"]
            figure = f"{result['seconds']:.1f} s for {result['files']:,} files"
            if result["files"] != IMPORT_FILES:
                figure += f" (≈ {scaled:.1f} s for {IMPORT_FILES:,})"
            if result["status"]:
                figure += f"; exit status {result['status']}"
            rows.append(
                [
                    f"import {IMPORT_FILES:,} wire files < {IMPORT_SECONDS:.0f} s",
                    db,
                    figure,
                    verdict(scaled < IMPORT_SECONDS and not result["status"], case),
                ]
            )
        else:
            rows.append(
                [
                    f"import {IMPORT_FILES:,} wire files < {IMPORT_SECONDS:.0f} s",
                    db,
                    result.get("skipped", "not measured"),
                    "n/a",
                ]
            )
    return rows


def machine_info() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split(
            "\n"
        )[0]
    except OSError:
        wrk_version = "not installed"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        commit += " (with uncommitted changes)" if dirty else ""
    except OSError:
        commit = "unknown"
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "kernel": platform.release(),
        "wrk": wrk_version.strip() or "unknown",
        "commit": commit,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def write_results(path, cases, summary_rows, args, machine, started_at, elapsed) -> None:
    versions = {}
    for case in cases:
        if case.measured:
            versions.update({k: v for k, v in case.measured["versions"].items() if k != "database"})
            versions[case.database] = case.measured["versions"]["database"]
    lines = [
        "# Benchmark results",
        "",
        "Written by `bench/run.py`; run it again to replace this file.",
        "",
        f"- **Date**: {started_at:%Y-%m-%d %H:%M} UTC ({elapsed / 60:.1f} minutes)",
        f"- **Command**: `{' '.join(['.venv/bin/python', 'bench/run.py', *sys.argv[1:]])}`",
        f"- **Machine**: {machine['cores']} cores (`nproc`), {machine['memory']} memory, {machine['cpu']}; "
        f"Linux {machine['kernel']}; load average at the start {machine['load']}, at the end "
        + " ".join(f"{x:.2f}" for x in os.getloadavg()),
        f"- **Versions**: Python {versions.get('python', '?')}, Django {versions.get('django', '?')}, "
        + ", ".join(versions[d] for d in ("sqlite", "postgresql") if d in versions)
        + f", gunicorn {versions.get('gunicorn', '?')}, psycopg {versions.get('psycopg', '?')}, {machine['wrk']}",
        f"- **Code**: commit {machine['commit']}",
        f"- **Settings**: DEBUG off, local-memory cache, {args.requests} timed requests a page"
        f" (after one untimed), wrk `-t2 -c16 -d{args.wrk_seconds}s` against gunicorn `-w 2`"
        + (" — **quick run**, not for comparison" if args.quick else ""),
        "",
        "Times are server time in milliseconds, measured in-process around `django.test.Client.get`. "
        "*Queries* are per request on the uncached page (two numbers if two requests differed). "
        "*Uncached* means the page cache off (`PAGE_CACHE_SECONDS=0`); figures that only a content "
        "change can alter (listing totals, sitemap figures, the masthead's sections, the admin "
        "list's years) are still cached per content change (`COUNT_CACHE_SECONDS`), as in "
        "production, so the cold column shows a page's cost just after a change. "
        "*Cold* is the first request after `cache.clear()` with the page cache on; *warm* the "
        f"{args.requests} after it; *hits* how many of them the page cache answered. Admin pages "
        "are never cached. Rows marked * are extra to the requirement. Under each table, the pages "
        "over their target with the time their queries' `execute()` took on one request (SQLite "
        "does part of a query's work while its rows are fetched, so its figures are a lower "
        "bound).",
        "",
        "## Targets",
        "",
        table(["target", "database", "measured", "result"], summary_rows, ["l", "l", "l", "l"]),
        "",
    ]
    for case in cases:
        lines += [f"## {case.label}", ""]
        if case.measured:
            counts = case.measured.get("story_count", {})
            lines += [
                f"{counts.get('all', 0):,} stories, {counts.get('published', 0):,} of them published "
                f"(seed_demo {case.timings.get('seed_demo', 0):.0f} s).",
                "",
                render_case_table(case),
                "",
            ]
            slow = render_slow_pages(case)
            if slow:
                lines += [slow, ""]
        gunicorn = render_gunicorn_table(case)
        if gunicorn:
            lines += [gunicorn, ""]
        result = case.import_result or {}
        if "seconds" in result:
            lines += [
                f"Import: {result['files']:,} wire files in {result['seconds']:.1f} s "
                f"(exit status {result['status']}): {result['summary'][-1] if result['summary'] else ''}",
                "",
            ]
        elif result:
            lines += [f"Import: {result.get('skipped')}", ""]
        if case.problems:
            lines += ["Problems seen:", ""] + [f"- {p}" for p in case.problems] + [""]
    Path(path).write_text("\n".join(lines))


# --- Main ---------------------------------------------------------------------------------------


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "_measure":
        measure_main(sys.argv[2:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000", help="story counts, comma-separated")
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="sqlite, postgresql or both"
    )
    parser.add_argument(
        "--requests", type=int, help="timed requests a page (default 50; 20 with --quick)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer requests, 3 s wrk runs, 200 wire files"
    )
    parser.add_argument("--wrk-seconds", type=int, help="length of each wrk run (default 10)")
    parser.add_argument(
        "--import-files", type=int, help=f"wire files to import (default {IMPORT_FILES:,}; 0 skips)"
    )
    parser.add_argument(
        "--results", default=str(BENCH / "RESULTS.md"), help="where to write the results"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (logs, JSON, SQL)"
    )
    args = parser.parse_args()
    args.requests = args.requests or (20 if args.quick else 50)
    args.wrk_seconds = args.wrk_seconds or (3 if args.quick else 10)
    if args.import_files is None:
        args.import_files = 200 if args.quick else IMPORT_FILES
    sizes = [
        int(s.replace("_", "").replace(",", "")) for s in re.split(r"[ ,]+(?=\d)", args.sizes) if s
    ]
    databases = [d.strip().lower() for d in args.databases.split(",") if d.strip()]
    for database in databases:
        if database not in ("sqlite", "postgresql"):
            parser.error(f"unknown database {database!r}: use sqlite, postgresql or both")
    if args.requests < 50 and not args.quick:
        say(f"Note: {args.requests} requests a page; the requirement asks for at least 50.")

    started_at = dt.datetime.now(dt.UTC)
    machine = machine_info()
    say(
        f"newsroom page benchmark: {machine['cores']} cores, {machine['cpu']}, {machine['memory']}; "
        f"load {machine['load']}"
    )
    say(
        f"sizes {', '.join(f'{s:,}' for s in sizes)}; databases {', '.join(databases)}; "
        f"{args.requests} requests a page"
    )

    busy = os.getloadavg()[0]
    if busy > 0.5 * (os.cpu_count() or 1):
        say(
            f"Warning: load average {busy:.2f} on {os.cpu_count()} cores before starting: other "
            "work is running, so the figures will be slower and noisier than on a quiet machine."
        )
    has_wrk = shutil.which("wrk") is not None
    if not has_wrk:
        say("wrk is not installed, so the gunicorn figures are skipped. Install Debian's package:")
        say("    sudo apt-get install -y wrk")
    if not Path(GUNICORN).exists():
        say(f"gunicorn is not in {VENV_BIN}: run `make install`; the gunicorn figures are skipped.")
        has_wrk = False
    if "postgresql" in databases:
        problem = pg_available()
        if problem:
            say(f"PostgreSQL is not reachable at {PG_SERVER_URL} ({problem}); skipping it.")
            databases.remove("postgresql")

    workdir = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
    cases = []
    try:
        say("Collecting static files (DEBUG off needs the manifest)…")
        env = bench_env(
            "sqlite:///" + str(workdir / "unused.sqlite3"),
            media_root=workdir / "media",
            static_root=workdir / "static",
        )
        status, output = run_streamed(
            [PYTHON, "manage.py", "collectstatic", "--noinput"], env, echo=False
        )
        if status != 0:
            say(output[-2000:])
            return 1
        for database in databases:
            for size in sizes:
                case = Case(database, size, workdir, args)
                cases.append(case)
                run_case(case, args, has_wrk)
                say()
                say(f"--- {case.label} ---")
                if case.measured:
                    say(render_case_table(case))
                    slow = render_slow_pages(case)
                    if slow:
                        say()
                        say(slow)
                gunicorn = render_gunicorn_table(case)
                if gunicorn:
                    say()
                    say(gunicorn)
    except KeyboardInterrupt:
        say("\nInterrupted: writing what was measured.")
    finally:
        elapsed = (dt.datetime.now(dt.UTC) - started_at).total_seconds()
        summary = evaluate(cases)
        say()
        say("=== Targets ===")
        say(table(["target", "database", "measured", "result"], summary, ["l", "l", "l", "l"]))
        problems = [(case.label, p) for case in cases for p in case.problems]
        if problems:
            say()
            say("=== Problems seen ===")
            for label, problem in problems:
                say(f"- [{label}] {problem}")
        if cases:
            write_results(args.results, cases, summary, args, machine, started_at, elapsed)
            say(f"\nWritten to {args.results} ({elapsed / 60:.1f} minutes in all).")
        if args.keep:
            say(f"Logs, measurements and captured SQL kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
