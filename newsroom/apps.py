from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    """The project package: settings, URLs, the deploy checks and the site-wide commands."""

    name = "newsroom"
    verbose_name = "Project"

    def ready(self):
        from . import startup  # noqa: F401  (registers the deploy checks)
