"""The index for searching incidents: grams of the folded description and address."""

import django.contrib.postgres.indexes
import koban.lib.search
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0004_caller_and_unplaced_address'),
    ]

    operations = [
        migrations.RunSQL(koban.lib.search.CREATE_FUNCTIONS_SQL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name='incident',
            index=django.contrib.postgres.indexes.GinIndex(koban.lib.search.SearchGrams('description', 'address'), name='incident_search_grams'),
        ),
    ]
