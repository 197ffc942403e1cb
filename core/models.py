"""Site-wide records that belong to no single app: the addresses objects used to have."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class SlugHistoryQuerySet(models.QuerySet):
    def for_model(self, model):
        return self.filter(content_type=ContentType.objects.get_for_model(model))

    def object_id_for(self, model, slug: str) -> int | None:
        """The id of the ``model`` object that last had ``slug`` as its address, if any."""
        return self.for_model(model).filter(slug=slug).values_list("object_id", flat=True).first()


class SlugHistory(models.Model):
    """An address a story, section, person, organization or reporter used to have.

    Written automatically whenever an object's slug changes (``core.slugs``), so a link
    printed, shared or indexed under an old headline keeps working: the old address answers a
    permanent redirect to the current one, without anyone doing anything.
    """

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", help_text="The kind of object."
    )
    object_id = models.PositiveBigIntegerField(help_text="The object that had this address.")
    slug = models.CharField(
        max_length=255,
        help_text="The old slug. Each old slug points at the last object of its kind that had it.",
    )
    created_at = models.DateTimeField(
        default=timezone.now, help_text="When the object moved away from this address."
    )
    target = GenericForeignKey("content_type", "object_id")

    objects = SlugHistoryQuerySet.as_manager()

    class Meta:
        ordering = ["content_type", "slug"]
        verbose_name = "old address"
        verbose_name_plural = "old addresses"
        constraints = [
            models.UniqueConstraint(fields=["content_type", "slug"], name="slughistory_slug_once")
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="slughistory_object_idx")
        ]

    def __str__(self):
        return f"{self.content_type.model} “{self.slug}” → #{self.object_id}"


class DemoData(models.Model):
    """Marks rows made by ``seed_demo``, so ``seed_demo --clear`` removes exactly those."""

    is_demo = models.BooleanField(
        default=False,
        editable=False,
        help_text="Made by seed_demo for trying the site out; removed by seed_demo --clear.",
    )

    class Meta:
        abstract = True
