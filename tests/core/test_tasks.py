"""Background work (core/tasks.py): a failed task is logged, retried later with a growing delay and
recorded as failed with its traceback (seen in the admin); work a dead worker left running is put
back in the queue; ``manage.py worker`` does what is queued.

These tests use the database back end (tests otherwise run tasks at once) and run the worker in
this process, inside the test's transaction; tests/photos/test_worker_process.py runs a real one.
"""

import datetime as dt
import logging
import signal

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from core import tasks
from core.tasks import background, enqueue_on_commit, recover_stalled

pytestmark = pytest.mark.django_db

DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# What the tasks below were asked to do, and how many times each is still to fail.
calls: list = []
failures_left: dict[str, int] = {}


@background(retries=2)
def file_copy(slug: str) -> str:
    """Send a story to the wire service."""
    calls.append(slug)
    if failures_left.get(slug, 0) > 0:
        failures_left[slug] -= 1
        raise ConnectionError(f"the wire service did not answer for {slug}")
    return f"sent {slug}"


def plain(keys):
    return keys


@pytest.fixture(autouse=True)
def fresh_calls():
    calls.clear()
    failures_left.clear()


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE


@pytest.fixture(autouse=True)
def keep_the_test_connection(monkeypatch):
    """The worker closes the database connection when it is not in autocommit mode (it never
    should be, in a worker); here it runs inside the test's transaction, which must stay open."""
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


@pytest.fixture
def keep_signals():
    """The worker sets SIGINT and SIGTERM handlers (to stop after the task in hand): put back
    pytest's when it is done."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def work_through_queue():
    """One pass of django_tasks_db's worker over what is ready now."""
    worker = Worker(
        queue_names=["*"],
        excluded_queue_names=[],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
    )
    worker.run()


def rows():
    """The queue's rows, first attempts first (they may all be enqueued at one frozen time)."""
    return sorted(
        DBTaskResult.objects.all(),
        key=lambda row: (row.args_kwargs["kwargs"].get(tasks.ATTEMPT, 1), row.enqueued_at),
    )


def test_a_failed_task_is_logged_retried_later_and_recorded_as_failed(database_queue, caplog):
    failures_left["budget-vote"] = 5  # more than it has tries
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        file_copy.enqueue("budget-vote")
        work_through_queue()

    [first, retry] = rows()
    assert first.status == "FAILED"
    assert first.exception_class_path == "builtins.ConnectionError"
    assert "the wire service did not answer for budget-vote" in first.traceback
    assert 'raise ConnectionError(f"the wire service' in first.traceback  # the whole traceback
    assert retry.status == "READY"
    assert retry.args_kwargs == {"args": ["budget-vote"], "kwargs": {tasks.ATTEMPT: 2}}
    assert retry.run_after == start + dt.timedelta(seconds=10)
    [record] = [r for r in caplog.records if r.name == "newsroom.tasks"]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (
        "Failed (attempt 1 of 3): Send a story to the wire service ('budget-vote'): "
        "ConnectionError: the wire service did not answer for budget-vote; trying again in 10 s"
    )

    # Not before its time.
    with time_machine.travel(start + dt.timedelta(seconds=9), tick=False):
        work_through_queue()
    assert calls == ["budget-vote"]

    # Then 30 s after the second failure; the third is the last.
    with time_machine.travel(start + dt.timedelta(seconds=10), tick=False):
        work_through_queue()
    assert rows()[-1].run_after == start + dt.timedelta(seconds=40)
    with time_machine.travel(start + dt.timedelta(seconds=40), tick=False):
        work_through_queue()
    with time_machine.travel(start + dt.timedelta(days=1), tick=False):
        work_through_queue()

    assert calls == ["budget-vote"] * 3
    assert [row.status for row in rows()] == ["FAILED"] * 3
    last = [r for r in caplog.records if r.name == "newsroom.tasks"][-1]
    assert last.levelno == logging.ERROR
    assert last.getMessage().startswith(
        "Failed after 3 attempts: Send a story to the wire service ('budget-vote'): ConnectionError"
    )


def test_a_retry_that_succeeds_ends_the_retries(database_queue, caplog):
    caplog.set_level(logging.INFO, logger="newsroom.tasks")
    failures_left["typhoon"] = 1
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        result = file_copy.enqueue("typhoon")
        work_through_queue()
    with time_machine.travel(start + dt.timedelta(seconds=10), tick=False):
        work_through_queue()
    with time_machine.travel(start + dt.timedelta(days=1), tick=False):
        work_through_queue()
    assert calls == ["typhoon", "typhoon"]
    assert [row.status for row in rows()] == ["FAILED", "SUCCESSFUL"]
    assert rows()[-1].return_value == "sent typhoon"
    assert file_copy.get_result(result.id).status == "FAILED"  # each attempt is its own result
    failed, done = [r.getMessage() for r in caplog.records if r.name == "newsroom.tasks"]
    assert failed.startswith("Failed (attempt 1 of 3): Send a story to the wire service")
    assert done.startswith("Done (attempt 2): Send a story to the wire service ('typhoon') in")


def test_at_once_a_failure_is_recorded_and_not_retried(caplog):
    """With the immediate back end (tests, or a site without a worker) the work runs inside the
    caller: a failure is recorded and logged, never raised to the caller, and not tried again."""
    failures_left["flood"] = 1
    result = file_copy.enqueue("flood")
    assert result.status == "FAILED"
    assert "the wire service did not answer" in result.errors[0].traceback
    assert calls == ["flood"]
    [record] = [r for r in caplog.records if r.name == "newsroom.tasks"]
    assert record.getMessage().startswith("Failed: Send a story to the wire service ('flood')")


def test_enqueue_on_commit_waits_for_the_commit(database_queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert enqueue_on_commit(file_copy, "harbour") is None
        assert not DBTaskResult.objects.exists()
    for callback in callbacks:
        callback()
    [row] = rows()
    assert row.args_kwargs["args"] == ["harbour"] and row.status == "READY"


def test_enqueue_on_commit_with_the_immediate_back_end_does_the_work_at_once():
    result = enqueue_on_commit(file_copy, "harbour")
    assert result.status == "SUCCESSFUL" and calls == ["harbour"]


def test_a_task_must_keep_its_functions_name():
    with pytest.raises(TypeError, match="use @background"):
        background()(plain)


def stalled(slug, *, seconds_ago, workers=1):
    """A task a worker claimed ``seconds_ago`` and has not finished."""
    file_copy.enqueue(slug)
    row = DBTaskResult.objects.get(args_kwargs__args=[slug])
    row.status = "RUNNING"
    row.started_at = timezone.now() - dt.timedelta(seconds=seconds_ago)
    row.worker_ids = [f"dead-{n}" for n in range(workers)]
    row.save()
    return row


def test_work_a_dead_worker_left_running_is_put_back_and_done(database_queue, settings, caplog):
    settings.TASK_STALLED_SECONDS = 300
    dead = stalled("left-running", seconds_ago=301)
    stalled("still-running", seconds_ago=100)
    cursed = stalled("kills-workers", seconds_ago=301, workers=3)

    put_back, given_up = recover_stalled()

    assert put_back == [str(dead.pk)] and given_up == [str(cursed.pk)]
    statuses = dict(DBTaskResult.objects.values_list("args_kwargs__args__0", "status"))
    assert statuses == {
        "left-running": "READY",
        "still-running": "RUNNING",
        "kills-workers": "FAILED",
    }
    cursed.refresh_from_db()
    assert cursed.exception_class_path == "core.tasks.WorkerDied"
    assert "3 workers stopped while running it; not tried again" in cursed.traceback
    assert "Put back in the queue: Send a story to the wire service ('left-running')" in caplog.text
    assert recover_stalled() == ([], [])  # nothing twice

    work_through_queue()
    dead.refresh_from_db()
    assert dead.status == "SUCCESSFUL" and calls == ["left-running"]
    assert dead.worker_ids == ["dead-0", "test-worker"]


def test_the_worker_command_puts_back_stalled_work_and_does_what_is_queued(
    database_queue, keep_signals, capsys
):
    stalled("left-running", seconds_ago=3600)
    file_copy.enqueue("queued")
    call_command("worker", "--until-done")
    out = capsys.readouterr().out
    assert sorted(calls) == ["left-running", "queued"]
    assert "is doing the background work queued in the database" in out
    assert "Put back 1 tasks a stopped worker left unfinished." in out
    assert "Done: Send a story to the wire service ('queued')" in out
    assert "stopped." in out
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    # Logging is as it was: what the task logs reaches the root logger again.
    assert logging.getLogger("newsroom.tasks").propagate


def test_the_worker_refuses_to_run_when_there_is_no_queue():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="TASK_BACKEND is immediate"):
        call_command("worker", "--until-done")


def test_failed_work_is_seen_and_queued_again_in_the_admin(database_queue, admin_client):
    failures_left["budget-vote"] = 1
    file_copy.enqueue("budget-vote")
    work_through_queue()
    failed = DBTaskResult.objects.get(status="FAILED")
    DBTaskResult.objects.filter(status="READY").delete()  # as if its retries were all spent

    index = admin_client.get("/admin/").content.decode()
    assert "Background work" in index
    listing = admin_client.get("/admin/django_tasks_database/dbtaskresult/")
    page = listing.content.decode()
    assert "Send a story to the wire service (&#x27;budget-vote&#x27;)" in page
    # The error in words on the list, not only its class.
    assert "the wire service did not answer for budget-vote" in page and "Failed" in page

    detail = admin_client.get(f"/admin/django_tasks_database/dbtaskresult/{failed.pk}/change/")
    assert "the wire service did not answer for budget-vote" in detail.content.decode()

    response = admin_client.post(
        "/admin/django_tasks_database/dbtaskresult/",
        {"action": "queue_again", "_selected_action": [str(failed.pk)]},
        follow=True,
    )
    assert "1 task queued again." in response.content.decode()
    [again] = DBTaskResult.objects.filter(status="READY")
    assert again.args_kwargs == {"args": ["budget-vote"], "kwargs": {}}
    work_through_queue()
    assert calls == ["budget-vote", "budget-vote"]


def test_editors_do_not_see_the_queue(editor):
    assert "Background work" not in editor.get("/admin/").content.decode()
    assert editor.get("/admin/django_tasks_database/dbtaskresult/").status_code == 403
