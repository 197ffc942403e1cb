import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

# Read from the tables readers' pages read: "SELECT 1" is answered by the database engine alone,
# even when the file or the tables behind the site are damaged.
logger = logging.getLogger(__name__)
CONTENT_CHECK = "SELECT id FROM articles_article ORDER BY id LIMIT 1"


@never_cache
def healthz(request):
    """200 when the database answers with real content, 503 with the reason when it does not:
    for load balancers and monitors."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(CONTENT_CHECK)
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure to read content means "not healthy"
        # The database's own message can name hosts and accounts: it goes to the log, and the
        # public answer says only what failed.
        logger.error("Health check failed: cannot read stories from the database: %s", error)
        return JsonResponse(
            {
                "status": "unavailable",
                "database": type(error).__name__,
                "reason": "cannot read stories from the database",
            },
            status=503,
        )
    return JsonResponse({"status": "ok"})
