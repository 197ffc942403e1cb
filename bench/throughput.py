"""Requests per second under gunicorn (2 sync workers) with ``wrk -t2 -c16``, and the workers'
memory: the bare ceiling (``ceiling.py``, the story page's saved HTML from memory) before and after
the site with the page cache on (``PAGE_CACHE_SECONDS=600``) and off (``0``), each on the story page
and the home page. The workers' resident memory is read from /proc after each run."""

import re
import subprocess
from pathlib import Path

from common import BENCH, ROOT, say
from harness import Gunicorn, http_get

WARM_REQUESTS = 20


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


def warm(case, server, path):
    statuses = {http_get(server.base + path)[0] for _ in range(WARM_REQUESTS)}
    if statuses != {200}:
        case.problems.append(f"gunicorn: {path} answered {sorted(statuses)}")


def measure(case, server, key, path, seconds):
    """One wrk run against ``server``, kept in ``case.wrk[key]``."""
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


def ceiling_run(case, key, article, html_file, seconds):
    # Before and after the site's runs: other work on the machine shows as a difference, and
    # the higher figure is the ceiling.
    say(f"    gunicorn: the ceiling (bench/ceiling.py), {key}")
    with Gunicorn(
        "ceiling:application",
        dict(case.env, CEILING_HTML=str(html_file)),
        chdir=BENCH,
        log=case.dir / "ceiling.log",
        ready_path="/",
    ) as server:
        warm(case, server, article)
        measure(case, server, key, article, seconds)
        case.memory["ceiling"] = server.worker_rss_mib()


def site_run(case, label, seconds_cached, paths, seconds):
    """The site under gunicorn with the page cache on or off: the story and home pages."""
    env = dict(case.env, PAGE_CACHE_SECONDS=str(seconds_cached))
    say(f"    gunicorn: newsroom.wsgi, PAGE_CACHE_SECONDS={seconds_cached}")
    with Gunicorn(
        "newsroom.wsgi",
        env,
        chdir=ROOT,
        log=case.dir / f"gunicorn-{label}.log",
        ready_path="/healthz",
    ) as server:
        for name in ("article", "home"):
            path = paths.get(name)
            if path:
                warm(case, server, path)
                measure(case, server, f"{name} {label}", path, seconds)
        case.memory[label] = server.worker_rss_mib()
        say(
            f"      worker memory after the run: {', '.join(f'{m:.1f}' for m in case.memory[label])} MiB"
        )
        log = Path(server.log_path).read_text(errors="replace")
        if "Traceback" in log or "[ERROR]" in log:
            case.problems.append(f"gunicorn {label}: errors in its log ({server.log_path})")


def gunicorn_phase(case, paths, html_file, seconds):
    """Requests per second for the ceiling, then the site cached and uncached."""
    article = paths.get("article")
    if not article or not html_file.exists():
        case.problems.append("gunicorn: no story page to measure (see the in-process table)")
        return
    ceiling_run(case, "ceiling before", article, html_file, seconds)
    for label, seconds_cached in (("cached", 600), ("uncached", 0)):
        site_run(case, label, seconds_cached, paths, seconds)
    ceiling_run(case, "ceiling after", article, html_file, seconds)
