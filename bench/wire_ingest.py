"""Agency wire benchmark: 1,000 mixed agency items into the wire queue, and taking one to a draft.

    .venv/bin/python bench/wire_ingest.py                          # SQLite and PostgreSQL
    .venv/bin/python bench/wire_ingest.py --items 200 --databases sqlite   # a smoke test

What it does, for each database (SQLite in a temporary folder; PostgreSQL ``newsroom_wire_bench``
on 127.0.0.1:5432, dropped at the end):

1. ``migrate``, ``loaddata qianhai-forum`` (a section, and people and organizations to find as
   mentions);
2. writes ``--items`` files in a folder, the formats in turn: ninjs 1.x, 2.x and 3.x, NewsML-G2
   with an XHTML body, NewsML-G2 with a NITF body, and plain-text copy, each made from the sample
   of that format in ``tests/wire/samples/`` with its own identifier, headline and body (four to
   eight paragraphs of demo text, a name the newsroom knows in some, three subjects). One file in
   ten is a second version of an earlier item (an update), one in fifty kills an earlier one;
3. times ``manage.py ingest`` on the folder (one process, as an operator runs it; its summary is
   printed), and checks the queue holds what was sent;
4. takes three items of different formats to draft stories in one ``manage.py shell`` (after a
   first one, which also fills Django's caches) and prints the queries each took (the test suite asserts they are the same whatever the item's size:
   tests/wire/test_services.py).

The target (issue 19): 1,000 items under 30 s on each database. Results go to ``RESULTS.md``
between ``<!-- wire_ingest.py: begin -->`` and its end marker. Only 127.0.0.1 is contacted.
"""

import argparse
import json
import random
import re
import shutil
import tempfile
import time
from pathlib import Path

from common import BENCH, PG_SERVER_URL, PYTHON, ROOT, say, table
from harness import bench_env, pg_admin, pg_available, run_streamed
from report import machine_info, write_block
from wire_import import WIRE_WORDS as WORDS

PG_DB = "newsroom_wire_bench"
SAMPLES = ROOT / "tests" / "wire" / "samples"
TARGET_SECONDS = 30
# Demo text; the one name is a venue the seed knows, found as a mention (no person is quoted).
NAMES = ["Qianhai International Convention Center"]
SUBJECTS = [
    ("medtop:04000000", "economy, business and finance"),
    ("medtop:09000000", "labour"),
    ("medtop:13000000", "science and technology"),
    ("medtop:11000000", "politics"),
    ("medtop:16000000", "conflict, war and peace"),
]
FORMATS = ["ninjs-1", "ninjs-2", "ninjs-3", "newsml-xhtml", "newsml-nitf", "plain-text"]
TEMPLATES = {
    "ninjs-1": "ninjs1-reuters.json",
    "ninjs-2": "ninjs2-afp.json",
    "ninjs-3": "ninjs3-dpa.json",
    "newsml-xhtml": "newsml-xhtml.xml",
    "newsml-nitf": "newsml-nitf.xml",
}

TAKE = """
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wire import services
from wire.models import WireItem
editor, _ = User.objects.get_or_create(username="bench-editor", defaults={{"is_staff": True}})
editor.groups.add(Group.objects.get(name="Editor"))
for fmt in {formats!r}:
    item = WireItem.objects.filter(format=fmt, pubstatus="usable", story=None).first()
    editor = User.objects.get(pk=editor.pk)  # permissions read afresh, as in a request
    with CaptureQueriesContext(connection) as queries:
        story = services.take_to_draft(item=item, user=editor)
    print(f"TAKE {{fmt}} {{len(queries)}} {{story.pk}}")
"""


def paragraphs(rng: random.Random, number: int) -> list[str]:
    found = []
    for p in range(rng.randint(4, 8)):
        words = [rng.choice(WORDS) for _ in range(rng.randint(20, 40))]
        if p == 1 and rng.random() < 0.5:
            words.insert(3, rng.choice(NAMES))
        found.append(" ".join(words).capitalize() + ".")
    found.append(f"This is demo wire item number {number}.")
    return found


def ninjs_item(template: dict, fmt: str, *, uri, version, headline, body, subjects, status):
    item = json.loads(json.dumps(template))
    camel = fmt == "ninjs-3" and "versionCreated" in template
    html = "".join(f"<p>{p}</p>" for p in body)
    item["uri"] = uri
    item["version"] = str(version)
    item["pubStatus" if camel else "pubstatus"] = status
    if "headlines" in item:
        item["headlines"] = [{"value": headline, "role": "main"}]
        item["bodies"] = [{"value": html, "contentType" if camel else "contenttype": "text/html"}]
    else:
        item["headline"] = headline
        item["body_html"] = html
        item.pop("body_text", None)
    key = "subjects" if "subjects" in item else "subject"
    item[key] = [{"code": code, "name": name} for code, name in subjects]
    return json.dumps(item, ensure_ascii=False, indent=2)


def newsml_item(template: str, *, uri, version, headline, body, subjects, status):
    xml = re.sub(r'guid="[^"]*"', f'guid="{uri}"', template, count=1)
    xml = re.sub(r'(<newsItem\b[^>]*?\bversion=")[^"]*"', rf'\g<1>{version}"', xml, count=1)
    xml = re.sub(r'(<pubStatus qcode=")[^"]*"', rf'\g<1>stat:{status}"', xml, count=1)
    xml = re.sub(r"(<headline[^>]*>)[^<]*(</headline>)", rf"\g<1>{headline}\g<2>", xml, count=1)
    xml = re.sub(r"(<hl1[^>]*>)[^<]*(</hl1>)", rf"\g<1>{headline}\g<2>", xml, count=1)
    text = "".join(f"<p>{p}</p>" for p in body)
    # The body's content: NITF's body.content, or the XHTML body's.
    tag = "body\\.content" if "<body.content>" in xml else "body"
    body = rf"(<{tag}>)(.*?)(</{tag}>)"
    return re.sub(body, lambda match: match[1] + text + match[3], xml, count=1, flags=re.S)


def write_items(folder: Path, count: int) -> dict:
    """``count`` files; returns what they should leave in the queue."""
    rng = random.Random(19)
    folder.mkdir(parents=True)
    templates = {
        fmt: (SAMPLES / name).read_text(encoding="utf-8") for fmt, name in TEMPLATES.items()
    }
    sent: list[tuple[str, str]] = []  # (format, uri) of each first version
    expected = {"items": 0, "updated": 0, "killed": 0}
    for number in range(1, count + 1):
        fmt = FORMATS[number % len(FORMATS)]
        body = paragraphs(rng, number)
        headline = f"Demo: wire item {number} on the port's new berths"
        version, status = 1, "usable"
        if number % 10 == 0 and sent:  # a later version of an earlier item
            fmt, uri = sent[rng.randrange(len(sent))]
            version, headline = 2 + number, f"Demo: wire item updated ({number})"
            expected["updated"] += 1
        elif number % 50 == 25 and sent:
            fmt, uri = sent[rng.randrange(len(sent))]
            version, status = 2 + number, "canceled"
            expected["killed"] += 1
        else:
            uri = f"urn:demo:bench:{number}"
            expected["items"] += 1
        if fmt == "plain-text":  # never a later version (those come from ``sent``): none in it
            lines = ["Demo City", f"Demo Correspondent {number % 20}"]
            lines += [f"demo-{number % 20}@example.invalid", *body]
            data = "\n".join(lines) + "\n"
            name = f"item-{number:04d}.txt"
        else:
            subjects = rng.sample(SUBJECTS, 3)
            fields = dict(
                uri=uri,
                version=version,
                headline=headline,
                body=body,
                subjects=subjects,
                status=status,
            )
            if fmt.startswith("ninjs"):
                data = ninjs_item(json.loads(templates[fmt]), fmt, **fields)
                name = f"item-{number:04d}.json"
            else:
                data = newsml_item(templates[fmt], **fields)
                name = f"item-{number:04d}.xml"
            if version == 1:
                sent.append((fmt, uri))
        (folder / name).write_text(data, encoding="utf-8")
    return expected


def run_case(database: str, count: int, workdir: Path) -> dict:
    if database == "sqlite":
        url = f"sqlite:///{workdir / 'wire.sqlite3'}"
    else:
        pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        pg_admin(f'CREATE DATABASE "{PG_DB}"')
        url = f"{PG_SERVER_URL.rsplit('/', 1)[0]}/{PG_DB}"
    env = bench_env(url, media_root=workdir / "media", static_root=workdir / "static")
    env["TASK_BACKEND"] = "immediate"
    for command in (["migrate", "--noinput"], ["loaddata", "qianhai-forum"]):
        status, output = run_streamed([PYTHON, "manage.py", *command], env, echo=False)
        if status:
            raise SystemExit(f"manage.py {' '.join(command)} failed:\n{output[-2000:]}")
    folder = workdir / f"items-{database}"
    expected = write_items(folder, count)
    say(f"  {database}: ingest {count:,} files")
    started = time.monotonic()
    status, output = run_streamed(
        [PYTHON, "manage.py", "ingest", str(folder)], env, echo=False, log=workdir / "ingest.log"
    )
    seconds = time.monotonic() - started
    summary = output.strip().splitlines()[-1] if output.strip() else "(no output)"
    say(f"    {summary}")
    say(f"    {seconds:.1f} s, {count / seconds:.0f} items/s")
    if status:
        refused = [line for line in output.splitlines() if line.startswith("[") and ": " in line]
        refused = [line for line in refused if not re.search(r": (new|updated|KILLED|skip)", line)]
        raise SystemExit("ingest refused files it should take:\n" + "\n".join(refused[:5]))
    takes = {}
    # The first take in a process also reads what Django caches (content types): a warm-up.
    formats = ["ninjs-2", "ninjs-1", "ninjs-3", "newsml-g2"]
    status, output = run_streamed(
        [PYTHON, "manage.py", "shell", "-c", TAKE.format(formats=formats)], env, echo=False
    )
    if status:
        raise SystemExit(f"taking items to draft failed:\n{output[-3000:]}")
    for line in output.splitlines():
        if line.startswith("TAKE ") and not line.startswith("TAKE ninjs-2 "):
            _, fmt, queries, _ = line.split()
            takes[fmt] = int(queries)
    say(f"    take to draft: {takes} queries")
    if database == "postgresql":
        pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
    return {
        "database": database,
        "seconds": seconds,
        "summary": summary,
        **expected,
        "takes": takes,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--no-results", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args(argv)
    databases = args.databases.split(",")
    if "postgresql" in databases and pg_available() is not None:
        say(f"PostgreSQL is not reachable at {PG_SERVER_URL}; skipping it.")
        databases.remove("postgresql")
    machine = machine_info()
    say(f"Wire ingest: {args.items:,} items; {machine['cores']} cores, {machine['cpu']}")
    results = []
    for database in databases:
        workdir = Path(tempfile.mkdtemp(prefix="newsroom-wire-bench-"))
        try:
            results.append(run_case(database, args.items, workdir))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    rows = [
        [
            r["database"],
            f"{args.items:,}",
            f"{r['seconds']:.1f} s",
            f"{args.items / r['seconds']:.0f}",
            "yes" if r["seconds"] < TARGET_SECONDS else "**no**",
            ", ".join(f"{fmt} {n}" for fmt, n in r["takes"].items()),
        ]
        for r in results
    ]
    header = ["database", "files", "ingest", "items/s", f"under {TARGET_SECONDS} s", "take queries"]
    text = table(header, rows)
    print(text)
    for r in results:
        print(f"{r['database']}: {r['summary']}")
    if not args.no_results:
        lines = [
            f"Machine: {machine['cores']} cores, {machine['cpu']}, {machine['memory']}; commit "
            f"{machine['commit']}; load at start {machine['load']}.",
            "",
            f"{args.items:,} files, the six formats in turn; one in ten a later version of an "
            "earlier item, one in fifty a kill. One `manage.py ingest` process, wall time.",
            "",
            text,
            "",
            *[f"- {r['database']}: {r['summary']}" for r in results],
            "",
        ]
        write_block(BENCH / "RESULTS.md", "wire_ingest.py", "Agency wire ingest", lines)


if __name__ == "__main__":
    main()
