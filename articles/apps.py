from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom"

    def ready(self):
        from taggit.models import Tag

        from core import cache, published_use
        from core.slugs import track_slugs

        # The search index's receivers, in every process (commands and shells too), not only
        # once the URLconf loads.
        from . import search, services  # noqa: F401
        from .models import Article, Byline, Correction, Section, TaggedArticle

        cache.watch(
            Article,
            Byline,
            Correction,
            Section,
            TaggedArticle,
            Tag,
            m2m_fields=("mentioned_people", "mentioned_organizations"),
        )
        cache.schedule_from(services.next_publication_after)
        track_slugs(Article, Section)
        published_use.register(
            services.shown_on_published_stories, permission="articles.edit_any_article"
        )
