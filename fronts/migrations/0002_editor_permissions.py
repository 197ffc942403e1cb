"""Editors arrange the fronts (the Editor role of articles' migration 0003); reporters do not."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = ["view_front", "change_front"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("fronts")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="fronts", codename__in=EDITOR)
    if permissions.count() != len(EDITOR):
        raise RuntimeError(f"Permissions missing for the Editor role: {EDITOR}")
    for group in Group.objects.filter(name="Editor"):
        group.permissions.add(*permissions)


def take_back(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name="Editor"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="fronts", codename__in=EDITOR)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("fronts", "0001_initial"),
        ("articles", "0003_editorial_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, take_back)]
