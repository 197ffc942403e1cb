"""The editorial admin: the story form and list, sections, corrections and the workflow log.

The story admin's other pages have their own modules: wire import (``admin_import``) and restoring
an earlier revision's text (``admin_revisions``). Every write of several rows is a call to
``services``.
"""

import json
from contextlib import contextmanager

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import EmptyResultSet, PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.http import JsonResponse
from django.template.defaultfilters import pluralize
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from reversion.admin import VersionAdmin
from taggit.models import Tag

from core.admin import (
    CheckedAdminMixin,
    CheckedChangeList,
    CheckedRelationsMixin,
    is_usable_key,
)
from core.cache import cached
from core.pagination import CachedCountPaginator
from core.text import html_to_text
from photos import renditions

from . import (
    admin_agency,
    admin_import,
    admin_kill,
    admin_live,
    admin_people,
    admin_revisions,
    embeds,
    kill,
    presence,
    services,
)
from .autosave import AutosaveAdminMixin
from .forms import ArticleAdminForm, BylineFormSet, save_effects
from .html import sanitize_html
from .models import Article, ArticleQuerySet, Byline, Correction, Section, StatusChange
from .revisions import revision_changes
from .widgets import NamedSplitDateTime

Status = Article.Status

# How many existing tags the tag box suggests as one types.
TAG_SUGGESTIONS = 10
LEAD_IMAGE_THUMBNAIL_WIDTH = 120


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
        found = [
            (Status.DRAFT, "Draft"),
            (Status.REVIEW, "In review"),
            ("scheduled", "Scheduled"),
            (Status.PUBLISHED, "Published"),
            (Status.WITHDRAWN, "Withdrawn"),
        ]
        if kill.can_kill(request.user):  # nobody else sees a killed story (articles.kill)
            found.append((Status.KILLED, "Killed (legal)"))
        return found

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


class EmbargoFilter(admin.SimpleListFilter):
    """Rows whose embargo has not lifted yet, or the others (no embargo, or one lifted): stories
    here, and the wire queue's items."""

    title = "embargo"
    parameter_name = "embargoed"

    def lookups(self, request, model_admin):
        return [("yes", "Embargoed"), ("no", "Not embargoed")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(embargo_until__gt=now)
        if self.value() == "no":
            return queryset.filter(Q(embargo_until__isnull=True) | Q(embargo_until__lte=now))
        return queryset


# The story list's speed, all of it here. The admin list's target in bench/RESULTS.md is measured
# with it, at 100,000 stories: the list leaves the body in the database, and the two figures that
# read every story it could show (its total, and the years of the date drill-down) are cached
# until the content next changes (core.cache.cached). tests/core/test_cache.py
# (test_the_editors_story_list_counts_once_per_change) fails without them.


def _query_key(queryset) -> str | None:
    """A cache name for what ``queryset`` selects: its SQL, which names the filters, the search
    and the stories this user may edit. None for a query that cannot match anything."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return None
    return f"{sql}:{params!r}"


class StoryListQuerySet(ArticleQuerySet):
    """The story admin's rows (``ArticleAdmin.get_queryset``), whose years are cached."""

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        found = super().datetimes(field_name, kind, order, tzinfo)
        if kind != "year":  # a month or a day of the drill-down reads one year's stories only
            return found
        key = _query_key(found)
        return found if key is None else cached(f"admin-years:{key}", lambda: list(found))


def story_list_paginator(queryset, per_page, orphans=0, allow_empty_first_page=True):
    """The story list's pages, their total counted once per content change."""
    key = _query_key(queryset)
    return CachedCountPaginator(
        queryset,
        per_page,
        orphans,
        allow_empty_first_page,
        count_key=f"admin:{key}" if key else None,
    )


class StoryChangeList(CheckedChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # The list never shows the body: leave the largest column in the database.
        return super().get_queryset(request, exclude_parameters).defer("body")


@admin.register(Section)
class SectionAdmin(CheckedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


def two_line_time(value):
    """A time in the story list: the date, then the time, as the site writes them."""
    if value is None:
        return "—"
    value = timezone.localtime(value)
    return format_html(
        '<time datetime="{}">{}<br>{}</time>',
        value.isoformat(),
        date_format(value, "DATE_FORMAT"),
        date_format(value, "H:i T"),
    )


@admin.register(Article)
class ArticleAdmin(AutosaveAdminMixin, CheckedAdminMixin, VersionAdmin):
    form = ArticleAdminForm
    # The headline with its bylines under it, so the headline has room (story-list.css).
    list_display = ["story", "status_label", "section", "published", "changed"]
    list_display_links = ["story"]
    list_filter = [
        StatusFilter,
        EmbargoFilter,
        "needs_headline",
        "section",
        "bylines__reporter",
        "tags",
    ]
    search_fields = ["headline", "standfirst", "body"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["section", "lead_image", "mentioned_people", "mentioned_organizations"]
    prepopulated_fields = {"slug": ["headline"]}
    inlines = [BylineInline, CorrectionInline]
    actions = ["publish_now", "unpublish"]
    show_full_result_count = False
    object_history_template = "admin/articles/article/object_history.html"
    change_list_template = "admin/articles/article/change_list.html"  # adds "Import wire copy"
    # The story form's layout (templates/admin/articles/article/change_form.html): fieldsets
    # classed "story-main" make the writing column, the rest the side panel, in this order; the
    # bylines inline follows the fieldset classed "story-bylines-next", and the agency's credit
    # follows the bylines, as it is printed after them.
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
                ],
                "classes": ["story-main", "story-text"],
            },
        ),
        (
            "Publication",
            {
                "fields": ["status", "published_at", "embargo_until", "updated_at", "lock_version"],
                "classes": ["story-side", "story-publication"],
            },
        ),
        (
            "Section and dateline",
            {"fields": ["section", "dateline"], "classes": ["story-side", "story-bylines-next"]},
        ),
        (
            "Agency credit",
            {"fields": ["credit", "taken_from"], "classes": ["story-side", "story-credit"]},
        ),
        (
            "Tags and mentions",
            {
                "fields": ["tags", "mentioned_people", "mentioned_organizations"],
                "classes": ["story-side", "story-mentions"],
            },
        ),
        (
            "Lead image",
            {
                "fields": ["lead_image", "lead_image_preview"],
                "classes": ["story-side", "story-lead-image"],
            },
        ),
        ("Workflow log", {"fields": ["workflow"], "classes": ["story-side", "story-workflow"]}),
        (
            "Record",
            {
                "fields": ["created_at", "created_by", "modified_at", "modified_by"],
                "classes": ["story-side", "collapse"],
            },
        ),
    ]

    class Media:
        css = {"all": ["newsroom/admin/story-form.css", "newsroom/admin/agency-alert.css"]}
        js = ["newsroom/admin/story-form.js", "newsroom/admin/drawn-names.js"]

    # The date and time boxes of the publication times, each named: the admin labels neither.
    SPLIT_DATETIME_NAMES = {
        "published_at": ("Publication date", "Publication time"),
        "updated_at": ("Updated date", "Updated time"),
    }

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.SPLIT_DATETIME_NAMES and "widget" not in kwargs:
            kwargs["widget"] = NamedSplitDateTime(*self.SPLIT_DATETIME_NAMES[db_field.name])
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return story_list_paginator(queryset, per_page, orphans, allow_empty_first_page)

    # Permissions, all checked on the server: the queryset hides what a user may not edit, and the
    # form refuses a status step they may not take, whatever the browser sends.

    def get_queryset(self, request):
        # Django's own queryset (its ordering and all), as a StoryListQuerySet.
        queryset = (
            StoryListQuerySet(self.model, query=super().get_queryset(request).query)
            .select_related("section")
            .prefetch_related(
                Prefetch("bylines", queryset=Byline.objects.select_related("reporter"))
            )
        )
        editable = services.editable_articles(request.user, queryset)
        # Killed stories only for those who may kill stories, who also see what they may kill.
        return kill.admin_stories(request.user, queryset, editable)

    def get_urls(self):
        # The import page before the admin's own URLs, whose "<path:object_id>/" would take
        # "import/"; the restore page instead of django-reversion's full revert.
        replaced = admin_revisions.restore_name(self)
        info = self.opts.app_label, self.opts.model_name
        tags = path(
            "tags/", self.admin_site.admin_view(self.tags_view), name="{}_{}_tags".format(*info)
        )
        embed = path(
            "embed/", self.admin_site.admin_view(self.embed_view), name="{}_{}_embed".format(*info)
        )
        return [
            tags,
            embed,
            *admin_import.import_urls(self),
            *admin_agency.agency_urls(self),
            *admin_kill.kill_urls(self),
            *admin_live.live_urls(self),
            *admin_revisions.restore_urls(self),
            *(url for url in super().get_urls() if getattr(url, "name", None) != replaced),
        ]

    def embed_view(self, request):
        """The post or video at ``?address=``, for the body editor's embed button
        (static/newsroom/admin/furniture.js): ``{"provider", "id", "name"}``, or ``{"error"}``
        naming the services we take (an answer too: the editor shows it in the dialog)."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        try:
            provider, post_id = embeds.parse(request.GET.get("address", "")[:2000])
        except ValidationError as refused:
            return JsonResponse({"error": refused.messages[0]})
        return JsonResponse(
            {"provider": provider.slug, "id": post_id, "name": capfirst(provider.describe())}
        )

    def tags_view(self, request):
        """Existing tags whose names contain ``?q=``, those starting with it first, as JSON
        (``{"tags": [name, ...]}``) for the tag box's suggestions (static/newsroom/admin/tags.js)."""
        if not (
            request.user.has_perm("taggit.view_tag")
            or self.has_add_permission(request)
            or self.has_change_permission(request)
        ):
            raise PermissionDenied
        query = " ".join(request.GET.get("q", "").split())[:100]
        names = []
        if query:
            names = list(
                Tag.objects.filter(name__icontains=query)
                .annotate(
                    starts=Case(
                        When(name__istartswith=query, then=Value(0)),
                        default=Value(1),
                        output_field=IntegerField(),
                    )
                )
                .order_by("starts", "name")
                .values_list("name", flat=True)[:TAG_SUGGESTIONS]
            )
        return JsonResponse({"tags": names})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The side panel's sentence saying what saving will do, as the page opens (story-form.js
        # keeps it current), and the links to the story's log, corrections and history.
        form = context["adminform"].form
        context["save_effect"] = form.save_effect()
        original = obj.status if obj is not None else None
        context["save_effects"] = json.dumps(save_effects(original=original))
        context["has_corrections_inline"] = any(
            inline.formset.model is Correction for inline in context["inline_admin_formsets"]
        )
        # What the agency sent since the story was taken from its copy, above everything else.
        context["agency_alert"] = admin_agency.banner(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_changelist(self, request, **kwargs):
        return StoryChangeList

    def changelist_view(self, request, extra_context=None):
        # "Stories", not the framework's "Select story to change".
        return super().changelist_view(request, {"title": "Stories", **(extra_context or {})})

    @contextmanager
    def create_revision(self, request):
        """django-reversion's revision block around the add, change and list views (a form's
        save, a bulk action), for requests that may save. A GET or HEAD saves nothing, so it gets
        no block: a block is a transaction, and SQLite's are IMMEDIATE (newsroom/settings.py), so
        one around a look at the list would take the write lock that every save waits for."""
        if request.method in ("GET", "HEAD"):
            yield
        else:
            with super().create_revision(request):
                yield

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (
            obj is None or obj.status != Status.KILLED or kill.can_kill(request.user)
        )

    def has_change_permission(self, request, obj=None):
        # A killed story is the legal record: read-only for everyone (the kill page is the only
        # way in, an administrator's restore the only way out: articles/admin_kill.py).
        allowed = super().has_change_permission(request, obj)
        return allowed and (
            obj is None or (obj.status != Status.KILLED and services.can_edit(request.user, obj))
        )

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.status != Status.KILLED)

    def has_publish_permission(self, request):
        return services.is_editor(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = [
            "word_count",
            "workflow",
            "lead_image_preview",
            "taken_from",
            "created_at",
            "created_by",
            "modified_at",
            "modified_by",
        ]
        if not services.is_editor(request.user):
            fields += ["published_at", "updated_at"]
        if obj is not None and not self.has_change_permission(request, obj):
            fields.append("text_as_readers_see_it")
        return fields

    def get_fieldsets(self, request, obj=None):
        """For someone who may only read the story (the Legal role, a killed story), its body as
        readers would see it rather than its stored markup."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        return [
            (
                name,
                {
                    **options,
                    "fields": [
                        "text_as_readers_see_it" if field == "body" else field
                        for field in options["fields"]
                    ],
                },
            )
            for name, options in fieldsets
        ]

    @admin.display(description="Body")
    def text_as_readers_see_it(self, obj):
        return mark_safe(sanitize_html(obj.body))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        """Nothing yet: ``save_related`` saves the story with everything that hangs off it."""

    def save_related(self, request, form, formsets, change):
        """The story, its form's relations and inlines, and all a save brings (the revision, the
        workflow log, mentions, a reporter's byline, “Updated”): one service call."""
        save_form_relations = super().save_related

        def save_relations():
            save_form_relations(request, form, formsets, change)
            return [new for fs in formsets if fs.model is Correction for new in fs.new_objects]

        services.article_save(article=form.instance, user=request.user, save_related=save_relations)

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

    # History: every admin save is a revision (django-reversion); editors may restore one's text
    # (articles/admin_revisions.py), saved as a new revision, so the text it replaces is kept too.

    def history_view(self, request, object_id, extra_context=None):
        # CheckedAdminMixin answers an id that is not a story's before django-reversion's query.
        response = super().history_view(request, object_id, extra_context)
        article = self.get_object(request, unquote(object_id))
        if article is not None and hasattr(response, "context_data"):
            changes = revision_changes(article)
            for action in response.context_data.get("action_list", []):
                action["changes"] = changes.get(action["revision"].pk, [])
        return response

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

    @admin.display(description="Story", ordering="headline")
    def story(self, obj):
        return format_html(
            '<span class="story-headline">{}</span><span class="story-bylines">{}</span>',
            obj.headline,
            obj.byline_names,
        )

    @admin.display(description="Published", ordering="published_at")
    def published(self, obj):
        return two_line_time(obj.published_at)

    @admin.display(description="Last changed", ordering="modified_at")
    def changed(self, obj):
        return two_line_time(obj.modified_at)

    @admin.display(description="Status", ordering="status")
    def status_label(self, obj):
        if obj.is_scheduled:
            label = format_html("Scheduled for {}", two_line_time(obj.published_at))
        else:
            label = obj.get_status_display()
        if services.embargo_holds(obj):
            return format_html(
                '{}<br><span class="story-embargo">Embargoed until {}</span>',
                label,
                two_line_time(obj.embargo_until),
            )
        return label

    @admin.display(description="Words")
    def word_count(self, obj):
        return len(html_to_text(obj.body).split()) if obj and obj.body else 0

    @admin.display(description="Taken from")
    def taken_from(self, obj):
        """The agency copy the story was taken from, linked to it in the wire queue."""
        found = admin_agency.sources(obj)
        if not found:
            return "Not taken from agency copy."
        return format_html_join(
            mark_safe("<br>"), '<a href="{}">{}</a>', ((url, what) for what, url in found)
        )

    @admin.display(description="As saved")
    def lead_image_preview(self, obj):
        image = obj.lead_image if obj is not None and obj.pk else None
        if image is None:
            return "No lead image yet."
        candidates = renditions.renditions(image, fmt="WEBP") or renditions.renditions(image)
        width = LEAD_IMAGE_THUMBNAIL_WIDTH
        picture = "—"
        if candidates:
            chosen = next((r for r in candidates if r.width >= 2 * width), candidates[-1])
            picture = format_html(
                '<img src="{}" width="{}" height="{}" alt="">',
                chosen.url,
                width,
                round(width * chosen.height / chosen.width),
            )
        return format_html(
            '<div class="lead-image-preview">{}<dl><dt>Alt text</dt><dd>{}</dd>'
            "<dt>Credit</dt><dd>{}</dd></dl></div>",
            picture,
            image.alt_text or "— (none: add it in the image library)",
            image.credit or "—",
        )

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


class StoryColumnMixin:
    """The story a row belongs to, in the editors' word (the field's name is ``article``)."""

    @admin.display(description="Story", ordering="article")
    def story(self, obj):
        return obj.article


@admin.register(Correction)
class CorrectionAdmin(StoryColumnMixin, CheckedAdminMixin, admin.ModelAdmin):
    list_display = ["story", "kind", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["article"]
    search_fields = ["text", "article__headline"]
    autocomplete_fields = ["article"]
    date_hierarchy = "created_at"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "article":
            kwargs.setdefault("label", "Story")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return kill.hide_killed(request.user, super().get_queryset(request))

    def has_change_permission(self, request, obj=None):
        # A killed story's corrections are part of its legal record, as its text is.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.article.status != Status.KILLED)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.article.status != Status.KILLED)

    def save_model(self, request, obj, form, change):
        services.correction_save(correction=obj)


@admin.register(StatusChange)
class StatusChangeAdmin(StoryColumnMixin, CheckedAdminMixin, admin.ModelAdmin):
    """The workflow log: read-only, since history that can be edited is not history."""

    list_display = ["story", "from_status", "to_status", "user", "at", "published_at"]
    list_filter = ["to_status"]
    list_select_related = ["article", "user"]
    search_fields = ["article__headline"]
    date_hierarchy = "at"
    fields = ["story", "from_status", "to_status", "user", "at", "published_at"]
    readonly_fields = ["story"]

    def get_queryset(self, request):
        return kill.hide_killed(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The people admin, with the stories that mention each person.
admin_people.register(admin.site)
