"""Seed the default incident categories (Japan); deployments may edit, add or deactivate them."""

from django.db import migrations

# code, ja, en, default priority (1 urgent … 4 low)
CATEGORIES = [
    ("assault", "暴行・傷害", "Assault", 1),
    ("domestic", "家庭内トラブル・DV", "Domestic incident", 1),
    ("lost_child", "迷子・行方不明", "Lost child / missing person", 1),
    ("traffic_accident", "交通事故", "Traffic accident", 2),
    ("burglary", "侵入盗", "Burglary", 2),
    ("suspicious_person", "不審者", "Suspicious person", 2),
    ("theft", "窃盗", "Theft", 3),
    ("bicycle_theft", "自転車盗", "Bicycle theft", 3),
    ("vehicle_theft", "自動車・オートバイ盗", "Vehicle theft", 3),
    ("theft_from_vehicle", "車上ねらい・部品ねらい", "Theft from a vehicle", 3),
    ("snatching", "ひったくり", "Bag snatching", 2),
    ("fraud", "詐欺", "Fraud", 3),
    ("noise_trouble", "騒音・トラブル", "Noise / dispute", 3),
    ("other", "その他", "Other", 3),
]


def seed(apps, schema_editor):
    Category = apps.get_model("incidents", "IncidentCategory")
    for order, (code, ja, en, priority) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "labels": {"ja": ja, "en": en},
                "default_priority": priority,
                "active": True,
                "sort_order": (order + 1) * 10,
            },
        )


def unseed(apps, schema_editor):
    Category = apps.get_model("incidents", "IncidentCategory")
    Category.objects.filter(code__in=[c[0] for c in CATEGORIES], incidents__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
