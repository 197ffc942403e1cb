"""The Reporter and Editor groups, so every migrated database has the newsroom's two roles."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Reporters write and submit their own stories and add the people and organizations in them.
REPORTER = {
    "articles": ["add_article", "change_article", "view_article", "view_section", "view_byline",
                 "add_byline", "change_byline", "delete_byline", "view_taggedarticle"],
    "people": ["view_reporter", "view_person", "add_person", "change_person", "view_organization",
               "add_organization", "change_organization", "view_affiliation", "add_affiliation",
               "change_affiliation"],
    "taggit": ["view_tag", "add_tag"],
    "photos": ["view_image", "add_image", "change_image"],
}
# Editors edit everything, publish, schedule, unpublish, correct, and keep the site's structure.
EDITOR = {
    "articles": ["add_article", "change_article", "view_article", "delete_article",
                 "publish_article", "edit_any_article", "add_section", "change_section",
                 "view_section", "add_byline", "change_byline", "delete_byline", "view_byline",
                 "view_taggedarticle", "add_taggedarticle", "change_taggedarticle",
                 "delete_taggedarticle", "add_correction", "change_correction",
                 "view_correction", "view_statuschange"],
    "people": ["add_reporter", "change_reporter", "view_reporter", "add_person", "change_person",
               "view_person", "delete_person", "add_organization", "change_organization",
               "view_organization", "add_affiliation", "change_affiliation", "delete_affiliation",
               "view_affiliation"],
    "taggit": ["add_tag", "change_tag", "view_tag", "delete_tag"],
    "newsroom": ["view_slughistory"],
    "photos": ["view_image", "add_image", "change_image", "delete_image"],
}  # fmt: skip
ROLES = {"Reporter": REPORTER, "Editor": EDITOR}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations run; make them now so the groups can
    # be given them in a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codenames in grants.items():
            permissions = Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
            missing = set(codenames) - set(permissions.values_list("codename", flat=True))
            if missing:
                raise RuntimeError(f"Permissions missing for the {name} role: {sorted(missing)}")
            group.permissions.add(*permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_initial"),
        ("people", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("newsroom", "0001_initial"),
        ("photos", "0002_upload_field"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
