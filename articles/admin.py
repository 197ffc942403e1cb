import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from reversion.admin import VersionAdmin
from reversion.models import Version

from core.admin import (
    CheckedAdminMixin,
    CheckedChangeList,
    CheckedRelationsMixin,
    is_usable_key,
)
from core.cache import cached
from core.pagination import CachedCountPaginator
from core.text import html_to_text

from . import admin_import, mentions, presence, services
from .forms import ArticleAdminForm, BylineFormSet
from .models import Article, Byline, Correction, Section, StatusChange
from .revisions import revision_changes, text_changes

Status = Article.Status


class BylineInline(CheckedRelationsMixin, admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ["reporter"]
    fields = ["reporter", "order"]
    formset = BylineFormSet  # whose bylines a reporter may file under

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"user": request.user})


class CorrectionInline(admin.StackedInline):
    """Only editors have the correction permissions, so only they see or post this inline."""

    model = Correction
    extra = 0
    fields = ["kind", "text", "created_at"]


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            (Status.DRAFT, "Draft"),
            (Status.REVIEW, "In review"),
            ("scheduled", "Scheduled"),
            (Status.PUBLISHED, "Published"),
            (Status.WITHDRAWN, "Withdrawn"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == "scheduled":
            return queryset.filter(status=Status.PUBLISHED, published_at__gt=now)
        if value == Status.PUBLISHED:
            return queryset.published(now=now)
        if value in Status.values:
            return queryset.filter(status=value)
        return queryset


class StoryChangeList(CheckedChangeList):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The results are fetched by now; what is left of the queryset is the date drill-down.
        self.queryset = _CachedYears(self.queryset)

    def get_queryset(self, request, exclude_parameters=None):
        # The list never shows the body: leave the largest column in the database.
        return super().get_queryset(request, exclude_parameters).defer("body")


class _CachedYears:
    """The list's queryset, whose years (the date drill-down's first level, a DISTINCT over every
    story: 250 ms on SQLite at 100,000 stories) are worked out once per content change."""

    def __init__(self, queryset):
        self._queryset = queryset

    def __getattr__(self, name):
        return getattr(self._queryset, name)

    def datetimes(self, field_name, kind, *args, **kwargs):
        def years():
            return list(self._queryset.datetimes(field_name, kind, *args, **kwargs))

        if kind != "year":
            return self._queryset.datetimes(field_name, kind, *args, **kwargs)
        try:
            sql, params = self._queryset.query.sql_with_params()
        except EmptyResultSet:
            return []
        return cached(f"admin-years:{field_name}:{sql}:{params!r}", years)


@admin.register(Section)
class SectionAdmin(CheckedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Article)
class ArticleAdmin(CheckedAdminMixin, VersionAdmin):
    form = ArticleAdminForm
    list_display = [
        "headline",
        "status_label",
        "byline_names",
        "section",
        "published_at",
        "modified_at",
    ]
    list_filter = [StatusFilter, "needs_headline", "section", "bylines__reporter", "tags"]
    search_fields = ["headline", "standfirst", "body"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["section", "lead_image", "mentioned_people", "mentioned_organizations"]
    prepopulated_fields = {"slug": ["headline"]}
    inlines = [BylineInline, CorrectionInline]
    actions = ["publish_now", "unpublish"]
    show_full_result_count = False
    object_history_template = "admin/articles/article/object_history.html"
    change_list_template = "admin/articles/article/change_list.html"  # adds "Import wire copy"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "headline",
                    "needs_headline",
                    "slug",
                    "standfirst",
                    "body",
                    "word_count",
                    "lead_image",
                    "dateline",
                    "section",
                ]
            },
        ),
        (
            "Publication",
            {"fields": ["status", "published_at", "updated_at", "lock_version", "workflow"]},
        ),
        ("Tags and mentions", {"fields": ["tags", "mentioned_people", "mentioned_organizations"]}),
        (
            "Record",
            {
                "fields": ["created_at", "created_by", "modified_at", "modified_by"],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        """The list's total is counted once per content change: the query itself names the
        filters, the search and the stories this user may edit, so it is the count's key."""
        try:
            sql, params = queryset.query.sql_with_params()
            key = f"admin:{sql}:{params!r}"
        except EmptyResultSet:
            key = None
        return CachedCountPaginator(
            queryset, per_page, orphans, allow_empty_first_page, count_key=key
        )

    # Permissions, all checked on the server: the queryset hides what a user may not edit, and the
    # form refuses a status step they may not take, whatever the browser sends.

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .select_related("section")
            .prefetch_related(
                Prefetch("bylines", queryset=Byline.objects.select_related("reporter"))
            )
        )
        return services.editable_articles(request.user, queryset)

    def get_urls(self):
        # Before the admin's own: its "<path:object_id>/" would otherwise take "import/".
        return admin_import.import_urls(self) + super().get_urls()

    def get_changelist(self, request, **kwargs):
        return StoryChangeList

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST":  # bulk actions save stories: record them as revisions
            return super().changelist_view(request, extra_context)
        # Looking at the list writes nothing, so it needs no revision block (which on SQLite would
        # take the database's write lock for a read).
        context = {"has_change_permission": self.has_change_permission(request)}
        return admin.ModelAdmin.changelist_view(self, request, {**context, **(extra_context or {})})

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or services.can_edit(request.user, obj))

    def has_publish_permission(self, request):
        return services.is_editor(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = [
            "word_count",
            "workflow",
            "created_at",
            "created_by",
            "modified_at",
            "modified_by",
        ]
        if not services.is_editor(request.user):
            fields += ["published_at", "updated_at"]
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        from_status, from_published_at = "", None
        if change:
            current = (
                Article.objects.select_for_update()
                .only("status", "published_at", "version")
                .get(pk=obj.pk)
            )
            from_status, from_published_at = current.status, current.published_at
            obj.version = current.version + 1
        else:
            obj.created_by = request.user
        obj.modified_by = request.user
        super().save_model(request, obj, form, change)
        services.record_transition(
            article=obj,
            from_status=from_status,
            from_published_at=from_published_at,
            user=request.user,
        )

    def save_related(self, request, form, formsets, change):
        # The mentions as stored before this save, to tell which ones the editor removed.
        before_people, before_orgs = mentions.mentions_snapshot(form.instance)
        super().save_related(request, form, formsets, change)
        article = form.instance
        if change:
            mentions.record_unlinked(
                article=article, before_people=before_people, before_orgs=before_orgs
            )
        mentions.link_mentions(article=article)
        reporter = getattr(request.user, "reporter", None)
        if not change and reporter is not None and not article.bylines.exists():
            # A reporter's new story carries their byline, so it stays theirs to edit.
            Byline.objects.create(article=article, reporter=reporter, order=0)
        for formset in formsets:
            if formset.model is Correction and formset.new_objects:
                services.corrections_added(article=article, corrections=formset.new_objects)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article_id = unquote(object_id)
        # Only an id that is one (not "²", which isdigit() takes for a digit and int() refuses).
        if request.method == "GET" and is_usable_key(self.opts.pk, article_id):
            others = presence.opened(
                article_id=self.opts.pk.to_python(article_id), user=request.user
            )
            for name, at in others:
                minutes = max(1, int((timezone.now() - at).total_seconds() // 60))
                messages.warning(
                    request,
                    f"{name} opened this story {minutes} minute{pluralize(minutes)} ago and may be "
                    "editing it. If you both save, the second save is stopped so nothing is lost.",
                )
        return super().change_view(request, object_id, form_url, extra_context)

    # History: every admin save is a revision (django-reversion); editors may restore one, which is
    # saved as a new revision, so the text it replaces is kept too.

    def history_view(self, request, object_id, extra_context=None):
        # CheckedAdminMixin answers an id that is not a story's before django-reversion's query.
        response = super().history_view(request, object_id, extra_context)
        article = self.get_object(request, unquote(object_id))
        if article is not None and hasattr(response, "context_data"):
            changes = revision_changes(article)
            for action in response.context_data.get("action_list", []):
                action["changes"] = changes.get(action["revision"].pk, [])
        return response

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Show what restoring an earlier revision would change, and restore it on POST.

        Replaces django-reversion's full revert, which would also put back the old status,
        publication times and corrections; here only the text comes back (see
        services.article_restore_text), saved as a new revision.
        """
        if not request.user.has_perm("articles.edit_any_article"):
            raise PermissionDenied
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("No such story.")
        version = get_object_or_404(Version.objects.get_for_object(article), pk=version_id)
        saved_at = date_format(timezone.localtime(version.revision.date_created), "DATETIME_FORMAT")
        if request.method == "POST":
            with reversion.create_revision():
                services.article_restore_text(
                    article=article, text=version.field_dict, user=request.user
                )
                reversion.set_user(request.user)
                reversion.set_comment(f"Restored the text saved on {saved_at}.")
            self.message_user(
                request,
                f"Restored the headline, standfirst and body saved on {saved_at}. The text it "
                "replaced is kept in History.",
                messages.SUCCESS,
            )
            return redirect(reverse("admin:articles_article_change", args=[article.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Restore the text of “{article}” saved on {saved_at}",
            "saved_at": saved_at,
            "saved_by": version.revision.user,
            "changes": text_changes(
                {name: getattr(article, name) for name in services.RESTORED_FIELDS},
                version.field_dict,
            ),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/articles/article/restore.html", context)

    def recover_view(self, request, version_id, extra_context=None):
        if not request.user.has_perm("articles.edit_any_article"):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        if not request.user.has_perm("articles.edit_any_article"):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def get_deleted_objects(self, objs, request):
        # A story's workflow log goes with it: needing a permission to delete log rows (which
        # nobody has, the log being read-only) must not make stories undeletable.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(StatusChange._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def view_on_site(self, obj):
        if obj.is_public:
            return obj.get_absolute_url()
        return reverse("articles:preview", kwargs={"pk": obj.pk})

    # Columns and read-only fields.

    @admin.display(description="Bylines")
    def byline_names(self, obj):
        return ", ".join(byline.reporter.name for byline in obj.bylines.all())

    @admin.display(description="Status", ordering="status")
    def status_label(self, obj):
        if obj.is_scheduled:
            return f"Scheduled for {date_format(timezone.localtime(obj.published_at), 'DATETIME_FORMAT')}"
        return obj.get_status_display()

    @admin.display(description="Words")
    def word_count(self, obj):
        return len(html_to_text(obj.body).split()) if obj and obj.body else 0

    @admin.display(description="Workflow")
    def workflow(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        steps = obj.status_changes.select_related("user")
        if not steps:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} by {}, {}</li>",
                (
                    (
                        step.label,
                        step.user.get_username() if step.user else "system",
                        date_format(timezone.localtime(step.at), "DATETIME_FORMAT"),
                    )
                    for step in steps
                ),
            ),
        )

    # Bulk actions, for editors only (``permissions=["publish"]`` asks has_publish_permission).

    @admin.action(description="Publish selected stories now", permissions=["publish"])
    def publish_now(self, request, queryset):
        self._bulk_transition(request, queryset, Status.PUBLISHED, "published")

    @admin.action(description="Unpublish (withdraw) selected stories", permissions=["publish"])
    def unpublish(self, request, queryset):
        self._bulk_transition(request, queryset, Status.WITHDRAWN, "withdrawn")

    def _bulk_transition(self, request, queryset, to_status, verb):
        done, refused = 0, []
        for article in queryset:
            try:
                step = services.article_transition(
                    article=article, to_status=to_status, user=request.user
                )
            except PermissionDenied as refusal:
                refused.append(f"“{article}”: {refusal}")
            else:
                done += step is not None
        if done:
            self.message_user(
                request, f"{done} stor{pluralize(done, 'y,ies')} {verb}.", messages.SUCCESS
            )
        elif not refused:
            self.message_user(request, f"Nothing to do: already {verb}.", messages.INFO)
        for line in refused:
            self.message_user(request, line, messages.ERROR)


@admin.register(Correction)
class CorrectionAdmin(CheckedAdminMixin, admin.ModelAdmin):
    list_display = ["article", "kind", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["article"]
    search_fields = ["text", "article__headline"]
    autocomplete_fields = ["article"]
    date_hierarchy = "created_at"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            services.corrections_added(article=obj.article, corrections=[obj])


@admin.register(StatusChange)
class StatusChangeAdmin(CheckedAdminMixin, admin.ModelAdmin):
    """The workflow log: read-only, since history that can be edited is not history."""

    list_display = ["article", "from_status", "to_status", "user", "at", "published_at"]
    list_filter = ["to_status"]
    list_select_related = ["article", "user"]
    search_fields = ["article__headline"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
