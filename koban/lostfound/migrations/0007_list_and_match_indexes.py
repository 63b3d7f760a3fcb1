"""Indexes for the newest-first list of found items and for matching a loss report (items of its kind by time found)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('lostfound', '0006_search_indexes'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='founditem',
            index=models.Index(fields=['-handed_in_at', '-id'], name='founditem_newest_first'),
        ),
        migrations.AddIndex(
            model_name='founditem',
            index=models.Index(fields=['category', 'found_at'], name='founditem_kind_found_at'),
        ),
    ]
