"""What production needs beyond the pages: health checks, security headers, login lockout."""

import datetime as dt
from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.utils import timezone

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"status": "ok"} and body["cache"] == {"status": "ok"}
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_healthz_says_the_cache_is_down_and_stays_up(client):
    with mock.patch("newsroom.health.cache.set", side_effect=ConnectionError("refused")):
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["cache"]["status"] == "unavailable"
    assert body["cache"]["error"] == "ConnectionError"


def test_healthz_says_when_no_worker_takes_the_queued_work(client, settings):
    from django_tasks_db.models import DBTaskResult

    from core.edge import purge_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert client.get("/healthz").json()["tasks"]["status"] == "ok"
    purge_task.enqueue(["story:1"])
    DBTaskResult.objects.update(enqueued_at=timezone.now() - dt.timedelta(minutes=10))
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["tasks"]["status"] == "behind"
    assert body["tasks"]["waiting"] == 1
    assert "manage.py worker" in body["tasks"]["reason"]


def test_healthz_answers_503_when_the_database_does_not(client):
    with mock.patch(
        "newsroom.health.connection.cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_public_pages_forbid_inline_script(client):
    story = ArticleFactory()
    for url in ("/", story.get_absolute_url()):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["script-src"] == "'self'", url
        assert "unsafe-inline" not in policy
        assert directives["frame-ancestors"] == "'none'"


def test_public_pages_send_the_security_headers(client):
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_the_admin_may_run_its_inline_scripts(admin_client):
    policy = admin_client.get("/admin/articles/article/add/")["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in policy


def test_repeated_wrong_passwords_lock_the_login(client, settings, superuser, caplog):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    login = "/admin/login/?next=/admin/"
    for _ in range(3):
        client.post(login, {"username": "chief", "password": "wrong"})
    response = client.post(login, {"username": "chief", "password": "correct horse battery staple"})
    assert response.status_code == 429  # locked, even with the right password
    assert not client.session.get("_auth_user_id")
    assert any("lock" in record.getMessage().lower() for record in caplog.records)


def test_healthz_counts_a_retry_as_waiting_from_its_time_not_from_when_it_was_queued(
    client, settings
):
    from django_tasks_db.models import DBTaskResult

    from core.edge import purge_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    purge_task.using(run_after=timezone.now() - dt.timedelta(seconds=5)).enqueue(["story:1"])
    DBTaskResult.objects.update(enqueued_at=timezone.now() - dt.timedelta(minutes=10))
    assert client.get("/healthz").json()["tasks"]["status"] == "ok"
