from django.apps import AppConfig
from taggit.apps import TaggitAppConfig


class NewsroomConfig(AppConfig):
    """The project package: settings, URLs, the deploy checks and the site-wide commands."""

    name = "newsroom"
    verbose_name = "Project"
    default = True  # the one Django takes for "newsroom" (TagsConfig below is taggit's)

    def ready(self):
        from . import startup  # noqa: F401  (registers the deploy checks)


class TagsConfig(TaggitAppConfig):
    """django-taggit, under the name editors know it by ("Tags", not "Taggit")."""

    verbose_name = "Tags"
    default = False
