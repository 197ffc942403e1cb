"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

from newsroom.startup import require_serving_settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

application = get_asgi_application()

# No serving with DEBUG off and no secret key or host list: stop here, naming what is missing.
require_serving_settings()
