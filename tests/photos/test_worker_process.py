"""A real worker: ``manage.py worker`` in a process of its own makes the renditions a save queued,
stops when told to, and a worker killed in the middle of a picture loses nothing: the next worker
puts the task back in the queue and does it.

The worker must see the queue, so it cannot use the SQLite test database (in this process's
memory): it gets an SQLite file of its own, migrated here. When the suite runs on PostgreSQL
(``make test-postgres``) the same tests also run against the test database itself.
Nothing sleeps blindly: every wait polls with a deadline.
"""

import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from PIL import Image

# On PostgreSQL the worker uses the test database: rows must be committed for it to see them.
pytestmark = pytest.mark.django_db(transaction=True)

MANAGE = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
DEADLINE = 60  # seconds: a loaded CI machine, not the expected time (a second or two)

MAKE_PICTURE = """
from django.core.files import File
from photos.models import Image
with open({path!r}, "rb") as handle:
    image = Image(alt_text="Delegates in the forum's main hall")
    image.file.save("hall.jpg", File(handle), save=False)
    image.save()
print(image.pk)
"""


def big_jpeg(path: Path, size) -> Path:
    """A photograph-like JPEG (noise: its renditions take as long as a real photo's)."""
    noise = Image.effect_noise(size, 60)
    picture = Image.merge("RGB", (noise, noise.rotate(90), noise.transpose(0)))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    path.write_bytes(out.getvalue())
    return path


class Site:
    """The site as separate processes see it: its environment, and a way to read its tables."""

    def __init__(self, env: dict, query):
        self.env, self.query = env, query
        self.workers: list[subprocess.Popen] = []

    def manage(self, *args: str, **env) -> str:
        done = subprocess.run(
            [*MANAGE, *args],
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=DEADLINE,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start_worker(self, *args: str, **env) -> subprocess.Popen:
        worker = subprocess.Popen(
            [*MANAGE, "worker", "--interval", "0.1", *args],
            env={**self.env, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.workers.append(worker)
        return worker

    def finish(self, worker: subprocess.Popen) -> str:
        """The worker's whole output once it has stopped; if it has not within the deadline, it
        is killed and the test fails with everything it printed, so a hang explains itself."""
        try:
            output, _ = worker.communicate(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
            pytest.fail(f"the worker had not stopped after {DEADLINE} s; it printed:\n{output}")
        return output

    def wait_for(self, sql: str, expected, what: str):
        """Poll ``sql`` until it returns ``expected``, or fail (at once if a worker died)."""
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            found = self.query(sql)
            if found == expected:
                return
            for worker in self.workers:
                if worker.poll() not in (None, -signal.SIGKILL):
                    pytest.fail(f"{what}: a worker stopped: {worker.communicate()[0]}")
            time.sleep(0.05)
        pytest.fail(f"{what}: still {found!r} after {DEADLINE} s")

    def expected_renditions(self) -> int:
        """How many renditions the picture should have (photos.renditions, from its row)."""
        from photos.models import Image as LibraryImage
        from photos.renditions import all_renditions

        [(pk, name, width, height)] = self.query("SELECT id, file, width, height FROM photos_image")
        return len(all_renditions(LibraryImage(pk=pk, file=name, width=width, height=height)))

    def stop_workers(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()


def site_env(folder: Path, database_url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "1",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "0",
        "MEDIA_ROOT": str(folder / "media"),
        "CACHE_DIR": str(folder / "cache"),
        "REDIS_URL": "",
        "TASK_BACKEND": "database",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture(scope="module")
def migrated_sqlite_file(tmp_path_factory) -> Path:
    """An SQLite file with every migration applied, made once and copied for each test."""
    database = tmp_path_factory.mktemp("migrated") / "site.sqlite3"
    Site(site_env(database.parent, f"sqlite:///{database}"), None).manage("migrate", "--noinput")
    return database


def sqlite_file_site(folder: Path, migrated: Path) -> Site:
    database = folder / "site.sqlite3"
    shutil.copyfile(migrated, database)

    def query(sql):
        with sqlite3.connect(database, timeout=10) as db:
            return db.execute(sql).fetchall()

    return Site(site_env(folder, f"sqlite:///{database}"), query)


def postgresql_test_site(folder: Path) -> Site:
    db = connection.settings_dict
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"postgres://{user}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"

    def query(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return [tuple(row) for row in cursor.fetchall()]

    return Site(site_env(folder, url), query)


@pytest.fixture(params=["sqlite file", "postgresql test database"])
def site(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("worker-site")
    if request.param == "sqlite file":
        made = sqlite_file_site(folder, request.getfixturevalue("migrated_sqlite_file"))
    else:
        if connection.vendor != "postgresql":
            pytest.skip("the suite runs on SQLite; make test-postgres runs this one")
        made = postgresql_test_site(folder)
    yield made
    made.stop_workers()


TASKS = "SELECT status FROM django_tasks_database_dbtaskresult"
PENDING = "SELECT renditions_pending FROM photos_image"


def rendition_files(site) -> list[Path]:
    return [
        path for path in Path(site.env["MEDIA_ROOT"]).rglob("renditions/**/*") if path.is_file()
    ]


def test_a_worker_process_makes_the_renditions_and_stops_when_told(site, tmp_path):
    photo = big_jpeg(tmp_path / "hall.jpg", (2400, 1600))
    pk = int(site.manage("shell", "-c", MAKE_PICTURE.format(path=str(photo))).split()[-1])
    assert site.query(TASKS) == [("READY",)]
    assert site.query(PENDING) == [(True,)]
    assert not rendition_files(site)

    worker = site.start_worker()
    site.wait_for(TASKS, [("SUCCESSFUL",)], "the rendition task")
    site.wait_for(PENDING, [(False,)], "the picture's renditions_pending")
    assert len(rendition_files(site)) == site.expected_renditions()

    worker.send_signal(signal.SIGTERM)
    output = site.finish(worker)
    assert worker.returncode == 0, output
    assert "is doing the background work queued in the database" in output
    assert f"Done: Make the resized copies of a picture ({pk}) in" in output


def test_a_picture_whose_worker_is_killed_is_made_by_the_next_worker(site, tmp_path):
    photo = big_jpeg(tmp_path / "hall.jpg", (4800, 3200))  # seconds of work: time to kill it
    site.manage("shell", "-c", MAKE_PICTURE.format(path=str(photo)))

    first = site.start_worker()
    site.wait_for(TASKS, [("RUNNING",)], "the first worker taking the task")
    first.kill()  # no warning, no clean-up: a machine lost, an out-of-memory kill
    first.wait(timeout=DEADLINE)
    assert site.query(TASKS) == [("RUNNING",)]  # left as it was

    second = site.start_worker("--recover-every", "0.2", TASK_STALLED_SECONDS="1")
    site.wait_for(TASKS, [("SUCCESSFUL",)], "the task, after the second worker put it back")
    site.wait_for(PENDING, [(False,)], "the picture's renditions_pending")
    assert len(rendition_files(site)) == site.expected_renditions()
    second.send_signal(signal.SIGTERM)
    output = site.finish(second)
    assert "Put back 1 tasks a stopped worker left unfinished." in output
    [(workers,)] = site.query("SELECT worker_ids FROM django_tasks_database_dbtaskresult")
    assert len(json.loads(workers) if isinstance(workers, str) else workers) == 2


@pytest.fixture
def rq_site(tmp_path_factory, migrated_sqlite_file):
    """The queue on Redis (TASK_BACKEND=rq), when the suite has a Redis server (REDIS_URL: CI's
    PostgreSQL run); in a database of its own on that server, emptied after the test."""
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("no Redis server (REDIS_URL) for the RQ worker")
    from urllib.parse import urlsplit, urlunsplit

    import redis

    queue_url = urlunsplit(urlsplit(redis_url)._replace(path="/15"))
    made = sqlite_file_site(tmp_path_factory.mktemp("rq-site"), migrated_sqlite_file)
    made.env.update(TASK_BACKEND="rq", REDIS_URL=queue_url)
    server = redis.Redis.from_url(queue_url)
    server.flushdb()
    yield made
    made.stop_workers()
    server.flushdb()


def test_an_rq_worker_process_makes_the_renditions(rq_site, tmp_path):
    photo = big_jpeg(tmp_path / "hall.jpg", (2400, 1600))
    pk = int(rq_site.manage("shell", "-c", MAKE_PICTURE.format(path=str(photo))).split()[-1])
    assert rq_site.query(PENDING) == [(True,)]

    worker = rq_site.start_worker("--until-done")  # RQ's burst mode: what is queued, then stop
    output = rq_site.finish(worker)
    assert worker.returncode == 0, output
    assert "is doing the background work queued on Redis" in output
    assert f"Done: Make the resized copies of a picture ({pk}) in" in output
    assert rq_site.query(PENDING) == [(False,)]
    assert len(rendition_files(rq_site)) == rq_site.expected_renditions()
    assert not rq_site.query("SELECT * FROM django_tasks_database_dbtaskresult")
