from django.contrib import admin
from django.db.models import Prefetch
from django.utils import timezone

from .models import Article, Byline, Correction, Section


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    min_num = 0
    autocomplete_fields = ["reporter"]
    fields = ["reporter", "order"]


class CorrectionInline(admin.StackedInline):
    model = Correction
    extra = 0
    fields = ["kind", "text", "created_at"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["headline", "status_label", "byline_names", "section", "published_at"]
    list_filter = ["status", "section", "bylines__reporter"]
    search_fields = ["headline", "standfirst", "body"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["section", "mentioned_people", "mentioned_organizations"]
    prepopulated_fields = {"slug": ["headline"]}
    inlines = [BylineInline, CorrectionInline]
    readonly_fields = ["created_at", "modified_at"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "standfirst", "body", "dateline", "section"]}),
        ("Publication", {"fields": ["status", "published_at", "updated_at"]}),
        ("Tags and mentions", {"fields": ["tags", "mentioned_people", "mentioned_organizations"]}),
        ("History", {"fields": ["created_at", "modified_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("section")
            .prefetch_related(
                Prefetch("bylines", queryset=Byline.objects.select_related("reporter"))
            )
        )

    @admin.display(description="Bylines")
    def byline_names(self, obj):
        return ", ".join(byline.reporter.name for byline in obj.bylines.all())

    @admin.display(description="Status", ordering="status")
    def status_label(self, obj):
        if obj.status == Article.Status.PUBLISHED and obj.published_at > timezone.now():
            return "Scheduled"
        return obj.get_status_display()


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["article", "kind", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["article"]
    search_fields = ["text", "article__headline"]
    autocomplete_fields = ["article"]
    date_hierarchy = "created_at"
