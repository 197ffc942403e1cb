"""Server time, queries and bytes of every page, in-process: the page benchmark's measuring child.

``run.py`` starts it once a case, with the case's environment (its database, DEBUG off):

    .venv/bin/python bench/page_times.py --out measured.json --html article.html --requests 50

Every page (``page_list.py``) is requested through ``django.test.Client``: one untimed request,
one that counts the queries, ``--requests`` timed ones (median and 95th percentile of the wall time
around ``client.get``), and one more count to see that it does not change. That is uncached
(``PAGE_CACHE_SECONDS=0``); public pages are then measured cold (the first request after
``cache.clear()`` with the page cache on) and warm (the requests after it). Readers send no
cookies; admin pages are requested by a member of the Editor group. The figures go to ``--out``
as JSON, the story page's HTML to ``--html`` (for ``ceiling.py``).
"""

import argparse
import contextlib
import importlib.metadata
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path

from common import ROOT, median, p95, say
from page_list import make_editor, pick_pages
from page_queries import check_queries, compare_requests


class Fetcher:
    """Requests a page and times it; on request, also captures its queries and their own times."""

    def __init__(self):
        self.last_query_ms = []  # each captured query's own time, from the last captured request

    def fetch(self, client, path, *, capture=False, reader=True):
        """One request: (milliseconds, status, bytes, response, queries or None)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

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
            self.last_query_ms = query_ms
        return elapsed, response.status_code, body, response, queries

    def series(self, client, path, count, *, reader=True):
        """``count`` timed requests: (times, statuses, sizes, page-cache hits)."""
        times, statuses, sizes, hits = [], set(), set(), 0
        for _ in range(count):
            elapsed, status, body, response, _ = self.fetch(client, path, reader=reader)
            times.append(elapsed)
            statuses.add(status)
            sizes.add(len(body))
            hits += response.get("X-Cache") == "hit"
        return times, statuses, sizes, hits


def measure_uncached(fetcher, client, row, n, problems):
    """The page with the page cache off: times, queries, bytes. Returns (status, body)."""
    from django.test.utils import override_settings

    name, path, reader = row["name"], row["path"], row["kind"] == "public"
    with override_settings(PAGE_CACHE_SECONDS=0):
        # One untimed request to warm up (first-use caches such as content types), one untimed
        # that counts the queries, the timed ones, then one more count to see that it does not
        # change from request to request.
        fetcher.fetch(client, path, reader=reader)
        _, status, body, _, first_queries = fetcher.fetch(client, path, capture=True, reader=reader)
        first_ms = fetcher.last_query_ms
        times, statuses, sizes, _ = fetcher.series(client, path, n, reader=reader)
        *_, last_queries = fetcher.fetch(client, path, capture=True, reader=reader)
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
    check_queries(name, first_queries, problems)
    compare_requests(name, path, first_queries, last_queries, problems)
    if row["status"] != [200]:
        problems.append(f"{name} ({path}): status {row['status']}")
    return status, body


def measure_cached(fetcher, client, row, n, problems):
    """A public page with the page cache on: the cold request, then the warm ones (all hits)."""
    from django.core.cache import cache
    from django.test.utils import override_settings

    name, path = row["name"], row["path"]
    with override_settings(PAGE_CACHE_SECONDS=600):
        cache.clear()
        cold, *_ = fetcher.fetch(client, path)
        cache.clear()
        *_, cold_queries = fetcher.fetch(client, path, capture=True)
        warm_times, _, _, hits = fetcher.series(client, path, n)
        *_, warm_queries = fetcher.fetch(client, path, capture=True)
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


def measure_page(fetcher, page, client, n, problems):
    """One page's row of figures, and the story page's HTML (else None). An app error is a finding
    (in the row and ``problems``), not the end of the benchmark."""
    from django.core.cache import cache

    name, path, kind = page["name"], page["path"], page["kind"]
    row = {"name": name, "path": path, "kind": kind, "extra": page.get("extra", False)}
    if path is None:
        row["error"] = page["error"]
        return row, None
    say(f"    {name}: {path}")
    saved_html = None
    try:
        status, body = measure_uncached(fetcher, client, row, n, problems)
        if name == "article" and status == 200:
            saved_html = body
        if kind == "public":
            measure_cached(fetcher, client, row, n, problems)
    except Exception as error:
        row["error"] = f"{type(error).__name__}: {error}"
        where = app_frame(error)
        problems.append(f"{name} ({path}): {row['error']}{where}")
        say(f"      error: {row['error']}{where}")
    finally:
        cache.clear()
    return row, saved_html


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


def story_count():
    from articles.models import Article

    return {"all": Article.objects.count(), "published": Article.objects.published().count()}


def versions(connection):
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


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()

    from django.conf import settings

    if settings.DEBUG:
        raise SystemExit("The benchmark must run with DEBUG off.")


def main(argv=None) -> None:
    """Measure every page with the environment's database; write the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--html", required=True)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args(argv)
    setup_django()

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    problems: list[str] = []
    pages = pick_pages(problems)
    anonymous, staff = Client(), Client()
    staff.force_login(make_editor())
    fetcher = Fetcher()
    results = []
    for page in pages:
        client = anonymous if page["kind"] == "public" else staff
        row, html = measure_page(fetcher, page, client, args.requests, problems)
        results.append(row)
        if html is not None:
            Path(args.html).write_bytes(html)
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


if __name__ == "__main__":
    main()
