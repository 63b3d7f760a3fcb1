"""The index for searching counter matters: grams of their folded text."""

import django.contrib.postgres.indexes
import koban.lib.search
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('counter', '0002_seed_categories'),
    ]

    operations = [
        migrations.RunSQL(koban.lib.search.CREATE_FUNCTIONS_SQL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name='countermatter',
            index=django.contrib.postgres.indexes.GinIndex(koban.lib.search.SearchGrams('summary', 'outcome_note', 'person_description', 'handed_over_to'), name='countermatter_search_grams'),
        ),
    ]
