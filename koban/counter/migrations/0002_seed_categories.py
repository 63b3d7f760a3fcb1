"""Seed the usual counter categories; deployments add, rename or retire them as configuration."""

from django.db import migrations

CATEGORIES = [
    ("directions", {"ja": "地理案内", "en": "Directions"}, False),
    ("consultation", {"ja": "相談", "en": "Consultation"}, False),
    ("report", {"ja": "届出", "en": "Report"}, False),
    ("complaint", {"ja": "苦情", "en": "Complaint"}, False),
    ("found-item", {"ja": "拾得物受理", "en": "Found item handed in"}, False),
    ("lost-child", {"ja": "迷子保護", "en": "Lost child in custody"}, True),
    ("elderly-wanderer", {"ja": "徘徊高齢者保護", "en": "Elderly wanderer in custody"}, True),
    ("other", {"ja": "その他", "en": "Other"}, False),
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    CounterCategory = apps.get_model("counter", "CounterCategory")
    for order, (code, labels, custody) in enumerate(CATEGORIES):
        CounterCategory.objects.update_or_create(
            code=code, defaults={"labels": labels, "custody": custody, "sort_order": (order + 1) * 10}
        )


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    CounterCategory = apps.get_model("counter", "CounterCategory")
    CounterCategory.objects.filter(code__in=[c[0] for c in CATEGORIES], matters__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("counter", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
