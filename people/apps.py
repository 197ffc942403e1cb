from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People and organizations"

    def ready(self):
        from core.cache import watch
        from core.slugs import track_slugs

        from .models import Affiliation, Organization, Person, Reporter

        watch(Person, Organization, Affiliation, Reporter)
        track_slugs(Person, Organization, Reporter)
