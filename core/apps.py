from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app uses and nothing of theirs: each app hands its models to the page cache
    (``core.cache.watch``) and the old-address keeper (``core.slugs.track_slugs``) from its own
    ``ready()``."""

    name = "core"
    verbose_name = "Site"
