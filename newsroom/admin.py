from django.contrib import admin
from django.utils.html import format_html

from .models import SlugHistory


@admin.register(SlugHistory)
class SlugHistoryAdmin(admin.ModelAdmin):
    """Old addresses are written by the site itself whenever a slug changes; editors can look up
    where an old link goes, and delete one that should no longer redirect."""

    list_display = ["slug", "content_type", "current_page", "created_at"]
    list_filter = ["content_type"]
    search_fields = ["slug"]
    date_hierarchy = "created_at"
    list_select_related = ["content_type"]
    readonly_fields = ["slug", "content_type", "object_id", "current_page", "created_at"]

    def get_queryset(self, request):
        # The objects the old addresses lead to: one query per kind, however many rows.
        return super().get_queryset(request).prefetch_related("target")

    def has_add_permission(self, request):
        return False

    # Read and deleted, never edited: the site writes them.
    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Redirects to")
    def current_page(self, obj):
        target = obj.target
        if target is None:
            return "—"
        return format_html('<a href="{}">{}</a>', target.get_absolute_url(), target)
