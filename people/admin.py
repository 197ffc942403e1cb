from django.contrib import admin
from django.db import models
from django.db.models import Count

from .models import Affiliation, Organization, Person, Reporter


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 1
    autocomplete_fields = ["person", "organization"]
    fields = ["person", "organization", "title", "start_date", "end_date", "order"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "native_name", "description", "story_count"]
    # Explicit: the annotated queryset below loses the model's ordering, and autocomplete pages it.
    ordering = ["sort_name", "name"]
    search_fields = ["name", "native_name", "sort_name", "aliases", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AffiliationInline]
    fields = ["name", "native_name", "sort_name", "slug", "description", "aliases", "photo"]
    autocomplete_fields = ["photo"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_story_count=Count("mentioned_in"))

    @admin.display(description="Stories mentioning", ordering="_story_count")
    def story_count(self, obj):
        return obj._story_count


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "parent"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    search_fields = ["name", "short_name", "aliases", "description"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AffiliationInline]
    fields = ["name", "short_name", "slug", "kind", "parent", "website", "description", "aliases"]
    # A website typed without a scheme ("example.org") is taken as https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    list_display = ["person", "title", "organization", "start_date", "end_date"]
    list_select_related = ["person", "organization"]
    search_fields = ["person__name", "organization__name", "title"]
    autocomplete_fields = ["person", "organization"]


@admin.register(Reporter)
class ReporterAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "job_title", "show_email", "user"]
    list_select_related = ["user"]
    list_filter = ["show_email"]
    search_fields = ["name", "email", "job_title"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user", "photo"]
