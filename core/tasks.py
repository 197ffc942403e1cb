"""Background work: what the editor's request should not wait for (renditions, edge purges).

Django's task framework, from the ``django-tasks`` backport: this module is the one place it is
imported, so moving to a Django with ``django.tasks`` built in changes only the imports below.
Which back end runs the work is a setting (``TASKS``, chosen by ``TASK_BACKEND``): the database
(``django_tasks_db``, the default: nothing extra to run but ``manage.py worker``), Redis with RQ
for production, or "immediate" (tests: the work runs inside the call that enqueues it).

- :func:`background` makes a task of a plain module-level function taking JSON-able arguments;
  ``fn.enqueue(*args)`` queues it, ``fn.call(*args)`` runs it here and now.
- :func:`enqueue_on_commit` queues a task once the current transaction commits, so the worker
  never looks for a row that is not there yet (or never will be).
- :func:`recover_stalled` puts back in the queue what a worker that died was running
  (``manage.py worker`` calls it when it starts and every minute).
"""

import datetime as dt
import functools
import logging
import sys
import time
import traceback

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus, task, task_backends
from django_tasks.backends.immediate import ImmediateBackend

logger = logging.getLogger("newsroom.tasks")

# The keyword a retry carries its attempt number in (the first run has none).
ATTEMPT = "_attempt"
# A retry waits 10 s, then 30 s, 90 s, 270 s...: a Varnish restarting or a storage hiccup is over
# by the second or third try, and an edge down for hours is still caught up with (the edge purge's
# 8 retries span 9 hours; 5 retries, 20 minutes).
FIRST_RETRY_SECONDS = 10
RETRY_GROWTH = 3
# A task whose worker died this many times while running it is given up (marked failed) rather
# than put back again: it is probably what kills the worker (a picture too big for its memory).
MAX_WORKER_DEATHS = 3


def retry_delay(attempt: int) -> dt.timedelta:
    """How long to wait before trying again after attempt number ``attempt`` (1 for the first)."""
    return dt.timedelta(seconds=FIRST_RETRY_SECONDS * RETRY_GROWTH ** (attempt - 1))


def background(*, retries: int = 5, quiet: bool = False):
    """Make a task of a plain module-level function: ``@background(retries=8)``.

    A ``quiet`` task (a periodic one, run every few seconds) is not logged when it is done, only
    when it fails: it says itself what it did, if anything.

    The function takes JSON-able arguments (ids, not model instances: the worker loads what it
    needs, as it is when the work is done). ``fn.enqueue(*args)`` queues it; ``fn.call(*args)``
    runs it at once.

    When it raises, the failure is logged on the "newsroom.tasks" logger (the task, its arguments,
    the attempt and the error), the task is queued again to run after a growing delay (10 s, 30 s,
    90 s, ...) while fewer than ``retries`` retries have been made, and the exception goes on up,
    so that this attempt is recorded as failed, with its traceback, in the admin (*Background
    work*). With a back end that cannot run work later (the immediate one tests use) a failure is
    not retried at all: the work ran inside the caller, and trying again at once rarely helps.

    Use it as a decorator, so that the task has the function's name: a worker finds a task again
    by its module and name, and would find the plain function under a name bound to it.
    """

    def decorate(fn):
        _refuse_rebinding(fn)
        label = _label(fn)

        @functools.wraps(fn)
        def run(*args, **kwargs):
            attempt = kwargs.pop(ATTEMPT, 1)
            started = time.monotonic()
            try:
                result = fn(*args, **kwargs)
            except Exception as error:
                _failed(the_task, label, args, kwargs, attempt, retries, error)
                raise
            tries = "" if attempt == 1 else f" (attempt {attempt})"
            logger.log(
                logging.DEBUG if quiet else logging.INFO,
                "Done%s: %s in %.1f s",
                tries,
                _describe(label, args, kwargs),
                _since(started),
            )
            return result

        the_task = task()(run)
        return the_task

    return decorate


def _refuse_rebinding(fn) -> None:
    """``purge_task = background()(purge)`` would leave the worker importing ``purge``, the plain
    function, and refusing to run it: say so at import time rather than at the first task."""
    if "<locals>" in fn.__qualname__:
        raise TypeError(f"{fn.__qualname__}: a background task must be a module-level function")
    module = sys.modules.get(fn.__module__)
    if module is not None and getattr(module, fn.__name__, None) is fn:
        raise TypeError(
            f"{fn.__module__}.{fn.__name__}: use @background(...) as a decorator, so the task "
            "keeps the function's name (a worker finds it again by that name)"
        )


def _label(fn) -> str:
    """What the work is, for the log and the worker's output: the docstring's first line."""
    doc = (fn.__doc__ or "").strip().splitlines()
    return doc[0].rstrip(".") if doc else fn.__name__.replace("_", " ")


def _describe(label: str, args, kwargs, limit: int = 200) -> str:
    shown = ", ".join([repr(arg) for arg in args] + [f"{k}={v!r}" for k, v in kwargs.items()])
    if len(shown) > limit:  # a purge of hundreds of keys: enough to recognise it
        shown = shown[:limit] + "…"
    return f"{label} ({shown})" if shown else label


def describe_task(task_path: str, args, kwargs) -> str:
    """A queued task as the newsroom says it: "Make the resized copies of a picture (12)"."""
    try:
        label = _label(import_string(task_path).func)
    except (ImportError, AttributeError):  # code that is gone since: the path says it
        label = task_path
    return _describe(label, args, kwargs)


def run_again(row) -> bool:
    """Queue once more the work a failed database task row did (the admin's action): a first
    attempt, with all its retries. False if its code is gone."""
    try:
        the_task = import_string(row.task_path)
    except ImportError:
        return False
    kwargs = {k: v for k, v in row.args_kwargs.get("kwargs", {}).items() if k != ATTEMPT}
    the_task.enqueue(*row.args_kwargs.get("args", []), **kwargs)
    return True


def _since(started: float) -> float:
    return time.monotonic() - started


def _failed(the_task, label, args, kwargs, attempt, retries, error) -> None:
    what = _describe(label, args, kwargs)
    reason = f"{type(error).__name__}: {error}"
    backend = the_task.get_backend()
    if attempt > retries or not backend.supports_defer:
        tries = "" if attempt == 1 else f" after {attempt} attempts"
        # The traceback is the framework's to log ("django_tasks") and the admin's to show.
        logger.error("Failed%s: %s: %s", tries, what, reason)
        return
    delay = retry_delay(attempt)
    try:
        the_task.using(run_after=timezone.now() + delay).enqueue(
            *args, **kwargs, **{ATTEMPT: attempt + 1}
        )
    except Exception:
        # The queue itself is out of reach: this attempt is still recorded as failed.
        logger.exception("Failed (attempt %d), and could not be queued again: %s", attempt, what)
        return
    logger.warning(
        "Failed (attempt %d of %d): %s: %s; trying again in %d s",
        attempt,
        retries + 1,
        what,
        reason,
        delay.total_seconds(),
    )


def runs_at_once(the_task) -> bool:
    """Whether ``the_task``'s back end does the work inside the call that enqueues it."""
    return isinstance(the_task.get_backend(), ImmediateBackend)


def enqueue_on_commit(the_task, *args, using: str | None = None):
    """Queue ``the_task(*args)`` once the current transaction commits (at once outside one).

    With the immediate back end the work is done here and now, inside the transaction, as it was
    before there was a queue: what it reads is what the caller just wrote, and a test's rolled-back
    transaction still sees it. Returns the result in that case, None when the work is queued.

    A queue out of reach after the commit is logged, never raised: what was saved is saved, and the
    editor's request must not end in an error page for it.
    """
    if runs_at_once(the_task):
        return the_task.enqueue(*args)

    def enqueue():
        try:
            the_task.enqueue(*args)
        except Exception:
            logger.exception("Could not queue: %s", _describe(the_task.name, args, {}))

    transaction.on_commit(enqueue, using=using)
    return None


def stalled_after() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "TASK_STALLED_SECONDS", 300))


def recover_stalled(*, now: dt.datetime | None = None) -> tuple[list[str], list[str]]:
    """Put back in the queue the tasks left running longer than ``TASK_STALLED_SECONDS`` (their
    worker died, or its machine did), for the database back end; return (put back, given up).

    A task that has already been running when ``MAX_WORKER_DEATHS`` workers died is marked failed
    instead, so one picture that kills every worker cannot go round for ever. Each row is changed
    only if it is still as it was read, so two workers recovering at once, or a task that finishes
    meanwhile, change nothing twice.

    With RQ, a job whose worker stopped is moved by RQ to its failed jobs once its timeout (also
    ``TASK_STALLED_SECONDS``) has passed; it is put back in the queue from there, on the same terms.
    """
    if backend_name() == "rq":
        return _recover_rq()
    if not _uses_database_backend():
        return [], []
    from django_tasks_db.models import DBTaskResult  # an app's model: not loadable at import

    now = now or timezone.now()
    put_back, given_up = [], []
    stalled = DBTaskResult.objects.running().filter(started_at__lt=now - stalled_after())
    for row in stalled.order_by("started_at"):
        same = DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
        )
        what = describe_task(row.task_path, row.args_kwargs.get("args", []), {})
        if len(row.worker_ids) >= MAX_WORKER_DEATHS:
            error = WorkerDied(
                f"{len(row.worker_ids)} workers stopped while running it; not tried again"
            )
            changed = same.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerDied.__module__}.{WorkerDied.__qualname__}",
                traceback="".join(traceback.format_exception_only(error)),
            )
            if changed:
                given_up.append(str(row.pk))
                logger.error("Given up: %s: %s", what, error)
        elif same.update(status=TaskResultStatus.READY):
            put_back.append(str(row.pk))
            logger.warning(
                "Put back in the queue: %s (its worker stopped while running it, %d s ago)",
                what,
                (now - row.started_at).total_seconds(),
            )
    return put_back, given_up


def _recover_rq() -> tuple[list[str], list[str]]:
    import django_rq
    from rq.registry import FailedJobRegistry, StartedJobRegistry
    from rq.timeouts import TimerDeathPenalty

    queue = django_rq.get_queue("default")
    # Jobs whose worker stopped and whose time is up go to the failed jobs, as abandoned. (A timer,
    # not a signal, bounds their failure callbacks: this may run beside RQ's worker, in a thread.)
    StartedJobRegistry(queue=queue, death_penalty_class=TimerDeathPenalty).cleanup()
    failed = FailedJobRegistry(queue=queue)
    put_back, given_up = [], []
    for job_id in failed.get_job_ids():
        job = queue.fetch_job(job_id)
        latest = job and job.latest_result()
        if latest is None or "AbandonedJobError" not in (latest.exc_string or ""):
            continue  # failed by raising: retried by ``background`` already, or for good
        deaths = sum("AbandonedJobError" in (r.exc_string or "") for r in job.results())
        if deaths >= MAX_WORKER_DEATHS:
            given_up.append(job_id)  # left with the failed jobs
            continue
        failed.requeue(job_id)
        put_back.append(job_id)
        logger.warning("Put back in the queue: %s (its worker stopped while running it)", job_id)
    return put_back, given_up


class WorkerDied(Exception):
    """The worker running a task stopped before the task finished."""


def _uses_database_backend() -> bool:
    from django_tasks_db.backend import DatabaseBackend

    return any(isinstance(backend, DatabaseBackend) for backend in task_backends.all())


def backend_name() -> str:
    """Which back end runs the work: "database", "rq", "immediate" (or its class name)."""
    backend = task_backends["default"]
    module = type(backend).__module__
    if module.startswith("django_tasks_db"):
        return "database"
    if module.startswith("django_tasks_rq"):
        return "rq"
    if isinstance(backend, ImmediateBackend):
        return "immediate"
    return type(backend).__name__


def enqueue_due() -> list[str]:
    """Queue each of ``settings.PERIODIC_TASKS`` (``{"app.tasks.fn": seconds}``) whose time has
    come; ``manage.py worker`` calls this as it goes. However many workers run, one of them queues
    each in a period: the first to mark it in the shared cache (on a file cache two may both
    queue it now and then, so periodic tasks must be safe to run twice at once). Returns the
    tasks queued."""
    from django.core.cache import cache

    queued = []
    for path, seconds in getattr(settings, "PERIODIC_TASKS", {}).items():
        if cache.add(f"periodic-task:{path}", 1, timeout=max(1, int(seconds))):
            import_string(path).enqueue()
            queued.append(path)
    return queued


def periodic_every() -> float | None:
    """How often the worker should look for periodic work, or None if there is none."""
    periods = getattr(settings, "PERIODIC_TASKS", {}).values()
    return min(periods) if periods else None
