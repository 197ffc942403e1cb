"""Production settings: refuse to serve without a secret key or host list, and pass Django's deploy
check; commands that serve nothing still work on a bare checkout."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]

# Everything that could leak in from the test run or the shell and change what settings.py sees.
SCRUBBED = {
    "DJANGO_SETTINGS_MODULE",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "BEHIND_TLS_PROXY",
    "DATABASE_URL",
    "REDIS_URL",
    "PAGE_CACHE_SECONDS",
    "COUNT_CACHE_SECONDS",
    "SITE_URL",
    "CACHE_DIR",
    "TRUSTED_PROXY_HOPS",
}


def run(argv, env):
    clean = {key: value for key, value in os.environ.items() if key not in SCRUBBED}
    clean.update({"DJANGO_SETTINGS_MODULE": "newsroom.settings", **env})
    return subprocess.run(
        [sys.executable, *argv], cwd=PROJECT, env=clean, capture_output=True, text=True, timeout=120
    )


def manage(*args, **env):
    """Run manage.py in a fresh interpreter with the real settings and only the given variables."""
    return run(["manage.py", *args], env)


def start_serving(**env):
    """Load the WSGI application as gunicorn does, in a fresh interpreter."""
    return run(["-c", "import newsroom.wsgi"], env)


def production_secret():
    return secrets.token_urlsafe(64)


@pytest.mark.parametrize("secret", [None, ""], ids=["unset", "empty"])
def test_missing_secret_key_stops_start_up(secret):
    """With DEBUG off, no SECRET_KEY means no start, and the error says which setting is missing."""
    env = {"DEBUG": "0", "ALLOWED_HOSTS": "news.example.org"}
    if secret is not None:
        env["SECRET_KEY"] = secret

    result = start_serving(**env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr.strip().splitlines()[-1]

    deploy = manage("check", "--deploy", **env)
    assert deploy.returncode != 0
    assert "newsroom.E001" in deploy.stderr and "SECRET_KEY is not set" in deploy.stderr


def test_missing_secret_key_stops_start_up_when_debug_is_not_set_at_all():
    """DEBUG is off unless someone turns it on, so the same refusal applies."""
    result = start_serving(ALLOWED_HOSTS="news.example.org")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr.strip().splitlines()[-1]


def test_runserver_refuses_too():
    result = manage("runserver", "--noreload", "127.0.0.1:0", ALLOWED_HOSTS="news.example.org")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_commands_that_serve_nothing_run_on_a_bare_checkout(tmp_path):
    """No variables (but a database of the test's own): developer tools such as makemigrations
    still work."""
    result = manage(
        "makemigrations", "--check", "--dry-run", DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3"
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


@pytest.mark.parametrize("hosts", [None, "", " , "], ids=["unset", "empty", "blank-items"])
def test_missing_allowed_hosts_stops_start_up(hosts):
    """With DEBUG off and a secret key, no host list still means no start, naming ALLOWED_HOSTS."""
    env = {"DEBUG": "0", "SECRET_KEY": production_secret()}
    if hosts is not None:
        env["ALLOWED_HOSTS"] = hosts

    result = start_serving(**env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ALLOWED_HOSTS" in last_line
    assert "SECRET_KEY" not in last_line


def test_production_settings_pass_the_deploy_check():
    """Configured for production, the site passes `check --deploy` without a single warning."""
    result = manage(
        "check",
        "--deploy",
        DEBUG="0",
        SECRET_KEY=production_secret(),
        ALLOWED_HOSTS="news.example.org",
        SITE_URL="https://news.example.org",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    output = result.stdout + result.stderr

    assert result.returncode == 0, output
    assert "WARNING" not in output, output
    assert "System check identified no issues" in output, output


def test_deploy_check_warns_when_workers_would_not_share_the_cache(tmp_path):
    """The default cache (files every process on the machine shares) passes; a cache in each
    process's own memory, chosen by hand, would leave the other workers' pages stale: the deploy
    check says so, and what to do."""
    settings = {
        "DEBUG": "0",
        "SECRET_KEY": production_secret(),
        "ALLOWED_HOSTS": "example.org",
        "SITE_URL": "https://example.org",
        "CACHE_DIR": str(tmp_path),
    }
    default = manage("check", "--deploy", **settings)
    assert default.returncode == 0 and "newsroom.W001" not in default.stderr, default.stderr

    local = "from newsroom.settings import *; CACHES = {'default': {'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}}"
    (tmp_path / "local_settings.py").write_text(local)
    env = {**settings, "PYTHONPATH": str(tmp_path), "DJANGO_SETTINGS_MODULE": "local_settings"}
    output = manage("check", "--deploy", **env).stderr
    assert "newsroom.W001" in output and "REDIS_URL" in output, output

    quiet = manage("check", "--deploy", PAGE_CACHE_SECONDS="0", COUNT_CACHE_SECONDS="0", **env)
    assert "newsroom.W001" not in quiet.stdout + quiet.stderr


@pytest.mark.parametrize(
    "site_url",
    [None, "", "news.example.org", "ftp://news.example.org", "https://news.example.org/news/"],
    ids=["unset", "empty", "no-scheme", "not-http", "with-a-path"],
)
def test_missing_or_malformed_site_url_stops_start_up(site_url):
    """Absolute links come from SITE_URL alone, so production does not start without a real one."""
    env = {"DEBUG": "0", "SECRET_KEY": production_secret(), "ALLOWED_HOSTS": "news.example.org"}
    if site_url is not None:
        env["SITE_URL"] = site_url

    result = start_serving(**env)

    assert result.returncode != 0
    assert "SITE_URL" in result.stderr.strip().splitlines()[-1]
    deploy = manage("check", "--deploy", **env)
    assert "newsroom.E003" in deploy.stderr and "SITE_URL" in deploy.stderr


def test_local_development_runs_without_any_secrets():
    """DEBUG=1 alone is enough to work locally: a throw-away key and localhost."""
    result = manage("check", DEBUG="1")

    assert result.returncode == 0, result.stdout + result.stderr
