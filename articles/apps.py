from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom"

    def ready(self):
        from core import cache, published_use
        from core.slugs import track_slugs

        # The search index's receivers, in every process (commands and shells too), not only
        # once the URLconf loads.
        from . import keys, search, services  # noqa: F401
        from .models import Article, Section

        keys.watch()
        cache.schedule_from(services.next_publication_after, keys.keys_published_between)
        track_slugs(Article, Section)
        published_use.register(
            services.shown_on_published_stories, permission="articles.edit_any_article"
        )
        published_use.register_uses(services.uses_of_image)
