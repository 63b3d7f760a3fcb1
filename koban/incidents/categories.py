"""The default incident categories of a Japanese deployment, and seeding them into an empty table.

The data migration ``0002_seed_categories`` adds them once; ``seed_default_categories`` also runs
after every ``migrate`` and ``flush`` (Django's ``post_migrate`` signal) but only when there is no
category at all, so a database emptied by a flush (tests that run a live server do that) gets them
back while a deployment that edited or removed some is left alone.
"""

from __future__ import annotations

from typing import Any

# code, ja, en, default priority (1 urgent … 4 low)
DEFAULT_CATEGORIES = [
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


def seed_default_categories(sender: Any = None, using: str = "default", **kwargs: Any) -> None:
    """Create the default categories when the table is empty (a ``post_migrate`` receiver)."""
    from koban.incidents.models import IncidentCategory

    categories = IncidentCategory.objects.using(using)
    if categories.exists():
        return
    categories.bulk_create(
        IncidentCategory(
            code=code,
            labels={"ja": ja, "en": en},
            default_priority=priority,
            active=True,
            sort_order=(order + 1) * 10,
        )
        for order, (code, ja, en, priority) in enumerate(DEFAULT_CATEGORIES)
    )
