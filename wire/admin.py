"""The wire queue in the admin: agency items as received, newest first, and taking one to a draft.

The queue is read-only: items come only from ingest (``manage.py ingest``, the inbox), and nobody
adds, changes or deletes one here. Editors (``wire.take_wireitem``) take an item to a draft story
from its page (``templates/admin/wire/wireitem/change_form.html``) or from its row, a POST to
``/admin/wire/wireitem/<id>/take/`` that calls ``services.take_to_draft``, which checks the
permissions and the item again. Reporters read the queue.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from articles.admin import EmbargoFilter, two_line_time
from articles.models import Section
from core.admin import CheckedAdminMixin, CheckedChangeList, is_usable_key

from . import services
from .models import WireItem

PubStatus = WireItem.PubStatus
# The agency's summary under the headline in the queue: enough to tell two items apart.
SUMMARY_WORDS = 30

# An item's state on the desk, in the order the label is decided: the agency's kill or hold
# first (whatever was done with the item before), then whether it was taken, then whether the
# agency sent a later version. ``StatusFilter`` selects the same partition.
NEW, UPDATED, TAKEN, WITHHELD, KILLED = "new", "updated", "taken", "withheld", "killed"
STATUS_LABELS = {
    NEW: "New",
    UPDATED: "Updated",
    TAKEN: "Taken",
    WITHHELD: "Withheld",
    KILLED: "KILLED",
}


def status_of(item: WireItem) -> str:
    if item.pubstatus == PubStatus.CANCELED:
        return KILLED
    if item.pubstatus == PubStatus.WITHHELD:
        return WITHHELD
    if item.story_id is not None:
        return TAKEN
    return UPDATED if item.is_update else NEW


def can_take(user, item: WireItem) -> bool:
    """Whether ``user`` is offered the take button (``services.take_to_draft`` checks again)."""
    return services.may_take(user) and status_of(item) in (NEW, UPDATED)


def story_url(story) -> str:
    return reverse("admin:articles_article_change", args=[story.pk])


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            (NEW, "New"),
            (UPDATED, "Updated"),
            (TAKEN, "Taken"),
            (WITHHELD, "Withheld"),
            (KILLED, "Killed"),
        ]

    def queryset(self, request, queryset):
        usable_untaken = Q(pubstatus=PubStatus.USABLE, story__isnull=True)
        found = {
            NEW: usable_untaken & Q(is_update=False),
            UPDATED: usable_untaken & Q(is_update=True),
            TAKEN: Q(pubstatus=PubStatus.USABLE, story__isnull=False),
            WITHHELD: Q(pubstatus=PubStatus.WITHHELD),
            KILLED: Q(pubstatus=PubStatus.CANCELED),
        }.get(self.value())
        return queryset if found is None else queryset.filter(found)


class AgencyFilter(admin.SimpleListFilter):
    """The agencies that sent what is in the queue."""

    title = "agency"
    parameter_name = "provider"

    def lookups(self, request, model_admin):
        providers = (
            WireItem.objects.order_by("provider").values_list("provider", flat=True).distinct()
        )
        return [(provider, provider) for provider in providers]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(provider=self.value())
        return queryset


class SubjectFilter(admin.RelatedOnlyFieldListFilter):
    """The subjects of the items in the queue, not every subject ever received."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "subject"
        self.empty_value_display = "No subject"


class QueueChangeList(CheckedChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # The list shows neither text nor payload, its own or its story's: leave the largest
        # columns in the database (search still looks in the body).
        queryset = super().get_queryset(request, exclude_parameters)
        return queryset.defer("body", "raw", "story__body")


class TakeForm(forms.Form):
    section = forms.ModelChoiceField(
        queryset=Section.objects.all(),
        required=False,
        empty_label=None,
        label="Section",
        help_text="The section the draft story goes in.",
    )


@admin.register(WireItem)
class WireItemAdmin(CheckedAdminMixin, admin.ModelAdmin):
    list_display = [
        "item",
        "agency",
        "version_label",
        "version_sent",
        "status_label",
        "embargo",
        "subject_names",
    ]
    list_display_links = ["item"]
    list_filter = [
        AgencyFilter,
        ("subjects", SubjectFilter),
        StatusFilter,
        EmbargoFilter,
    ]
    search_fields = ["headline", "byline", "dateline", "body", "uri"]
    list_select_related = ["story"]
    # No bulk actions: nothing here is deleted, and an item is taken one at a time, having been
    # read (the row's button, or the item's page).
    actions = None
    show_full_result_count = False
    change_list_template = "admin/wire/wireitem/change_list.html"
    change_form_template = "admin/wire/wireitem/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("story", "taken_by")
            .prefetch_related("subjects")
        )

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    def get_list_display(self, request):
        # An editor's status cell carries the take button: a column of its own would not fit
        # beside the filters.
        if services.may_take(request.user):
            return [
                "status_and_take" if name == "status_label" else name for name in self.list_display
            ]
        return self.list_display

    # Read-only for everyone, superusers too: the queue is the record of what the agencies sent.

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        take = path(
            "<path:object_id>/take/",
            self.admin_site.admin_view(self.take_view),
            name="{}_{}_take".format(*info),
        )
        return [take, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        # "Wire queue", not the framework's "Select wire item to view".
        return super().changelist_view(request, {"title": "Wire queue", **(extra_context or {})})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The item's page is its preview (change_form.html), not a form of read-only fields.
        if obj is not None:
            context.update(self.preview_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def preview_context(self, request, item):
        now = timezone.now()
        return {
            "title": item.headline,
            "item": item,
            "status": status_of(item),
            "status_label": STATUS_LABELS[status_of(item)],
            "embargo_holds": item.embargo_until is not None and item.embargo_until > now,
            "subjects": list(item.subjects.all()),
            "story_url": story_url(item.story) if item.story_id else "",
            "taken_by": (item.taken_by.get_full_name() or item.taken_by.get_username())
            if item.taken_by
            else "",
            "can_take": can_take(request.user, item),
            "take_url": reverse("admin:wire_wireitem_take", args=[item.pk]),
            "take_form": TakeForm(),
        }

    def take_view(self, request, object_id):
        """Take the item to a draft story and open the story's form; a refusal is said on the
        item's page. The service checks the permissions and the item again."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not services.may_take(request.user):
            raise PermissionDenied("Only an editor can take wire copy to a story.")
        object_id = unquote(object_id)
        item = None
        if is_usable_key(self.opts.pk, object_id):
            item = self.get_object(request, object_id)
        if item is None:
            raise Http404("No such item in the wire queue.")
        item_page = redirect(reverse("admin:wire_wireitem_change", args=[item.pk]))
        form = TakeForm(request.POST)
        if not form.is_valid():
            messages.error(
                request, "That section is not in the list any more: choose another and try again."
            )
            return item_page
        try:
            story = services.take_to_draft(
                item=item, user=request.user, section=form.cleaned_data["section"]
            )
        except services.TakeRefused as refused:
            messages.error(request, str(refused))
            return item_page
        messages.success(
            request,
            f"Taken to a draft story: “{story.headline}”, credited to {item.provider}. Edit it "
            "here; the agency's copy stays in the wire queue.",
        )
        return redirect(story_url(story))

    # Columns.

    @admin.display(description="Item", ordering="headline")
    def item(self, obj):
        return format_html(
            '<span class="wire-headline">{}</span><span class="wire-summary">{}</span>',
            obj.headline,
            Truncator(obj.standfirst).words(SUMMARY_WORDS),
        )

    @admin.display(description="Agency", ordering="provider")
    def agency(self, obj):
        return obj.provider

    @admin.display(description="Version", ordering="version")
    def version_label(self, obj):
        if obj.is_update:
            return format_html('{} <span class="wire-updated">updated</span>', obj.version)
        return obj.version

    @admin.display(description="Sent", ordering="versioncreated")
    def version_sent(self, obj):
        return two_line_time(obj.versioncreated)

    @admin.display(description="Status")
    def status_label(self, obj):
        status = status_of(obj)
        label = format_html(
            '<span class="wire-status wire-status--{}">{}</span>', status, STATUS_LABELS[status]
        )
        if obj.story_id is None:
            return label
        # A killed or withheld item that was taken still leads to its story, which the editor
        # has to deal with.
        return format_html(
            '{}<a class="wire-story" href="{}" title="{}">{}</a>',
            label,
            story_url(obj.story),
            obj.story.headline,
            "the story" if status == TAKEN else "taken: the story",
        )

    @admin.display(description="Embargo", ordering="embargo_until", empty_value="")
    def embargo(self, obj):
        if obj.embargo_until is None:
            return ""
        if obj.embargo_until > timezone.now():
            return format_html(
                '<span class="wire-embargo">{}</span>', two_line_time(obj.embargo_until)
            )
        return two_line_time(obj.embargo_until)

    @admin.display(description="Subjects", empty_value="")
    def subject_names(self, obj):
        return ", ".join(subject.name for subject in obj.subjects.all())

    @admin.display(description="Status")
    def status_and_take(self, obj):
        if status_of(obj) not in (NEW, UPDATED):
            return self.status_label(obj)
        # The button posts the list page's one small form (change_list.html), which carries
        # the CSRF token: a form per row cannot sit inside the list's own form.
        return format_html(
            "{}{}",
            self.status_label(obj),
            format_html(
                '<button type="submit" form="wire-take" formaction="{}" class="button wire-take">'
                'Take to draft<span class="visually-hidden">: “{}”</span></button>',
                reverse("admin:wire_wireitem_take", args=[obj.pk]),
                obj.headline,
            ),
        )
