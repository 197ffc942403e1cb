"""The wire queue: agency items as they were received, not stories.

An item is known by its provider and its ``uri`` (ninjs) or ``guid`` (NewsML-G2); a later version
of it replaces the queued one (``wire.services.receive``). Editors take an item to a draft story
(``wire.services.take_to_draft``); the item then remembers the story, so a kill or a new version
from the agency reaches the story's form and the desk (``Article.agency_alert``).
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from articles.models import Article


class Subject(models.Model):
    """A subject an agency tagged items with: its code (an IPTC Media Topic ``medtop:04000000``,
    the agency's own scheme, or ``name:`` and the name when it sent only a name) and its name."""

    code = models.CharField(max_length=200, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name", "code"]

    def __str__(self):
        return self.name


class WireItem(models.Model):
    class Format(models.TextChoices):
        NINJS_1 = "ninjs-1", "ninjs 1.x"
        NINJS_2 = "ninjs-2", "ninjs 2.x"
        NINJS_3 = "ninjs-3", "ninjs 3.x"
        NEWSML_G2 = "newsml-g2", "NewsML-G2"
        PLAIN_TEXT = "plain-text", "Plain-text copy"

    class PubStatus(models.TextChoices):
        USABLE = "usable", "Usable"
        WITHHELD = "withheld", "Withheld by the agency"
        CANCELED = "canceled", "Killed by the agency"

    provider = models.CharField(
        max_length=100, help_text="The agency that sent the item (Reuters, AFP, Xinhua…)."
    )
    uri = models.CharField(
        "agency's identifier",
        max_length=500,
        help_text="The item's uri (ninjs) or guid (NewsML-G2): the same in every version.",
    )
    version = models.PositiveIntegerField(default=1)
    versioncreated = models.DateTimeField(
        "version sent",
        default=timezone.now,
        help_text="When the agency made this version (when it was received, if it did not say).",
    )
    pubstatus = models.CharField(
        "agency's status", max_length=10, choices=PubStatus.choices, default=PubStatus.USABLE
    )
    embargo_until = models.DateTimeField(
        "embargoed until",
        null=True,
        blank=True,
        help_text="The agency's embargo: a story taken from the item is held until then.",
    )
    headline = models.CharField(max_length=500)
    standfirst = models.TextField(blank=True, help_text="The agency's summary.")
    byline = models.CharField(max_length=300, blank=True, help_text="As the agency sent it.")
    dateline = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=20, blank=True)
    body = models.TextField(blank=True, help_text="The text, through the story sanitiser.")
    subjects = models.ManyToManyField(Subject, blank=True, related_name="items")
    format = models.CharField(max_length=20, choices=Format.choices)
    filename = models.CharField("received in", max_length=300, help_text="The file it came in.")
    raw = models.TextField(
        "as received",
        help_text="The item as the agency sent it, for the record (from a file of several items, "
        "that item's part of it).",
    )
    reporter_email = models.EmailField(
        blank=True, help_text="Plain-text copy only: the reporter's email, for the byline."
    )
    received_at = models.DateTimeField(default=timezone.now)
    is_update = models.BooleanField(
        "updated", default=False, help_text="A later version replaced the first one received."
    )
    killed_at = models.DateTimeField(null=True, blank=True)
    story = models.ForeignKey(
        Article,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="wire_items",
        help_text="The draft story taken from this item.",
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-versioncreated", "-pk"]
        verbose_name = "wire item"
        verbose_name_plural = "wire queue"
        constraints = [
            # The agency in any case ("Xinhua" named, "XINHUA" coded): one item, not two.
            models.UniqueConstraint(Lower("provider"), "uri", name="wire_item_provider_uri")
        ]
        indexes = [models.Index(fields=["-versioncreated", "-id"], name="wire_item_newest")]
        permissions = [("take_wireitem", "Can take wire copy to a draft story")]

    def __str__(self):
        return f"{self.headline} ({self.provider}, version {self.version})"

    @property
    def is_killed(self) -> bool:
        return self.pubstatus != self.PubStatus.USABLE
