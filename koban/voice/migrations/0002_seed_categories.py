"""Seed the default request categories (Japan); deployments may edit, add or deactivate them.

Sensitive categories (a suspicious person seen, noise from a neighbour) are published only at an
approximate place, so that a public map never points at someone's home.
"""

from django.db import migrations

TIME_OF_DAY = {
    "code": "time_of_day",
    "datatype": "singlevaluelist",
    "required": False,
    "order": 1,
    "description": {"ja": "いつ頃が特に気になりますか", "en": "When is it worst?"},
    "values": [
        {"key": "morning", "name": {"ja": "朝", "en": "Morning"}},
        {"key": "daytime", "name": {"ja": "昼間", "en": "Daytime"}},
        {"key": "evening", "name": {"ja": "夕方", "en": "Evening"}},
        {"key": "night", "name": {"ja": "夜間", "en": "Night"}},
    ],
}

# code, ja, en, group, sensitive, attributes
CATEGORIES = [
    ("dark_street", "暗い道・防犯灯", "Dark street", "safety", False, [TIME_OF_DAY]),
    ("speeding", "スピード違反・危険運転", "Speeding", "traffic", False, [TIME_OF_DAY]),
    ("traffic_safety", "通学路・交通安全", "Road and school-route safety", "traffic", False, []),
    ("suspicious_person", "不審者の目撃", "Suspicious person seen", "safety", True, [TIME_OF_DAY]),
    ("noise", "騒音", "Noise", "nuisance", True, [TIME_OF_DAY]),
    ("more_patrols", "パトロールの強化", "More patrols", "safety", False, [TIME_OF_DAY]),
    ("praise", "お礼・感謝", "Praise", "feedback", False, []),
    ("complaint", "苦情", "Complaint", "feedback", False, []),
    ("other", "その他", "Other", "other", False, []),
]


def seed(apps, schema_editor):
    Category = apps.get_model("voice", "RequestCategory")
    for order, (code, ja, en, group, sensitive, attributes) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "labels": {"ja": ja, "en": en},
                "group": group,
                "sensitive": sensitive,
                "attributes": attributes,
                "active": True,
                "sort_order": (order + 1) * 10,
            },
        )


def unseed(apps, schema_editor):
    Category = apps.get_model("voice", "RequestCategory")
    Category.objects.filter(code__in=[c[0] for c in CATEGORIES], requests__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("voice", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
