from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app uses and nothing of theirs: each app hands its models to the surrogate keys
    (``core.keys.watch``: a change purges the pages showing it) and the old-address keeper
    (``core.slugs.track_slugs``) from its own ``ready()``."""

    name = "core"
    verbose_name = "Site"

    def ready(self):
        # edge registers its deploy check (core.E001) on import.
        from . import cache, edge, keys  # noqa: F401

        # After a purge the next scheduled publication is looked up again, and the edge is told.
        keys.after_purge(cache.forget_schedule)
        keys.after_purge(tell_the_edge)


def tell_the_edge(keys) -> None:
    """Purge ``keys`` at the edge too, in the background (retried while the edge is down)."""
    from .edge import edge_configured, purge_task

    if edge_configured():
        purge_task.enqueue(list(keys))
