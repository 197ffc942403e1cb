"""The ceiling for the gunicorn figures in ``bench/run.py``: a bare Django view returning a saved page.

    CEILING_HTML=/tmp/article.html .venv/bin/gunicorn ceiling:application -w 2 --chdir bench

This module is its own settings and its own URLconf: no apps, no middleware, no database, no
templates. Every address answers 200 with the bytes of ``CEILING_HTML`` (the story page the
benchmark saved from the real site), read once at start-up and kept in memory. What gunicorn and
Django cost for that is as fast as the newsroom's story page could ever be on this machine, so
the benchmark reports the real pages' requests per second as a share of this one's.
"""

import os
from pathlib import Path

from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-ceiling-only-never-used-for-anything",
        ALLOWED_HOSTS=["127.0.0.1", "localhost", "testserver"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[],
        MIDDLEWARE=[],
        DATABASES={},
        TEMPLATES=[],
        USE_TZ=True,
        USE_I18N=False,
        LOGGING_CONFIG=None,
    )

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import re_path  # noqa: E402

PAGE = Path(os.environ["CEILING_HTML"]).read_bytes()


def saved_page(request, rest=""):
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")


urlpatterns = [re_path(r"^(?P<rest>.*)$", saved_page)]

application = get_wsgi_application()
