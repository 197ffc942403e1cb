from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Stories"

    def ready(self):
        # Connect the receivers that keep the search index in step with stories, tags and names,
        # in every process (commands and shells too), not only once the URLconf loads.
        from . import search  # noqa: F401
