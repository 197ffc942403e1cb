"""The old-address table moves from the project package to core (``core.models.SlugHistory``).

The model already exists in databases migrated before the move, as ``newsroom_slughistory``: this
takes it over in the migration state, then gives the table core's name. Nothing is copied. (So
this one migration depends on the project package's first: newsroom/migrations/0001 stays for
good. The table's index and constraint names keep their old prefix; they mean nothing.)
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("newsroom", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SlugHistory',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('object_id', models.PositiveBigIntegerField(help_text='The object that had this address.')),
                        ('slug', models.CharField(help_text='The old slug. Each old slug points at the last object of its kind that had it.', max_length=255)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, help_text='When the object moved away from this address.')),
                        ('content_type', models.ForeignKey(help_text='The kind of object.', on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype')),
                    ],
                    options={
                        'db_table': 'newsroom_slughistory',
                        'verbose_name': 'old address',
                        'verbose_name_plural': 'old addresses',
                        'ordering': ['content_type', 'slug'],
                        'indexes': [models.Index(fields=['content_type', 'object_id'], name='slughistory_object_idx')],
                        'constraints': [models.UniqueConstraint(fields=('content_type', 'slug'), name='slughistory_slug_once')],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="slughistory", table=None),
    ]
