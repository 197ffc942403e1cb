"""Write the site's stories and people as a fixture with natural keys (the seed's recipe)."""

import io
import json
from pathlib import Path

from django.core.management import BaseCommand, call_command

MODELS = [
    "people",
    "articles.section",
    "articles.article",
    "articles.byline",
    "articles.taggedarticle",
    "articles.correction",
    "taggit.tag",
]
# Login accounts are local to each site, so a fixture must not point at them.
ACCOUNT_FIELDS = {"created_by", "modified_by", "user"}


class Command(BaseCommand):
    help = "Dump stories, bylines, corrections, tags, reporters, people and organizations to a fixture."

    def add_arguments(self, parser):
        parser.add_argument(
            "output", help="The fixture file to write, e.g. fixtures/qianhai-forum.json"
        )

    def handle(self, *args, output, **options):
        buffer = io.StringIO()
        call_command("dumpdata", *MODELS, natural_foreign=True, natural_primary=True, stdout=buffer)
        objects = json.loads(buffer.getvalue())
        for obj in objects:
            for field in ACCOUNT_FIELDS & obj["fields"].keys():
                obj["fields"][field] = None
        Path(output).write_text(
            json.dumps(objects, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        stories = sum(obj["model"] == "articles.article" for obj in objects)
        self.stdout.write(
            f"Wrote {stories} stor{'y' if stories == 1 else 'ies'} and {len(objects) - stories} related records to {output}."
        )
