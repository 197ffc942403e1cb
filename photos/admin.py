from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.html import format_html, format_html_join

from core.admin import CheckedAdminMixin
from core.published_use import ShownPubliclyMixin, uses_of

from . import renditions
from .fields import PhotoFileField
from .models import Image

THUMBNAIL_WIDTH = 96
# How wide the story editor draws a picture in the body.
EDITOR_WIDTH = 320
# What readers see while renditions are missing (``photos.renditions.renditions``).
FALLBACK = "Pages use the copies that were made, or the original picture where none could be."
# Said after a save, when the renditions are made by the worker (photos.tasks).
PENDING = (
    "Its resized copies are being made in the background; until they are ready (seconds, usually) "
    "pages show the original picture."
)
QUEUED = f"The picture is saved. {PENDING}"
QUEUED_AGAIN = "The picture is saved. Any resized copies it lacks are being made in the background."
# How many of the stories using a picture its page, and a refusal to delete it, list.
USES_SHOWN = 50


@admin.register(Image)
class ImageAdmin(CheckedAdminMixin, ShownPubliclyMixin, admin.ModelAdmin):
    """The image library. Uploads are checked by the file field itself (``photos.fields``), so this
    form and the "+" popup beside a story's lead image refuse the same files with the same messages.

    Anyone who may add pictures may add them (the popup included); only an editor may change or
    delete one a published story shows (:class:`ShownPubliclyMixin`). Nobody may delete one that
    any story uses as lead image or in its body, whatever the story's status: the story protects
    it (``PROTECT``), and the delete pages name the stories to take it out of. Its page lists
    those stories ("Used in", from ``core.published_use.uses_of``).
    """

    locked_message = (
        "This picture is shown with a published story (as its lead image, in its body, or as the "
        "photo of a reporter or person in it): only an editor can change or delete it."
    )

    list_display = ["thumbnail", "alt_text", "short_caption", "credit", "dimensions", "created_at"]
    list_display_links = ["thumbnail", "alt_text"]
    # The story form's lead image autocomplete searches these too.
    search_fields = ["alt_text", "caption", "credit"]
    date_hierarchy = "created_at"
    list_per_page = 50
    fields = [
        "file",
        "preview",
        "alt_text",
        "caption",
        "credit",
        "copyright_notice",
        ("focal_x", "focal_y"),
        "crops",
        "copies",
        "dimensions",
        "uploaded_by",
        "created_at",
        "used_in",
    ]
    readonly_fields = [
        "preview",
        "crops",
        "copies",
        "dimensions",
        "uploaded_by",
        "created_at",
        "used_in",
    ]
    formfield_overrides = {PhotoFileField: {"widget": AdminFileWidget}}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        # A picture being added is used nowhere yet.
        return fields if obj is not None else [name for name in fields if name != "used_in"]

    def get_deleted_objects(self, objs, request):
        """Refusing to delete a picture a story uses (``PROTECT``) names the stories, linked, with
        their status and how they use it, rather than Django's list of protected rows."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            objs = list(objs)
            named = []
            for obj in objs:
                lines = [_use_line(use) for use in uses_of(obj, USES_SHOWN)]
                if lines and len(objs) > 1:
                    named += [str(obj), lines]
                else:
                    named += lines
            protected = named or protected
        return deleted, counts, perms_needed, protected

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        summary = path(
            "<int:pk>/summary/",
            self.admin_site.admin_view(self.summary_view),
            name="{}_{}_summary".format(*info),
        )
        return [summary, *super().get_urls()]

    def summary_view(self, request, pk):
        """A picture as the story body's editor shows it (static/newsroom/admin/furniture.js):
        ``{"id", "thumbnail", "alt", "caption", "credit"}``; 404 for a number not in the library."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        image = get_object_or_404(Image, pk=pk)
        chosen = next(
            (r for r in _webp_or_original(image) if r.width >= 2 * EDITOR_WIDTH),
            (_webp_or_original(image) or [None])[-1],
        )
        return JsonResponse(
            {
                "id": image.pk,
                "thumbnail": chosen.url if chosen else "",
                "alt": image.alt_text,
                "caption": image.caption,
                "credit": image.credit,
            }
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
        if getattr(obj, "renditions_queued", False):
            messages.info(request, QUEUED if obj.renditions_pending else QUEUED_AGAIN)
        elif obj.rendition_failures:
            lines = renditions.describe_failures(obj, obj.rendition_failures)
            messages.warning(
                request,
                f"The picture is saved, but {len(obj.rendition_failures)} of its resized copies "
                f"could not be made: {'; '.join(lines)}. {FALLBACK} Saving it again tries again; "
                "the server log has the details.",
            )

    @admin.display(description="Picture")
    def thumbnail(self, obj):
        return _img(_webp_or_original(obj), THUMBNAIL_WIDTH)

    @admin.display(description="Caption")
    def short_caption(self, obj):
        return obj.caption[:80] + ("…" if len(obj.caption) > 80 else "")

    @admin.display(description="Size in pixels")
    def dimensions(self, obj):
        return f"{obj.width} × {obj.height}" if obj.width else "—"

    @admin.display(description="Preview")
    def preview(self, obj):
        if not renditions.is_ready(obj):
            return "Shown here once the picture is saved."
        return _img(_webp_or_original(obj), 480)

    @admin.display(description="Crops around the focal point")
    def crops(self, obj):
        if not renditions.is_ready(obj):
            return "—"
        return format_html_join(
            " ",
            "<figure style='display:inline-block;margin:0 1rem 0 0'>{}<figcaption>{}</figcaption>"
            "</figure>",
            (
                (_img(_webp_or_original(obj, ratio), 160), ratio)
                for ratio in renditions.crop_ratios()
            ),
        )

    @admin.display(description="Used in")
    def used_in(self, obj):
        """The stories using the picture as lead image or in the body, whatever their status."""
        uses = uses_of(obj, USES_SHOWN + 1)
        if not uses:
            return "Not used in any story."
        return format_html(
            '<ul class="used-in">{}</ul>{}',
            format_html_join("", "<li>{}</li>", ((_use_line(use),) for use in uses[:USES_SHOWN])),
            f"The first {USES_SHOWN} are listed." if len(uses) > USES_SHOWN else "",
        )

    @admin.display(description="Resized copies")
    def copies(self, obj):
        """Which renditions the last save (or `manage.py photo_renditions`) could not make, and
        why; read from the row, as pages do, so it costs no look at storage."""
        if not renditions.is_ready(obj):
            return "Made when the picture is saved."
        if obj.renditions_pending:
            return PENDING
        if not obj.rendition_failures:
            return f"All {len(renditions.all_renditions(obj))} were made."
        return format_html(
            "<strong>{} could not be made</strong>. {} Saving the picture again tries again."
            "<ul>{}</ul>",
            len(obj.rendition_failures),
            FALLBACK,
            format_html_join(
                "",
                "<li>{}</li>",
                ((line,) for line in renditions.describe_failures(obj, obj.rendition_failures)),
            ),
        )


def _use_line(use) -> str:
    """“<a>Headline</a> (Published, lead image)”: a story using a picture, linked to its page."""
    return format_html('<a href="{}">{}</a> ({}, {})', use.url, use.label, use.status, use.how)


def _webp_or_original(obj, ratio=None):
    """The WebP renditions, or what pages show instead when those could not be made."""
    return renditions.renditions(obj, ratio=ratio, fmt="WEBP") or renditions.renditions(
        obj, ratio=ratio
    )


def _img(candidates, width):
    """The smallest rendition that fills ``width`` CSS pixels on a high-density screen."""
    if not candidates:
        return "—"
    chosen = next((r for r in candidates if r.width >= 2 * width), candidates[-1])
    height = round(width * chosen.height / chosen.width)
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="" loading="lazy">',
        chosen.url,
        width,
        height,
    )
