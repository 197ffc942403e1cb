"""Setting up what the page benchmark measures: each case's environment and database (created,
migrated, seeded with ``seed_demo`` and dropped), the collected static files, child processes whose
output is echoed as it goes, and gunicorn on a free port of 127.0.0.1."""

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from common import GUNICORN, HOST, PG_BENCH_DB, PG_SERVER_URL, PYTHON, ROOT, database_label, say


class Case:
    """One database at one size: its environment, its database, and what was measured."""

    def __init__(self, database, size, workdir, args):
        self.database, self.size, self.args = database, size, args
        self.dir = workdir / f"{database}-{size}"
        self.dir.mkdir(parents=True)
        if database == "sqlite":
            self.url = f"sqlite:///{self.dir / 'bench.sqlite3'}"
        else:
            base = PG_SERVER_URL.rsplit("/", 1)[0]
            self.url = f"{base}/{PG_BENCH_DB}"
        self.env = bench_env(
            self.url, media_root=self.dir / "media", static_root=workdir / "static"
        )
        self.measured = None
        self.wrk = {}
        self.memory = {}
        self.import_result = None
        self.timings = {}
        self.problems = []

    @property
    def label(self):
        return f"{database_label(self.database)}, {self.size:,} stories"


def bench_env(database_url, *, media_root, static_root, page_cache=None):
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY="bench-" + "x" * 50,
        ALLOWED_HOSTS="testserver,127.0.0.1",
        SITE_URL="http://testserver",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media_root),
        STATIC_ROOT=str(static_root),
        # The default cache (files shared by the run's processes), in a folder of the run's own:
        # a shared Redis would be cleared by the cache runs.
        REDIS_URL="",
        CACHE_DIR=str(Path(media_root).parent / "cache"),
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        PYTHONUNBUFFERED="1",
    )
    env.pop("PAGE_CACHE_SECONDS", None)
    if page_cache is not None:
        env["PAGE_CACHE_SECONDS"] = str(page_cache)
    return env


def run_streamed(command, env, *, prefix="      ", log=None, timeout=None, echo=True):
    """Run a command, echoing its output as it goes; returns (status, output)."""
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    lines = []
    deadline = time.monotonic() + timeout if timeout else None
    in_traceback = False
    try:
        for line in process.stdout:
            lines.append(line)
            # A traceback is summed up by its last line, printed at the end.
            in_traceback = in_traceback or line.startswith("Traceback")
            if echo and not in_traceback:
                print(prefix + line.rstrip(), flush=True)
            if deadline and time.monotonic() > deadline:
                process.kill()
                break
        process.wait()
        if echo and in_traceback and lines:
            print(prefix + "(traceback) " + lines[-1].rstrip(), flush=True)
    except BaseException:
        process.kill()
        process.wait()
        raise
    output = "".join(lines)
    if log:
        Path(log).write_text(output)
    return process.returncode, output


def manage(case, *arguments, echo=True, timeout=None):
    command = [PYTHON, "manage.py", *arguments]
    status, output = run_streamed(command, case.env, echo=echo, timeout=timeout)
    if status != 0:
        last = (output.strip().splitlines() or ["(no output)"])[-1]
        error = RuntimeError(f"manage.py {' '.join(arguments)} failed (status {status}): {last}")
        error.output = output
        raise error
    return output


def collect_static(workdir) -> bool:
    """``collectstatic`` into the run's folder (DEBUG off needs the manifest); False, with its
    output said, if it failed."""
    say("Collecting static files (DEBUG off needs the manifest)…")
    env = bench_env(
        "sqlite:///" + str(workdir / "unused.sqlite3"),
        media_root=workdir / "media",
        static_root=workdir / "static",
    )
    status, output = run_streamed(
        [PYTHON, "manage.py", "collectstatic", "--noinput"], env, echo=False
    )
    if status != 0:
        say(output[-2000:])
    return status == 0


def keep_reachable_postgresql(databases: list[str]) -> bool:
    """Leave PostgreSQL out of ``databases``, saying why, when its server cannot be reached;
    whether it is still in."""
    if "postgresql" not in databases:
        return False
    problem = pg_available()
    if problem:
        say(f"PostgreSQL is not reachable at {PG_SERVER_URL} ({problem}); skipping it.")
        databases.remove("postgresql")
    return not problem


def pg_admin(sql):
    import psycopg

    with psycopg.connect(
        PG_SERVER_URL.replace("postgres://", "postgresql://", 1), autocommit=True
    ) as conn:
        return (
            conn.execute(sql).fetchall()
            if sql.lstrip().lower().startswith("select")
            else conn.execute(sql)
        )


def pg_available() -> str | None:
    try:
        pg_admin("select 1")
        return None
    except Exception as error:
        return f"{type(error).__name__}: {error}".strip()


def create_database(case, name: str = PG_BENCH_DB):
    if case.database == "postgresql":
        pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        pg_admin(f"CREATE DATABASE {name}")


def seed_database(case, name: str = PG_BENCH_DB):
    """A fresh database for the case (on PostgreSQL, the database ``name``): migrated, the fixture
    story loaded, then ``seed_demo``; the times in ``case.timings`` ("seed" for both)."""
    create_database(case, name)
    say("  migrate, loaddata qianhai-forum")
    t = started = time.monotonic()
    manage(case, "migrate", "--noinput", echo=False)
    manage(case, "loaddata", "qianhai-forum", echo=False)
    case.timings["migrate + seed story"] = time.monotonic() - t
    say(f"  seed_demo --stories {case.size:,}")
    t = time.monotonic()
    manage(case, "seed_demo", "--stories", str(case.size))
    case.timings["seed_demo"] = time.monotonic() - t
    case.timings["seed"] = time.monotonic() - started


def drop_database(case, name: str = PG_BENCH_DB):
    if case.database == "postgresql":
        try:
            pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        except Exception as error:  # noqa: BLE001 - said, and the run goes on
            say(f"    could not drop {name}: {error}")
    else:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(case.url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def http_get(url, timeout=30):
    """(status, bytes) of a GET, without raising for an HTTP error status."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Gunicorn:
    """gunicorn with 2 sync workers on a free port on 127.0.0.1, stopped on leaving the block."""

    def __init__(self, app, env, *, chdir, log, ready_path):
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.log = open(log, "w")  # noqa: SIM115  (closed in __exit__)
        self.process = subprocess.Popen(
            [GUNICORN, app, "-w", "2", "-b", f"{HOST}:{self.port}", "--chdir", str(chdir)],
            cwd=chdir,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.log_path = log
        self.ready_path = ready_path

    def __enter__(self):
        for _ in range(240):  # up to a minute
            if self.process.poll() is not None:
                break
            try:
                http_get(self.base + self.ready_path, timeout=5)
                return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.25)
        self.__exit__(None, None, None)
        tail = "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-20:])
        raise RuntimeError(f"gunicorn did not start:\n{tail}")

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def worker_pids(self):
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The second field (the command) is in parentheses and may hold spaces.
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[1]) == self.process.pid:
                pids.append(int(entry.name))
        return sorted(pids)

    def worker_rss_mib(self):
        """Each worker's resident memory (VmRSS from /proc), in MiB."""
        sizes = []
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes.append(int(line.split()[1]) / 1024)
            except OSError:
                pass
        return sizes
