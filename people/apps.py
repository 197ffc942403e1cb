from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People and organizations"

    def ready(self):
        from core.slugs import track_slugs

        from . import keys
        from .models import Organization, Person, Reporter

        keys.watch()
        track_slugs(Person, Organization, Reporter)
