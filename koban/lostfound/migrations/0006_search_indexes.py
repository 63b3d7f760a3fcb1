"""Indexes for searching found items and loss reports: grams of the folded text, receipt number head and tail."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
import koban.lib.search
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('lostfound', '0005_custody_records_and_notices'),
    ]

    operations = [
        migrations.RunSQL(koban.lib.search.CREATE_FUNCTIONS_SQL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name='founditem',
            index=django.contrib.postgres.indexes.GinIndex(koban.lib.search.SearchGrams('description', 'found_place'), name='founditem_search_grams'),
        ),
        migrations.AddIndex(
            model_name='founditem',
            index=models.Index(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Reverse('receipt_number'), name='text_pattern_ops'), name='founditem_receipt_tail'),
        ),
        migrations.AddIndex(
            model_name='founditem',
            index=models.Index(fields=['receipt_number'], name='founditem_receipt_head', opclasses=['varchar_pattern_ops']),
        ),
        migrations.AddIndex(
            model_name='lossreport',
            index=django.contrib.postgres.indexes.GinIndex(koban.lib.search.SearchGrams('description', 'lost_place'), name='lossreport_search_grams'),
        ),
    ]
