"""The image library: every picture on the site, with what it shows and who took it."""

import contextlib
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, router, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from core import keys
from core.tasks import enqueue_on_commit

from . import renditions
from .fields import PhotoFileField

logger = logging.getLogger("photos")
# The fields whose change gives a picture new renditions (see ``Image._source``).
RENDITION_SOURCE = {"file", "focal_x", "focal_y"}


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
    # Set by a save that changes what the renditions are made from (a new picture, a new file, a
    # new focal point) and cleared once they are made, in the background: until then pages show
    # the original (``photos.renditions.renditions``) rather than links to files not yet there.
    renditions_pending = models.BooleanField(
        default=False,
        editable=False,
        help_text="The resized copies of this picture are still being made.",
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
        using, update_fields = kwargs.get("using"), kwargs.get("update_fields")
        stored = self._stored_source(using, update_fields)
        if self.file and not (self.width and self.height):
            # Django fills these from the file, except when it was saved from an unnamed
            # ContentFile (``image.file.save(name, ContentFile(data), save=False)``).
            with contextlib.suppress(OSError):  # no file in storage: nothing to measure
                self.width, self.height = self.file.width or 0, self.file.height or 0
        if stored != self._source():
            self.renditions_pending = True
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "renditions_pending"}
        super().save(*args, **kwargs)
        replaced = stored and stored[0]
        if replaced and replaced != self.file.name:
            # A new file: the old one and its renditions go once this save is committed (a
            # rolled-back save must find them), so a picture taken down stops being served.
            forget_file(self, replaced)
        # Renditions are made once, on save and never by a page view, but in the background: a
        # large photo takes seconds, which the editor's save does not wait for. Every save of the
        # picture asks, so a save also makes what an earlier attempt could not (what is there
        # costs only a look at storage).
        if self.file and (update_fields is None or {*update_fields} & RENDITION_SOURCE):
            from .tasks import make_renditions

            done = enqueue_on_commit(make_renditions, self.pk, using=using or self._state.db)
            # Whether the admin can say "being made" rather than how it went.
            self.renditions_queued = done is None
            if done is not None:  # made at once (the immediate back end): as stored now
                self.refresh_from_db(fields=["renditions_pending", "rendition_failures"])

    def _source(self) -> tuple:
        """What the renditions are made from: their names change when any of it does."""
        return (self.file.name or "", self.focal_x, self.focal_y)

    def make_renditions(self, using: str | None = None) -> list[renditions.Rendition]:
        """Make the renditions this picture lacks and return them; record those that could not be
        made (``rendition_failures``) and log why on the "photos" logger. Called by the background
        task a save queues (``photos.tasks``) and by `manage.py photo_renditions`.

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
        if failures != self.rendition_failures or self.renditions_pending:
            self._made_from_source(failures, using or self._state.db)
        return made

    def _made_from_source(self, failures: dict[str, str], using: str | None) -> None:
        """Record the outcome, unless the file or focal point changed meanwhile (a save while the
        renditions were being made): that save queued renditions of its own, and until they are
        made the row must stay pending, so pages keep showing the original."""
        file_name, focal_x, focal_y = self._source()
        changed = (
            type(self)
            ._base_manager.using(using)
            .filter(pk=self.pk, file=file_name, focal_x=focal_x, focal_y=focal_y)
            .update(rendition_failures=failures, renditions_pending=False)
        )
        if changed:
            self.rendition_failures, self.renditions_pending = failures, False
            # update() sends no signal: the pages showing this picture are told here.
            keys.purge(keys.key(self))

    def _stored_source(self, using, update_fields) -> tuple | None:
        """What the renditions of this row in the database are made from (``_source``), before a
        save of the row; None for a new row. A save of other fields counts as changing nothing."""
        if self._state.adding or self.pk is None:
            return None
        if update_fields is not None and not {*update_fields} & RENDITION_SOURCE:
            return self._source()
        using = using or self._state.db or router.db_for_write(type(self), instance=self)
        rows = type(self)._base_manager.using(using).filter(pk=self.pk)
        row = rows.values_list("file", "focal_x", "focal_y").first()
        return None if row is None else (row[0] or "", row[1], row[2])


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
