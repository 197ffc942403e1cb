"""The old-address model now belongs to core (``core/migrations/0001``): forget it here, and move
its permissions (the Editor role's *view old addresses*) to core's model."""

from django.db import migrations


def move_permissions(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    old = ContentType.objects.filter(app_label="newsroom", model="slughistory").first()
    if old is None:
        return
    if not ContentType.objects.filter(app_label="core", model="slughistory").exists():
        # A site migrated before the move: the kind itself moves, and with it its permissions,
        # the roles and accounts holding them, and the admin's log entries.
        old.app_label = "core"
        old.save()
        return
    # A new database, where both kinds were made on the way: move the roles' permissions.
    new = ContentType.objects.get(app_label="core", model="slughistory")
    for permission in Permission.objects.filter(content_type=old):
        moved, _ = Permission.objects.get_or_create(
            content_type=new, codename=permission.codename, defaults={"name": permission.name}
        )
        moved.group_set.add(*permission.group_set.all())
        moved.user_set.add(*permission.user_set.all())
    old.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0001_initial"),
        ("core", "0001_initial"),
        # The roles were given the old model's permissions there.
        ("articles", "0003_editorial_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SlugHistory")],
        ),
        migrations.RunPython(move_permissions, migrations.RunPython.noop),
    ]
