"""The image library: every picture on the site, with what it shows and who took it."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Image(models.Model):
    file = models.ImageField(
        upload_to="images/%Y/%m/",
        width_field="width",
        height_field="height",
        help_text="JPEG, PNG, WebP or GIF.",
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

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.alt_text[:80]
