"""The people and organizations behind every byline and mention."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from core.links import slug_url
from core.models import DemoData
from core.natural_keys import SlugNaturalKeyManager


def library_photo(help_text: str) -> models.ForeignKey:
    """An optional picture from the image library; deleting the picture leaves the row."""
    return models.ForeignKey(
        "photos.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=help_text,
    )


def split_aliases(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class Person(DemoData):
    name = models.CharField(
        max_length=200,
        help_text="The name as printed in the story, family name first where that is the custom "
        "(“Xu Li”, “Choi Koon-shum”). Never split into first and last names.",
    )
    native_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="The name in its own script (for example Chinese characters), only when confirmed.",
    )
    sort_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="How the name is alphabetised in lists. Left empty, the printed name is used.",
    )
    slug = models.SlugField(
        max_length=200, help_text="The person's web address. Changing it breaks links to the page."
    )
    description = models.CharField(
        max_length=300,
        blank=True,
        help_text="One line saying who this is, as a reader needs it (for example a title and body).",
    )
    aliases = models.TextField(
        blank=True,
        help_text="Other names the person appears under in copy, one per line.",
    )
    photo = library_photo("A picture of the person from the image library.")

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["sort_name", "name"]
        verbose_name_plural = "people"
        constraints = [models.UniqueConstraint(fields=["slug"], name="person_slug_unique")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.sort_name:
            self.sort_name = self.name
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return slug_url("people:person", self.slug)

    @property
    def alias_list(self) -> list[str]:
        return split_aliases(self.aliases)


class Organization(DemoData):
    class Kind(models.TextChoices):
        COMPANY = "company", "Company"
        ASSOCIATION = "association", "Association"
        CHAMBER_OF_COMMERCE = "chamber", "Chamber of commerce"
        UNIVERSITY = "university", "University"
        INSTITUTE = "institute", "Institute"
        RESEARCH_CENTER = "research_center", "Research or computing centre"
        GOVERNMENT_BODY = "government", "Government body"
        VENUE = "venue", "Venue"
        MEDIA = "media", "News organization"
        OTHER = "other", "Other"

    name = models.CharField(max_length=300, help_text="The full name as the story prints it.")
    short_name = models.CharField(
        max_length=100,
        blank=True,
        help_text="A short form readers know (for example “UIBE”), used on second reference.",
    )
    aliases = models.TextField(
        blank=True, help_text="Other names the organization appears under in copy, one per line."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The body this one belongs to (an institute belongs to its university). "
        "A parent cannot be deleted while it has children.",
    )
    website = models.URLField(blank=True)
    description = models.CharField(max_length=300, blank=True)
    slug = models.SlugField(
        max_length=200,
        help_text="The organization's web address. Changing it breaks links to the page.",
    )

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="organization_slug_unique")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return slug_url("people:organization", self.slug)

    @property
    def alias_list(self) -> list[str]:
        return split_aliases(self.aliases)


class AffiliationManager(models.Manager):
    def get_by_natural_key(self, person_slug, organization_slug, title):
        return self.get(person__slug=person_slug, organization__slug=organization_slug, title=title)


class Affiliation(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="affiliations",
        help_text="Deleting an organization is refused while people are affiliated with it.",
    )
    title = models.CharField(
        max_length=200,
        help_text="The role as the story states it, in lower case (“president”, “chairman”, “CEO”).",
    )
    start_date = models.DateField(null=True, blank=True, help_text="Only when confirmed.")
    end_date = models.DateField(
        null=True, blank=True, help_text="Set when the person no longer holds the role."
    )
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Lower numbers come first on the person's page."
    )

    objects = AffiliationManager()

    class Meta:
        ordering = ["person", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organization", "title"], name="affiliation_unique_role"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="affiliation_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.person}, {self.title}, {self.organization}"

    def natural_key(self):
        return (*self.person.natural_key(), *self.organization.natural_key(), self.title)

    natural_key.dependencies = ["people.person", "people.organization"]

    @property
    def is_current(self) -> bool:
        return self.end_date is None


class Reporter(DemoData):
    name = models.CharField(max_length=200, help_text="The name as it appears on the byline.")
    slug = models.SlugField(max_length=200, help_text="The reporter page's web address.")
    email = models.EmailField(
        help_text="Used to match wire copy to this reporter. Shown to readers only if allowed below."
    )
    show_email = models.BooleanField(
        default=False, help_text="Show the email address on the public reporter page."
    )
    job_title = models.CharField(max_length=200, blank=True)
    bio = models.TextField(blank=True, help_text="A short biography for the reporter page.")
    photo = library_photo("A head-and-shoulders picture from the image library.")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reporter",
        help_text="The login account that writes under this byline.",
    )

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="reporter_slug_unique"),
            models.UniqueConstraint(Lower("email"), name="reporter_email_unique_ci"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return slug_url("people:reporter", self.slug)
