"""/healthz: what a load balancer, Varnish's probe and a monitor ask of each app server.

200 while stories can be read from the database, 503 when they cannot (the edge then serves its
last good pages: deploy/varnish). The answer also says, part by part, what is down or behind:
the cache (pages are then made afresh for every reader, slower but right) and the background
work (renditions and edge purges wait while no worker runs). Those make the status "degraded"
but keep the 200: the server can still serve readers.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)
# Read from the tables readers' pages read: "SELECT 1" is answered by the database engine alone,
# even when the file or the tables behind the site are damaged.
CONTENT_CHECK = "SELECT id FROM articles_article ORDER BY id LIMIT 1"
PROBE_KEY = "newsroom:health-probe"
# Work ready this long without a worker taking it means no worker is running.
TASKS_BEHIND_SECONDS = 120


def database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute(CONTENT_CHECK)
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure to read content means "not healthy"
        # The database's own message can name hosts and accounts: it goes to the log, and the
        # public answer says only what failed.
        logger.error("Health check failed: cannot read stories from the database: %s", error)
        return {
            "status": "unavailable",
            "error": type(error).__name__,
            "reason": "cannot read stories from the database",
        }
    return {"status": "ok"}


def page_cache() -> dict:
    try:
        cache.set(PROBE_KEY, "ok", timeout=60)
        if cache.get(PROBE_KEY) != "ok":
            raise RuntimeError("what was stored could not be read back")
    except Exception as error:  # noqa: BLE001
        logger.error("Health check: the cache is not working: %s", error)
        return {
            "status": "unavailable",
            "error": type(error).__name__,
            "reason": "pages are made afresh for every reader",
        }
    return {"status": "ok"}


def background_work() -> dict:
    """How the database queue stands (other back ends are watched with their own tools)."""
    backend = settings.TASKS["default"]["BACKEND"]
    if not backend.startswith("django_tasks_db"):
        return {"status": "not checked here", "backend": backend.rsplit(".", 1)[-1]}
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = timezone.now()
    try:
        ready = DBTaskResult.objects.ready()
        # Ready since it was queued, or, for work queued to run later (a retry), since its time.
        at_once = ready.filter(run_after=get_date_max()).order_by("enqueued_at")
        later = ready.exclude(run_after=get_date_max()).order_by("run_after")
        since = [
            *at_once.values_list("enqueued_at", flat=True)[:1],
            *later.values_list("run_after", flat=True)[:1],
        ]
        failed = DBTaskResult.objects.failed().filter(finished_at__gte=now - dt.timedelta(hours=1))
        state = {"waiting": ready.count(), "failed_last_hour": failed.count()}
    except Exception as error:  # noqa: BLE001 - the database part says why
        return {"status": "unavailable", "error": type(error).__name__}
    waited = (now - min(since)).total_seconds() if since else 0
    state["oldest_waiting_seconds"] = round(waited)
    if waited > TASKS_BEHIND_SECONDS:
        state["status"] = "behind"
        state["reason"] = (
            "no worker has taken queued work for minutes: is manage.py worker running?"
        )
    else:
        state["status"] = "ok"
    return state


@never_cache
def healthz(request):
    """200 when the database answers with real content, 503 with the reason when it does not;
    each part's state beside it."""
    parts = {"database": database()}
    if parts["database"]["status"] != "ok":
        reason = parts["database"]["reason"]
        return JsonResponse({"status": "unavailable", "reason": reason, **parts}, status=503)
    parts["cache"] = page_cache()
    parts["tasks"] = background_work()
    healthy = parts["cache"]["status"] == "ok" and parts["tasks"]["status"] in (
        "ok",
        "not checked here",
    )
    return JsonResponse({"status": "ok" if healthy else "degraded", **parts})
