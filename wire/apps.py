from django.apps import AppConfig


class WireConfig(AppConfig):
    name = "wire"
    verbose_name = "Agency wire"

    def ready(self):
        from articles import admin_agency

        admin_agency.register_source(taken_from)


def taken_from(article) -> list[tuple[str, str]]:
    """The queue's items a story was taken from, for the story's form (one query)."""
    from django.urls import reverse

    from .models import WireItem

    return [
        (
            f"{item.provider}, version {item.version}: “{item.headline}”",
            reverse("admin:wire_wireitem_change", args=[item.pk]),
        )
        for item in WireItem.objects.filter(story=article).only(
            "pk", "provider", "version", "headline"
        )
    ]
