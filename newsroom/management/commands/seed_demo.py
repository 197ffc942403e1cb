"""Fill the site with synthetic stories for trying it out and for benchmarks.

Everything made here is marked ``is_demo`` (stories, sections, reporters, people, organizations),
and ``--clear`` removes exactly that, however much real content sits beside it. Stories are
written with bulk inserts, so 100,000 take minutes, not hours.
"""

import io
import random
import time

from django.core.files.base import ContentFile
from django.core.management import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from PIL import Image as PILImage
from taggit.models import Tag

from articles.models import Article, Byline, Correction, Section, TaggedArticle
from articles.search import reindex
from core.cache import EVERYTHING
from core.keys import purge
from people.models import Affiliation, Organization, Person, Reporter
from photos.models import Image

BATCH = 2_000
DEMO_CREDIT = "newsroom demo data"
SECTIONS = ["Economy", "Technology", "Policy", "Culture", "Education", "Environment"]
TOPICS = [
    "trade", "finance", "ports", "housing", "transport", "energy", "startups", "universities",
    "research", "tourism", "logistics", "manufacturing", "health", "water", "climate", "design",
    "film", "music", "law", "tax", "insurance", "banking", "data", "robotics", "shipping",
    "aviation", "retail", "agriculture", "employment", "pensions",
]  # fmt: skip
PLACES = ["Shenzhen", "Hong Kong", "Macao", "Guangzhou", "Zhuhai", "Dongguan", "Foshan"]
FAMILY = ["Chen", "Li", "Wang", "Zhang", "Liu", "Huang", "Lam", "Wong", "Ho", "Ng", "Tse", "Yip"]
GIVEN = ["Wei", "Min", "Ka-ming", "Siu-fung", "Jia", "Hao", "Mei-ling", "Tsz-kin", "Yan", "Jun"]
BODIES = ["Council", "Institute", "Association", "Group", "Foundation", "Authority", "Alliance"]
VERBS = ["opens", "expands", "reviews", "plans", "approves", "launches", "delays", "backs"]
WORDS = [
    "the",
    "city",
    "said",
    "new",
    "rules",
    "would",
    "take",
    "effect",
    "next",
    "year",
    "after",
    "months",
    "of",
    "consultation",
    "with",
    "businesses",
    "residents",
    "and",
    "researchers",
    "who",
    "asked",
    "for",
    "clearer",
    "guidance",
    "on",
    "costs",
    "timing",
    "and",
    "how",
    "the",
    "changes",
    "would",
    "affect",
    "small",
    "firms",
    "across",
    "the",
    "region",
    "officials",
    "expect",
    "more",
    "detail",
    "in",
    "the",
    "coming",
    "weeks",
    "as",
    "the",
    "plan",
    "moves",
    "to",
    "its",
    "next",
    "stage",
]


def paragraph(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(25, 60))]
    return " ".join(words).capitalize() + "."


class Command(BaseCommand):
    help = "Create N synthetic demo stories (with bylines, tags, mentions, corrections, images), or remove them all with --clear."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stories",
            "--articles",
            dest="articles",
            type=int,
            default=1_000,
            help="How many demo stories to add.",
        )
        parser.add_argument("--clear", action="store_true", help="Remove all demo data instead.")
        parser.add_argument(
            "--seed", type=int, default=2026, help="Random seed, for repeatable data."
        )

    def handle(self, *args, articles, clear, seed, **options):
        started = time.monotonic()
        if clear:
            self.clear()
            self.refresh_derived(ids=[])
        else:
            if articles < 1:
                raise CommandError("--stories must be at least 1.")
            self.refresh_derived(ids=self.create(articles, random.Random(seed)))
        self.stdout.write(f"Done in {time.monotonic() - started:.1f} s.")

    # Creating

    def create(self, count: int, rng: random.Random) -> list[int]:
        run = format(int(time.time() * 1000), "x")
        with transaction.atomic():
            sections, reporters, people, organizations = self.create_cast(run, rng)
            images = self.create_images(run, rng)
        tags = [Tag.objects.get_or_create(name=name, defaults={"slug": name})[0] for name in TOPICS]
        now = timezone.now()
        made, ids = 0, []
        while made < count:
            size = min(BATCH, count - made)
            with transaction.atomic():
                ids += self.create_batch(
                    run,
                    made,
                    size,
                    rng,
                    now,
                    sections,
                    reporters,
                    people,
                    organizations,
                    tags,
                    images,
                )
            made += size
            self.stdout.write(f"  {made:,} of {count:,} stories written")
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {count:,} demo stories by {len(reporters)} reporters in {len(sections)} "
                f"sections, mentioning {len(people)} people and {len(organizations)} organizations."
            )
        )
        return ids

    def create_cast(self, run, rng):
        sections = [
            Section.objects.get_or_create(
                slug=f"demo-{name.lower()}",
                defaults={"name": f"{name} (demo)", "order": 100 + i, "is_demo": True},
            )[0]
            for i, name in enumerate(SECTIONS)
        ]

        def name(i):
            return f"{FAMILY[i % len(FAMILY)]} {GIVEN[(i // len(FAMILY)) % len(GIVEN)]}"

        reporters = Reporter.objects.bulk_create(
            [
                Reporter(
                    name=f"{name(i)} ({i})",
                    slug=f"demo-{run}-reporter-{i}",
                    email=f"demo-{run}-{i}@reporters.invalid",
                    job_title="Reporter",
                    is_demo=True,
                )
                for i in range(40)
            ]
        )
        organizations = Organization.objects.bulk_create(
            [
                Organization(
                    name=f"{rng.choice(PLACES)} {TOPICS[i % len(TOPICS)].title()} {BODIES[i % len(BODIES)]} {i}",
                    slug=f"demo-{run}-organization-{i}",
                    kind=Organization.Kind.OTHER,
                    is_demo=True,
                )
                for i in range(120)
            ]
        )
        people = Person.objects.bulk_create(
            [
                Person(
                    name=f"{name(i + 7)} {i}",
                    sort_name=f"{name(i + 7)} {i}",
                    slug=f"demo-{run}-person-{i}",
                    description="A person in the demo data.",
                    is_demo=True,
                )
                for i in range(300)
            ]
        )
        Affiliation.objects.bulk_create(
            [
                Affiliation(
                    person=person,
                    organization=rng.choice(organizations),
                    title=rng.choice(["director", "chair", "spokesperson", "researcher"]),
                )
                for person in people
            ],
            ignore_conflicts=True,
        )
        return sections, reporters, people, organizations

    def create_images(self, run, rng):
        images = []
        for i in range(5):
            colour = tuple(rng.randint(40, 220) for _ in range(3))
            buffer = io.BytesIO()
            PILImage.new("RGB", (1600, 900), colour).save(buffer, "JPEG", quality=80)
            image = Image(
                alt_text=f"A plain coloured demo picture, number {i + 1}", credit=DEMO_CREDIT
            )
            image.file.save(f"demo-{run}-{i}.jpg", ContentFile(buffer.getvalue()), save=False)
            image.save()
            images.append(image)
        return images

    def create_batch(
        self, run, start, size, rng, now, sections, reporters, people, organizations, tags, images
    ):
        stories = []
        for n in range(start, start + size):
            place, topic = rng.choice(PLACES), rng.choice(TOPICS)
            roll = rng.random()
            status = Article.Status.DRAFT if roll < 0.02 else Article.Status.PUBLISHED
            offset = timezone.timedelta(minutes=rng.randint(1, 3 * 365 * 24 * 60))
            published_at = now + timezone.timedelta(days=1) if 0.02 <= roll < 0.03 else now - offset
            stories.append(
                Article(
                    headline=f"{place} {rng.choice(VERBS)} {topic} plan, number {n + 1}",
                    slug=f"demo-{run}-{n + 1}",
                    standfirst=paragraph(rng)[:200],
                    body="\n".join(f"<p>{paragraph(rng)}</p>" for _ in range(rng.randint(4, 8))),
                    dateline=place,
                    section=rng.choice(sections),
                    status=status,
                    published_at=None if status == Article.Status.DRAFT else published_at,
                    lead_image=rng.choice(images) if images and rng.random() < 0.1 else None,
                    is_demo=True,
                )
            )
        stories = Article.objects.bulk_create(stories)
        bylines, tagged, corrections = [], [], []
        people_through = Article.mentioned_people.through
        orgs_through = Article.mentioned_organizations.through
        mentioned_people, mentioned_orgs = [], []
        for story in stories:
            for order, reporter in enumerate(rng.sample(reporters, rng.choice([1, 1, 1, 2, 3]))):
                bylines.append(Byline(article=story, reporter=reporter, order=order))
            for tag in rng.sample(tags, rng.randint(2, 5)):
                tagged.append(TaggedArticle(content_object=story, tag=tag))
            for person in rng.sample(people, rng.randint(1, 4)):
                mentioned_people.append(people_through(article_id=story.pk, person_id=person.pk))
            for organization in rng.sample(organizations, rng.randint(0, 3)):
                mentioned_orgs.append(
                    orgs_through(article_id=story.pk, organization_id=organization.pk)
                )
            if story.published_at and rng.random() < 0.03:
                corrections.append(
                    Correction(
                        article=story,
                        kind=rng.choice(Correction.Kind.values),
                        text="An earlier version of this demo story gave the wrong figure.",
                        created_at=story.published_at
                        + timezone.timedelta(hours=rng.randint(1, 48)),
                    )
                )
        Byline.objects.bulk_create(bylines)
        TaggedArticle.objects.bulk_create(tagged)
        people_through.objects.bulk_create(mentioned_people)
        orgs_through.objects.bulk_create(mentioned_orgs)
        Correction.objects.bulk_create(corrections)
        for correction in corrections:
            Article.objects.filter(pk=correction.article_id).update(
                updated_at=correction.created_at
            )
        return [story.pk for story in stories]

    # Clearing

    def clear(self) -> None:
        counts = {"stories": Article.objects.filter(is_demo=True).count()}
        try:
            with transaction.atomic():
                ids = list(Article.objects.filter(is_demo=True).values_list("pk", flat=True))
                for start in range(0, len(ids), BATCH):
                    Article.objects.filter(pk__in=ids[start : start + BATCH]).delete()
                    self.stdout.write(
                        f"  {min(start + BATCH, len(ids)):,} of {len(ids):,} demo stories removed"
                    )
                for label, model in (
                    ("reporters", Reporter),
                    ("people", Person),
                    ("organizations", Organization),
                    ("sections", Section),
                ):
                    counts[label] = (
                        model.objects.filter(is_demo=True).delete()[1].get(model._meta.label, 0)
                    )
                self.clear_images()
                Tag.objects.filter(
                    name__in=TOPICS,
                    taggit_taggeditem_items__isnull=True,
                    articles_taggedarticle_items__isnull=True,
                ).delete()
        except ProtectedError as error:
            blocked = sorted({str(obj) for obj in error.protected_objects})[:5]
            raise CommandError(
                "Demo data is still used by real content, so nothing was removed. Remove these "
                f"first (for example a demo reporter on a real story's byline): {', '.join(blocked)}"
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                "Removed " + ", ".join(f"{n:,} demo {label}" for label, n in counts.items()) + "."
            )
        )

    def clear_images(self) -> None:
        for image in Image.objects.filter(credit=DEMO_CREDIT, lead_of__isnull=True):
            image.file.delete(save=False)
            image.delete()

    def refresh_derived(self, *, ids: list[int]) -> None:
        """Bulk writes skip signals: index the new stories for search and refresh cached pages."""
        if ids:
            self.stdout.write(f"Indexing {len(ids):,} stories for search…")
            reindex(ids)
        purge(EVERYTHING)
        self.update_statistics()

    def update_statistics(self) -> None:
        """Let the database plan queries for the new numbers of rows at once.

        After a bulk load PostgreSQL's planner still believes the tables are as small as before
        (autovacuum gets to them later): the same listing took 10 times longer until ANALYZE.
        VACUUM also marks the pages all-visible, which index-only scans need.
        """
        self.stdout.write("Updating the database's statistics…")
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # VACUUM cannot run inside a transaction (a test's, say); ANALYZE can.
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
            elif connection.vendor == "sqlite":
                cursor.execute("ANALYZE")
