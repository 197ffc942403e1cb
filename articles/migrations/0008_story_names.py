"""Stories are "story" to editors, status changes "workflow step"; the permissions Django made
under the old names ("Can add article") are renamed to match ("Can add story")."""

import django.db.models.deletion
from django.db import migrations, models

RENAMED = {"article": ("article", "story"), "statuschange": ("status change", "workflow step")}


def rename_permissions(apps, schema_editor, *, backwards=False):
    Permission = apps.get_model("auth", "Permission")
    for model, (old, new) in RENAMED.items():
        before, after = (new, old) if backwards else (old, new)
        for action in ("add", "change", "delete", "view"):
            Permission.objects.filter(
                content_type__app_label="articles",
                content_type__model=model,
                codename=f"{action}_{model}",
                name=f"Can {action} {before}",
            ).update(name=f"Can {action} {after}")


def restore_permission_names(apps, schema_editor):
    rename_permissions(apps, schema_editor, backwards=True)


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0007_mend_empty_tag_slugs'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='article',
            options={'ordering': ['-published_at', '-id'], 'permissions': [('publish_article', 'Can publish, schedule and unpublish stories'), ('edit_any_article', "Can edit any story, whoever's byline and whatever its status")], 'verbose_name': 'story', 'verbose_name_plural': 'stories'},
        ),
        migrations.AlterModelOptions(
            name='statuschange',
            options={'get_latest_by': 'at', 'ordering': ['article', 'at', 'id'], 'verbose_name': 'workflow step'},
        ),
        migrations.AlterField(
            model_name='byline',
            name='article',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='bylines', to='articles.article', verbose_name='story'),
        ),
        migrations.AlterField(
            model_name='correction',
            name='article',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='corrections', to='articles.article', verbose_name='story'),
        ),
        migrations.AlterField(
            model_name='statuschange',
            name='article',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='status_changes', to='articles.article', verbose_name='story'),
        ),
        migrations.RunPython(rename_permissions, restore_permission_names),
    ]
