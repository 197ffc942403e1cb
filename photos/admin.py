from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget
from django.utils.html import format_html, format_html_join

from core.admin import CheckedAdminMixin
from core.published_use import ShownPubliclyMixin

from . import renditions
from .fields import PhotoFileField
from .models import Image

THUMBNAIL_WIDTH = 96
# What readers see while renditions are missing (``photos.renditions.renditions``).
FALLBACK = "Pages use the copies that were made, or the original picture where none could be."
# Said after a save, when the renditions are made by the worker (photos.tasks).
PENDING = (
    "Its resized copies are being made in the background; until they are ready (seconds, usually) "
    "pages show the original picture."
)
QUEUED = f"The picture is saved. {PENDING}"
QUEUED_AGAIN = "The picture is saved. Any resized copies it lacks are being made in the background."


@admin.register(Image)
class ImageAdmin(CheckedAdminMixin, ShownPubliclyMixin, admin.ModelAdmin):
    """The image library. Uploads are checked by the file field itself (``photos.fields``), so this
    form and the "+" popup beside a story's lead image refuse the same files with the same messages.

    Anyone who may add pictures may add them (the popup included); only an editor may change or
    delete one a published story shows (:class:`ShownPubliclyMixin`).
    """

    locked_message = (
        "This picture is shown with a published story (as its lead image, or as the photo of a "
        "reporter or person in it): only an editor can change or delete it."
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
    ]
    readonly_fields = ["preview", "crops", "copies", "dimensions", "uploaded_by", "created_at"]
    formfield_overrides = {PhotoFileField: {"widget": AdminFileWidget}}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

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
