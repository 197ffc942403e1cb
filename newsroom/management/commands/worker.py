"""``manage.py worker``: do the newsroom's background work (renditions of saved pictures, edge
purges) until stopped. ``make serve`` runs one beside the site; production runs one or more per
machine (README, "Background work").

With the database back end (the default) it is django_tasks_db's worker, plus recovery: when it
starts, and every ``--recover-every`` seconds, a task left running longer than
``TASK_STALLED_SECONDS`` (its worker died mid-task) is put back in the queue, so nothing is lost if a
worker is killed. It also queues the periodic work when it is due (``PERIODIC_TASKS``: the wire
inbox's poll, when ``WIRE_INBOX`` is set). Several workers may run at once; each task is claimed by one. With
``TASK_BACKEND=rq`` it runs RQ's worker (with its scheduler, for retries that wait) on the queue
at REDIS_URL. SIGTERM or Ctrl+C stops it after the task in hand.
"""

import logging
import os
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string

from core import tasks


class Command(BaseCommand):
    help = "Do the background work (renditions, edge purges) until stopped."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait before looking again when there is nothing to do (default 1).",
        )
        parser.add_argument(
            "--recover-every",
            type=float,
            default=60.0,
            help="Seconds between looks for work a dead worker left running (default 60).",
        )
        parser.add_argument(
            "--until-done",
            action="store_true",
            help="Do what is waiting, then stop (for scripts and one-off runs).",
        )
        parser.add_argument(
            "--reload",
            action="store_true",
            help="Start again when the code changes (while developing).",
        )

    def handle(self, *args, verbosity, **options):
        restore = self._show_progress(verbosity)
        try:
            self._work(verbosity=verbosity, **options)
        finally:  # called in-process (a test, a script): leave logging as it was
            restore()

    def _work(self, *, interval, recover_every, until_done, reload, verbosity, **options):
        backend = tasks.backend_name()
        if backend == "immediate":
            raise CommandError(
                "TASK_BACKEND is immediate: the work is done by whoever asks for it, and there is "
                "nothing for a worker to do."
            )
        if backend == "rq":
            self._run_rq(until_done=until_done, verbosity=verbosity, recover_every=recover_every)
            return
        if backend != "database":
            raise CommandError(f"No worker for the task back end {backend}.")
        if not reload:
            self._run_database(
                interval=interval, recover_every=recover_every, until_done=until_done
            )
            return
        from django.utils import autoreload

        # The reloader runs the work in a thread of a child process, while the main thread watches
        # the code; signals can only be handled in the main thread, so the child sets them up here.
        if os.environ.get(autoreload.DJANGO_AUTORELOAD_ENV) == "true":
            self.worker = self._make_worker(interval)
            self.worker.configure_signals()
        autoreload.run_with_reloader(
            self._run_database,
            interval=interval,
            recover_every=recover_every,
            until_done=until_done,
            in_thread=True,
        )

    def _show_progress(self, verbosity: int):
        """The work done and failed ("newsroom.tasks") on this command's output; the framework's
        own lines (each poll of an empty queue) only at -v 2. Returns what puts it all back."""
        loggers = [logging.getLogger(name) for name in ("django_tasks", "django_tasks_db")]
        ours = logging.getLogger("newsroom.tasks")
        before = [(each, each.level) for each in [*loggers, ours]]
        for each in loggers:
            each.setLevel(logging.INFO if verbosity >= 2 else logging.WARNING)
        ours.setLevel(logging.INFO if verbosity >= 1 else logging.WARNING)
        handler = logging.StreamHandler(self.stdout)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        ours.addHandler(handler)
        ours.propagate = False

        def restore():
            ours.removeHandler(handler)
            ours.propagate = True
            for each, level in before:
                each.setLevel(level)

        return restore

    def say(self, message: str) -> None:
        self.stdout.write(f"{time.strftime('%H:%M:%S')} {message}")
        self.stdout.flush()

    def _make_worker(self, interval: float):
        from django_tasks_db.management.commands.db_worker import Worker

        class RecoveringWorker(Worker):
            """django_tasks_db's worker, looking for stalled work between tasks and when idle."""

            next_recovery = 0.0
            recover_every = 60.0

            def recover(self, say) -> None:
                tasks.enqueue_due()
                if time.monotonic() >= self.next_recovery:
                    self.next_recovery = time.monotonic() + self.recover_every
                    put_back, given_up = tasks.recover_stalled()
                    if put_back or given_up:
                        say(
                            f"Put back {len(put_back)} tasks a stopped worker left unfinished"
                            + (f"; gave up {len(given_up)}" if given_up else "")
                            + "."
                        )

            def run_task(self, db_task_result):
                super().run_task(db_task_result)
                self.recover(say)

        say = self.say
        return RecoveringWorker(
            queue_names=["*"],
            excluded_queue_names=[],
            interval=interval,
            # One pass over what is ready, then back here to look for stalled work and wait.
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
        )

    def _run_database(
        self, *, interval: float, recover_every: float, until_done: bool, in_thread: bool = False
    ) -> None:
        worker = getattr(self, "worker", None)
        if worker is None:
            worker = self.worker = self._make_worker(interval)
            worker.configure_signals()
        worker.recover_every = recover_every
        database = settings.DATABASES["default"]
        where = database["NAME"] if database["ENGINE"].endswith("sqlite3") else database["HOST"]
        self.say(
            f"Worker {worker.worker_id[:8]} is doing the background work queued in the database "
            f"({where}); Ctrl+C stops it after the task in hand."
        )
        try:
            while worker.running:
                worker.recover(self.say)
                worker.run()
                if until_done or not worker.running:
                    break
                time.sleep(interval)
        finally:  # also when a signal ends it mid-wait (the worker's handler exits at once then)
            self.say(f"Worker {worker.worker_id[:8]} stopped.")
        if in_thread:
            # Stopped after the task in hand: the reloader's main thread would otherwise go on
            # watching the code for ever.
            os._exit(0)

    def _run_rq(self, *, until_done: bool, verbosity: int, recover_every: float) -> None:
        def recover() -> None:
            put_back, _ = tasks.recover_stalled()
            if put_back:
                self.say(f"Put back {len(put_back)} tasks a stopped worker left unfinished.")

        def keep_recovering() -> None:
            # RQ's worker owns the main thread (and its signals) until it stops.
            tick = min(recover_every, tasks.periodic_every() or recover_every)
            next_recovery = time.monotonic() + recover_every
            while True:
                time.sleep(tick)
                try:
                    tasks.enqueue_due()
                    if time.monotonic() >= next_recovery:
                        next_recovery = time.monotonic() + recover_every
                        recover()
                except Exception:
                    logging.getLogger("newsroom.tasks").exception("Could not look for stalled work")

        recover()
        tasks.enqueue_due()
        if not until_done:
            threading.Thread(target=keep_recovering, name="recover-stalled", daemon=True).start()
        self.say(
            "Worker is doing the background work queued on Redis (RQ, queue 'default'); Ctrl+C "
            "stops it after the task in hand."
        )
        try:
            # RQ's worker handles SIGTERM and Ctrl+C itself (the task in hand is finished first).
            call_command(
                "rqworker",
                "default",
                with_scheduler=True,
                burst=until_done,
                verbosity=verbosity,
                job_class="django_tasks_rq.backend.Job",
            )
        finally:
            self.say("Worker stopped.")
