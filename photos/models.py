"""The image library: every picture on the site, with what it shows and who took it."""

import contextlib
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, router, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from . import renditions
from .fields import PhotoFileField

logger = logging.getLogger("photos")


class Image(models.Model):
    file = PhotoFileField(
        upload_to="images/%Y/%m/",
        width_field="width",
        height_field="height",
        help_text="A JPEG, PNG, WebP or GIF photo. It is checked, turned upright and stripped of "
        "location and camera-owner data before it is stored; an animation keeps its first frame.",
    )
    alt_text = models.CharField(
        max_length=300,
        help_text="What the picture shows, for someone who cannot see it. Required.",
    )
    caption = models.TextField(blank=True, help_text="Shown under the picture.")
    credit = models.CharField(
        max_length=200, blank=True, help_text="Photographer and agency, e.g. “Li Wei / Xinhua”."
    )
    copyright_notice = models.CharField(max_length=300, blank=True)
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    focal_x = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Horizontal centre of interest, 0 (left) to 1 (right); crops keep it in view.",
    )
    focal_y = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Vertical centre of interest, 0 (top) to 1 (bottom).",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Kept on the row so that pages, which never look at storage, can leave these out and the
    # admin can say what is missing and why until a later save or `manage.py photo_renditions`
    # makes them.
    rendition_failures = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="The renditions the last attempt could not make: name, and why.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.alt_text[:80]

    def clean(self):
        super().clean()
        if (self.focal_x is None) != (self.focal_y is None):
            raise ValidationError(
                "Give both coordinates of the focal point, or neither (crops are then centred)."
            )

    def save(self, *args, **kwargs):
        replaced = self._stored_file_name(kwargs.get("using"), kwargs.get("update_fields"))
        if self.file and not (self.width and self.height):
            # Django fills these from the file, except when it was saved from an unnamed
            # ContentFile (``image.file.save(name, ContentFile(data), save=False)``).
            with contextlib.suppress(OSError):  # no file in storage: nothing to measure
                self.width, self.height = self.file.width or 0, self.file.height or 0
        super().save(*args, **kwargs)
        if replaced and replaced != self.file.name:
            # A new file: the old one and its renditions go once this save is committed (a
            # rolled-back save must find them), so a picture taken down stops being served.
            forget_file(self, replaced)
        # Renditions are made here, once, so that no page view ever decodes a picture.
        self.make_renditions(using=kwargs.get("using"))

    def make_renditions(self, using: str | None = None) -> list[renditions.Rendition]:
        """Make the renditions this picture lacks and return them; record those that could not be
        made (``rendition_failures``) and log why on the "photos" logger.

        A failure does not undo the editor's save: the picture is in the library either way, pages
        do without what is missing (with the original where a whole set is), and the next save
        (or `manage.py photo_renditions`) tries again.
        """
        failures: dict[str, str] = {}
        try:
            made = renditions.generate_renditions(self)
        except renditions.RenditionsFailed as failed:
            made, failures = failed.made, failed.reasons()
            logger.exception(
                "Could not make the renditions of image %s (%s): %s",
                self.pk,
                self.file.name,
                "; ".join(renditions.describe_failures(self, failures)),
            )
        if failures != self.rendition_failures:
            self.rendition_failures = failures
            # A save of the row (not an update()), so that the page cache hears of it.
            super().save(update_fields=["rendition_failures"], using=using or self._state.db)
        return made

    def _stored_file_name(self, using, update_fields) -> str | None:
        """The name of the file this row has in the database now, before a save of the row."""
        if self._state.adding or self.pk is None:
            return None
        if update_fields is not None and "file" not in update_fields:
            return None
        using = using or self._state.db or router.db_for_write(type(self), instance=self)
        rows = type(self)._base_manager.using(using).filter(pk=self.pk)
        return rows.values_list("file", flat=True).first()


def forget_file(image, file_name: str) -> None:
    """Once the current transaction commits, delete ``file_name``, a file ``image`` no longer
    uses, and every rendition ``image`` had of it (the file itself stays if another image uses it)."""
    pk, storage, current_name = image.pk, image.file.storage, image.file.name
    using = image._state.db or router.db_for_write(Image, instance=image)

    def delete():
        shared = Image._base_manager.using(using).filter(file=file_name).exists()
        renditions.delete_replaced_file(
            pk=pk,
            file_name=file_name,
            storage=storage,
            current_name=current_name,
            keep_original=shared,
        )

    # robust: a storage error is logged, never turned into an error page after the save is done.
    transaction.on_commit(delete, using=using, robust=True)


@receiver(post_delete, sender=Image)
def delete_image_files(sender, instance, using, **kwargs):
    """Remove the picture and its renditions once the deletion is committed (not before: a
    rolled-back delete must find its files)."""
    pk, file_name, storage = instance.pk, instance.file.name, instance.file.storage

    def delete():
        shared = file_name and Image._base_manager.using(using).filter(file=file_name).exists()
        renditions.delete_files(pk=pk, file_name="" if shared else file_name, storage=storage)

    transaction.on_commit(delete, using=using, robust=True)
