"""The people admin with the stories that mention each person: people knows nothing of stories,
so the column is added here, where they meet."""

from django.contrib import admin
from django.db.models import Count

from people.admin import PersonAdmin
from people.models import Person


class PersonWithStoriesAdmin(PersonAdmin):
    list_display = [*PersonAdmin.list_display, "story_count"]

    def get_queryset(self, request):
        # The annotation loses the model's ordering; PersonAdmin.ordering gives it back.
        return super().get_queryset(request).annotate(_story_count=Count("mentioned_in"))

    @admin.display(description="Stories mentioning", ordering="_story_count")
    def story_count(self, obj):
        return obj._story_count


def register(site: admin.AdminSite) -> None:
    """Put this admin in the place of people's own (called from articles/admin.py)."""
    site.unregister(Person)
    site.register(Person, PersonWithStoriesAdmin)
