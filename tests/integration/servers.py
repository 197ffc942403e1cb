"""A production-like site on loopback for the integration tests: a PostgreSQL database of its own,
a Redis database of its own, app servers (gunicorn), the task worker and Varnish, each a child
process started and stopped by the test, with its output kept in a log file to show on failure."""

import html.parser
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from tests.needed import Needed

ROOT = Path(__file__).resolve().parents[2]
PYTHON = Path(sys.executable)
GUNICORN = PYTHON.parent / "gunicorn"
VCL = ROOT / "deploy" / "varnish" / "newsroom.vcl"
HOST = "edge.newsroom.test"
PG_SERVER = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS_SERVER = ("127.0.0.1", 6379)
# A Redis database no other test run uses (CI's suite uses 1); flushed before and after.
REDIS_DB = 13
EDGE = Needed("edge tests", "EDGE_REQUIRED")
unavailable = EDGE.unavailable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, seconds: float, what: str, logs=None):
    """``condition()``'s first true value, polled until ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s" + (logs() if logs else ""))
        time.sleep(0.05)


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name.lower())

    @property
    def cache(self):
        return self.header("X-Cache")


class Browser:
    """Requests to one address with the site's Host header; keeps cookies when asked to."""

    def __init__(self, port: int, *, cookies=None):
        self.port = port
        self.cookies = cookies

    def request(self, method, path, *, headers=None, form=None) -> Answer:
        sent = {"Host": HOST, **(headers or {})}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        if self.cookies is not None:
            for value in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        headers = {name.lower(): value for name, value in response.getheaders()}
        return Answer(response.status, headers, content)

    def get(self, path, **kwargs) -> Answer:
        return self.request("GET", path, **kwargs)

    def answers(self, path) -> Answer | None:
        """The page, or None while it cannot be had (nothing listening yet, or an error)."""
        try:
            answer = self.get(path)
        except OSError:
            return None
        return answer if answer.status == 200 else None


class FormFields(html.parser.HTMLParser):
    """What a browser would send for the form with ``form_id``: every named input, checked box,
    selected option and text area, as a list of (name, value)."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, []
        self.select = self.textarea = None
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file", "image"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value") or "on"))
                return
            self.fields.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in a:
            self.fields.append((self.select, a.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, []

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.fields.append((self.textarea, "".join(self.text).removeprefix("\n")))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.text.append(data)


def form_fields(page: str, form_id: str) -> list[tuple[str, str]]:
    parser = FormFields(form_id)
    parser.feed(page)
    return parser.fields


def form_errors(page: str) -> list[str]:
    """The error messages a refused admin form shows."""
    found = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S)
    return [re.sub(r"<[^>]+>", " ", error).strip() for error in found] or [page[-2000:]]


class Site:
    """The processes of one site, and where their output goes."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.logs = workdir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.processes: dict[str, subprocess.Popen] = {}
        self.database = f"newsroom_edge_{os.getpid()}_{secrets.token_hex(3)}"
        self.ports = {name: free_port() for name in ("app1", "app2", "edge")}
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", str(workdir)),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DEBUG": "0",
            "SECRET_KEY": "integration-" + secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": HOST,
            "SITE_URL": f"http://{HOST}",
            # Plain http on loopback: no TLS proxy in front here.
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": "postgres://{user}@{host}:{port}/".format(**PG_SERVER) + self.database,
            "REDIS_URL": f"redis://{REDIS_SERVER[0]}:{REDIS_SERVER[1]}/{REDIS_DB}",
            "EDGE_VARNISH_URLS": f"http://127.0.0.1:{self.ports['edge']}",
            "MEDIA_ROOT": str(workdir / "media"),
            "STATIC_ROOT": str(workdir / "static"),
            "LOG_LEVEL": "INFO",
        }

    # Child processes ---------------------------------------------------------------------------

    def start(self, name: str, command: list[str], env=None) -> None:
        with open(self.logs / f"{name}.log", "ab") as log:
            self.processes[name] = subprocess.Popen(
                [str(part) for part in command],
                cwd=ROOT,
                env=env or self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # A group of its own, so that a server's own children (gunicorn's worker,
                # Varnish's cache process) are stopped with it.
                start_new_session=True,
            )

    def run(self, name: str, command: list[str], *, seconds: float = 120) -> None:
        self.start(name, command)
        try:
            status = self.processes[name].wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.stop(name)
            raise AssertionError(
                f"{name} did not finish within {seconds} s" + self.tail(name)
            ) from None
        if status != 0:
            raise AssertionError(f"{name} failed ({status})" + self.tail(name))

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def tail(self, *names: str, lines: int = 30) -> str:
        out = []
        for name in names or sorted(p.stem for p in self.logs.glob("*.log")):
            path = self.logs / f"{name}.log"
            text = path.read_text(errors="replace").splitlines() if path.exists() else []
            out.append(f"\n--- {name} (last {lines} lines) ---\n" + "\n".join(text[-lines:]))
        return "".join(out)

    # The pieces --------------------------------------------------------------------------------

    def manage(self, *args: str) -> list[str]:
        return [str(PYTHON), "manage.py", *args]

    def start_app_server(self, name: str) -> None:
        self.start(
            name,
            [
                GUNICORN,
                "newsroom.wsgi",
                "--bind",
                f"127.0.0.1:{self.ports[name]}",
                "--workers",
                "1",
                "--graceful-timeout",
                "2",
                "--access-logfile",
                self.logs / f"{name}-access.log",
            ],
        )

    def app_requests(self, path: str) -> int:
        """How many times the app servers were asked for ``path`` (their access logs)."""
        line = re.compile(rf'"(GET|HEAD) {re.escape(path)} HTTP/')
        total = 0
        for name in ("app1", "app2"):
            log = self.logs / f"{name}-access.log"
            if log.exists():
                total += sum(1 for entry in log.read_text().splitlines() if line.search(entry))
        return total

    def render_vcl(self, probe_interval="0.5s") -> Path:
        """The shipped VCL with this site's ports and host name."""
        text = VCL.read_text()
        for old, new in [
            ('.port = "8001";', f'.port = "{self.ports["app1"]}";'),
            ('.port = "8002";', f'.port = "{self.ports["app2"]}";'),
            ('"Host: news.example.org"', f'"Host: {HOST}"'),
            (".interval = 2s;", f".interval = {probe_interval};"),
        ]:
            if text.count(old) != 1:
                raise AssertionError(f"{VCL} no longer has {old!r} once: update render_vcl()")
            text = text.replace(old, new)
        rendered = self.workdir / "newsroom.vcl"
        rendered.write_text(text)
        return rendered

    def varnishadm(self, command: str) -> str:
        done = subprocess.run(
            [shutil.which("varnishadm"), "-n", self.workdir / "varnish", command],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return done.stdout + done.stderr

    def varnish_command(self, vcl: Path) -> list[str]:
        return [
            shutil.which("varnishd"),
            "-F",
            "-j",
            "none",  # stay the user running the test (no jail): the work folder is theirs
            "-n",
            self.workdir / "varnish",
            "-a",
            f"127.0.0.1:{self.ports['edge']}",
            "-T",
            "127.0.0.1:0",
            "-f",
            vcl,
            "-s",
            "malloc,64m",
        ]
