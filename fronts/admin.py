"""Fronts in the admin: the list of pages an editor can arrange, and the arrange screen.

The screen shows each block of the front with its places; a place holds the story an editor put
there (picked by search) or, greyed, the story the rule puts there now. Editors order blocks and
places by dragging, with the Move up/down buttons, or by typing positions; "Preview" shows the
front as arranged without saving it; "Save" makes it live (one revision, one purge of this front).
The history under the form lists every saved arrangement, and an earlier one can be restored.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from reversion.models import Version

from articles.models import Section

from . import layout
from .forms import BlockForm, SlotForm, check_once_on_front, check_places, slot_forms
from .models import Block, Front
from .services import (
    PlannedBlock,
    PlannedSlot,
    front_arrange,
    front_restore,
    unsaved_arrangement,
)

HISTORY_SHOWN = 15


@admin.register(Front)
class FrontAdmin(admin.ModelAdmin):
    list_display = ["page", "arranged", "last_arranged", "updated_by_name", "view_on_site_link"]
    list_display_links = ["page"]
    list_per_page = 100

    @admin.display(description="Page", ordering="section__order")
    def page(self, front):
        return str(front)

    @admin.display(description="Arranged by an editor", boolean=True, ordering="has_blocks")
    def arranged(self, front):
        return front.has_blocks

    @admin.display(description="Last saved", ordering="updated_at")
    def last_arranged(self, front):
        return front.updated_at if front.has_blocks else "—"

    @admin.display(description="Last arranged by")
    def updated_by_name(self, front):
        user = front.updated_by
        return (user.get_full_name() or user.get_username()) if user else "—"

    @admin.display(description="On the site")
    def view_on_site_link(self, front):
        return format_html('<a href="{}">See it</a>', front.get_absolute_url())

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("section", "updated_by")
        return queryset.annotate(has_blocks=Exists(Block.objects.filter(front=OuterRef("pk"))))

    def has_add_permission(self, request):
        # Every page has its front already (made when the list is opened).
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @method_decorator(never_cache)
    def changelist_view(self, request, extra_context=None):
        if self.has_view_or_change_permission(request):
            ensure_fronts()
        extra_context = {"title": "Fronts: choose a page to arrange", **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @method_decorator(never_cache)
    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self.arrange_view(request, object_id)

    # The arrange screen ---------------------------------------------------------------------

    def arrange_view(self, request, object_id):
        front = self.get_object(request, unquote(object_id))
        if front is None:
            raise Http404("No front at this address.")
        if not self.has_view_or_change_permission(request, front):
            raise PermissionDenied
        can_change = self.has_change_permission(request, front)
        if request.method == "POST":
            if not can_change:
                raise PermissionDenied
            if "_restore" in request.POST:
                return self.restore(request, front)
            return self.arrange_post(request, front)
        arrangement = layout.arrangement_of(front)
        blocks = [
            BlockForm(instance=block, prefix=f"block-{i}")
            for i, (block, _) in enumerate(arrangement)
        ]
        rows = [
            slot_forms(None, i, slots, block.size, prefix_of=block_prefix)
            for i, (block, slots) in enumerate(arrangement)
        ]
        return self.render_arrange(request, front, blocks, rows, arrangement=arrangement)

    def arrange_post(self, request, front):
        count = number_in(request.POST, "blocks-count", most=60)
        blocks = [BlockForm(request.POST, prefix=f"block-{i}") for i in range(count)]
        blocks.append(BlockForm(request.POST, prefix=f"block-{count}", blank=True))
        rows = [slot_forms(request.POST, i, (), 0, prefix_of=block_prefix) for i in range(count)]
        rows.append([])
        valid = all(form.is_valid() for form in blocks) & all(
            row.is_valid() for block_rows in rows for row in block_rows
        )
        errors = []
        if valid:
            for block_rows in rows:
                check_places(block_rows)
            errors = check_once_on_front(blocks, lambda i: rows[i])
            valid = not errors and all(not row.errors for r in rows for row in r)
        if not valid:
            messages.error(request, "The front was not saved: please correct the errors below.")
            return self.render_arrange(request, front, blocks, rows, errors=errors, status=400)
        planned = plan(blocks, rows)
        if "_preview" in request.POST:
            return preview(request, front, planned)
        front = front_arrange(
            front=front, blocks=planned, user=request.user, comment=describe(planned)
        )
        self.log_change(request, front, describe(planned))
        messages.success(request, f"{front} saved: readers see it now.")
        return HttpResponseRedirect(request.path)

    def restore(self, request, front):
        wanted = number_in(request.POST, "_restore", most=2**31)
        version = Version.objects.get_for_object(front).filter(pk=wanted).first()
        if version is None:
            messages.error(request, "That arrangement is not in this front's history.")
            return HttpResponseRedirect(request.path)
        with transaction.atomic():
            front = front_restore(front=front, version=version, user=request.user)
            self.log_change(
                request,
                front,
                f"Restored the arrangement of {version.revision.date_created:%-d %B %Y, %H:%M} UTC.",
            )
        messages.success(request, f"{front}: the earlier arrangement is back, and readers see it.")
        return HttpResponseRedirect(request.path)

    def render_arrange(
        self, request, front, blocks, rows, *, arrangement=None, errors=(), status=200
    ):
        # What the rule puts in each empty place now, shown greyed in the empty rows.
        ruled = rule_fill(front, arrangement) if arrangement is not None else {}
        context = {
            **self.admin_site.each_context(request),
            "title": f"Arrange: {front}",
            "subtitle": None,
            "front": front,
            "opts": self.model._meta,
            "blocks": [
                {
                    "form": form,
                    "rows": [
                        {"form": row, "ruled": ruled.get((i, row.initial.get("position")))}
                        for row in rows[i]
                    ],
                    "prefix": block_prefix(i),
                }
                for i, form in enumerate(blocks)
            ],
            "blocks_count": len(blocks) - (1 if blocks and blocks[-1].blank else 0),
            "errors": errors,
            "can_change": self.has_change_permission(request, front),
            "history": Version.objects.get_for_object(front).select_related("revision__user")[
                :HISTORY_SHOWN
            ],
            "media": self.media + BlockForm().media + SlotForm().media,
            "has_view_permission": True,
        }
        if not blocks or not blocks[-1].blank:
            new = BlockForm(prefix=f"block-{len(blocks)}", blank=True)
            context["blocks"].append({"form": new, "rows": [], "prefix": block_prefix(len(blocks))})
        return TemplateResponse(request, "admin/fronts/arrange.html", context, status=status)


def number_in(data, name: str, *, most: int) -> int:
    """A count or id the screen sends, 0 when it is missing or not a number (nothing then)."""
    value = data.get(name, "")
    return min(int(value), most) if value.isdigit() else 0


def block_prefix(index: int) -> str:
    return f"block-{index}-slot"


def ensure_fronts() -> None:
    """A front for the home page and for every section, so each can be arranged."""
    have = set(Front.objects.values_list("section_id", flat=True))
    missing = [Front(section=None)] if None not in have else []
    missing += [
        Front(section_id=pk)
        for pk in Section.objects.values_list("pk", flat=True)
        if pk not in have
    ]
    Front.objects.bulk_create(missing, ignore_conflicts=True)


def rule_fill(front, arrangement) -> dict[tuple[int, int], object]:
    """``(block index, place) -> story`` for the places the rule fills now."""
    index_of = {id(block): index for index, (block, _) in enumerate(arrangement)}
    return {
        (index_of[id(shown.block)], item.position): item.story
        for shown in layout.arrange(front, arrangement)
        for item in shown.items
        if not item.picked
    }


def plan(blocks, rows) -> list[PlannedBlock]:
    planned = []
    for index, form in enumerate(blocks):
        if form.adds_nothing or form.cleaned_data.get("remove"):
            continue
        data = form.cleaned_data
        slots = tuple(
            PlannedSlot(
                position=row.cleaned_data["position"],
                article=row.cleaned_data["article"],
                headline=row.cleaned_data.get("headline", ""),
                image=row.cleaned_data.get("image"),
            )
            for row in rows[index]
            if row.cleaned_data.get("article") is not None
        )
        planned.append(
            PlannedBlock(
                order=data.get("order") or 999,
                kind=data["kind"],
                size=data.get("size") or 4,
                title=data.get("title", ""),
                section=data.get("section"),
                tag=data.get("tag"),
                slots=slots,
            )
        )
    return planned


def describe(planned) -> str:
    placed = sum(len(block.slots) for block in planned)
    return (
        f"Arranged: {len(planned)} block{'s' if len(planned) != 1 else ''}, "
        f"{placed} stor{'ies' if placed != 1 else 'y'} placed by hand."
    )


def preview(request, front, planned):
    """The front as arranged on the screen, not saved: rendered with the public template."""
    arrangement = unsaved_arrangement(front, planned)
    blocks = layout.arrange(front, arrangement)
    response = render(
        request,
        "fronts/front.html",
        {
            "front": front,
            "blocks": blocks,
            "section": front.section,
            "preview": True,
            "more_url": front.get_absolute_url() + "?page=2",
            "canonical_url": front.get_absolute_url(),
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response
