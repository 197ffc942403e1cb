"""Live coverage (entries), embargoes and legal kills (issue 18).

Roles: reporters and editors add and correct live entries (a reporter only on stories under their
byline, enforced by the admin); editors also delete them. Killing a story takes its own permission,
``kill_article``, held by the new "Legal" role alone (with seeing stories and their workflow log):
an administrator puts the managing editor or the newsroom's lawyer in it, beside their own role.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

ENTRIES = ["add_liveentry", "change_liveentry", "view_liveentry"]
ROLE_PERMISSIONS = {"Reporter": ENTRIES, "Editor": [*ENTRIES, "delete_liveentry"]}
LEGAL = "Legal"
LEGAL_PERMISSIONS = ["kill_article", "view_article", "view_statuschange"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    articles = Permission.objects.filter(content_type__app_label="articles")
    for name, codenames in ROLE_PERMISSIONS.items():
        for group in Group.objects.filter(name=name):
            group.permissions.add(*articles.filter(codename__in=codenames))
    legal, _ = Group.objects.get_or_create(name=LEGAL)
    legal.permissions.add(*articles.filter(codename__in=LEGAL_PERMISSIONS))


def take_back(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name=LEGAL).delete()
    entries = Permission.objects.filter(
        content_type__app_label="articles", codename__contains="liveentry"
    )
    for group in Group.objects.filter(name__in=ROLE_PERMISSIONS):
        group.permissions.remove(*entries)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_body_images"),
        ("people", "0002_demo_data"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="article",
            options={
                "ordering": ["-published_at", "-id"],
                "permissions": [
                    ("publish_article", "Can publish, schedule and unpublish stories"),
                    (
                        "edit_any_article",
                        "Can edit any story, whoever's byline and whatever its status",
                    ),
                    (
                        "kill_article",
                        "Can take a story down for legal reasons (kill it), and see it after",
                    ),
                ],
                "verbose_name": "story",
                "verbose_name_plural": "stories",
            },
        ),
        migrations.AddField(
            model_name="article",
            name="embargo_until",
            field=models.DateTimeField(
                blank=True,
                help_text="Held until this time: nobody can publish it, schedule it earlier or share a preview link before. Leave empty if the story is not embargoed.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="is_live",
            field=models.BooleanField(
                default=False,
                help_text="The story follows events as they happen: entries are added at the top of its page, newest first, and readers see new ones without reloading.",
                verbose_name="live coverage",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="kill_reason",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="Why the story was taken down for legal reasons, for the legal record.",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="killed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="article",
            name="killed_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="live_closed_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When the live coverage ended: readers' pages stop checking for new entries.",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("review", "In review"),
                    ("published", "Published"),
                    ("withdrawn", "Withdrawn"),
                    ("killed", "Killed (legal)"),
                ],
                db_index=True,
                default="draft",
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="statuschange",
            name="from_status",
            field=models.CharField(
                blank=True,
                choices=[
                    ("draft", "Draft"),
                    ("review", "In review"),
                    ("published", "Published"),
                    ("withdrawn", "Withdrawn"),
                    ("killed", "Killed (legal)"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="statuschange",
            name="to_status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("review", "In review"),
                    ("published", "Published"),
                    ("withdrawn", "Withdrawn"),
                    ("killed", "Killed (legal)"),
                ],
                max_length=20,
            ),
        ),
        migrations.CreateModel(
            name="LiveEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "posted_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now,
                        help_text="The time readers see beside the entry.",
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        blank=True, help_text="Optional; a few words.", max_length=200
                    ),
                ),
                (
                    "body",
                    models.TextField(
                        help_text="What happened: the story furniture can be used here too."
                    ),
                ),
                (
                    "key_event",
                    models.BooleanField(
                        default=False,
                        help_text="Listed at the top of the story as a link, for readers arriving late.",
                        verbose_name="key event",
                    ),
                ),
                (
                    "pinned",
                    models.BooleanField(
                        default=False, help_text="Kept at the top of the entries, above newer ones."
                    ),
                ),
                (
                    "correction",
                    models.TextField(
                        blank=True,
                        help_text="What was wrong and what is right now; shown on the entry. Leave empty for a silent typo fix.",
                    ),
                ),
                ("corrected_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("modified_at", models.DateTimeField(auto_now=True)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="entries",
                        to="articles.article",
                        verbose_name="story",
                    ),
                ),
                (
                    "authors",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Who wrote the entry; shown to readers beside it.",
                        related_name="live_entries",
                        to="people.reporter",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "live entry",
                "verbose_name_plural": "live entries",
                "ordering": ["-pinned", "-posted_at", "-id"],
                "indexes": [
                    models.Index(fields=["article", "posted_at"], name="live_entry_story_idx")
                ],
            },
        ),
        migrations.RunPython(grant, take_back),
    ]
