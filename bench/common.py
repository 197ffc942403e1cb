"""What every part of the page benchmark (``bench/run.py``) shares: where things are, the targets it
checks, and printing: progress lines, medians and percentiles, numbers and Markdown tables."""

import math
import os
import re
import statistics
import sys
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


def database_label(database) -> str:
    return "SQLite" if database == "sqlite" else "PostgreSQL"


def parse_sizes(text: str) -> list[int]:
    """The ``--sizes`` option: story counts, "1000,100_000" or "1,000 100,000"."""
    return sorted(
        int(s.replace("_", "").replace(",", "")) for s in re.split(r"[ ,]+(?=\d)", text) if s
    )


def parse_databases(parser, text: str) -> list[str]:
    """The ``--databases`` option: sqlite, postgresql (or postgres), comma-separated; anything
    else is the parser's error."""
    names = {"sqlite": "sqlite", "postgres": "postgresql", "postgresql": "postgresql"}
    found = [d.strip().lower() for d in text.split(",") if d.strip()]
    for database in found:
        if database not in names:
            parser.error(f"unknown database {database!r}: use sqlite, postgresql or both")
    return [names[d] for d in found]
