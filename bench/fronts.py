"""Fronts benchmark: the home page and section fronts as editors arrange them (``fronts/``), their
queries, server time and bytes at 1,000 and 100,000 stories, uncached and with the page cache cold
and warm, on SQLite and PostgreSQL; and ``fronts.layout.arrange()`` timed alone.

    .venv/bin/python bench/fronts.py                                            # both databases, 1,000 and 100,000
    .venv/bin/python bench/fronts.py --quick --sizes 200 --databases sqlite     # a smoke test

For each database and size, in order:

1. a fresh database: an SQLite file in a temporary folder, or the PostgreSQL database
   ``newsroom_fronts_bench`` on 127.0.0.1:5432 (user postgres; ``BENCH_PG_URL`` names another
   server), dropped at the end; ``migrate``, ``loaddata qianhai-forum``, ``seed_demo --stories N``
   (as ``run.py``, through ``harness``; its own database name, so it can run beside ``run.py``);
2. a child process (this file with ``--child``, DEBUG off, the environment of
   ``harness.bench_env``) arranges two fronts through ``fronts.services.front_arrange``: the home
   page (a lead of 3 with 2 stories pinned and their headlines rewritten, top stories of 4 with 1
   pinned, a row of 4 per section, a row of 4 for a tag the demo stories carry, the latest 10) and
   the first demo section (a lead of 3 with 1 pinned, top stories of 4, a row of 4 for a tag within
   the section, the latest 10). The pins are not the newest stories, so both the pins and the
   rules are at work;
3. the same child measures four pages through ``django.test.Client`` with ``page_times.py``'s
   code (one untimed request, one that counts the queries, ``--requests`` timed, one more count;
   then the page cache cold and warm): the home page, the arranged section front, a section front
   no editor arranged (the default blocks) and page 2 of the home page (the plain listing);
4. ``layout.arrange(front)`` alone (with the arrangement's own queries), ``--arrange-runs`` times
   for each of the three fronts; the queries of one call, each query's time, and the plan
   (``EXPLAIN ANALYZE`` on PostgreSQL, ``EXPLAIN QUERY PLAN`` on SQLite) of the slowest.

It prints a table per database (both sizes), then ``FAIL`` lines: a page or ``arrange()`` whose
query count differs between the smallest and the largest size, or a warm cached page that took
queries. The plan of the slowest query is printed for any front over 100 ms median uncached.
The results go to ``RESULTS.md`` between ``<!-- fronts.py: begin -->`` and its end marker
(``run.py`` keeps that block when it rewrites the file).

Only 127.0.0.1 is contacted; media, cache and static files go to a temporary folder removed at the
end. The child puts the project folder first on ``sys.path`` (``page_times.setup_django``), so
``import fronts`` there is the app, not this file.
"""

import argparse
import datetime as dt
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from common import (
    BENCH,
    PG_SERVER_URL,
    PYTHON,
    database_label,
    fmt_int,
    fmt_ms,
    median,
    p95,
    parse_databases,
    parse_sizes,
    say,
    table,
)
from harness import (
    bench_env,
    collect_static,
    drop_database,
    keep_reachable_postgresql,
    run_streamed,
    seed_database,
)
from report import write_block

PG_DATABASE = "newsroom_fronts_bench"
RESULTS_TITLE = "Fronts: the home page and section fronts as arranged"
SLOW_FRONT_MS = (
    100.0  # a front slower than this (median, uncached) has its slowest query's plan shown
)
HOME, ARRANGED, UNARRANGED, PAGE_2 = (
    "home",
    "section front, arranged",
    "section front, unarranged",
    "home page 2",
)
FRONTS = (HOME, ARRANGED, UNARRANGED)


# --- the parent: databases, sizes, tables -------------------------------------------------------


class Case:
    """One database at one size: its environment, its database and what the child measured."""

    def __init__(self, database, size, workdir):
        self.database, self.size = database, size
        self.dir = workdir / f"{database}-{size}"
        self.dir.mkdir(parents=True)
        if database == "sqlite":
            self.url = f"sqlite:///{self.dir / 'bench.sqlite3'}"
        else:
            self.url = f"{PG_SERVER_URL.rsplit('/', 1)[0]}/{PG_DATABASE}"
        self.env = bench_env(
            self.url, media_root=self.dir / "media", static_root=workdir / "static"
        )
        self.measured = None
        self.problems = []
        self.timings = {}

    @property
    def label(self):
        return f"{database_label(self.database)}, {self.size:,} stories"


def run_case(case, args):
    say()
    say(f"=== {case.label} ===")
    started = time.monotonic()
    try:
        seed_database(case, PG_DATABASE)
        say(f"  arranging the fronts, then {args.requests} requests a page and arrange() alone")
        out = case.dir / "fronts.json"
        command = [PYTHON, str(Path(__file__).resolve()), "--child", "--out", str(out)]
        command += ["--requests", str(args.requests), "--arrange-runs", str(args.arrange_runs)]
        t = time.monotonic()
        status, output = run_streamed(command, case.env)
        if status != 0 or not out.exists():
            last = (output.strip().splitlines() or ["(no output)"])[-1]
            raise RuntimeError(f"the measuring child failed (status {status}): {last}")
        case.measured = json.loads(out.read_text())
        case.problems += case.measured["problems"]
        case.timings["measure"] = time.monotonic() - t
    except Exception as error:  # noqa: BLE001 - a failed case is reported, the run goes on
        case.problems.append(f"the case stopped: {error}")
        say(f"  stopped: {error}")
    finally:
        drop_database(case, PG_DATABASE)
        case.timings["total"] = time.monotonic() - started
        say(f"  {case.label}: {case.timings['total']:.0f} s in all")


def page_table(cases) -> str:
    headers = [
        "page", "stories", "path", "bytes", "queries", "uncached median ms", "uncached p95 ms",
        "cold ms (queries)", "warm median ms", "warm p95 ms", "warm queries", "hits",
    ]  # fmt: skip
    rows = []
    for name in (*FRONTS, PAGE_2):
        for case in cases:
            page = next(
                (p for p in (case.measured or {}).get("pages", []) if p["name"] == name), None
            )
            if page is None:
                continue
            if "median" not in page:
                rows.append(
                    [name, fmt_int(case.size), page.get("path") or "–", "error", *["–"] * 8]
                )
                continue
            queries = str(page["queries"])
            if page["queries_again"] != page["queries"]:
                queries += f"/{page['queries_again']}"
            rows.append(
                [
                    name,
                    fmt_int(case.size),
                    page["path"],
                    fmt_int(page["bytes"]),
                    queries,
                    fmt_ms(page["median"]),
                    fmt_ms(page["p95"]),
                    f"{fmt_ms(page.get('cold'))} ({page.get('cold_queries', '–')}q)",
                    fmt_ms(page.get("warm_median"), 2),
                    fmt_ms(page.get("warm_p95"), 2),
                    str(page.get("warm_queries", "–")),
                    f"{page.get('warm_hits', '–')}/{page.get('warm_count', '–')}",
                ]
            )
    return table(headers, rows, ["l", "r", "l"] + ["r"] * (len(headers) - 3))


def arrange_table(cases) -> str:
    headers = ["arrange()", "stories", "blocks", "stories shown", "queries", "median ms", "p95 ms"]
    headers += ["slowest query ms"]
    rows = []
    for name in FRONTS:
        for case in cases:
            timed = (case.measured or {}).get("arrange", {}).get(name)
            if not timed:
                continue
            rows.append(
                [
                    name,
                    fmt_int(case.size),
                    str(timed["blocks"]),
                    str(timed["shown"]),
                    str(timed["queries"]),
                    fmt_ms(timed["median"]),
                    fmt_ms(timed["p95"]),
                    fmt_ms(timed["slowest"]["ms"] if timed.get("slowest") else None),
                ]
            )
    return table(headers, rows)


def checks(cases) -> list[str]:
    """FAIL lines: query counts that grow with the stories, warm cached pages that query."""
    lines = []
    measured = [c for c in cases if c.measured]
    for case in measured:
        for page in case.measured["pages"]:
            if page.get("warm_queries"):
                lines.append(
                    f"FAIL [{case.label}] {page['name']}: {page['warm_queries']} queries on a "
                    "warm cached request (expected none)"
                )
            if "warm_hits" in page and page["warm_hits"] < page["warm_count"]:
                lines.append(
                    f"FAIL [{case.label}] {page['name']}: {page['warm_hits']} of "
                    f"{page['warm_count']} warm requests were page-cache hits"
                )
    for database in dict.fromkeys(c.database for c in measured):
        sized = sorted((c for c in measured if c.database == database), key=lambda c: c.size)
        if len(sized) < 2:
            continue
        small, large = sized[0], sized[-1]
        where = f"{database_label(database)}, {small.size:,} → {large.size:,} stories"
        pages_small = {p["name"]: p for p in small.measured["pages"]}
        for page in large.measured["pages"]:
            before = pages_small.get(page["name"])
            if not before or "queries" not in page or "queries" not in before:
                continue
            for key, what in (("queries", "uncached"), ("cold_queries", "cold")):
                if before.get(key) != page.get(key):
                    lines.append(
                        f"FAIL [{where}] {page['name']}: {what} queries {before.get(key)} → "
                        f"{page.get(key)}"
                    )
        for name in FRONTS:
            a = small.measured.get("arrange", {}).get(name)
            b = large.measured.get("arrange", {}).get(name)
            if a and b and a["queries"] != b["queries"]:
                lines.append(
                    f"FAIL [{where}] arrange() of {name}: queries {a['queries']} → {b['queries']}"
                )
    return lines


def query_counts(cases) -> list[str]:
    """One line a database: each page's uncached query count at each size, and whether fixed."""
    lines = []
    measured = [c for c in cases if c.measured]
    for database in dict.fromkeys(c.database for c in measured):
        sized = sorted((c for c in measured if c.database == database), key=lambda c: c.size)
        parts = []
        for name in (*FRONTS, PAGE_2):
            counts = [
                next((p.get("queries") for p in c.measured["pages"] if p["name"] == name), None)
                for c in sized
            ]
            arrows = " → ".join("–" if n is None else str(n) for n in counts)
            fixed = len(set(counts)) == 1 and None not in counts
            parts.append(f"{name} {arrows}" + (" (fixed)" if fixed and len(counts) > 1 else ""))
        sizes = " → ".join(f"{c.size:,}" for c in sized)
        lines.append(
            f"- {database_label(database)}, queries at {sizes} stories: " + "; ".join(parts)
        )
    return lines


def slow_plans(cases) -> list[str]:
    """The slowest query and its plan, for each front over ``SLOW_FRONT_MS`` median uncached."""
    lines = []
    for case in cases:
        for page in (case.measured or {}).get("pages", []):
            slow = page.get("median") is not None and page["median"] >= SLOW_FRONT_MS
            if not slow or not page.get("slowest"):
                continue
            q = page["slowest"]
            lines += [
                f"{case.label}, {page['name']} ({fmt_ms(page['median'])} ms median): slowest query "
                f"{fmt_ms(q['ms'])} ms",
                "",
                "```",
                re.sub(r"\s+", " ", q["sql"])[:1500],
                "",
                q.get("plan") or "(no plan)",
                "```",
                "",
            ]
    return lines


def slowest_arrange_queries(cases) -> list[str]:
    """At each database's largest size, the slowest query of ``arrange()`` for each arranged
    front, with its plan: where an index would help first, if one ever must."""
    lines = []
    measured = [c for c in cases if c.measured]
    for database in dict.fromkeys(c.database for c in measured):
        largest = max((c for c in measured if c.database == database), key=lambda c: c.size)
        for name in (HOME, ARRANGED):
            q = (largest.measured.get("arrange", {}).get(name) or {}).get("slowest")
            if not q:
                continue
            lines += [
                f"Slowest query of arrange() for {name}, {largest.label}: {fmt_ms(q['ms'], 2)} ms "
                "(one call)",
                "",
                "```",
                re.sub(r"\s+", " ", q["sql"])[:700],
                f"-- parameters: {', '.join(q['params'])[:300]}",
                q.get("plan") or "(no plan)",
                "```",
                "",
            ]
    return lines


def render(cases, machine, args, elapsed) -> list[str]:
    lines = [
        f"- **Date**: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC ({elapsed / 60:.1f} minutes)",
        f"- **Command**: `{' '.join(['.venv/bin/python', 'bench/fronts.py', *sys.argv[1:]])}`",
        f"- **Machine**: {machine['cores']} cores (`nproc`), {machine['cpu']}, {machine['memory']}; "
        f"load average at the start {machine['load']}, at the end "
        + " ".join(f"{x:.2f}" for x in os.getloadavg()),
        f"- **Code**: commit {machine['commit']}",
        f"- **Settings**: DEBUG off, the file cache, {args.requests} timed requests a page (after "
        f"one untimed), arrange() {args.arrange_runs} times a front"
        + (" — **quick run**, not for comparison" if args.quick else ""),
        "",
        "The home front: a lead of 3 (2 pinned, headlines rewritten), top stories of 4 (1 pinned), "
        "a row of 4 per section, a row of 4 for a tag, the latest 10. The arranged section front: "
        "a lead of 3 (1 pinned), top stories of 4, a row of 4 for a tag in the section, the "
        "latest 10. The unarranged one shows the default blocks. Times are server time in ms "
        "around `django.test.Client.get`; *queries* per uncached request (two numbers if two "
        "requests differed); *cold* the first request after `cache.clear()` with the page cache "
        "on, *warm* the requests after it. `arrange()` is timed alone, with the queries that load "
        "the saved arrangement.",
        "",
    ]
    for database in dict.fromkeys(c.database for c in cases):
        sized = [c for c in cases if c.database == database]
        lines += [f"### {database_label(database)}", ""]
        for case in sized:
            counts = (case.measured or {}).get("story_count", {})
            version = (case.measured or {}).get("versions", {}).get("database", "")
            lines.append(
                f"- {case.size:,} stories asked: {counts.get('all', 0):,} in the database, "
                f"{counts.get('published', 0):,} published; seeded in "
                f"{case.timings.get('seed', 0):.0f} s; {version}; "
                f"load average after: {(case.measured or {}).get('load', '?')}"
            )
        lines += ["", page_table(sized), "", arrange_table(sized), ""]
    lines += query_counts(cases)
    notes = [(c.label, n) for c in cases for n in (c.measured or {}).get("notes", [])]
    if notes:
        lines += [
            "",
            "Query shapes repeated in one request (the rule query, once a block with empty "
            "places: set by the arrangement, not by the stories):",
            "",
        ]
        lines += [f"- [{label}] {note}" for label, note in notes]
    failures = checks(cases)
    digests = {c.label: c.measured.get("code") for c in cases if c.measured}
    if len(set(digests.values())) > 1:
        warning = (
            "WARNING: the fronts app's code changed during the run (fronts/*.py and "
            "templates/fronts/ digests: "
            + ", ".join(f"{label} {d}" for label, d in digests.items())
            + "): a count that differs may be the code's, not the stories'"
        )
    else:
        warning = None
    lines += ["", *(failures or ["No FAIL: query counts fixed, warm cached pages take none."])]
    if warning:
        lines += ["", warning]
    lines.append("")
    lines += slowest_arrange_queries(cases)
    plans = slow_plans(cases)
    if plans:
        lines += [f"Fronts over {SLOW_FRONT_MS:.0f} ms median uncached:", "", *plans]
    problems = [(c.label, p) for c in cases for p in c.problems]
    if problems:
        lines += ["Problems seen:", ""]
        lines += [f"- [{label}] {problem}" for label, problem in problems[:40]]
        lines.append("")
    return lines


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000", help="story counts, comma-separated")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite, postgresql")
    parser.add_argument("--requests", type=int, help="timed requests a page (50; 10 with --quick)")
    parser.add_argument(
        "--arrange-runs", type=int, help="arrange() calls timed a front (20; 5 with --quick)"
    )
    parser.add_argument("--quick", action="store_true", help="fewer requests, for a smoke test")
    parser.add_argument(
        "--results", default=str(BENCH / "RESULTS.md"), help="RESULTS.md to write its block in"
    )
    parser.add_argument("--no-results", action="store_true", help="print only")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.requests = args.requests or (10 if args.quick else 50)
    args.arrange_runs = args.arrange_runs or (5 if args.quick else 20)
    if args.child:
        return args
    args.sizes = parse_sizes(args.sizes)
    args.databases = parse_databases(parser, args.databases)
    return args


def main() -> int:
    args = parse_args()
    if args.child:
        child(args)
        return 0
    from report import machine_info

    started = time.monotonic()
    machine = machine_info()
    say(
        f"newsroom fronts benchmark: {machine['cores']} cores, {machine['cpu']}, "
        f"{machine['memory']}; load {machine['load']}"
    )
    say(
        f"sizes {', '.join(f'{s:,}' for s in args.sizes)}; databases {', '.join(args.databases)}; "
        f"{args.requests} requests a page, arrange() {args.arrange_runs} times a front"
    )
    if os.getloadavg()[0] > 0.5 * (os.cpu_count() or 1):
        say("Warning: the machine is busy before starting: figures will be slower and noisier.")
    keep_reachable_postgresql(args.databases)
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-fronts-"))
    cases = []
    try:
        if not collect_static(workdir):
            return 1
        for database in args.databases:
            for size in args.sizes:
                case = Case(database, size, workdir)
                cases.append(case)
                run_case(case, args)
    except KeyboardInterrupt:
        say("\nInterrupted: summing up what was measured.")
    finally:
        lines = render(cases, machine, args, time.monotonic() - started)
        say()
        say("=== Summary ===")
        for line in lines:
            say(line)
        if cases and not args.no_results:
            write_block(args.results, "fronts.py", RESULTS_TITLE, lines)
            say(f"Written to {args.results}.")
        if args.keep:
            say(f"Logs and measurements kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


# --- the child: arranging, measuring, arrange() alone (Django set up) ---------------------------


def arrange_fronts() -> dict:
    """Arrange the home front and the first demo section's front, as an editor would; the paths
    of the pages measured and the headlines that must show."""
    from page_list import make_editor
    from taggit.models import Tag

    from articles.models import Article, Section
    from fronts import layout
    from fronts.models import Block
    from fronts.services import PlannedBlock, PlannedSlot, front_arrange

    editor = make_editor()
    published = Article.objects.published().filter(is_demo=True).order_by("-published_at", "-id")
    newest = list(published[:12])
    sections = list(Section.objects.order_by("order", "name"))
    demo_sections = [s for s in sections if getattr(s, "is_demo", False)] or sections
    arranged, unarranged = demo_sections[0], demo_sections[1 % len(demo_sections)]
    # A tag the demo stories carry: the first by name of the newest story's.
    tag = newest[0].tags.order_by("name").first() or Tag.objects.order_by("name").first()

    lead_headlines = [f"Bench lead {n}: {newest[i].headline}" for n, i in ((1, 3), (2, 7))]
    home = [
        PlannedBlock(
            order=1,
            kind=Block.Kind.LEAD,
            size=3,
            slots=(
                PlannedSlot(position=1, article=newest[3], headline=lead_headlines[0]),
                PlannedSlot(position=2, article=newest[7], headline=lead_headlines[1]),
            ),
        ),
        PlannedBlock(
            order=2,
            kind=Block.Kind.TOP,
            size=4,
            slots=(PlannedSlot(position=1, article=newest[10]),),
        ),
        *(
            PlannedBlock(order=3 + i, kind=Block.Kind.ROW, size=4, section=section)
            for i, section in enumerate(sections)
        ),
        PlannedBlock(order=50, kind=Block.Kind.ROW, size=4, tag=tag, title=f"Topic: {tag.name}"),
        PlannedBlock(order=60, kind=Block.Kind.LATEST, size=10, title="Latest"),
    ]
    front_arrange(front=layout.front_for(None), blocks=home, user=editor, comment="bench: home")

    in_section = list(published.filter(section=arranged)[:6])
    section_headline = f"Bench section lead: {in_section[4].headline}"
    section_blocks = [
        PlannedBlock(
            order=1,
            kind=Block.Kind.LEAD,
            size=3,
            slots=(PlannedSlot(position=1, article=in_section[4], headline=section_headline),),
        ),
        PlannedBlock(order=2, kind=Block.Kind.TOP, size=4),
        PlannedBlock(order=3, kind=Block.Kind.ROW, size=4, tag=tag, title=f"Topic: {tag.name}"),
        PlannedBlock(order=4, kind=Block.Kind.LATEST, size=10, title="Latest"),
    ]
    front_arrange(
        front=layout.front_for(arranged),
        blocks=section_blocks,
        user=editor,
        comment="bench: section",
    )
    say(
        f"    arranged the home front ({len(home)} blocks, tag {tag.slug!r}) and "
        f"{arranged.name!r} ({len(section_blocks)} blocks); {unarranged.name!r} left as is"
    )
    return {
        "sections": {HOME: None, ARRANGED: arranged, UNARRANGED: unarranged},
        "paths": {
            HOME: "/",
            ARRANGED: arranged.get_absolute_url(),
            UNARRANGED: unarranged.get_absolute_url(),
            PAGE_2: "/?page=2",
        },
        "must_show": {HOME: lead_headlines, ARRANGED: [section_headline]},
    }


class Recorder:
    """Every query's SQL, parameters and execute() time while active (``execute_wrapper``)."""

    def __init__(self):
        self.queries = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, (time.perf_counter() - started) * 1000))

    def slowest(self) -> dict | None:
        """The slowest SELECT with its plan."""
        selects = [q for q in self.queries if q[0].lstrip().upper().startswith("SELECT")]
        if not selects:
            return None
        sql, params, ms = max(selects, key=lambda q: q[2])
        return {
            "sql": sql,
            "params": [str(p) for p in params or ()],
            "ms": ms,
            "plan": plan(sql, params),
        }


def plan(sql, params) -> str:
    from django.db import connection

    explain = (
        "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(explain + sql, params)
            rows = cursor.fetchall()
    except Exception as error:  # noqa: BLE001 - a plan is a help, not a figure
        return f"(no plan: {error})"
    if connection.vendor == "sqlite":
        return "\n".join(f"{row[0]}|{row[1]}| {row[-1]}" for row in rows)
    return "\n".join(row[0] for row in rows)


def recorded(fn):
    """(fn's result, its Recorder)."""
    from django.db import connection

    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        result = fn()
    return result, recorder


def check_front(client, name, path, must_show, problems) -> None:
    """The page shows the editors' headlines, and no story twice."""
    from django.test.utils import override_settings

    with override_settings(PAGE_CACHE_SECONDS=0):
        response = client.get(path)
    body = response.content.decode(errors="replace")
    for headline in must_show:
        if headline not in body and headline.replace("'", "&#x27;") not in body:
            problems.append(f"{name} ({path}): the pinned headline {headline!r} is not shown")
    stories = re.findall(r'href="(/stories/[^"]+/)"', body)
    # A card links its story from its headline and its picture: count each card's story once.
    cards = re.findall(r'<article[^>]*>.*?href="(/stories/[^"]+/)"', body, flags=re.S)
    repeated = sorted({s for s in cards if cards.count(s) > 1})
    if repeated:
        problems.append(f"{name} ({path}): stories shown twice: {', '.join(repeated[:5])}")
    say(f"      {len(set(stories))} stories linked, {len(cards)} cards")


def time_arrange(sections, runs) -> dict:
    """``layout.arrange(front)`` alone for each front: its queries, times, slowest query."""
    from fronts import layout

    results = {}
    for name in FRONTS:
        front = layout.front_for(sections[name])
        shown, recorder = recorded(lambda front=front: layout.arrange(front))
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            layout.arrange(front)
            times.append((time.perf_counter() - started) * 1000)
        results[name] = {
            "blocks": len(shown),
            "shown": sum(len(b.items) for b in shown),
            "queries": len(recorder.queries),
            "query_ms": [round(q[2], 3) for q in recorder.queries],
            "sql": [re.sub(r"\s+", " ", q[0])[:300] for q in recorder.queries],
            "median": median(times),
            "p95": p95(times),
            "slowest": recorder.slowest(),
        }
        r = results[name]
        say(
            f"    arrange() {name}: {r['blocks']} blocks, {r['shown']} stories, {r['queries']} "
            f"queries, median {fmt_ms(r['median'])} ms, p95 {fmt_ms(r['p95'])} ms; slowest query "
            f"{fmt_ms(r['slowest']['ms'] if r['slowest'] else None)} ms"
        )
    return results


def code_digest() -> str:
    """A digest of the fronts app's code and templates: others may change them during a run."""
    import hashlib

    from common import ROOT

    digest = hashlib.sha256()
    for path in sorted([*ROOT.glob("fronts/*.py"), *ROOT.glob("templates/fronts/*.html")]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def child(args) -> None:
    from page_times import Fetcher, measure_page, setup_django, story_count, versions

    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    problems: list[str] = []
    counts = story_count()
    say(f"    {counts['all']:,} stories, {counts['published']:,} published")
    fronts = arrange_fronts()
    client, fetcher = Client(), Fetcher()
    for name, headlines in fronts["must_show"].items():
        check_front(client, name, fronts["paths"][name], headlines, problems)
    pages = []
    for name, path in fronts["paths"].items():
        row, _ = measure_page(
            fetcher, {"name": name, "path": path, "kind": "public"}, client, args.requests, problems
        )
        if "median" in row:
            with override_settings(PAGE_CACHE_SECONDS=0):
                _, recorder = recorded(lambda path=path: client.get(path))
            row["slowest"] = recorder.slowest()
            say(
                f"      {row['queries']} queries, {fmt_int(row['bytes'])} bytes; uncached median "
                f"{fmt_ms(row['median'])} ms, p95 {fmt_ms(row['p95'])}; cold "
                f"{fmt_ms(row.get('cold'))} ms ({row.get('cold_queries')}q); warm median "
                f"{fmt_ms(row.get('warm_median'), 2)} ms ({row.get('warm_queries')}q)"
            )
        row.pop("sql", None)
        pages.append(row)
    arrange = time_arrange(fronts["sections"], args.arrange_runs)
    # One rule query a block with empty places is the design (a fixed number, set by the
    # arrangement, not the stories): a note, not a problem.
    notes = [p for p in problems if "the same query" in p and "N+1?" in p]
    problems = [p for p in problems if p not in notes]
    Path(args.out).write_text(
        json.dumps(
            {
                "pages": pages,
                "arrange": arrange,
                "problems": problems,
                "notes": [n.replace(" (N+1?)", "")[:200] for n in notes],
                "story_count": counts,
                "versions": versions(connection),
                "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
                "code": code_digest(),
            },
            indent=1,
            default=str,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
