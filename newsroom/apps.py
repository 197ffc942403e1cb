from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "newsroom"
    verbose_name = "Newsroom"

    def ready(self):
        from . import cache, slugs, startup  # noqa: F401  (startup registers the deploy check)

        # Any change to what readers see makes every cached page fresh (newsroom/cache.py).
        cache.connect_signals()

        # Every save that changes a story's, section's or person's slug keeps the old address.
        slugs.connect_signals()
