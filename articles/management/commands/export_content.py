"""Export all the newsroom's content as one fixture with natural keys, to move it to another site.

    python manage.py export_content newsroom-export.json
    python manage.py loaddata newsroom-export.json        # on the other site

Written: sections, tags, stories (with their mentions and the mentions editors removed), bylines
in order, story tags, corrections, reporters, people, organizations, affiliations and the image
library's metadata. Everything is referred to by its natural key (slugs, tag names), except images,
which have none and keep their ids. Times keep their microseconds, so loading the export into an
empty database gives back every object and relation exactly.

Left out: login accounts (the links to them are emptied: accounts belong to each site), the
workflow log and revisions, and the image files themselves (copy the media folder alongside).
"""

import datetime as dt
import sys
from pathlib import Path

from django.core import serializers
from django.core.management import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from taggit.models import Tag

from articles.models import Article, Byline, Correction, Section, TaggedArticle
from people.models import Affiliation, Organization, Person, Reporter
from photos.models import Image

# Login accounts are local to each site, so an export must not point at them.
ACCOUNT_FIELDS = ("created_by", "modified_by", "user", "uploaded_by")


def export_plan():
    """(what, queryset) in loading order: everything a row refers to comes before it."""
    return [
        ("images", Image.objects.order_by("pk")),
        ("sections", Section.objects.order_by("pk")),
        ("tags", Tag.objects.order_by("pk")),
        ("people", Person.objects.order_by("pk")),
        # A parent organization may come after its child; loaddata resolves it at the end.
        ("organizations", Organization.objects.select_related("parent").order_by("pk")),
        (
            "affiliations",
            Affiliation.objects.select_related("person", "organization").order_by("pk"),
        ),
        ("reporters", Reporter.objects.order_by("pk")),
        (
            "stories",
            Article.objects.select_related("section")
            .prefetch_related(
                Prefetch("mentioned_people", queryset=Person.objects.only("slug")),
                Prefetch("mentioned_organizations", queryset=Organization.objects.only("slug")),
                Prefetch("unlinked_people", queryset=Person.objects.only("slug")),
                Prefetch("unlinked_organizations", queryset=Organization.objects.only("slug")),
            )
            .order_by("pk"),
        ),
        ("bylines", Byline.objects.select_related("article", "reporter").order_by("pk")),
        (
            "story tags",
            TaggedArticle.objects.select_related("content_object", "tag").order_by("pk"),
        ),
        ("corrections", Correction.objects.select_related("article").order_by("pk")),
    ]


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's JSON encoder, but times keep their microseconds (it cuts them to milliseconds),
    so a story's times, and corrections' natural keys, come back exactly."""

    def default(self, o):
        if isinstance(o, dt.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, dt.time):
            return o.isoformat()
        return super().default(o)


class Command(BaseCommand):
    help = (
        "Export all content (stories, bylines, corrections, sections, tags, reporters, people, "
        "organizations, affiliations, mentions, image metadata) as a JSON fixture with natural "
        "keys. Load it on another site with `manage.py loaddata FILE.json`. Login accounts, the "
        "workflow log, revisions and image files are not included."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "output",
            help="The .json file to write, or - for standard output (progress then "
            "goes to standard error).",
        )
        parser.add_argument(
            "--indent", type=int, default=2, help="Spaces to indent the JSON with (default 2)."
        )

    def handle(self, *args, output, indent, **options):
        report = self.stderr if output == "-" else self.stdout
        counts: dict[str, int] = {}
        plan = export_plan()

        def objects():
            for label, queryset in plan:
                counts[label] = 0
                for obj in queryset.iterator(chunk_size=500):
                    for name in ACCOUNT_FIELDS:
                        if hasattr(obj, f"{name}_id"):
                            setattr(obj, f"{name}_id", None)
                    counts[label] += 1
                    yield obj
                report.write(f"  {label}: {counts[label]}")

        options = {
            "indent": indent,
            "cls": ExactJSONEncoder,
            "use_natural_foreign_keys": True,
            "use_natural_primary_keys": True,
        }
        if output == "-":
            serializers.serialize("json", objects(), stream=sys.stdout, **options)
            sys.stdout.write("\n")
        else:
            report.write(f"Exporting to {output} …")
            with Path(output).open("w", encoding="utf-8") as stream:
                serializers.serialize("json", objects(), stream=stream, **options)
                stream.write("\n")
        report.write(self.style.SUCCESS(self._summary(counts, output)))

    @staticmethod
    def _summary(counts, output):
        def n(count, one, many):
            return f"{count} {one if count == 1 else many}"

        where = "standard output" if output == "-" else output
        return (
            f"Exported {n(counts['stories'], 'story', 'stories')}, "
            f"{n(counts['bylines'], 'byline', 'bylines')}, "
            f"{n(counts['corrections'], 'correction', 'corrections')}, "
            f"{n(counts['sections'], 'section', 'sections')}, "
            f"{n(counts['tags'], 'tag', 'tags')}, "
            f"{n(counts['reporters'], 'reporter', 'reporters')}, "
            f"{n(counts['people'], 'person', 'people')}, "
            f"{n(counts['organizations'], 'organization', 'organizations')}, "
            f"{n(counts['affiliations'], 'affiliation', 'affiliations')} and "
            f"{n(counts['images'], 'image', 'images')} to {where}."
        )
