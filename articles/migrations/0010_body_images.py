"""Record which library pictures each story's body shows (``articles.BodyImage``), so that such a
picture cannot be deleted, counts as shown by a published story, and its page lists the story.

``Article.save`` keeps the record from now on; this fills it for the stories saved before. A
number that is not a picture in the library is not recorded. Reversing it drops the table.
"""

import re

import django.db.models.deletion
from django.db import migrations, models

# A copy of articles.body.image_ids as it was when this migration was written.
_TAG = re.compile(r"<(/?)figure\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')


def image_ids(body):
    """The library pictures a stored body shows (alone or in a gallery), in order, each once."""
    if "<figure" not in (body or ""):
        return []
    top, stack = [], []  # figures as (attrs, children)
    for tag in _TAG.finditer(body):
        if not tag[1]:
            stack.append((dict(_ATTRIBUTE.findall(tag[2])), []))
            continue
        if not stack:
            continue
        made = stack.pop()
        (stack[-1][1] if stack else top).append(made)
    found = []
    for attrs, children in top:
        for item, _ in [(attrs, None), *children]:
            value = item.get("data-image", "")
            if item.get("class", "") == "picture" and value.isdigit() and int(value):
                found.append(int(value))
    return list(dict.fromkeys(found))


def record_body_images(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    BodyImage = apps.get_model("articles", "BodyImage")
    Image = apps.get_model("photos", "Image")
    db = schema_editor.connection.alias
    stories = (
        Article.objects.using(db)
        .filter(body__contains="data-image")
        .only("pk", "body")
        .order_by("pk")
    )
    for story in stories.iterator(chunk_size=500):
        wanted = image_ids(story.body)
        if not wanted:
            continue
        found = Image.objects.using(db).filter(pk__in=wanted).values_list("pk", flat=True)
        BodyImage.objects.using(db).bulk_create(
            [BodyImage(article_id=story.pk, image_id=pk) for pk in sorted(found)],
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_autosave"),
        ("photos", "0004_image_renditions_pending"),
    ]

    operations = [
        migrations.CreateModel(
            name="BodyImage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="body_images",
                        to="articles.article",
                        verbose_name="story",
                    ),
                ),
                (
                    "image",
                    models.ForeignKey(
                        help_text="A picture a story's body shows cannot be deleted.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="body_of",
                        to="photos.image",
                        verbose_name="picture",
                    ),
                ),
            ],
            options={
                "verbose_name": "picture in a story's body",
                "verbose_name_plural": "pictures in stories' bodies",
                "ordering": ["article", "image"],
                "constraints": [
                    models.UniqueConstraint(fields=("article", "image"), name="body_image_once")
                ],
            },
        ),
        migrations.RunPython(record_body_images, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="article",
            name="body",
            field=models.TextField(
                help_text="The story. The toolbar adds tables, pull quotes, fact boxes, pictures "
                "from the library, galleries and posts or videos from YouTube, Vimeo, X, Bluesky "
                "and Instagram; anything else pasted in is cleaned away on save."
            ),
        ),
    ]
