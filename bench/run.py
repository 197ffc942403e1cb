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
   dropped at the end; then ``migrate``, ``loaddata qianhai-forum`` and ``seed_demo --stories N``;
2. in a child process with DEBUG off (``page_times.py``), every page through ``django.test.Client``: the server time
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

The parts: ``common.py`` (paths, targets, printing helpers), ``harness.py`` (environment,
databases and seeding, child processes, gunicorn), ``page_list.py`` (which pages), ``page_times.py``
(the measuring child), ``page_queries.py`` (query counts), ``throughput.py`` (wrk and worker
memory), ``wire_import.py`` (the import), ``targets.py`` (the checks) and ``report.py`` (tables,
``RESULTS.md``); this file reads the options, runs each case and prints the summary.

Only 127.0.0.1 is contacted. Media and collected static files go to a temporary folder that is
removed at the end; the project's own database and folders are not touched. wrk is Debian's
package (``sudo apt-get install -y wrk``); without it the gunicorn figures are skipped.
"""

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from common import (
    BENCH,
    GUNICORN,
    IMPORT_FILES,
    PYTHON,
    VENV_BIN,
    parse_databases,
    parse_sizes,
    say,
)
from harness import (
    Case,
    collect_static,
    drop_database,
    keep_reachable_postgresql,
    run_streamed,
    seed_database,
)
from report import (
    machine_info,
    print_case,
    render_case_table,
    render_summary,
    write_results,
)
from targets import evaluate
from throughput import gunicorn_phase
from wire_import import import_phase


def parse_args(argv=None):
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
    args = parser.parse_args(argv)
    args.requests = args.requests or (20 if args.quick else 50)
    args.wrk_seconds = args.wrk_seconds or (3 if args.quick else 10)
    if args.import_files is None:
        args.import_files = 200 if args.quick else IMPORT_FILES
    args.sizes = parse_sizes(args.sizes)
    args.databases = parse_databases(parser, args.databases)
    return args


def preflight(args, machine) -> bool:
    """Say what is run and on what; drop PostgreSQL if it is not reachable. Whether the gunicorn
    figures can be measured (wrk and gunicorn installed)."""
    if args.requests < 50 and not args.quick:
        say(f"Note: {args.requests} requests a page; the requirement asks for at least 50.")
    say(
        f"newsroom page benchmark: {machine['cores']} cores, {machine['cpu']}, {machine['memory']}; "
        f"load {machine['load']}"
    )
    say(
        f"sizes {', '.join(f'{s:,}' for s in args.sizes)}; databases {', '.join(args.databases)}; "
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
    keep_reachable_postgresql(args.databases)
    return has_wrk


def measure_pages(case, args, html):
    """The in-process figures of every page, from a child process (``page_times.py``)."""
    say(f"  pages in-process ({args.requests} requests each, uncached then cached)")
    t = time.monotonic()
    out = case.dir / "measured.json"
    command = [PYTHON, str(BENCH / "page_times.py"), "--out", str(out)]
    command += ["--html", str(html), "--requests", str(args.requests)]
    status, output = run_streamed(command, case.env)
    if status != 0 or not out.exists():
        last = (output.strip().splitlines() or ["(no output)"])[-1]
        raise RuntimeError(f"the in-process measurements failed (status {status}): {last}")
    case.measured = json.loads(out.read_text())
    case.problems += case.measured["problems"]
    case.timings["in-process pages"] = time.monotonic() - t
    say(render_case_table(case))


def measure_throughput(case, args, html):
    say(f"  gunicorn -w 2 with wrk -t2 -c16 -d{args.wrk_seconds}s")
    t = time.monotonic()
    try:
        gunicorn_phase(case, case.measured.get("gunicorn_paths", {}), html, args.wrk_seconds)
    except Exception as error:
        case.problems.append(f"gunicorn: {error}")
        say(f"    {error}")
    case.timings["gunicorn + wrk"] = time.monotonic() - t


def run_case(case, args, has_wrk):
    """One database at one size: seed it, measure, drop it. A failure stops the case, not the run."""
    say()
    say(f"=== {case.label} ===")
    started = time.monotonic()
    try:
        seed_database(case)
        html = case.dir / "article.html"
        measure_pages(case, args, html)
        if has_wrk:
            measure_throughput(case, args, html)
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


def summarise(cases, args, machine, started_at) -> None:
    """The targets and the problems seen, printed; ``RESULTS.md`` written."""
    elapsed = (dt.datetime.now(dt.UTC) - started_at).total_seconds()
    summary = evaluate(cases)
    say()
    say("=== Targets ===")
    say(render_summary(summary))
    problems = [(case.label, p) for case in cases for p in case.problems]
    if problems:
        say()
        say("=== Problems seen ===")
        for label, problem in problems:
            say(f"- [{label}] {problem}")
    if cases:
        write_results(args.results, cases, summary, args, machine, started_at, elapsed)
        say(f"\nWritten to {args.results} ({elapsed / 60:.1f} minutes in all).")


def main() -> int:
    args = parse_args()
    started_at = dt.datetime.now(dt.UTC)
    machine = machine_info()
    has_wrk = preflight(args, machine)
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
    cases = []
    try:
        if not collect_static(workdir):
            return 1
        for database in args.databases:
            for size in args.sizes:
                case = Case(database, size, workdir, args)
                cases.append(case)
                run_case(case, args, has_wrk)
                print_case(case, say)
    except KeyboardInterrupt:
        say("\nInterrupted: writing what was measured.")
    finally:
        summarise(cases, args, machine, started_at)
        if args.keep:
            say(f"Logs, measurements and captured SQL kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
