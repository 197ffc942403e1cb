"""Give a routable slug to tags saved with an empty one.

taggit slugified a name with no letters or digits ("?", ">") to "", and every page linking such
a tag failed to make its address. New tags get a fallback slug on save
(``articles.models.give_every_tag_a_routable_slug``); this mends the ones saved before. Reversing
it leaves the mended slugs alone: an empty slug is never wanted back.
"""

import hashlib

from django.db import migrations


def tag_fallback_slug(name):
    # A copy of articles.models.tag_fallback_slug as it was when this migration was written.
    return "tag-" + hashlib.sha256(name.encode()).hexdigest()[:8]


def mend_empty_tag_slugs(apps, schema_editor):
    Tag = apps.get_model("taggit", "Tag")
    for tag in Tag.objects.filter(slug="").order_by("pk"):
        base = tag_fallback_slug(tag.name)
        taken = set(
            Tag.objects.filter(slug__startswith=base)
            .exclude(pk=tag.pk)
            .values_list("slug", flat=True)
        )
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        Tag.objects.filter(pk=tag.pk).update(slug=slug)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_listing_indexes_ascending"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(mend_empty_tag_slugs, migrations.RunPython.noop)]
