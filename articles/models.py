"""Stories and what hangs off them: sections, bylines, tags, mentions and corrections."""

import hashlib
import re

from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItemBase

from core.cache import cached
from core.converters import TagSlugConverter
from core.links import slug_url
from core.models import DemoData
from core.natural_keys import SlugNaturalKeyManager
from people.models import Organization, Person, Reporter
from photos.models import Image

from .body import image_ids
from .html import sanitize_html


def account_field() -> models.ForeignKey:
    """A login account recorded on a row (who created or last changed it), kept when the
    account is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )


class Section(DemoData):
    name = models.CharField(max_length=100, help_text="The section's name as readers see it.")
    slug = models.SlugField(
        max_length=100, help_text="The section page's web address. Changing it breaks links."
    )
    description = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Position in the site's navigation; lower numbers come first."
    )

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="section_slug_unique")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return slug_url("fronts:section", self.slug)


def sections_in_order() -> list[Section]:
    """Every section in navigation order, read once per content change (``core.cache.cached``):
    the masthead's navigation and the home page's rows."""
    return cached("section-nav", lambda: list(Section.objects.all()))


class ArticleQuerySet(models.QuerySet):
    def published(self, *, now=None):
        """What readers may see: published, with a publication time that has come, and no
        embargo still holding it.

        The single rule used by every public page, feed, sitemap and search. A story scheduled for
        later is simply not yet in this set, so it appears at its time without any job running.
        An embargoed story cannot be published or scheduled before its embargo lifts (the
        workflow refuses it), so the embargo here only guards against rows written around the
        workflow (a fixture, the shell, a bulk update): not one second early, whatever wrote them.
        A story killed for legal reasons is never published again (its status is ``killed``).
        """
        now = now or timezone.now()
        return self.filter(
            models.Q(embargo_until__isnull=True) | models.Q(embargo_until__lte=now),
            status=Article.Status.PUBLISHED,
            published_at__lte=now,
        )

    def for_listing(self):
        """Everything a story card shows, in a fixed number of queries however many rows."""
        return self.select_related("section", "lead_image").prefetch_related(
            models.Prefetch("bylines", queryset=Byline.objects.select_related("reporter"))
        )

    def linked_to(self, link: str, subject, *, count: int):
        """These stories linked to ``subject`` through ``link`` ("tags", "bylines__reporter",
        "mentioned_people", "mentioned_organizations"), for a listing newest first; ``count`` is
        how many there are (the listing's cached total).

        A speed measure (bench/RESULTS.md, tests/articles/test_linked_listings.py). Two plans give
        the same rows: a join reads every link the subject has and sorts them all; a walk down the
        newest stories, checking each for a link, finds a page at once for a subject on many
        stories, but would walk most of the archive for a subject on few. SQLite takes the plan
        it is given, so the count chooses; PostgreSQL's planner chooses from its statistics (and
        did worse when handed the walk), so it gets the join.
        """
        if count <= DENSE_SUBJECT or connections[self.db].vendor != "sqlite":
            return self.filter(**{link: subject})
        model, story_field, subject_field = _link_tables()[link]
        return self.filter(
            models.Exists(
                model.objects.filter(**{story_field: models.OuterRef("pk"), subject_field: subject})
            )
        )


# A subject with more published stories than this is listed by walking the newest stories.
DENSE_SUBJECT = 300


def _link_tables() -> dict:
    """For the walk: the table linking stories to each kind of subject, its field for the story
    and its field for the subject, so that each story costs one look into that table's unique
    index."""
    return {
        "tags": (TaggedArticle, "content_object", "tag"),
        "bylines__reporter": (Byline, "article", "reporter"),
        "mentioned_people": (Article.mentioned_people.through, "article", "person"),
        "mentioned_organizations": (
            Article.mentioned_organizations.through,
            "article",
            "organization",
        ),
    }


class ArticleManager(SlugNaturalKeyManager.from_queryset(ArticleQuerySet)):
    pass


# What an agency may send about copy a story was taken from (``Article.agency_alert_kind``).
AGENCY_KILLED, AGENCY_WITHHELD, AGENCY_UPDATED = "killed", "withheld", "updated"


class Article(DemoData):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"
        # Taken down for legal reasons: gone everywhere (410), its text kept for the legal record,
        # visible only to those who may kill stories (``kill_article``).
        KILLED = "killed", "Killed (legal)"

    headline = models.CharField(
        max_length=300, help_text="Plain, factual, under about 90 characters."
    )
    slug = models.SlugField(
        max_length=200,
        help_text="The story's web address, made from the headline. Do not change it once published.",
    )
    standfirst = models.TextField(
        blank=True,
        help_text="One or two sentences under the headline saying what the story is about; also "
        "used as the summary in listings and search results.",
    )
    body = models.TextField(
        help_text="The story. The toolbar adds tables, pull quotes, fact boxes, pictures from "
        "the library, galleries and posts or videos from YouTube, Vimeo, X, Bluesky and "
        "Instagram; anything else pasted in is cleaned away on save."
    )
    dateline = models.CharField(
        max_length=100, blank=True, help_text="The place the story was filed from, e.g. “Shenzhen”."
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        related_name="articles",
        help_text="A section with stories in it cannot be deleted.",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When readers first see the story. A time in the future schedules it; left "
        "empty, publishing sets it to now.",
    )
    updated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Shown to readers as “Updated”. Moves when a correction or update is added, not "
        "for silent typo fixes.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True, help_text="Last saved, for any reason.")
    created_by = account_field()
    modified_by = account_field()
    lead_image = models.ForeignKey(
        "photos.Image",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lead_of",
        help_text="The picture at the top of the story and in shares. An image used as a lead "
        "cannot be deleted.",
    )
    wire_hash = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        editable=False,
        help_text="Fingerprint of the wire copy this story was imported from, to spot re-imports.",
    )
    credit = models.CharField(
        max_length=200,
        blank=True,
        help_text="The agency's credit for copy taken from the wire, printed as the byline "
        "(“By Jane Doe, Reuters”) when no staff reporter is on it, or after them when one is.",
    )
    agency_alert = models.TextField(
        blank=True,
        editable=False,
        help_text="What the agency sent after this story was taken from its copy (a kill, a "
        "withholding or a new version), shown on the story's form and the desk until an editor "
        "has dealt with it. The story itself is never changed by the agency.",
    )
    agency_alert_at = models.DateTimeField(null=True, blank=True, editable=False)
    agency_alert_kind = models.CharField(
        max_length=20,
        blank=True,
        editable=False,
        choices=[
            (AGENCY_KILLED, "Killed by the agency"),
            (AGENCY_WITHHELD, "Withheld by the agency"),
            (AGENCY_UPDATED, "New version from the agency"),
        ],
    )
    embargo_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Held until this time: nobody can publish it, schedule it earlier or share a "
        "preview link before. Leave empty if the story is not embargoed.",
    )
    is_live = models.BooleanField(
        "live coverage",
        default=False,
        help_text="The story follows events as they happen: entries are added at the top of its "
        "page, newest first, and readers see new ones without reloading.",
    )
    live_closed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the live coverage ended: readers' pages stop checking for new entries.",
    )
    killed_at = models.DateTimeField(null=True, blank=True, editable=False)
    killed_by = account_field()
    kill_reason = models.TextField(
        blank=True,
        editable=False,
        help_text="Why the story was taken down for legal reasons, for the legal record.",
    )
    needs_headline = models.BooleanField(
        default=False,
        help_text="The headline is provisional (taken from the first sentence of imported copy) "
        "and needs an editor's headline before publication.",
    )
    unlinked_people = models.ManyToManyField(
        Person,
        related_name="+",
        blank=True,
        help_text="People an editor removed from the mentions; automatic linking will not add "
        "them back.",
    )
    unlinked_organizations = models.ManyToManyField(
        Organization,
        related_name="+",
        blank=True,
        help_text="Organizations an editor removed from the mentions; automatic linking will not "
        "add them back.",
    )
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Goes up by one at every save. A save from a form opened at an older version is "
        "refused, so nobody overwrites an edit they have not seen.",
    )

    reporters = models.ManyToManyField(
        Reporter, through="Byline", related_name="articles", blank=True
    )
    tags = TaggableManager(through="TaggedArticle", blank=True)
    mentioned_people = models.ManyToManyField(
        Person,
        related_name="mentioned_in",
        blank=True,
        help_text="People the story is about or quotes. Their pages list this story.",
    )
    mentioned_organizations = models.ManyToManyField(
        Organization,
        related_name="mentioned_in",
        blank=True,
        help_text="Organizations the story is about. Their pages list this story.",
    )

    objects = ArticleManager()

    class Meta:
        # What editors call it: the admin says "Add story", "Select story to change".
        verbose_name = "story"
        verbose_name_plural = "stories"
        ordering = ["-published_at", "-id"]
        permissions = [
            ("publish_article", "Can publish, schedule and unpublish stories"),
            ("edit_any_article", "Can edit any story, whoever's byline and whatever its status"),
            ("kill_article", "Can take a story down for legal reasons (kill it), and see it after"),
        ]
        constraints = [models.UniqueConstraint(fields=["slug"], name="article_slug_unique")]
        # Ascending: read backwards they give (published_at, id) newest first, exactly the
        # listings' order, which SQLite then walks without a sort (a descending column would need
        # one for the id tie-break, so SQLite preferred the bare published_at index and read
        # each story's row, body and all, to check its status).
        indexes = [
            models.Index(fields=["status", "published_at"], name="article_listing_idx"),
            models.Index(fields=["section", "status", "published_at"], name="article_section_idx"),
            # The desk's "From the agency": the few stories with an alert, not every story.
            models.Index(
                fields=["agency_alert_at"],
                condition=models.Q(agency_alert_at__isnull=False),
                name="article_agency_alert_idx",
            ),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" not in update_fields:
            super().save(*args, **kwargs)  # the body, and so its pictures, are not written
            return
        if self._state.adding and not image_ids(self.body):
            super().save(*args, **kwargs)  # a new story without pictures: nothing to record
            return
        using = kwargs.get("using") or router.db_for_write(Article, instance=self)
        with transaction.atomic(using=using, savepoint=False):
            super().save(*args, **kwargs)
            self.record_body_images(using=using)

    def record_body_images(self, *, using: str | None = None) -> None:
        """Make the story's ``BodyImage`` rows the library pictures its stored body shows.

        Called by ``save`` once the row is written, in its transaction: the row's lock (taken by
        that write) orders concurrent saves of the story, so the rows read here are the last
        save's and the record ends exactly in step with the body. One query when the pictures
        are unchanged (none for a new story without any); writes only what changed. A number
        that is not a picture in the library is not recorded (there is nothing to protect).
        """
        using = using or router.db_for_write(Article, instance=self)
        wanted = set(image_ids(self.body))
        rows = BodyImage.objects.using(using)
        recorded = set(rows.filter(article=self).values_list("image_id", flat=True))
        if wanted == recorded:
            return
        if gone := recorded - wanted:
            rows.filter(article=self, image_id__in=gone).delete()
        if new := wanted - recorded:
            found = Image.objects.using(using).filter(pk__in=new).values_list("pk", flat=True)
            rows.bulk_create(
                [BodyImage(article=self, image_id=pk) for pk in sorted(found)],
                ignore_conflicts=True,
            )

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return slug_url("articles:article", self.slug)

    @property
    def byline_names(self) -> str:
        """The names on the byline, in order ("Chang Zhipeng, Li Wei"), from prefetched bylines
        where the list was fetched with them."""
        return ", ".join(byline.reporter.name for byline in self.bylines.all())

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )


class LiveEntry(models.Model):
    """One update of a live story (``Article.is_live``): newest first under the story's summary,
    key events listed at the top, pinned ones first. Its body takes the story furniture, cleaned
    like a story's (``articles.html``); it is revisioned and correctable like a story."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="entries", verbose_name="story"
    )
    posted_at = models.DateTimeField(
        default=timezone.now, help_text="The time readers see beside the entry."
    )
    title = models.CharField(max_length=200, blank=True, help_text="Optional; a few words.")
    body = models.TextField(help_text="What happened: the story furniture can be used here too.")
    authors = models.ManyToManyField(
        Reporter,
        related_name="live_entries",
        blank=True,
        help_text="Who wrote the entry; shown to readers beside it.",
    )
    key_event = models.BooleanField(
        "key event",
        default=False,
        help_text="Listed at the top of the story as a link, for readers arriving late.",
    )
    pinned = models.BooleanField(
        default=False, help_text="Kept at the top of the entries, above newer ones."
    )
    correction = models.TextField(
        blank=True,
        help_text="What was wrong and what is right now; shown on the entry. Leave empty for a "
        "silent typo fix.",
    )
    corrected_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = account_field()
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "live entry"
        verbose_name_plural = "live entries"
        ordering = ["-pinned", "-posted_at", "-id"]
        indexes = [models.Index(fields=["article", "posted_at"], name="live_entry_story_idx")]

    def __str__(self):
        return self.title or f"Entry of {timezone.localtime(self.posted_at):%d %B %Y, %H:%M}"

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#entry-{self.pk}"


class BodyImage(models.Model):
    """A library picture that a story's body shows (``articles.body.image_ids``), alone or in a
    gallery: written by ``Article.save`` so that it always matches the stored body.

    It is what keeps such a picture from being deleted, as a lead image is (``PROTECT``), whatever
    the story's status, drafts included: deleting it would leave a hole in a story someone is
    writing. It also makes the picture count as shown by a published story
    (``services.shown_on_published_stories``) and lists the story on the picture's page.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="body_images", verbose_name="story"
    )
    image = models.ForeignKey(
        "photos.Image",
        on_delete=models.PROTECT,
        related_name="body_of",
        verbose_name="picture",
        help_text="A picture a story's body shows cannot be deleted.",
    )

    class Meta:
        verbose_name = "picture in a story's body"
        verbose_name_plural = "pictures in stories' bodies"
        ordering = ["article", "image"]
        constraints = [models.UniqueConstraint(fields=["article", "image"], name="body_image_once")]

    def __str__(self):
        return f"In the body of “{self.article}”"


class BylineManager(models.Manager):
    def get_by_natural_key(self, article_slug, reporter_slug):
        return self.get(article__slug=article_slug, reporter__slug=reporter_slug)


class Byline(models.Model):
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="bylines", verbose_name="story"
    )
    reporter = models.ForeignKey(
        Reporter,
        on_delete=models.PROTECT,
        related_name="bylines",
        help_text="A reporter with bylines cannot be deleted: their stories would lose an author.",
    )
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Position on the byline; lower numbers come first."
    )

    objects = BylineManager()

    class Meta:
        ordering = ["article", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "reporter"], name="byline_reporter_once"),
            models.UniqueConstraint(fields=["article", "order"], name="byline_order_unique"),
        ]

    def __str__(self):
        return f"{self.reporter} on “{self.article}”"

    def natural_key(self):
        return (*self.article.natural_key(), *self.reporter.natural_key())

    natural_key.dependencies = ["articles.article", "people.reporter"]


class TaggedArticleManager(models.Manager):
    def get_by_natural_key(self, article_slug, tag_name):
        return self.get(content_object__slug=article_slug, tag__name=tag_name)


class TaggedArticle(TaggedItemBase):
    """Tags on stories, with a real foreign key so the database keeps them consistent."""

    content_object = models.ForeignKey(Article, on_delete=models.CASCADE)

    objects = TaggedArticleManager()

    class Meta:
        verbose_name = "story tag"
        ordering = ["content_object", "tag__name"]
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="article_tag_once")
        ]

    def natural_key(self):
        return (self.content_object.slug, self.tag.name)

    natural_key.dependencies = ["articles.article", "taggit.tag"]


def tag_fallback_slug(name: str) -> str:
    """The slug of a tag whose name has no letters or digits ("?", ">", "🎉"), which slugify to
    nothing: "tag-" and a short hash of the name, the same every time for the same name.
    (Copied into migration 0007, which mended the empty slugs saved before this existed.)"""
    return "tag-" + hashlib.sha256(name.encode()).hexdigest()[:8]


_ROUTABLE_TAG_SLUG = re.compile(TagSlugConverter.regex)


def _routes(slug: str) -> bool:
    return bool(slug and _ROUTABLE_TAG_SLUG.fullmatch(slug) and slug.strip("."))


@receiver(pre_save, sender=Tag)
def give_every_tag_a_routable_slug(sender, instance, **kwargs):
    """Every tag, however it is made (the story form, an import, ``article.tags.add``,
    ``Tag.objects.create``, a fixture), gets a slug its page can be reached at.

    taggit's ``Tag.save`` slugifies the name, which for "?" gives "": the tag was saved with an
    empty slug and every page linking it failed to reverse its address. A slug that does not route
    is made again from itself, then from the name, and failing both is the name's fallback
    ("tag-1a2b3c4d"), numbered if another tag has it already. Slugs that route are left alone.
    """
    if _routes(instance.slug):
        return
    slug = slugify(instance.slug or "", allow_unicode=True) or instance.slugify(instance.name)
    if _routes(slug):
        instance.slug = slug  # taggit's own save numbers it on a clash
        return
    base = tag_fallback_slug(instance.name)
    taken = set(
        sender._default_manager.filter(slug__startswith=base)
        .exclude(pk=instance.pk)
        .values_list("slug", flat=True)
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    instance.slug = slug


class CorrectionManager(models.Manager):
    def get_by_natural_key(self, article_slug, created_at):
        return self.get(article__slug=article_slug, created_at=created_at)


class Correction(models.Model):
    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        CLARIFICATION = "clarification", "Clarification"
        UPDATE = "update", "Update"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="corrections", verbose_name="story"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(
        help_text="What was wrong and what is right, in plain words. Shown under the story."
    )
    created_at = models.DateTimeField(
        default=timezone.now, help_text="When the correction was made; shown to readers."
    )

    objects = CorrectionManager()

    class Meta:
        ordering = ["article", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "created_at"], name="correction_unique_time")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to “{self.article}”"

    def natural_key(self):
        return (*self.article.natural_key(), self.created_at.isoformat())

    natural_key.dependencies = ["articles.article"]

    def get_absolute_url(self):
        return self.article.get_absolute_url()


class StatusChangeManager(models.Manager):
    def get_by_natural_key(self, article_slug, at):
        return self.get(article__slug=article_slug, at=at)


class StatusChange(models.Model):
    """One step of a story's workflow: who moved it from which status to which, and when."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="status_changes", verbose_name="story"
    )
    from_status = models.CharField(max_length=20, choices=Article.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Article.Status.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="The publication time set by this step, if any."
    )

    objects = StatusChangeManager()

    class Meta:
        verbose_name = "workflow step"
        ordering = ["article", "at", "id"]
        get_latest_by = "at"

    def __str__(self):
        return (
            f"{self.get_from_status_display() or 'New'} → {self.label} by {self.user or 'system'}"
        )

    def natural_key(self):
        return (*self.article.natural_key(), self.at.isoformat())

    natural_key.dependencies = ["articles.article"]

    @property
    def label(self) -> str:
        if (
            self.to_status == Article.Status.PUBLISHED
            and self.published_at
            and self.published_at > self.at
        ):
            return "Scheduled"
        return self.get_to_status_display()


@receiver(pre_save, sender=Article)
def keep_version_moving(sender, instance, raw, **kwargs):
    """Restoring a revision or loading a fixture writes stored field values straight to the row;
    the version counter must still move forward, so a form opened before that is refused."""
    if raw and instance.pk:
        current = Article.objects.filter(pk=instance.pk).values_list("version", flat=True).first()
        if current is not None:
            instance.version = current + 1


@receiver(post_save, sender=Article)
def record_body_images_of_raw_saves(sender, instance, raw, using, **kwargs):
    """Restoring a deleted story's revision (django-reversion) or loading a fixture writes the row
    without ``Article.save``: its body's pictures are recorded here instead."""
    if raw:
        instance.record_body_images(using=using)


class Autosave(models.Model):
    """A private copy of a story's form as someone was typing it, saved in the background
    (``articles/autosave.py``) so a crash or a closed tab loses nothing.

    Never read by anything readers see (pages, feeds, previews, the API read ``Article`` rows
    only); the story changes only when its form is saved on purpose, which deletes this copy.
    One per person and story, and one per person for a story not yet saved (``article`` empty).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="story",
        help_text="Empty for a new story not yet saved.",
    )
    data = models.JSONField(
        default=dict, help_text="The form's text fields as typed; the body cleaned as on save."
    )
    based_on_version = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The story's version when its form was opened. Once the story has moved past "
        "it, someone else has saved, and automatic saving stops rather than hide their edit.",
    )
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "automatic save"
        ordering = ["-saved_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "article"],
                condition=models.Q(article__isnull=False),
                name="autosave_once_per_story",
            ),
            # NULLs are distinct in a unique index, so the unsaved story gets one of its own.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(article__isnull=True),
                name="autosave_once_per_new_story",
            ),
        ]

    def __str__(self):
        story = f"“{self.article}”" if self.article_id else "a new story"
        return f"Automatic save of {story} by {self.user}"
