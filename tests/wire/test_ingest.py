"""``manage.py ingest`` and the watched folder (``WIRE_INBOX``): files into the wire queue, with
progress, a summary, and refusals that name the file and the place."""

import json
import logging
import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from core import tasks
from wire import inbox
from wire.models import WireItem

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "source" / "qianhai-forum.txt"


def ninjs(uri="urn:demo:wire:1", version=1, **fields) -> bytes:
    item = {
        "uri": uri,
        "version": str(version),
        "versioncreated": "2026-12-05T07:55:00Z",
        "copyrightholder": "Demo Wire Agency",
        "headline": f"Demo headline {uri}",
        "body_html": "<p>Demo body.</p>",
        **fields,
    }
    return json.dumps(item).encode()


def run(*args) -> tuple[str, str | None]:
    out = StringIO()
    try:
        call_command("ingest", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), None


def test_a_folder_of_agency_files_goes_into_the_queue_with_progress_and_a_summary(tmp_path):
    (tmp_path / "a.json").write_bytes(ninjs("urn:demo:a"))
    (tmp_path / "b.json").write_bytes(ninjs("urn:demo:b"))
    (tmp_path / "seed.txt").write_bytes(SEED.read_bytes())
    (tmp_path / ".hidden.json").write_bytes(b"not read")

    out, error = run(str(tmp_path))

    assert error is None
    lines = out.splitlines()
    assert lines[0].startswith("[1/3] ") and "a.json: new “Demo headline urn:demo:a”" in lines[0]
    assert lines[2].startswith("[3/3] ") and "seed.txt: new" in lines[2]
    assert lines[-1] == (
        "3 items queued from 3 files: 3 new, 0 updated, 0 killed; 0 skipped (the queue had that "
        "version or a later one); 0 files refused."
    )
    assert WireItem.objects.count() == 3
    seed = WireItem.objects.get(format="plain-text")
    assert seed.dateline == "Shenzhen" and seed.byline == "Chang Zhipeng"


def test_versions_replace_and_repeats_are_skipped_and_reported(tmp_path):
    first, second = tmp_path / "v1.json", tmp_path / "v2.json"
    first.write_bytes(ninjs(version=1))
    second.write_bytes(ninjs(version=2, headline="Demo headline, updated"))

    again = tmp_path / "v1-again.json"
    again.write_bytes(first.read_bytes())

    out, error = run(str(first), str(second), str(again))

    assert error is None
    assert "v2.json: updated “Demo headline, updated” (Demo Wire Agency, version 2)" in out
    assert "v1-again.json: skipped “Demo headline, updated”" in out
    assert "the queue already has version 2 of this item, and this is version 1" in out
    assert "1 updated, 0 killed; 1 skipped" in out
    assert WireItem.objects.get().headline == "Demo headline, updated"


def test_a_refused_file_fails_the_command_naming_it_and_the_others_go_on(tmp_path):
    (tmp_path / "a-bad.json").write_bytes(b'{"headline": "no uri", "copyrightholder": "Demo"}')
    (tmp_path / "b-good.json").write_bytes(ninjs())

    out, error = run(str(tmp_path))

    assert "a-bad.json" in out and "uri" in out
    assert error is not None and error.endswith("1 file refused.")
    assert WireItem.objects.get().uri == "urn:demo:wire:1"


def test_a_file_over_the_limit_is_refused_unread(tmp_path, monkeypatch):
    big = tmp_path / "big.json"
    with big.open("wb") as file:  # sparse: 50 MB on paper, nothing on disk
        file.truncate(50 * 1024 * 1024)
    out, error = run(str(big))
    assert "big.json: the file is 50.0 MB; an agency item is at most 5 MB." in out
    assert error is not None and not WireItem.objects.exists()


def test_links_are_refused(tmp_path):
    real = tmp_path / "real.json"
    real.write_bytes(ninjs())
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "link.json").symlink_to(real)
    out, error = run(str(tmp_path / "folder"))
    assert "link.json: not taken: it is a symbolic link" in out
    assert not WireItem.objects.exists()


def deliver(folder: Path, name: str, data: bytes, *, age: float = 60) -> Path:
    """A file as an agency leaves it, ``age`` seconds ago."""
    path = folder / name
    path.write_bytes(data)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def test_the_inbox_takes_settled_files_and_files_them_away(tmp_path):
    deliver(tmp_path, "one.json", ninjs("urn:demo:one"))
    deliver(tmp_path, "broken.json", b'{"uri": "urn:demo:x", "headline": ')
    deliver(tmp_path, "fresh.json", ninjs("urn:demo:fresh"), age=0)  # may still be written
    deliver(tmp_path, "partial.json.part", ninjs("urn:demo:part"))
    deliver(tmp_path, ".hidden.json", ninjs("urn:demo:hidden"))

    results = inbox.poll(tmp_path)

    assert [result.filename for result in results] == ["broken.json", "one.json"]
    assert list(WireItem.objects.values_list("uri", flat=True)) == ["urn:demo:one"]
    assert (tmp_path / "taken" / "one.json").exists()
    assert (tmp_path / "refused" / "broken.json").exists()
    why = (tmp_path / "refused" / "broken.json.why.txt").read_text()
    assert why.startswith("broken.json, line 1")
    left = sorted(path.name for path in tmp_path.iterdir() if path.is_file())
    assert left == [".hidden.json", "fresh.json", "partial.json.part"]


def test_a_file_name_the_agency_reuses_is_kept_beside_the_first(tmp_path):
    deliver(tmp_path, "latest.json", ninjs("urn:demo:1"))
    inbox.poll(tmp_path)
    deliver(tmp_path, "latest.json", ninjs("urn:demo:2"))
    inbox.poll(tmp_path)
    assert sorted(p.name for p in (tmp_path / "taken").iterdir()) == [
        "latest.2.json",
        "latest.json",
    ]
    assert WireItem.objects.count() == 2


def test_a_link_in_the_inbox_is_refused_and_not_followed(tmp_path):
    secret = tmp_path.parent / "secret.json"
    secret.write_bytes(ninjs("urn:demo:secret"))
    link = tmp_path / "link.json"
    link.symlink_to(secret)
    then = time.time() - 60
    os.utime(link, (then, then), follow_symlinks=False)

    [result] = inbox.poll(tmp_path)

    assert "symbolic link" in result.error
    assert not WireItem.objects.exists()
    assert (tmp_path / "refused" / "link.json").is_symlink() and secret.exists()


def test_the_worker_polls_the_inbox_once_a_period(tmp_path, settings, caplog):
    settings.WIRE_INBOX = str(tmp_path)
    settings.PERIODIC_TASKS = {"wire.tasks.poll_inbox": 30}
    cache.delete("periodic-task:wire.tasks.poll_inbox")  # the cache outlives a test
    deliver(tmp_path, "one.json", ninjs("urn:demo:one"))

    with caplog.at_level(logging.INFO, logger="newsroom.tasks"):
        assert tasks.enqueue_due() == ["wire.tasks.poll_inbox"]  # the tests' tasks run at once
    assert WireItem.objects.count() == 1
    # What the worker prints: what was taken, not a "Done" line for every poll.
    said = [record.getMessage() for record in caplog.records]
    assert said[-1].startswith("Wire inbox: 1 item queued from 1 file: 1 new")
    assert not any(line.startswith("Done") for line in said)

    deliver(tmp_path, "two.json", ninjs("urn:demo:two"))
    assert tasks.enqueue_due() == []  # within the period: another worker's turn, or later
    assert WireItem.objects.count() == 1


def test_a_file_the_database_could_not_take_stays_for_the_next_poll(tmp_path, monkeypatch):
    from wire import services

    deliver(tmp_path, "later.json", ninjs("urn:demo:later"))
    busy = services.FileResult("later.json", error="later.json: not saved (busy)", retry=True)
    monkeypatch.setattr(services, "ingest_file", lambda *args, **kwargs: busy)

    assert inbox.poll(tmp_path) == []
    assert (tmp_path / "later.json").exists()
    assert not any((tmp_path / "refused").iterdir())


def test_a_fault_of_ours_refuses_that_file_and_the_others_go_on(tmp_path, monkeypatch):
    from wire import services

    deliver(tmp_path, "a.json", ninjs("urn:demo:a"))
    deliver(tmp_path, "b.json", ninjs("urn:demo:b"))
    real = services.ingest_file

    def broken_for_a(filename, data, **kwargs):
        if filename == "a.json":
            raise KeyError("demo bug")
        return real(filename, data, **kwargs)

    monkeypatch.setattr(services, "ingest_file", broken_for_a)
    results = inbox.poll(tmp_path)

    assert [result.ok for result in results] == [False, True]
    assert "an error in the newsroom's software (KeyError)" in results[0].error
    assert (tmp_path / "refused" / "a.json").exists() and (tmp_path / "taken" / "b.json").exists()
    assert not any((tmp_path / inbox.TAKING).iterdir())


def test_a_file_a_dead_worker_left_half_taken_goes_back_and_is_taken(tmp_path):
    (tmp_path / inbox.TAKING).mkdir()
    deliver(tmp_path / inbox.TAKING, "orphan.json", ninjs("urn:demo:orphan"), age=3600)
    deliver(tmp_path / inbox.TAKING, "busy.json", ninjs("urn:demo:busy"), age=5)

    inbox.poll(tmp_path)

    assert list(WireItem.objects.values_list("uri", flat=True)) == ["urn:demo:orphan"]
    assert (tmp_path / "taken" / "orphan.json").exists()
    assert (tmp_path / inbox.TAKING / "busy.json").exists()  # another worker's, still at work


def test_the_inbox_names_the_agency_for_items_that_do_not(tmp_path, settings):
    settings.WIRE_INBOX = str(tmp_path)
    settings.WIRE_INBOX_PROVIDER = "Demo Agency"
    item = json.loads(ninjs("urn:demo:anonymous"))
    del item["copyrightholder"]
    deliver(tmp_path, "anonymous.json", json.dumps(item).encode())

    from wire.tasks import poll_inbox

    poll_inbox.call()

    assert WireItem.objects.get().provider == "Demo Agency"


def test_a_file_delivered_long_ago_is_not_taken_from_the_worker_that_just_claimed_it(
    tmp_path, monkeypatch
):
    from wire import services

    deliver(tmp_path, "old.json", ninjs("urn:demo:old"), age=86400)  # a day in the inbox
    real = services.ingest_file
    seen = []

    def with_a_second_poll_meanwhile(filename, data, **kwargs):
        inbox._put_back_stale(tmp_path)  # another worker's poll starting now
        seen.append((tmp_path / inbox.TAKING / filename).exists())
        return real(filename, data, **kwargs)

    monkeypatch.setattr(services, "ingest_file", with_a_second_poll_meanwhile)
    [result] = inbox.poll(tmp_path)

    assert seen == [True] and result.ok
    assert (tmp_path / "taken" / "old.json").exists()
