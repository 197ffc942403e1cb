"""Fill the site with synthetic stories for trying it out and for benchmarks.

Everything made here is marked ``is_demo`` (stories, sections, reporters, people, organizations),
and ``--clear`` removes exactly that, however much real content sits beside it. Stories are
written with bulk inserts, so 100,000 take minutes, not hours.

Pictures are drawn, never photographs (``photos.demo``): a pool of ``--pictures`` scenes that
stories share as lead images (100,000 stories do not make 100,000 files), and a portrait for every
demo reporter and person. They are marked by their credit (``DEMO_CREDIT``) and their folder
(``images/demo/``, where no upload goes), the image library having no ``is_demo`` column; their
renditions are made here, before the stories are written, so the site shows them at once without
a worker.
"""

import contextlib
import random
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.management import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Byline, Correction, Section, TaggedArticle
from articles.search import reindex
from core.cache import EVERYTHING
from core.keys import purge
from people.models import Affiliation, Organization, Person, Reporter
from photos import demo
from photos.demo import DEMO_CREDIT
from photos.models import Image
from photos.renditions import RenditionsFailed, all_renditions, generate_renditions

BATCH = 2_000
# The share of stories with a lead picture, drawn from the pool.
LEAD_IMAGE_SHARE = 0.6
REPORTERS, PEOPLE, ORGANIZATIONS = 40, 300, 120
# Different portrait drawings, shared by the reporters and people in turn.
PORTRAIT_POOL = 24
# Files of the demo pictures made before they had a folder of their own (images/<yyyy>/<mm>/).
OLD_DEMO_FILES = r"^images/[0-9]{4}/[0-9]{2}/demo-[0-9a-f]+-[0-9]+(_[A-Za-z0-9]+)?\.jpg$"
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


def demo_images():
    """The demo pictures and portraits: credited to the demo data and stored where no upload goes."""
    return Image.objects.filter(
        Q(file__startswith=f"{demo.DEMO_FOLDER}/") | Q(file__regex=OLD_DEMO_FILES),
        credit=DEMO_CREDIT,
    )


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
        parser.add_argument(
            "--pictures",
            type=int,
            default=32,
            help="How many different pictures the demo stories share as lead images (0: none).",
        )
        parser.add_argument("--clear", action="store_true", help="Remove all demo data instead.")
        parser.add_argument(
            "--seed", type=int, default=2026, help="Random seed, for repeatable data."
        )

    def handle(self, *args, articles, pictures, clear, seed, **options):
        started = time.monotonic()
        if clear:
            self.clear()
            self.refresh_derived(ids=[])
        else:
            if articles < 1:
                raise CommandError("--stories must be at least 1.")
            if pictures < 0:
                raise CommandError("--pictures cannot be negative.")
            self.refresh_derived(ids=self.create(articles, pictures, random.Random(seed)))
        self.stdout.write(f"Done in {time.monotonic() - started:.1f} s.")

    # Creating

    def create(self, count: int, pictures: int, rng: random.Random) -> list[int]:
        run = format(int(time.time() * 1000), "x")
        written: list[str] = []
        try:
            with transaction.atomic():
                sections, reporters, people, organizations = self.create_cast(run, rng, written)
                images = self.create_pictures(run, pictures, written)
        except BaseException:
            storage = Image._meta.get_field("file").storage
            for name in written:  # the rows are gone: so go their files
                storage.delete(name)
            raise
        self.stdout.write(
            f"Drew {len(images):,} demo pictures, and {min(PORTRAIT_POOL, len(reporters) + len(people))} "
            f"portraits for {len(reporters) + len(people):,} demo reporters and people."
        )
        self.make_renditions(demo_images().filter(file__in=written).order_by("pk"))
        tags = [Tag.objects.get_or_create(name=name, defaults={"slug": name})[0] for name in TOPICS]
        now = timezone.now()
        made, ids = 0, []
        self.illustrated = 0
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
                f"sections, mentioning {len(people)} people and {len(organizations)} organizations; "
                f"{self.illustrated:,} have a lead picture."
            )
        )
        return ids

    def create_cast(self, run, rng, written):
        sections = [
            Section.objects.get_or_create(
                slug=f"demo-{name.lower()}",
                defaults={"name": f"{name} (demo)", "order": 100 + i, "is_demo": True},
            )[0]
            for i, name in enumerate(SECTIONS)
        ]

        def name(i):
            return f"{FAMILY[i % len(FAMILY)]} {GIVEN[(i // len(FAMILY)) % len(GIVEN)]}"

        reporter_names = [f"{name(i)} ({i})" for i in range(REPORTERS)]
        person_names = [f"{name(i + 7)} {i}" for i in range(PEOPLE)]
        portraits = self.create_portraits(run, [*reporter_names, *person_names], written)
        reporters = Reporter.objects.bulk_create(
            [
                Reporter(
                    name=reporter_name,
                    slug=f"demo-{run}-reporter-{i}",
                    email=f"demo-{run}-{i}@reporters.invalid",
                    job_title="Reporter",
                    photo=portraits[i],
                    is_demo=True,
                )
                for i, reporter_name in enumerate(reporter_names)
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
                for i in range(ORGANIZATIONS)
            ]
        )
        people = Person.objects.bulk_create(
            [
                Person(
                    name=person_name,
                    sort_name=person_name,
                    slug=f"demo-{run}-person-{i}",
                    description="A person in the demo data.",
                    photo=portraits[REPORTERS + i],
                    is_demo=True,
                )
                for i, person_name in enumerate(person_names)
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

    # Pictures

    def create_pictures(self, run, count, written) -> list[Image]:
        """The pool of drawn scenes the stories share as lead pictures."""
        drawings = [demo.picture(n) for n in range(count)]
        return self.insert_images(
            [
                (
                    self.store_file(f"{run}/picture-{n + 1}.jpg", drawing, written),
                    drawing,
                    f"Demo picture: {drawing.description}",
                )
                for n, drawing in enumerate(drawings)
            ],
            demo.PICTURE_FOCUS,
        )

    def create_portraits(self, run, names, written) -> list[Image]:
        """A drawn head-and-shoulders placeholder for each name, in ``names``' order: one library
        picture each (its alt text names the person), sharing the files of a pool of drawings."""
        drawings = [demo.portrait(n) for n in range(min(len(names), PORTRAIT_POOL))]
        files = [
            self.store_file(f"{run}/portrait-{n + 1}.jpg", drawing, written)
            for n, drawing in enumerate(drawings)
        ]
        return self.insert_images(
            [
                (
                    files[n % len(files)],
                    drawings[n % len(drawings)],
                    f"Demo portrait of {name}: {drawings[n % len(drawings)].description}",
                )
                for n, name in enumerate(names)
            ],
            demo.PORTRAIT_FOCUS,
        )

    def store_file(self, name, drawing, written) -> str:
        storage = Image._meta.get_field("file").storage
        stored = storage.save(f"{demo.DEMO_FOLDER}/{name}", ContentFile(demo.jpeg(drawing.image)))
        written.append(stored)
        return stored

    def insert_images(self, rows, focus) -> list[Image]:
        """Insert an image for each ``(stored file, drawing, alt text)`` at once (bulk:
        ``Image.save`` would queue renditions one picture at a time; ``make_renditions`` makes
        them, and until then the rows say they are pending, so pages show the originals)."""
        return Image.objects.bulk_create(
            [
                Image(
                    file=stored,
                    width=drawing.image.width,
                    height=drawing.image.height,
                    alt_text=alt[:300],
                    caption=demo.DEMO_CAPTION,
                    credit=DEMO_CREDIT,
                    focal_x=focus[0],
                    focal_y=focus[1],
                    renditions_pending=True,
                )
                for stored, drawing, alt in rows
            ]
        )

    def make_renditions(self, images) -> None:
        """Make every demo picture's renditions now, as the background task would have: pages
        show them as soon as the command ends, with no worker running.

        Renditions are named by the image's id, so portraits sharing a file each need their own;
        they are made once per file and copied (the same file, size and focal point give the
        same renditions, in the same order), which saves 90% of the time.
        """
        by_file: dict[str, list[Image]] = {}
        for image in images:
            by_file.setdefault(image.file.name, []).append(image)
        storage = Image._meta.get_field("file").storage
        total, made, failed = sum(map(len, by_file.values())), 0, []

        def make(same_file: list[Image]):
            first, *others = same_file
            try:
                done = generate_renditions(first)
            except RenditionsFailed:
                return 0, same_file  # each records why in make_renditions below
            for other in others:
                for source, copy in zip(done, all_renditions(other), strict=True):
                    with storage.open(source.name) as made_file:
                        storage.save(copy.name, made_file)
            return len(done) * len(same_file), []

        # Threads: encoding and file writes let go of the GIL.
        with ThreadPoolExecutor(max_workers=4) as pool:
            for n, (count, failures) in enumerate(pool.map(make, by_file.values()), start=1):
                made += count
                failed += failures
                if n % 10 == 0 or n == len(by_file):
                    self.stdout.write(
                        f"  resized copies of {n:,} of {len(by_file):,} drawings made"
                    )
        Image.objects.filter(
            pk__in=[image.pk for same in by_file.values() for image in same]
        ).exclude(pk__in=[image.pk for image in failed]).update(renditions_pending=False)
        for image in failed:  # records what could not be made, for the admin, and logs why
            image.make_renditions()
        self.stdout.write(
            f"Made {made:,} resized copies of {total:,} demo pictures."
            + (
                f" {len(failed)} could not be made in full: see the image library."
                if failed
                else ""
            )
        )

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
                    lead_image=(
                        rng.choice(images) if images and rng.random() < LEAD_IMAGE_SHARE else None
                    ),
                    is_demo=True,
                )
            )
        stories = Article.objects.bulk_create(stories)
        self.illustrated += sum(story.lead_image_id is not None for story in stories)
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
                # Last: demo stories used them as lead pictures (PROTECT), demo reporters and
                # people as portraits. Their files and renditions go once this commits.
                counts["pictures"] = demo_images().delete()[1].get(Image._meta.label, 0)
                Tag.objects.filter(
                    name__in=TOPICS,
                    taggit_taggeditem_items__isnull=True,
                    articles_taggedarticle_items__isnull=True,
                ).delete()
        except ProtectedError as error:
            blocked = sorted({str(obj) for obj in error.protected_objects})[:5]
            raise CommandError(
                "Demo data is still used by real content, so nothing was removed. Remove these "
                "first (for example a demo reporter on a real story's byline, or a demo picture "
                f"as a real story's lead picture): {', '.join(blocked)}"
            ) from error
        self.remove_empty_folders()
        self.stdout.write(
            self.style.SUCCESS(
                "Removed " + ", ".join(f"{n:,} demo {label}" for label, n in counts.items()) + "."
            )
        )

    def remove_empty_folders(self) -> None:
        """The demo pictures' files went as the removal committed; on a disk, their folders are
        left empty (an object store has no folders)."""
        storage = Image._meta.get_field("file").storage
        try:
            root = Path(storage.path(demo.DEMO_FOLDER))
        except NotImplementedError:
            return
        if not root.is_dir():
            return
        for folder in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
            with contextlib.suppress(OSError):  # not empty: a file that is not ours
                folder.rmdir()
        with contextlib.suppress(OSError):
            root.rmdir()

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
