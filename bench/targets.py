"""The page benchmark's targets, checked on the largest size measured of each database (and, for
what must not grow with the data, against its smallest): rows of [target, database, measured,
result] for the summary."""

import re

from common import (
    ADMIN_LIST_P95_MS,
    CACHED_MS,
    CACHED_SHARE,
    IMPORT_FILES,
    IMPORT_SECONDS,
    LIST_PAGES,
    LIST_RATE_SHARE,
    PUBLIC_MEDIAN_MS,
    PUBLIC_P95_MS,
    SEARCH_P95_MS,
    TARGET_SIZE,
    UNCACHED_SHARE,
    WORKER_RSS_MIB,
    database_label,
)
from report import ceiling_rps


def page_by_name(case, name):
    for page in (case.measured or {}).get("pages", []):
        if page["name"] == name and "median" in page:
            return page
    return None


def verdict(ok, case):
    word = "pass" if ok else "FAIL"
    return (
        word
        if case.size >= TARGET_SIZE
        else f"{word} (at {case.size:,}; target is at {TARGET_SIZE:,})"
    )


def public_pages(case):
    return [p for p in case.measured["pages"] if p["kind"] == "public" and "median" in p]


def public_time_row(case, db):
    public = public_pages(case)
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
    return [
        f"public pages uncached: median < {PUBLIC_MEDIAN_MS:.0f} ms, p95 < {PUBLIC_P95_MS:.0f} ms",
        db,
        figure,
        verdict(not slow and not public_errors and bool(public), case),
    ]


def query_growth_row(case, small, db):
    """Query counts: the same at every size measured."""
    if small is case:
        return ["public page queries the same at 1,000 and 100,000", db, "needs two sizes", "n/a"]
    public = public_pages(case)
    grew = []
    for p in public:
        other = page_by_name(small, p["name"])
        if other and other["queries"] != p["queries"]:
            grew.append(f"{p['name']} {other['queries']}→{p['queries']}")
    return [
        f"public page queries the same at {small.size:,} and {case.size:,}",
        db,
        ", ".join(grew) or f"all equal ({len(public)} pages)",
        "pass" if not grew else "FAIL",
    ]


def cached_row(case, db):
    cached = [p for p in public_pages(case) if p.get("warm_median") is not None]
    slow_cached = [
        f"{p['name']} {p['warm_median']:.2f}" for p in cached if p["warm_median"] >= CACHED_MS
    ]
    worst_cached = max(cached, key=lambda p: p["warm_median"], default=None)
    return [
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


def admin_and_search_rows(case, db):
    rows = []
    admin = page_by_name(case, "admin list")
    if admin:
        counts = [
            q for q in admin.get("sql", []) if re.match(r"\s*SELECT\s+COUNT\(", q, re.IGNORECASE)
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
    return rows


def ceiling_share_rows(case, db):
    rows = []
    ceiling = ceiling_rps(case)
    for key, share in (("article cached", CACHED_SHARE), ("article uncached", UNCACHED_SHARE)):
        target = f"gunicorn {key} ≥ {share:.0%} of the ceiling"
        rps = (case.wrk.get(key) or {}).get("rps")
        if rps and ceiling:
            rows.append(
                [
                    target,
                    db,
                    f"{rps:,.0f} of {ceiling:,.0f} requests/s = {rps / ceiling:.0%}",
                    verdict(rps >= share * ceiling, case),
                ]
            )
        else:
            rows.append([target, db, "not measured", "n/a"])
    return rows


def list_rate_row(case, small, db):
    """The list pages at the largest size keep most of their rate at the smallest."""
    if small is case:
        return ["list pages at 100,000 within 20% of 1,000", db, "needs two sizes", "n/a"]
    figures, ok = [], True
    for key in ("home uncached", "home cached"):
        big, little = (case.wrk.get(key) or {}).get("rps"), (small.wrk.get(key) or {}).get("rps")
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
    return [
        f"list pages at {case.size:,} ≥ {LIST_RATE_SHARE:.0%} of their rate at {small.size:,}",
        db,
        "; ".join(figures) or "–",
        "pass" if ok and figures else ("FAIL" if figures else "n/a"),
    ]


def memory_row(case, db):
    worker = [m for label in ("cached", "uncached") for m in case.memory.get(label, [])]
    return [
        f"worker memory after the run < {WORKER_RSS_MIB:.0f} MiB",
        db,
        f"largest worker {max(worker):.1f} MiB" if worker else "not measured",
        verdict(max(worker) < WORKER_RSS_MIB, case) if worker else "n/a",
    ]


def import_row(case, db):
    target = f"import {IMPORT_FILES:,} wire files < {IMPORT_SECONDS:.0f} s"
    result = case.import_result or {}
    if "seconds" not in result:
        return [target, db, result.get("skipped", "not measured"), "n/a"]
    scaled = result["seconds"] * IMPORT_FILES / result["files"]
    figure = f"{result['seconds']:.1f} s for {result['files']:,} files"
    if result["files"] != IMPORT_FILES:
        figure += f" (≈ {scaled:.1f} s for {IMPORT_FILES:,})"
    if result["status"]:
        figure += f"; exit status {result['status']}"
    return [target, db, figure, verdict(scaled < IMPORT_SECONDS and not result["status"], case)]


def evaluate(cases) -> list[list[str]]:
    """Rows of [target, database, measured, result] for the summary."""
    rows = []
    databases = list(dict.fromkeys(case.database for case in cases))
    for database in databases:
        measured = [c for c in cases if c.database == database and c.measured]
        db = database_label(database)
        if not measured:
            rows.append(["all targets", db, "not measured", "–"])
            continue
        case = max(measured, key=lambda c: c.size)
        small = min(measured, key=lambda c: c.size)
        rows.append(public_time_row(case, db))
        rows.append(query_growth_row(case, small, db))
        rows.append(cached_row(case, db))
        rows += admin_and_search_rows(case, db)
        rows += ceiling_share_rows(case, db)
        rows.append(list_rate_row(case, small, db))
        rows.append(memory_row(case, db))
        rows.append(import_row(case, db))
    return rows
