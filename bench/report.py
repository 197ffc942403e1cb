"""The page benchmark's results as text: a case's page table, its pages over their target with the
time their SQL took, its gunicorn table, the machine it ran on, and ``RESULTS.md``."""

import os
import platform
import re
import subprocess
import sys
from pathlib import Path

from common import ADMIN_LIST_P95_MS, PUBLIC_MEDIAN_MS, PUBLIC_P95_MS, ROOT, fmt_int, fmt_ms, table

SUMMARY_HEADERS = ["target", "database", "measured", "result"]


def render_summary(rows) -> str:
    return table(SUMMARY_HEADERS, rows, ["l"] * len(SUMMARY_HEADERS))


def page_row(page) -> list[str]:
    """A measured page's cells in the case table."""
    if page.get("error") and "median" not in page:
        row = [page["name"], page.get("path") or "–", "error", *["–"] * 9]
        row[3] = (page.get("error") or "")[:60]
        return row
    queries = str(page["queries"])
    if page.get("queries_again") not in (None, page["queries"]):
        queries += f"/{page['queries_again']}"
    cached = page["kind"] == "public"
    return [
        page["name"] + (" *" if page.get("extra") else ""),
        page["path"] if len(page["path"]) <= 48 else page["path"][:45] + "…",
        ",".join(str(s) for s in page["status"]),
        fmt_int(page["bytes"]),
        queries,
        fmt_ms(page["median"]),
        fmt_ms(page["p95"]),
        f"{fmt_ms(page['cold'])} ({page['cold_queries']}q)" if cached and "cold" in page else "–",
        fmt_ms(page.get("warm_median"), 2) if cached else "–",
        fmt_ms(page.get("warm_p95"), 2) if cached else "–",
        str(page.get("warm_queries", "–")) if cached else "–",
        f"{page['warm_hits']}/{page['warm_count']}" if cached and "warm_hits" in page else "–",
    ]


def render_case_table(case) -> str:
    rows = [page_row(page) for page in (case.measured or {}).get("pages", [])]
    headers = [
        "page", "path", "status", "bytes", "queries", "uncached median ms", "uncached p95 ms",
        "cold ms (queries)", "warm median ms", "warm p95 ms", "warm queries", "hits",
    ]  # fmt: skip
    align = ["l", "l"] + ["r"] * (len(headers) - 2)
    return table(headers, rows, align)


def over_target(page) -> bool:
    if page["name"] == "admin list":
        return page["p95"] >= ADMIN_LIST_P95_MS
    if page["kind"] == "admin":
        return False
    return page["median"] >= PUBLIC_MEDIAN_MS or page["p95"] >= PUBLIC_P95_MS


def render_slow_pages(case) -> str | None:
    """For each page over its target, how much of its time the SQL took, and the slowest query."""
    lines = []
    for page in (case.measured or {}).get("pages", []):
        if "median" not in page or not page.get("sql_ms") or not over_target(page):
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


def print_case(case, say) -> None:
    """A case's tables, as printed after it ran."""
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


def first_line_of(path, prefix) -> str | None:
    """What follows the colon on the first line of ``path`` starting with ``prefix``."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def git_commit() -> str:
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
        return commit + (" (with uncommitted changes)" if dirty else "")
    except OSError:
        return "unknown"


def machine_info() -> dict:
    memory = first_line_of("/proc/meminfo", "MemTotal:")
    try:
        wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split(
            "\n"
        )[0]
    except OSError:
        wrk_version = "not installed"
    return {
        "cores": os.cpu_count(),
        "cpu": first_line_of("/proc/cpuinfo", "model name") or "unknown",
        "memory": f"{int(memory.split()[0]) / 1024 / 1024:.1f} GiB" if memory else "unknown",
        "kernel": platform.release(),
        "wrk": wrk_version.strip() or "unknown",
        "commit": git_commit(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def results_header(cases, args, machine, started_at, elapsed) -> list[str]:
    """The lines of ``RESULTS.md`` above the targets: when, where, with what, and how to read it."""
    versions = {}
    for case in cases:
        if case.measured:
            versions.update({k: v for k, v in case.measured["versions"].items() if k != "database"})
            versions[case.database] = case.measured["versions"]["database"]
    return [
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
    ]


def case_section(case) -> list[str]:
    """A case's lines in ``RESULTS.md``: its tables, its import and the problems seen."""
    lines = [f"## {case.label}", ""]
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
    return lines


def write_results(path, cases, summary_rows, args, machine, started_at, elapsed) -> None:
    lines = results_header(cases, args, machine, started_at, elapsed)
    lines += ["## Targets", "", render_summary(summary_rows), ""]
    for case in cases:
        lines += case_section(case)
    Path(path).write_text("\n".join(lines) + kept_sections(path))


def kept_sections(path) -> str:
    """What other benchmarks wrote in the same file between their markers (scale_out.py's
    ``<!-- scale_out.py: begin -->`` ... ``end``), kept when this one writes it anew."""
    try:
        old = Path(path).read_text()
    except OSError:
        return ""
    blocks = re.finditer(r"\n<!-- (\S+): begin -->.*?<!-- \1: end -->\n?", old, flags=re.S)
    return "".join(block.group(0) for block in blocks)


def write_block(path, script: str, title: str, lines: list[str]) -> None:
    """A benchmark's own block of RESULTS.md (``script`` is its file name, e.g. "fronts.py"):
    replaced between its ``<!-- script: begin -->`` and ``end`` markers, or added at the end;
    ``write_results`` keeps it."""
    begin, end = f"<!-- {script}: begin -->", f"<!-- {script}: end -->"
    section = [
        begin,
        f"## {title}",
        "",
        f"Written by `bench/{script}` (see its docstring for what is measured and how).",
        "",
        *lines,
        end,
    ]
    text = Path(path).read_text() if Path(path).exists() else ""
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        text = before + "\n".join(section) + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(section) + "\n"
    Path(path).write_text(text)
