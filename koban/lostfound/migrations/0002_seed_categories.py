"""Seed the item categories most lost-property offices use (labels in Japanese and English)."""

from django.db import migrations

CATEGORIES = [
    # code, ja, en, holds personal data, bulky
    ("wallet", "財布", "Wallet / purse", False, False),
    ("cash", "現金", "Cash", False, False),
    ("phone", "携帯電話", "Mobile phone", True, False),
    ("card", "カード類（クレジット・IC）", "Cards (credit, IC)", True, False),
    ("id", "証明書類（免許証・保険証等）", "ID documents", True, False),
    ("keys", "鍵", "Keys", False, False),
    ("umbrella", "傘", "Umbrella", False, True),
    ("bag", "かばん類", "Bag", False, False),
    ("clothing", "衣類", "Clothing", False, True),
    ("bicycle", "自転車", "Bicycle", False, True),
    ("electronics", "電子機器", "Electronics (no personal data)", False, False),
    ("jewellery", "貴金属・装身具", "Jewellery and accessories", False, False),
    ("other", "その他", "Other", False, False),
]


def seed(apps, schema_editor):
    ItemCategory = apps.get_model("lostfound", "ItemCategory")
    for order, (code, ja, en, personal, bulky) in enumerate(CATEGORIES):
        ItemCategory.objects.update_or_create(
            code=code,
            defaults={
                "labels": {"ja": ja, "en": en},
                "holds_personal_data": personal,
                "bulky": bulky,
                "sort_order": (order + 1) * 10,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("lostfound", "ItemCategory").objects.filter(code__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("lostfound", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
