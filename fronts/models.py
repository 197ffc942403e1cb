"""A front: the home page or a section's first page, as editors arrange it.

A front is a list of **blocks** (a lead, top stories, a row from one section, a "latest" river),
each with a number of places. Editors put stories in some places (**slots**), with a headline and
picture for this front only; the places left empty are filled by the block's rule: the newest
published stories of its section or tag (the front's section, or every section on the home
page), never a story already on the front. ``fronts.layout`` works out what a front shows.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse

from articles.models import Article, Section


class Front(models.Model):
    section = models.OneToOneField(
        Section,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="front",
        help_text="The section whose first page this is; none for the home page.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The editor who last arranged this front.",
    )

    class Meta:
        ordering = [models.F("section__order").asc(nulls_first=True), "section__name"]
        constraints = [
            # One front per page: the home page (no section) once, each section once.
            models.UniqueConstraint(Coalesce("section", 0), name="front_one_per_page"),
        ]

    def __str__(self):
        return f"{self.section.name} front" if self.section_id else "Home page"

    @property
    def is_home(self) -> bool:
        return self.section_id is None

    def get_absolute_url(self):
        return self.section.get_absolute_url() if self.section_id else reverse("fronts:home")


class Block(models.Model):
    class Kind(models.TextChoices):
        LEAD = "lead", "Lead: one big story, with smaller ones beside it"
        TOP = "top", "Top stories: a row of cards with pictures"
        ROW = "row", "Section row: a heading and a row of cards"
        LATEST = "latest", "Latest: a list of headlines"

    front = models.ForeignKey(Front, on_delete=models.CASCADE, related_name="blocks")
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Position on the front; lower numbers come first."
    )
    kind = models.CharField(
        max_length=10, choices=Kind, default=Kind.TOP, help_text="How the block is laid out."
    )
    title = models.CharField(
        max_length=80,
        blank=True,
        help_text="The heading readers see above the block; empty for none (a section row "
        "takes its section's name).",
    )
    size = models.PositiveSmallIntegerField(
        default=4, help_text="How many stories the block shows (1 to 24)."
    )
    section = models.ForeignKey(
        Section,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Fill empty places with this section's newest stories (default: the front's "
        "section, or every section on the home page).",
    )
    tag = models.ForeignKey(
        "taggit.Tag",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Fill empty places only with stories carrying this tag.",
    )

    class Meta:
        ordering = ["front", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(size__gte=1, size__lte=24), name="block_size_1_to_24"
            )
        ]

    def __str__(self):
        return self.heading or self.kind_name

    @property
    def kind_name(self) -> str:
        """ "Lead", "Top stories"...: the kind's name without its description."""
        return self.get_kind_display().split(":")[0]

    @property
    def heading(self) -> str:
        if self.title:
            return self.title
        if self.kind == self.Kind.ROW and self.section_id:
            return self.section.name
        return ""

    def clean(self):
        if self.kind == self.Kind.ROW and not self.section_id and not self.tag_id:
            raise ValidationError({"section": "A section row needs its section (or a tag)."})


class Slot(models.Model):
    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="slots")
    position = models.PositiveSmallIntegerField(
        help_text="The place in the block, from 1; places without a story are filled by the rule."
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="story",
        limit_choices_to={"status": Article.Status.PUBLISHED},
        help_text="A published or scheduled story; a scheduled one appears here at its time.",
    )
    headline = models.CharField(
        max_length=300,
        blank=True,
        help_text="A headline for this front only; empty for the story's.",
    )
    image = models.ForeignKey(
        "photos.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="picture",
        help_text="A picture for this front only; empty for the story's lead picture.",
    )

    class Meta:
        ordering = ["block", "position"]
        constraints = [
            models.UniqueConstraint(fields=["block", "position"], name="slot_one_story_a_place"),
            models.UniqueConstraint(fields=["block", "article"], name="slot_story_once_a_block"),
        ]

    def __str__(self):
        return f"{self.block}, place {self.position}"
