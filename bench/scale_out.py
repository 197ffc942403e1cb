"""Scale-out benchmark: the page cache's hit rate under a stream of edits, stale reads after each
edit, a cached page through Varnish, and the task worker's memory. Prints progress and a summary
table, and writes its section of ``bench/RESULTS.md``.

    .venv/bin/python bench/scale_out.py                      # 10,000 stories, 2,000 pages, 60 s, both databases
    .venv/bin/python bench/scale_out.py --stories 2000 --seconds 20 --databases sqlite   # quick

For each database (an SQLite file with the file cache; or the PostgreSQL database
``newsroom_scale_out`` on 127.0.0.1:5432 as user postgres, created and dropped, with Redis database
14 on 127.0.0.1:6379 as the cache, flushed before and after):

1. ``migrate``, ``loaddata qianhai-forum``, ``seed_demo --stories N``; the public pages found from
   the data (``scale_out_child.pages``: the home page, stories, sections, tags, reporters, people,
   organisations, feeds, second and third list pages, the archive, sitemaps, the API), ranked
   home first, then the newest stories two at a time between the other pages;
2. gunicorn (2 workers, DEBUG off, as ``harness.bench_env``), the task worker (``manage.py
   worker``, database queue) and, if ``varnishd`` and its xkey module are installed, Varnish
   with ``deploy/varnish/newsroom.vcl`` in front (``tests/integration/servers.py`` renders and starts
   it), so that every save's edge purge goes through the queue and the worker as in production;
3. every page read once (its ``Surrogate-Key`` kept), then ``--readers`` threads read pages
   drawn from a Zipf distribution (s = 1.1) over the ranks, straight from gunicorn, while an
   editor (``manage.py shell``, saving through the ORM: ``scale_out_child.editor``) saves one
   story a second: ``Edit <n>: <headline>``. Half the saves are of a story shown on the pages
   read, half of any published story. After each save has committed (the page cache's purge is
   part of the commit), every page whose ``Surrogate-Key`` named the story is fetched at once and
   checked for the old headline; through Varnish, the story's page is polled until the new
   headline shows (the purge goes through the task worker);
4. the hit rate (``X-Cache``) of the readers' requests during the edits, beside two figures
   simulated on the same request stream: purging by key without the stale checks' requests, and
   today's design (one generation for the whole site: every save empties the page cache);
5. all the pages read again after the edits, looking for any superseded headline;
6. ``wrk -t2 -c8`` on the most read story page through Varnish, counting the requests that
   reached gunicorn (its access log) during the run, and the same page straight from gunicorn
   (the page cache) with the workers' CPU a request;
7. the resident memory of the task worker and of gunicorn's workers after the run; when the task
   worker is over 60 MiB, what its process imports: the memory after each step of start-up and
   by package, and ``-X importtime``.

The most recent anchors' run (``/work/shared/anchors``, results under ``$ANCHORS_ROOT``, default
``/tmp/anchors``), if there is one, is printed beside the wrk figures; it is another run, so
compare with care. Only 127.0.0.1 is contacted; everything goes to a temporary folder, removed at
the end (``--keep`` keeps it: logs, page list, request log).
"""

import argparse
import bisect
import concurrent.futures
import datetime as dt
import html
import http.client
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

from common import (
    BENCH,
    PG_SERVER_URL,
    PYTHON,
    ROOT,
    WORKER_RSS_MIB,
    database_label,
    parse_databases,
    say,
    table,
)
from harness import (
    Gunicorn,
    bench_env,
    collect_static,
    drop_database,
    keep_reachable_postgresql,
    seed_database,
)
from report import machine_info, write_block

sys.path.insert(0, str(ROOT))
from tests.integration.servers import HOST as EDGE_HOST  # noqa: E402
from tests.integration.servers import Site  # noqa: E402

PG_DATABASE = "newsroom_scale_out"
# A Redis database of its own (the integration tests use 13, CI's suite 1): flushed.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
ZIPF_S = 1.1
HIT_TARGET = 0.97
SAVE_INTERVAL = 1.0
# "Just after a save": the reads this many seconds after one.
AFTER_SAVE = 0.2
# Seconds of Zipf reading before the edits start (the counted period starts with the first save).
SETTLE_SECONDS = 5
# How long an edit may take to show through Varnish before it counts as not arriving.
EDGE_WAIT_SECONDS = 15
ANCHORS_ROOT = Path(os.environ.get("ANCHORS_ROOT", "/tmp/anchors"))
RESULTS_TITLE = "Scale out: hit rate under edits, stale reads, Varnish, worker memory"
MARK = re.compile(r"^Edit (\d+): ")


# Reading pages ---------------------------------------------------------------------------------


class Answer:
    __slots__ = ("status", "headers", "body", "seconds")

    def __init__(self, status, headers, body, seconds):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    @property
    def cache(self):
        return self.headers.get("x-cache")

    @property
    def keys(self):
        value = self.headers.get("surrogate-key")
        return frozenset(value.split()) if value else None


def fetch(port, path, timeout=30) -> Answer:
    """A GET as a reader sends it (no cookies); an Answer with status 0 if it could not be had."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        headers = {name.lower(): value for name, value in response.getheaders()}
        return Answer(response.status, headers, body, time.monotonic() - started)
    except OSError as error:
        return Answer(0, {"error": str(error)}, "", time.monotonic() - started)
    finally:
        connection.close()


def spellings(text: str) -> set[str]:
    """How a headline may be written in a page: as is, escaped for HTML or XML, inside JSON."""
    return {text, html.escape(text), html.escape(text, quote=False), json.dumps(text)[1:-1]}


def shows_version(body: str, headline: str) -> bool:
    """Whether ``body`` shows this version of a headline. An edited one is found by its mark,
    which no other save made; the seeded one only where no edit's mark comes before it (after an
    edit, ``...: <seeded headline>`` is the new one), and not as the start of another story's
    (``..., number 12`` for ``..., number 1``)."""
    mark = MARK.match(headline)
    if mark:
        return f"Edit {mark.group(1)}: " in body
    return any(
        re.search(r"(?<!: )" + re.escape(spelling) + r"(?!\d)", body)
        for spelling in spellings(headline)
    )


def freshness(body: str, old: str, new: str) -> str:
    """fresh (the new headline and not the old one: a part of the page kept from before, such
    as a cached fragment, counts), stale, or neither (the page no longer shows the story)."""
    old_shown, new_shown = shows_version(body, old), shows_version(body, new)
    if old_shown:
        return "stale beside the new" if new_shown else "stale"
    return "fresh" if new_shown else "neither"


# The case ----------------------------------------------------------------------------------------


class Case:
    """One database: its environment, processes and what was measured."""

    def __init__(self, database, args, workdir):
        self.database, self.args = database, args
        self.size = args.stories
        self.dir = workdir / database
        self.dir.mkdir(parents=True)
        if database == "sqlite":
            self.url = f"sqlite:///{self.dir / 'bench.sqlite3'}"
        else:
            self.url = f"{PG_SERVER_URL.rsplit('/', 1)[0]}/{PG_DATABASE}"
        self.env = bench_env(
            self.url, media_root=self.dir / "media", static_root=workdir / "static"
        )
        self.env.update(
            ALLOWED_HOSTS=f"testserver,127.0.0.1,{EDGE_HOST}",
            TASK_BACKEND="database",
            EDGE_VARNISH_URLS="",
            PYTHONPATH=os.pathsep.join(filter(None, [str(BENCH), os.environ.get("PYTHONPATH")])),
        )
        if database == "postgresql":
            self.env["REDIS_URL"] = REDIS_URL
        self.cache_label = "Redis" if database == "postgresql" else "files (CACHE_DIR)"
        self.figures = {}
        self.problems = []
        self.timings = {}

    @property
    def label(self):
        return f"{database_label(self.database)}, {self.size:,} stories"

    def child(self, part: str, *, python_args=(), shell=True) -> dict:
        """Run ``scale_out_child.<part>()`` in ``manage.py shell`` (or a bare Python, which sets
        Django up itself); what it wrote."""
        out = self.dir / f"{part}.json"
        command = [
            PYTHON,
            *python_args,
            *(["manage.py", "shell", "-v", "0"] if shell else []),
            "-c",
        ]
        command.append(f"import scale_out_child; scale_out_child.{part}()")
        done = subprocess.run(
            command,
            cwd=ROOT,
            env=dict(self.env, SCALE_OUT_FILE=str(out)),
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0 or not out.exists():
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise RuntimeError(f"scale_out_child.{part}() failed: {' / '.join(tail)}")
        return json.loads(out.read_text())


def flush_redis():
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def create(case):
    if case.database == "postgresql":
        flush_redis()
    seed_database(case, PG_DATABASE)


def drop(case):
    drop_database(case, PG_DATABASE)
    if case.database == "postgresql":
        try:
            flush_redis()
        except Exception as error:  # noqa: BLE001 - said, and the run goes on
            say(f"    could not flush Redis: {error}")


def varnish_problem(site) -> str | None:
    """Why Varnish cannot run here, or None."""
    if not shutil.which("varnishd"):
        return "varnishd is not installed (sudo apt-get install -y varnish varnish-modules)"
    compiled = subprocess.run(
        ["varnishd", "-C", "-j", "none", "-n", str(site.workdir / "varnish-check")]
        + ["-f", str(site.render_vcl())],
        capture_output=True,
        text=True,
    )
    if compiled.returncode != 0:
        if "xkey" in compiled.stderr:
            return "Varnish's xkey module is missing (sudo apt-get install -y varnish-modules)"
        return "deploy/varnish/newsroom.vcl does not compile: " + compiled.stderr.strip()[-300:]
    return None


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what}: not within {seconds} s")


def rss_mib(pid) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process, in MiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) / 1024
    return found.get("VmRSS", 0.0), found.get("VmHWM", 0.0)


def cpu_seconds(pids) -> float:
    """utime + stime of these processes, in seconds."""
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def app_requests(access_log: Path, path=None) -> int:
    """Requests gunicorn logged, for ``path`` or for anything but the health check (Varnish's
    probe)."""
    if not access_log.exists():
        return 0
    lines = access_log.read_text(errors="replace").splitlines()
    if path:
        return sum(1 for line in lines if f'"GET {path} HTTP/' in line)
    return sum(1 for line in lines if '"GET /healthz ' not in line)


def wrk(url, seconds, connections=8):
    done = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    out = done.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE)
    return {
        "rps": float(rate.group(1)) if rate else None,
        "requests": int(total.group(1)) if total else 0,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "p50": p50.group(1) if p50 else None,
        "raw": None if rate else (out + done.stderr)[-500:],
    }


# The run ---------------------------------------------------------------------------------------


class Run:
    """Readers, the editor and the checks against one running site."""

    def __init__(self, case, app_port, edge_port, pages, story_paths):
        self.case, self.app, self.edge = case, app_port, edge_port
        self.pages = pages  # [{path, kind}], ranked
        self.kind = {page["path"]: page["kind"] for page in pages}
        self.story_paths = story_paths
        self.keys = {}  # path -> the keys it last named
        self.reads = []  # (time, path, status, x-cache, seconds) of the readers
        self.reads_lock = threading.Lock()
        self.stop_reading = threading.Event()
        self.saves = []  # what the editor answered, with "at" (time committed)
        self.checks = []  # (save number, path, verdict, x-cache)
        self.edge_seen = []  # (save number, seconds or None)
        self.edge_old = 0  # reads through the edge that still showed the old headline
        self.edge_threads = []

    # Warm-up: every page once, its keys kept.

    def warm(self, candidates, wanted, threads):
        good, dropped = [], Counter()
        position = 0
        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            while len(good) < wanted and position < len(candidates):
                chunk = candidates[position : position + (wanted - len(good)) + 20]
                position += len(chunk)
                for page, answer in zip(
                    chunk, pool.map(lambda p: fetch(self.app, p["path"]), chunk), strict=True
                ):
                    if answer.status != 200:
                        dropped[f"{answer.status} ({page['kind']})"] += 1
                        continue
                    if answer.keys is None:
                        dropped[f"no Surrogate-Key ({page['kind']})"] += 1
                        continue
                    self.keys[page["path"]] = answer.keys
                    good.append(page)
        return good[:wanted], dropped

    # Readers.

    def read(self, number, weights_cum):
        rng = random.Random(number)
        paths = [page["path"] for page in self.pages]
        total = weights_cum[-1]
        local = []
        while not self.stop_reading.is_set():
            path = paths[bisect.bisect_left(weights_cum, rng.random() * total)]
            answer = fetch(self.app, path)
            keys = answer.keys
            if keys is not None:
                self.keys[path] = keys
            local.append((time.monotonic(), path, answer.status, answer.cache, answer.seconds))
            if len(local) >= 200:
                with self.reads_lock:
                    self.reads += local
                local = []
        with self.reads_lock:
            self.reads += local

    # The editor.

    def edit(self, seconds, rng, shown_share):
        log = open(self.case.dir / "editor.log", "w")  # noqa: SIM115  (closed below)
        editor = subprocess.Popen(
            [
                PYTHON,
                "manage.py",
                "shell",
                "-v",
                "0",
                "-c",
                "import scale_out_child; scale_out_child.editor()",
            ],
            cwd=ROOT,
            env=self.case.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        try:
            if editor_says(editor).get("ready") is not True:
                raise RuntimeError("the editor's shell did not start (editor.log)")
            all_ids = sorted(self.story_paths)
            pool = concurrent.futures.ThreadPoolExecutor(4)
            started = time.monotonic()
            number = 0
            while time.monotonic() - started < seconds:
                tick = started + number * SAVE_INTERVAL
                time.sleep(max(0.0, tick - time.monotonic()))
                number += 1
                shown = sorted(
                    {
                        int(k[6:])
                        for keys in list(self.keys.values())
                        for k in keys
                        if k.startswith("story:")
                    }
                    & set(all_ids)
                )
                story = rng.choice(shown if shown and rng.random() < shown_share else all_ids)
                path = self.story_paths[story]
                if self.edge:
                    self._edge_keep(path)
                editor.stdin.write(json.dumps({"id": story, "n": number}) + "\n")
                editor.stdin.flush()
                answer = editor_says(editor)
                answer["at"] = time.monotonic()
                answer["number"] = number
                answer["shown"] = story in shown
                self.saves.append(answer)
                if "error" in answer:
                    self.case.problems.append(f"save {number} of story {story}: {answer['error']}")
                    if answer["error"] == "the editor stopped":
                        break
                    continue
                if self.edge:
                    thread = threading.Thread(target=self._edge_wait, args=(number, path, answer))
                    thread.start()
                    self.edge_threads.append(thread)
                self._check(number, answer, pool)
                if number % 10 == 0:
                    self._progress(number, started)
            pool.shutdown()
        finally:
            if editor.poll() is None:
                try:
                    editor.stdin.write(json.dumps({"stop": True}) + "\n")
                    editor.stdin.close()
                    editor.wait(timeout=10)
                except (OSError, subprocess.TimeoutExpired):
                    editor.kill()
                    editor.wait()
            log.close()
        for thread in self.edge_threads:
            thread.join()

    def _check(self, number, answer, pool):
        """Every page that named the story, fetched now: does any still show the old headline?"""
        key = f"story:{answer['id']}"
        paths = [path for path, keys in list(self.keys.items()) if key in keys]
        for path, got in zip(paths, pool.map(lambda p: fetch(self.app, p), paths), strict=True):
            verdict = (
                freshness(got.body, answer["old"], answer["new"])
                if got.status == 200
                else f"status {got.status}"
            )
            self.checks.append((number, path, verdict, got.cache))
            if verdict != "fresh":
                self.case.problems.append(
                    f"save {number} (story {answer['id']}, {answer['new']!r}): {path} {verdict}, "
                    f"X-Cache {got.cache}"
                )

    def _edge_keep(self, path):
        """The story's page kept by Varnish before the save (asked until it says HIT)."""
        for _ in range(4):
            if fetch(self.edge, path).headers.get("x-cache") == "HIT":
                return

    def _edge_wait(self, number, path, answer):
        deadline = answer["at"] + EDGE_WAIT_SECONDS
        while time.monotonic() < deadline:
            got = fetch(self.edge, path)
            verdict = freshness(got.body, answer["old"], answer["new"]) if got.status == 200 else ""
            if verdict == "fresh":
                self.edge_seen.append((number, time.monotonic() - answer["at"]))
                return
            # Until the purge arrives the edge serves the page as it was: that the check finds
            # the old headline in it shows that it would find it in a stale page of the app's.
            self.edge_old += verdict == "stale"
            time.sleep(0.05)
        self.edge_seen.append((number, None))
        self.case.problems.append(
            f"save {number} (story {answer['id']}): the new headline did not show through Varnish "
            f"within {EDGE_WAIT_SECONDS} s ({path})"
        )

    def _progress(self, number, started):
        with self.reads_lock:
            recent = [r for r in self.reads if r[0] >= started]
        hits = sum(1 for r in recent if r[3] == "hit")
        stale = sum(1 for _, _, verdict, _ in self.checks if verdict == "stale")
        rate = f"{hits / len(recent):.1%}" if recent else "–"
        say(
            f"    {number} saves, {len(recent):,} reads so far, hit rate {rate}, "
            f"{len(self.checks):,} pages checked, {stale} stale"
        )

    # After the edits.

    def sweep(self, threads):
        """Every page read again: does any show a headline that a later save replaced?"""
        history = defaultdict(list)
        for save in self.saves:
            if "error" not in save:
                history[save["id"]].append(save)
        superseded = []
        for story, saves in history.items():
            versions = [saves[0]["old"]] + [s["new"] for s in saves]
            superseded += [(story, old) for old in versions[:-1]]
        found = []
        paths = [page["path"] for page in self.pages]
        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            for path, got in zip(paths, pool.map(lambda p: fetch(self.app, p), paths), strict=True):
                for story, old in superseded:
                    if shows_version(got.body, old):
                        found.append((path, story, old))
        for path, story, old in found:
            self.case.problems.append(
                f"after the edits, {path} still shows story {story}'s replaced headline {old!r}"
            )
        return len(paths), found

    def hit_rates(self, since, until):
        """The readers' X-Cache over the edits; and simulated on the same requests: purging by
        key without the checks' requests, and one generation for the whole site."""
        reads = sorted(r for r in self.reads if since <= r[0] <= until)
        counts = Counter(r[3] or "none" for r in reads)
        by_kind = defaultdict(Counter)
        for r in reads:
            by_kind[self.kind.get(r[1], "?")][r[3] or "none"] += 1
        saves = sorted((s["at"], set(s.get("purged", ()))) for s in self.saves if "error" not in s)
        # Before the first save every page read once is kept (the warm-up read them all).
        last_read = {}
        last_save_at = float("-inf")
        keyed_hits = global_hits = 0
        window = Counter()  # the reads just after a save: all, hits, hits in today's design
        save_index = 0
        purged_at = {}  # key -> time of its last purge
        for at, path, status, cache, _ in reads:
            while save_index < len(saves) and saves[save_index][0] <= at:
                last_save_at = saves[save_index][0]
                for key in saves[save_index][1]:
                    purged_at[key] = last_save_at
                save_index += 1
            before = last_read.get(path, since - 1)
            if status == 200:
                keys = self.keys.get(path, ())
                if all(purged_at.get(k, float("-inf")) < before for k in keys):
                    keyed_hits += 1
                if before >= last_save_at:
                    global_hits += 1
                if at - last_save_at <= AFTER_SAVE:
                    window["reads"] += 1
                    window["hits"] += cache == "hit"
                    window["global"] += before >= last_save_at
            last_read[path] = at
        ok = sum(1 for r in reads if r[2] == 200)
        checks = Counter(c[3] or "none" for c in self.checks)
        return {
            "reads": len(reads),
            "counts": counts,
            "by_kind": by_kind,
            "ok": ok,
            "errors": Counter(r[2] for r in reads if r[2] != 200),
            "keyed_simulated": keyed_hits / ok if ok else None,
            "global_simulated": global_hits / ok if ok else None,
            "with_checks": (counts["hit"] + checks["hit"]) / (len(reads) + len(self.checks))
            if reads
            else None,
            "checks": checks,
            "window": window,
        }


def editor_says(editor) -> dict:
    """The editor's next answer (a JSON line; anything else its shell prints is skipped)."""
    for line in editor.stdout:
        if line.startswith("{"):
            return json.loads(line)
    return {"error": "the editor stopped"}


def zipf_cumulative(n, s):
    total, out = 0.0, []
    for rank in range(1, n + 1):
        total += 1.0 / rank**s
        out.append(total)
    return out


def run_case(case, args, has_wrk):
    say()
    say(f"=== {case.label} (cache: {case.cache_label}) ===")
    started = time.monotonic()
    site = Site(case.dir / "site")
    access_log = case.dir / "access.log"
    try:
        create(case)
        found = case.child("pages")
        counts = ", ".join(f"{v:,} {k}" for k, v in found["counts"].items())
        say(f"  the data: {counts}")
        case.figures["data"] = found["counts"]
        story_paths = {int(k): v for k, v in found["story_paths"].items()}
        edge_problem = varnish_problem(site) if not args.no_varnish else "--no-varnish"
        env = dict(case.env, GUNICORN_CMD_ARGS=f"--access-logfile {access_log}")
        if edge_problem is None:
            edge_port = site.ports["edge"]
            env["EDGE_VARNISH_URLS"] = f"http://127.0.0.1:{edge_port}"
            case.env["EDGE_VARNISH_URLS"] = env["EDGE_VARNISH_URLS"]
        else:
            edge_port = None
            say(f"  Varnish skipped: {edge_problem}")
            case.figures["varnish"] = f"skipped: {edge_problem}"
        with Gunicorn(
            "newsroom.wsgi", env, chdir=ROOT, log=case.dir / "gunicorn.log", ready_path="/healthz"
        ) as server:
            say(f"  gunicorn -w 2 on {server.base}; task worker (manage.py worker)")
            site.start("worker", [PYTHON, "manage.py", "worker"], env=case.env)
            if edge_port:
                # Both of the configuration's app servers are this gunicorn.
                site.ports["app1"] = site.ports["app2"] = server.port
                site.start("varnish", site.varnish_command(site.render_vcl()), env=case.env)
                wait_for(
                    lambda: fetch(edge_port, "/healthz").status == 200, 30, "Varnish answering"
                )
                say(f"  Varnish (deploy/varnish/newsroom.vcl) on 127.0.0.1:{edge_port}")
            measure(case, args, server, site, edge_port, found["pages"], story_paths, access_log)
            if has_wrk:
                through_wrk(case, args, server, edge_port, access_log)
            memory(case, server, site)
    except Exception as error:  # noqa: BLE001 - the case stops, the run goes on
        case.problems.append(f"the case stopped: {type(error).__name__}: {error}")
        say(f"  stopped: {type(error).__name__}: {error}")
    finally:
        site.stop_all()
        drop(case)
        case.timings["total"] = time.monotonic() - started
        say(f"  {case.label}: {case.timings['total']:.0f} s in all")
    logs = {
        "worker": site.logs / "worker.log",
        "varnish": site.logs / "varnish.log",
        "gunicorn": case.dir / "gunicorn.log",
        "editor": case.dir / "editor.log",
    }
    for name, log in logs.items():
        text = log.read_text(errors="replace") if log.exists() else ""
        errors = [
            line
            for line in text.splitlines()
            if re.search(r"Traceback|Error|\[ERROR\]", line)
            and not re.search(r"signal=15|SIGTERM", line)
        ]
        if errors:
            case.problems.append(
                f"{len(errors)} error lines in the {name}'s log, the last: {errors[-1]}"
            )


def measure(case, args, server, site, edge_port, candidates, story_paths, access_log):
    run = Run(case, server.port, edge_port, [], story_paths)
    say(f"  reading every page once (up to {args.pages:,} of {len(candidates):,} found)")
    t = time.monotonic()
    pages, dropped = run.warm(candidates, args.pages, args.readers)
    run.pages = pages
    run.kind = {page["path"]: page["kind"] for page in pages}
    kinds = Counter(page["kind"] for page in pages)
    say(
        f"    {len(pages):,} pages in {time.monotonic() - t:.0f} s: "
        + ", ".join(f"{n:,} {k}" for k, n in kinds.most_common())
        + (f"; left out: {dict(dropped)}" if dropped else "")
    )
    case.figures["pages"] = len(pages)
    sizes = sorted(len(run.keys[page["path"]]) for page in pages)
    case.figures["keys per page"] = (statistics.median(sizes), sizes[-1]) if sizes else None
    case.figures["page kinds"] = dict(kinds)
    cumulative = zipf_cumulative(len(pages), ZIPF_S)
    case.figures["top share"] = cumulative[0] / cumulative[-1]
    readers = [
        threading.Thread(target=run.read, args=(n, cumulative), daemon=True)
        for n in range(args.readers)
    ]
    for reader in readers:
        reader.start()
    say(
        f"  {args.readers} readers (Zipf s={ZIPF_S}: the home page {case.figures['top share']:.0%}"
        f" of reads); {SETTLE_SECONDS} s, then one save a second for {args.seconds} s"
    )
    time.sleep(SETTLE_SECONDS)
    worker = site.processes.get("worker")
    if worker is not None and worker.poll() is None:
        case.figures["worker rss start"] = rss_mib(worker.pid)[0]
    since = time.monotonic()
    try:
        run.edit(args.seconds, random.Random(15), args.edit_shown)
    finally:
        until = time.monotonic()
        run.stop_reading.set()
        for reader in readers:
            reader.join(timeout=60)
    rates = run.hit_rates(since, until)
    saves = [s for s in run.saves if "error" not in s]
    verdicts = Counter(verdict for _, _, verdict, _ in run.checks)
    purged = Counter(" ".join(re.sub(r"\d+", "<id>", k) for k in s["purged"]) for s in saves)
    case.figures.update(
        seconds=until - since,
        rates=rates,
        saves=len(saves),
        saves_shown=sum(1 for s in saves if s["shown"]),
        save_failed=len(run.saves) - len(saves),
        save_ms=statistics.median([s["ms"] for s in saves]) if saves else None,
        purged=purged.most_common(3),
        checked=len(run.checks),
        verdicts=verdicts,
        checked_saves=len({n for n, *_ in run.checks}),
        edge_seen=[s for _, s in run.edge_seen],
        edge_old=run.edge_old,
    )
    say(
        f"    {len(saves)} saves ({case.figures['saves_shown']} of stories on the pages read), "
        f"{rates['reads']:,} reads in {until - since:.0f} s; {len(run.checks):,} pages checked: "
        + ", ".join(f"{n} {v}" for v, n in verdicts.items())
    )
    queue_drained(case)
    case.figures["cache entries"] = cache_entries(case)
    say("  every page read again, looking for a replaced headline")
    swept, found = run.sweep(args.readers)
    case.figures["swept"], case.figures["sweep_stale"] = swept, len(found)
    say(f"    {swept:,} pages, {len(found)} showing a replaced headline")
    if args.keep:
        (case.dir / "reads.json").write_text(json.dumps(run.reads))
        (case.dir / "saves.json").write_text(json.dumps(run.saves))
        (case.dir / "pages.json").write_text(
            json.dumps([dict(page, keys=sorted(run.keys[page["path"]])) for page in run.pages])
        )
    case.top_story = next((p["path"] for p in pages if p["kind"] == "story"), None)


def cache_entries(case) -> str:
    """How many entries the cache holds, beside its bound (the file cache culls a third of its
    entries, at random, when it reaches CACHE_MAX_ENTRIES)."""
    if case.database == "postgresql":
        import redis

        return f"{redis.Redis.from_url(REDIS_URL).dbsize():,} (Redis)"
    bound = int(case.env.get("CACHE_MAX_ENTRIES") or 50000)
    files = sum(1 for _ in Path(case.env["CACHE_DIR"]).glob("*.djcache"))
    return f"{files:,} files (CACHE_MAX_ENTRIES {bound:,})"


def queue_drained(case):
    """Wait for the worker to finish the queued purges; count the queue by task and state."""
    deadline = time.monotonic() + 60
    while True:
        queue = case.child("queue")
        waiting = sum(n for _, status, n in queue["counts"] if status in ("READY", "RUNNING"))
        if not waiting or time.monotonic() > deadline:
            break
        time.sleep(2)
    case.figures["queue"] = queue
    summary = ", ".join(
        f"{path.rsplit('.', 1)[-1]} {status}: {n}" for path, status, n in queue["counts"]
    )
    say(f"  the task queue after the edits: {summary or 'empty'}")
    if waiting:
        case.problems.append(f"{waiting} tasks still waiting 60 s after the edits")
    for failure in queue["failures"]:
        case.problems.append(f"task {failure['task']} failed: {failure['error'][-300:]}")


def through_wrk(case, args, server, edge_port, access_log):
    path = getattr(case, "top_story", None)
    if not path:
        return
    seconds = args.wrk_seconds
    if edge_port:
        for _ in range(4):
            if fetch(edge_port, path).headers.get("x-cache") == "HIT":
                break
        time.sleep(0.5)
        before, before_all = app_requests(access_log, path), app_requests(access_log)
        say(f"  wrk -t2 -c8 -d{seconds}s through Varnish: {path}")
        result = wrk(f"http://127.0.0.1:{edge_port}{path}", seconds)
        time.sleep(1)
        result["app"] = app_requests(access_log, path) - before
        result["app_all"] = app_requests(access_log) - before_all
        case.figures["wrk varnish"] = result
        if result["rps"] is None:
            case.problems.append(f"wrk through Varnish: no figure: {result['raw']}")
        else:
            say(
                f"    {result['rps']:,.0f} requests/s ({result['requests']:,} requests); "
                f"{result['app']} reached gunicorn ({result['app_all']} of any page but /healthz)"
            )
    for _ in range(2):
        fetch(server.port, path)
    pids = server.worker_pids()
    cpu = cpu_seconds(pids)
    say(f"  wrk -t2 -c8 -d{seconds}s straight to gunicorn (the page cache): {path}")
    result = wrk(f"{server.base}{path}", seconds)
    used = cpu_seconds(pids) - cpu
    result["cpu_ms"] = used * 1000 / result["requests"] if result["requests"] else None
    case.figures["wrk app"] = result
    if result["rps"] is not None:
        say(
            f"    {result['rps']:,.0f} requests/s, workers' CPU {result['cpu_ms']:.2f} ms a request"
        )
    for name, got in (("through Varnish", case.figures.get("wrk varnish")), ("app", result)):
        if got and got["non_2xx"]:
            case.problems.append(f"wrk {name}: {got['non_2xx']} responses not 2xx/3xx")


def memory(case, server, site):
    worker = site.processes.get("worker")
    if worker is None or worker.poll() is not None:
        case.problems.append("the task worker was not running at the end" + site.tail("worker"))
        return
    rss, peak = rss_mib(worker.pid)
    case.figures["worker rss"], case.figures["worker peak"] = rss, peak
    case.figures["gunicorn rss"] = server.worker_rss_mib()
    say(
        f"  memory after the run: task worker {rss:.1f} MiB (peak {peak:.1f}); gunicorn workers "
        + ", ".join(f"{m:.1f}" for m in case.figures["gunicorn rss"])
        + " MiB"
    )
    if rss > WORKER_RSS_MIB:
        case.figures["imports"] = worker_imports(case)


def worker_imports(case) -> dict:
    """What the worker's process imports: memory at each step, by package, and import times."""
    say("  the task worker is over 60 MiB: what it imports")
    profile = case.child("imports", shell=False)
    for step, mib in profile["steps"]:
        say(f"    {mib:6.1f} MiB after {step}")
    say(
        f"    {profile['modules']} modules; memory grown while first importing (with what it imports):"
    )
    for package, mib, by in profile["grown_by_package"][:12]:
        say(f"      {mib:5.1f} MiB  {package} (imported by {by})")
    code = (
        "import django; django.setup(); "
        "import newsroom.management.commands.worker, django_tasks_db.management.commands.db_worker"
    )
    done = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", code],
        cwd=ROOT,
        env=case.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    top = Counter()
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\S.*)$", line)
        if match:  # a top-level import (nothing indented before its name)
            top[match.group(3).split(".")[0]] += int(match.group(2))
    profile["importtime"] = top.most_common(15)
    say("    import time by top-level package (-X importtime, cumulative):")
    for package, micro in profile["importtime"][:12]:
        say(f"      {micro / 1000:6.0f} ms  {package}")
    return profile


# The summary -----------------------------------------------------------------------------------


def pct(value):
    return "–" if value is None else f"{value:.1%}"


def anchors() -> dict | None:
    """The article rows of the newest anchors' run (``run.sh``'s report.md), if there is one."""
    reports = sorted((ANCHORS_ROOT / "results").glob("*/report.md"))
    if not reports:
        return None
    rows = {}
    for line in reports[-1].read_text().splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) >= 6 and cells[0] in ("A-article", "B-article", "C-article"):
            cpu = [float(x) for x in re.findall(r"[\d.]+", cells[5])]
            rows[cells[0]] = (cells[1], statistics.mean(cpu) if cpu else None)
    return {"run": reports[-1].parent.name, "rows": rows}


def summary_rows(cases):
    def each(fn, ok=None):
        """``fn(figures)`` for each case, with pass or FAIL when ``ok(figures)`` judges it."""
        out = []
        for case in cases:
            try:
                value = fn(case.figures)
                if ok is not None:
                    value += ": pass" if ok(case.figures) else ": FAIL"
                out.append(value)
            except (KeyError, TypeError, ZeroDivisionError):
                out.append("–")
        return out

    def stale(f):
        return sum(n for v, n in f["verdicts"].items() if v.startswith("stale"))

    def edge(f):
        seen = f["edge_seen"]
        if not seen:
            return f.get("varnish", "–")
        arrived = sorted(s for s in seen if s is not None)
        lost = len(seen) - len(arrived)
        return (
            f"median {statistics.median(arrived):.2f} s, max {arrived[-1]:.2f} s"
            + (f"; {lost} never" if lost else "")
            + f" (before it, {f['edge_old']} reads showed the old headline)"
            if arrived
            else f"{lost} never"
        )

    rows = [
        ("data", "", each(lambda f: f"{f['data']['stories (published)']:,} published stories; "
                          f"{f['pages']:,} pages read, naming {f['keys per page'][0]:.0f} keys "
                          f"(median; at most {f['keys per page'][1]})")),
        ("page cache hit rate, readers during the edits", f"≥ {HIT_TARGET:.0%}",
         each(lambda f: f"{pct(f['rates']['counts']['hit'] / f['rates']['reads'])} "
                        f"of {f['rates']['reads']:,} reads ("
                        + ", ".join(f"{n:,} {k}" for k, n in f["rates"]["counts"].items() if k != "hit")
                        + ")",
              lambda f: f["rates"]["counts"]["hit"] / f["rates"]["reads"] >= HIT_TARGET)),
        ("  by kind of page", "",
         each(lambda f: ", ".join(
             f"{kind} {pct(c['hit'] / sum(c.values()))}"
             for kind, c in sorted(f["rates"]["by_kind"].items(), key=lambda kc: -sum(kc[1].values()))
         ))),
        (f"  in the {AFTER_SAVE * 1000:.0f} ms after each save", "",
         each(lambda f: f"{pct(f['rates']['window']['hits'] / f['rates']['window']['reads'])} of "
                        f"{f['rates']['window']['reads']:,} reads (today's design, simulated: "
                        f"{pct(f['rates']['window']['global'] / f['rates']['window']['reads'])})")),
        ("  the same, counting the stale checks' requests", "",
         each(lambda f: pct(f["rates"]["with_checks"]))),
        ("  simulated on those reads: purge by key, no checks", "",
         each(lambda f: pct(f["rates"]["keyed_simulated"]))),
        ("  simulated: today's design (one generation)", "",
         each(lambda f: pct(f["rates"]["global_simulated"]))),
        ("cache entries after the edits", "", each(lambda f: f["cache entries"])),
        ("reads not answered 200", "0", each(lambda f: dict(f["rates"]["errors"]) or "0")),
        ("saves (one a second, ORM in manage.py shell)", "",
         each(lambda f: f"{f['saves']} in {f['seconds']:.0f} s ({f['saves_shown']} shown on the "
                        f"pages read); median {f['save_ms']:.0f} ms"
                        + (f"; {f['save_failed']} failed" if f["save_failed"] else ""))),
        ("keys a save purged", "", each(lambda f: "; ".join(f"{k} ({n})" for k, n in f["purged"]))),
        ("stale reads just after a save", "0",
         each(lambda f: f"{stale(f)} of {f['checked']:,} pages checked "
                        f"({f['checked_saves']} saves)"
                        + "".join(f"; {n} {v}" for v, n in f["verdicts"].items()
                                  if v != "fresh"),
              lambda f: stale(f) == 0 and f["checked"] > 0)),
        ("replaced headlines in all pages after the edits", "0",
         each(lambda f: f"{f['sweep_stale']} of {f['swept']:,} pages", lambda f: not f["sweep_stale"])),
        ("edit seen through Varnish after the save", "", each(edge)),
        ("Varnish, cached story page: requests/s", "",
         each(lambda f: f"{f['wrk varnish']['rps']:,.0f}")),
        ("  requests reaching gunicorn during wrk", "0",
         each(lambda f: f"{f['wrk varnish']['app']} of {f['wrk varnish']['requests']:,}",
              lambda f: f["wrk varnish"]["app"] == 0)),
        ("gunicorn, the page cache: requests/s, CPU a request", "",
         each(lambda f: f"{f['wrk app']['rps']:,.0f}/s, {f['wrk app']['cpu_ms']:.2f} ms")),
        ("task worker memory after the run (RSS)", f"≤ {WORKER_RSS_MIB:.0f} MiB",
         each(lambda f: f"{f['worker rss']:.1f} MiB (at the edits' start "
                        f"{f['worker rss start']:.1f}, peak {f['worker peak']:.1f})",
              lambda f: f["worker rss"] <= WORKER_RSS_MIB)),
        ("gunicorn workers' memory after the run", "",
         each(lambda f: ", ".join(f"{m:.1f}" for m in f["gunicorn rss"]) + " MiB")),
        ("purge tasks", "",
         each(lambda f: ", ".join(f"{s.lower()} {n}" for p, s, n in f["queue"]["counts"]
                                  if p.endswith("purge_task")) or "none")),
    ]  # fmt: skip
    return rows


def render(cases, machine, args, elapsed) -> list[str]:
    lines = [
        f"- **Machine**: {machine['cores']} cores, {machine['cpu']}, {machine['memory']}; load "
        f"average at the start {machine['load']}, at the end "
        + " ".join(f"{x:.2f}" for x in os.getloadavg()),
        f"- **Code**: commit {machine['commit']}",
        f"- **Run**: `.venv/bin/python bench/scale_out.py --stories {args.stories} --pages "
        f"{args.pages} --seconds {args.seconds} --databases {','.join(args.databases)}` "
        f"({elapsed / 60:.1f} minutes); {args.readers} reader threads, gunicorn -w 2, DEBUG off; "
        "SQLite with the file cache, PostgreSQL with Redis",
        "",
    ]
    headers = ["figure", "target", *(database_label(c.database) for c in cases)]
    rows = [(name, target, *values) for name, target, values in summary_rows(cases)]
    lines += [table(headers, rows, ["l"] * len(headers)), ""]
    found = anchors()
    wrk_cases = [c for c in cases if "wrk app" in c.figures]
    if found and wrk_cases:
        lines += [
            f"Beside the newest anchors' run ({found['run']}, another run: compare with care), "
            "the story page under wrk -t2 -c8:",
            "",
        ]
        anchor_rows = []
        for case in wrk_cases:
            f = case.figures
            label = database_label(case.database)
            if "wrk varnish" in f and f["wrk varnish"]["rps"]:
                anchor_rows.append(
                    (f"newsroom through Varnish ({label})", f"{f['wrk varnish']['rps']:,.0f}",
                     f"0 (app asked {f['wrk varnish']['app']} times)")
                )  # fmt: skip
            anchor_rows.append(
                (f"newsroom, page cache ({label})", f"{f['wrk app']['rps']:,.0f}",
                 f"{f['wrk app']['cpu_ms']:.2f}")
            )  # fmt: skip
        for name, (rps, cpu) in found["rows"].items():
            anchor_rows.append((f"anchor {name}", rps, f"{cpu:.2f}" if cpu else "–"))
        lines += [table(["page", "requests/s", "worker CPU ms a request"], anchor_rows), ""]
    problems = [(c.label, p) for c in cases for p in c.problems]
    if problems:
        lines += ["Problems seen:", ""]
        shown = problems[:40]
        lines += [f"- [{label}] {problem}" for label, problem in shown]
        if len(problems) > len(shown):
            lines.append(f"- ... and {len(problems) - len(shown)} more")
        lines.append("")
    return lines


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=10_000, help="demo stories (10,000)")
    parser.add_argument("--pages", type=int, default=2_000, help="pages read (2,000)")
    parser.add_argument("--seconds", type=int, default=60, help="seconds of edits (60)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite, postgresql")
    parser.add_argument("--readers", type=int, default=4, help="reader threads (4)")
    parser.add_argument(
        "--edit-shown",
        type=float,
        default=0.5,
        help="share of saves of a story shown on the pages read; the rest any story (0.5)",
    )
    parser.add_argument("--wrk-seconds", type=int, default=10, help="each wrk run (10)")
    parser.add_argument("--no-varnish", action="store_true", help="leave Varnish out")
    parser.add_argument(
        "--results", default=str(BENCH / "RESULTS.md"), help="RESULTS.md to write its section in"
    )
    parser.add_argument("--no-results", action="store_true", help="print only")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    args.databases = parse_databases(parser, args.databases)
    return args


def main() -> int:
    args = parse_args()
    started_at = time.monotonic()
    machine = machine_info()
    say(
        f"newsroom scale-out benchmark: {machine['cores']} cores, {machine['cpu']}, "
        f"{machine['memory']}; load {machine['load']}"
    )
    say(
        f"{args.stories:,} stories, {args.pages:,} pages, {args.seconds} s of edits, "
        f"{args.readers} readers; databases {', '.join(args.databases)}"
    )
    if os.getloadavg()[0] > 0.5 * (os.cpu_count() or 1):
        say("Warning: the machine is busy before starting: figures will be slower and noisier.")
    has_wrk = shutil.which("wrk") is not None
    if not has_wrk:
        say("wrk is not installed (sudo apt-get install -y wrk): the wrk figures are skipped.")
    if keep_reachable_postgresql(args.databases):
        try:
            import redis

            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
        except Exception as error:  # noqa: BLE001
            say(f"Redis is not reachable at {REDIS_URL} ({error}); skipping PostgreSQL.")
            args.databases.remove("postgresql")
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-scale-out-"))
    cases = []
    try:
        if not collect_static(workdir):
            return 1
        for database in args.databases:
            case = Case(database, args, workdir)
            cases.append(case)
            run_case(case, args, has_wrk)
    except KeyboardInterrupt:
        say("\nInterrupted: summing up what was measured.")
    finally:
        elapsed = time.monotonic() - started_at
        lines = render(cases, machine, args, elapsed)
        say()
        say("=== Summary ===")
        say(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
        for line in lines:
            say(line)
        if cases and not args.no_results:
            date = f"- **Date**: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
            write_block(args.results, "scale_out.py", RESULTS_TITLE, [date, *lines])
            say(f"Written to {args.results}.")
        if args.keep:
            say(f"Logs and measurements kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
