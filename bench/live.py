"""Live coverage benchmark: readers polling a live story while an editor adds entries.

    .venv/bin/python bench/live.py                                   # 1,000 readers, 120 s
    .venv/bin/python bench/live.py --readers 200 --seconds 40       # a smoke test

What it does, on an SQLite database in a temporary folder (the poll is answered from the page
cache, so the database matters little; ``--database postgresql`` uses ``newsroom_live_bench`` on
127.0.0.1:5432, dropped at the end):

1. ``migrate``, ``loaddata qianhai-forum``; the seed story is made live with 10 entries;
2. gunicorn (2 sync workers, the page cache on: ``PAGE_CACHE_SECONDS=600``, DEBUG off) on a free
   port of 127.0.0.1;
3. ``--readers`` simulated readers, each polling the story's poll endpoint every ``--interval``
   seconds (10), spread evenly over the interval, as ``static/newsroom/live.js`` does: with the
   ``ETag`` of the last answer in ``If-None-Match``, so an unchanged poll is a 304. They run on
   ``--threads`` threads of this process;
4. meanwhile a child process (this file with ``--adder``) adds an entry every ``--every``
   seconds (30) through ``articles.live.add_entry``, the admin's own path (which purges the
   story's key), and says when each was committed;
5. then the story page itself is requested ``--page-requests`` times with the page cache warm,
   for comparison: what a cached page costs the same workers.

It prints the polls made, how many were 304, the workers' CPU time per poll (read from /proc
before and after, all workers together) beside their CPU time per cached page, the poll's latency
(p50, p99), and for each entry the delay from its commit to the first poll that showed it (it
should be under one poll interval). Results go to ``RESULTS.md`` between ``<!-- live.py: begin
-->`` and its end marker. Only 127.0.0.1 is contacted.
"""

import argparse
import heapq
import http.client
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import BENCH, HOST, PG_SERVER_URL, PYTHON, ROOT, fmt_ms, median, say, table
from harness import Gunicorn, bench_env, collect_static, manage, pg_admin, run_streamed
from report import machine_info, write_block

PG_DB = "newsroom_live_bench"
SEED_SLUG = "qianhai-forum-draws-1200-representatives"
TICKS = os.sysconf("SC_CLK_TCK")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between polls")
    parser.add_argument("--every", type=float, default=30.0, help="seconds between entries")
    parser.add_argument("--seconds", type=float, default=120.0, help="how long readers poll")
    parser.add_argument("--threads", type=int, default=24)
    parser.add_argument("--page-requests", type=int, default=2000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--no-results", action="store_true", help="do not write RESULTS.md")
    parser.add_argument("--adder", help=argparse.SUPPRESS)  # the child adding entries
    args = parser.parse_args(argv)
    if args.adder:
        return add_entries(args.adder, args.every, args.seconds)

    workdir = Path(tempfile.mkdtemp(prefix="newsroom-live-bench-"))
    try:
        if not collect_static(workdir):
            raise SystemExit("collectstatic failed")
        if args.database == "sqlite":
            url = f"sqlite:///{workdir / 'live.sqlite3'}"
        else:
            pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}"')
            pg_admin(f'CREATE DATABASE "{PG_DB}"')
            url = f"{PG_SERVER_URL.rsplit('/', 1)[0]}/{PG_DB}"
        env = bench_env(
            url, media_root=workdir / "media", static_root=workdir / "static", page_cache=600
        )
        case = type("Case", (), {"env": env})()
        say(f"Setting up the database ({args.database})…")
        manage(case, "migrate", "--noinput", echo=False)
        manage(case, "loaddata", "qianhai-forum", echo=False)
        status, output = run_streamed([PYTHON, __file__, "--adder", "setup"], env, echo=False)
        if status:
            raise SystemExit(f"Could not make the seed story live:\n{output[-2000:]}")
        figures = measure(args, env, workdir)
        return report(args, figures)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if args.database == "postgresql":
            pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}"')


# --- The child: Django in this process, adding entries as an editor does ----------------------


def setup_django():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def add_entries(mode, every, seconds):
    """``setup``: make the seed story live with 10 entries. Otherwise add an entry every ``every``
    seconds for ``seconds``, printing ``{"id", "committed"}`` after each commit."""
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from articles import live
    from articles.models import Article

    editor, _ = get_user_model().objects.get_or_create(
        username="live-bench-editor", defaults={"is_staff": True, "is_superuser": True}
    )
    story = Article.objects.get(slug=SEED_SLUG)
    if mode == "setup":
        Article.objects.filter(pk=story.pk).update(is_live=True)
        story.refresh_from_db()
        for n in range(10):
            live.add_entry(
                story, user=editor, title=f"Demo entry {n + 1}", body=f"<p>Demo update {n + 1}.</p>"
            )
        return 0
    started = time.monotonic()
    n = 0
    # The first a fifth of an interval in, the last with time left for a poll to show it.
    while every * (n + 0.2) < seconds - every / 3:
        time.sleep(max(0.0, started + every * (n + 0.2) - time.monotonic()))
        n += 1
        with transaction.atomic():
            entry = live.add_entry(
                story, user=editor, title=f"Bench entry {n}", body=f"<p>Bench update {n}.</p>"
            )
        # After the commit (and so after the purge the commit runs).
        print(json.dumps({"id": entry.pk, "committed": time.time()}), flush=True)
    return 0


# --- The readers ---------------------------------------------------------------------------------


def p99(values):
    """Nearest-rank 99th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)] if ordered else None


def cpu_seconds(pids) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def get(port, path, etag=None):
    """(status, ETag, body, seconds) of one GET on a new connection (gunicorn's sync workers
    close each one)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        headers = {"Host": "127.0.0.1", "Accept-Encoding": "identity"}
        if etag:
            headers["If-None-Match"] = etag
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, response.getheader("ETag"), body, time.perf_counter() - started
    finally:
        connection.close()


class Readers:
    """``count`` readers polling ``path`` every ``interval`` seconds, their first polls spread
    evenly over the first interval, on ``threads`` threads until ``until``."""

    def __init__(self, port, path, count, interval, threads):
        self.port, self.path, self.interval = port, path, interval
        self.lock = threading.Lock()
        self.statuses: dict[int, int] = {}
        self.latencies: list[float] = []
        self.first_seen: dict[int, float] = {}
        self.errors: list[str] = []
        self.queues = [[] for _ in range(threads)]
        self.etags = [None] * count
        start = time.monotonic() + 0.5
        for reader in range(count):
            due = start + interval * reader / count
            heapq.heappush(self.queues[reader % threads], (due, reader))

    def run(self, until):
        workers = [
            threading.Thread(target=self._work, args=(queue, until), daemon=True)
            for queue in self.queues
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()

    def _work(self, queue, until):
        while queue:
            due, reader = heapq.heappop(queue)
            if due >= until:
                return
            time.sleep(max(0.0, due - time.monotonic()))
            try:
                status, etag, body, seconds = get(self.port, self.path, self.etags[reader])
            except OSError as error:
                with self.lock:
                    self.errors.append(str(error))
                heapq.heappush(queue, (due + self.interval, reader))
                continue
            seen = time.time()
            ids = []
            if status == 200:
                self.etags[reader] = etag
                ids = [entry["id"] for entry in json.loads(body)["entries"]]
            with self.lock:
                self.statuses[status] = self.statuses.get(status, 0) + 1
                self.latencies.append(seconds)
                for entry_id in ids:
                    if entry_id not in self.first_seen:
                        self.first_seen[entry_id] = seen
            heapq.heappush(queue, (due + self.interval, reader))


def measure(args, env, workdir) -> dict:
    story_path = f"/stories/{SEED_SLUG}/"
    poll_path = f"{story_path}live.json"
    with Gunicorn(
        "newsroom.wsgi:application",
        env,
        chdir=ROOT,
        log=workdir / "gunicorn.log",
        ready_path=story_path,
    ) as server:
        pids = server.worker_pids()
        status, _, body, _ = get(server.port, poll_path)
        if status != 200:
            raise SystemExit(f"The poll endpoint {poll_path} answered {status}: {body[:300]!r}")
        before = {int(entry["id"]) for entry in json.loads(body)["entries"]}
        say(
            f"{args.readers:,} readers polling every {args.interval:g} s for {args.seconds:g} s, "
            f"an entry every {args.every:g} s…"
        )
        adder = subprocess.Popen(
            [
                PYTHON,
                __file__,
                "--adder",
                "run",
                "--every",
                str(args.every),
                "--seconds",
                str(args.seconds),
            ],
            env=env,
            cwd=BENCH,
            stdout=subprocess.PIPE,
            text=True,
        )
        readers = Readers(server.port, poll_path, args.readers, args.interval, args.threads)
        cpu_before, started = cpu_seconds(pids), time.monotonic()
        readers.run(until=started + args.seconds)
        elapsed = time.monotonic() - started
        cpu_polls = cpu_seconds(pids) - cpu_before
        added = [json.loads(line) for line in adder.communicate(timeout=120)[0].splitlines()]

        say(f"The story page {args.page_requests:,} times, the page cache warm…")
        for _ in range(5):
            get(server.port, story_path)
        cpu_before = cpu_seconds(pids)
        page_latencies = []
        for _ in range(args.page_requests):
            status, _, _, seconds = get(server.port, story_path)
            page_latencies.append(seconds)
        cpu_page = cpu_seconds(pids) - cpu_before
    polls = sum(readers.statuses.values())
    delays = [
        readers.first_seen[entry["id"]] - entry["committed"]
        for entry in added
        if entry["id"] in readers.first_seen and entry["id"] not in before
    ]
    return {
        "polls": polls,
        "statuses": readers.statuses,
        "errors": readers.errors[:5],
        "elapsed": elapsed,
        "cpu_per_poll_ms": 1000 * cpu_polls / polls if polls else None,
        "cpu_per_page_ms": 1000 * cpu_page / args.page_requests,
        "poll_p50_ms": 1000 * median(readers.latencies),
        "poll_p99_ms": 1000 * p99(readers.latencies),
        "page_p50_ms": 1000 * median(page_latencies),
        "entries": len(added),
        "shown": len(delays),
        "delays": delays,
    }


def report(args, figures):
    machine = machine_info()
    statuses = figures["statuses"]
    not_modified = statuses.get(304, 0)
    polls = figures["polls"]
    share = not_modified / polls if polls else 0
    delays = figures["delays"]
    rows = [
        ["polls made", f"{polls:,} in {figures['elapsed']:.0f} s ({polls / figures['elapsed']:.0f}/s)"],
        ["answered 304 (nothing new)", f"{not_modified:,} ({share:.1%})"],
        ["answered 200", f"{statuses.get(200, 0):,}"],
        ["other answers", ", ".join(f"{k}: {v}" for k, v in statuses.items() if k not in (200, 304)) or "none"],
        ["workers' CPU per poll", fmt_ms(figures["cpu_per_poll_ms"], 3)],
        ["workers' CPU per cached story page", fmt_ms(figures["cpu_per_page_ms"], 3)],
        ["poll latency p50 / p99", f"{fmt_ms(figures['poll_p50_ms'])} / {fmt_ms(figures['poll_p99_ms'])}"],
        ["cached story page latency p50", fmt_ms(figures["page_p50_ms"])],
        ["entries added / seen by a poll", f"{figures['entries']} / {figures['shown']}"],
        [
            "commit to first poll showing it: median / max",
            f"{median(delays):.2f} s / {max(delays):.2f} s" if delays else "—",
        ],
    ]  # fmt: skip
    lines = [
        f"Machine: {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['memory']}, load {machine['load']}; {args.database}; gunicorn 2 sync workers, page cache on. "
        f"{args.readers:,} readers polling every {args.interval:g} s for {args.seconds:g} s, an "
        f"entry every {args.every:g} s (through `articles.live.add_entry`).",
        "",
        table(["", "figure"], rows),
        "",
    ]
    print("\n".join(lines))
    failures = []
    if delays and max(delays) > args.interval:
        failures.append(
            f"an entry took {max(delays):.1f} s to reach a poll (over {args.interval:g} s)"
        )
    if figures["entries"] and figures["shown"] < figures["entries"]:
        failures.append("an entry never reached a poll")
    if figures["errors"]:
        failures.append(f"connection errors: {figures['errors']}")
    for failure in failures:
        print(f"FAIL {failure}")
    if not args.no_results:
        write_block(BENCH / "RESULTS.md", "live.py", "Live coverage: polling readers", lines)
        say("Results written to bench/RESULTS.md.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
