"""The time to import wire files: ``manage.py import_article`` on a folder of generated ones
(a place, a reporter, an address, then four to eight paragraphs), for the page benchmark."""

import random
import time
from pathlib import Path

from common import PYTHON, say
from harness import run_streamed

WIRE_TEXT = (
    "the port authority said new berths would open next year after a review of demand from "
    "shipping lines and logistics firms across the bay area while researchers asked for clearer "
    "figures on costs and timing for small exporters who rely on the terminals"
)
WIRE_WORDS = WIRE_TEXT.split()
WIRE_NAMES = [
    "Deng Zhonghua",
    "Choi Koon-shum",
    "SenseTime",
    "Qianhai International Convention Center",
]
WIRE_PLACES = ["Shenzhen", "Hong Kong", "Macao", "Guangzhou", "Zhuhai"]


def write_wire_files(folder: Path, count: int) -> None:
    rng = random.Random(1000)
    folder.mkdir(parents=True)
    for i in range(count):
        reporter = i % 20
        paragraphs = []
        for p in range(rng.randint(4, 8)):
            words = [rng.choice(WIRE_WORDS) for _ in range(rng.randint(20, 45))]
            if p == 1 and rng.random() < 0.5:
                words.insert(3, rng.choice(WIRE_NAMES))
            paragraphs.append(" ".join(words).capitalize() + ".")
        paragraphs.append(f"This is bench wire story number {i + 1}.")
        lines = [
            rng.choice(WIRE_PLACES),
            f"Wire Reporter {reporter + 1}",
            f"wire-{reporter + 1}@agency.invalid",
            *paragraphs,
        ]
        (folder / f"story-{i + 1:04d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def import_phase(case, count):
    folder = case.dir / "wire"
    write_wire_files(folder, count)
    say(f"    import_article: {count:,} wire files")
    started = time.monotonic()
    status, output = run_streamed(
        [PYTHON, "manage.py", "import_article", str(folder)],
        case.env,
        echo=False,
        log=case.dir / "import.log",
        timeout=1800,
    )
    elapsed = time.monotonic() - started
    if "Unknown command" in output:
        case.import_result = {"skipped": "manage.py import_article does not exist yet"}
        say("      skipped: the command does not exist")
        return
    summary = [line for line in output.strip().splitlines()[-4:] if line.strip()]
    case.import_result = {"files": count, "seconds": elapsed, "status": status, "summary": summary}
    say(f"      {elapsed:.1f} s (status {status}): {summary[-1] if summary else ''}")
    if status != 0:
        case.problems.append(
            f"import_article: exit status {status}; see {case.dir / 'import.log'} — {' / '.join(summary)}"
        )
