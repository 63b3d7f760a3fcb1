"""Seed the standard shift patterns: koban 3-group, MPD 4-group, 8-hour three-shift and chuzaisho."""

from django.db import migrations

DAY_SHIFT = {
    "kind": "day_shift",
    "start": "08:30",
    "minutes": 525,
    "labels": {"ja": "日勤", "en": "Day shift"},
}
DUTY_24H = {"kind": "duty", "start": "08:30", "minutes": 1440, "labels": {"ja": "当番", "en": "Duty (24 h)"}}
OFF_AFTER_DUTY = {"kind": "off", "labels": {"ja": "非番", "en": "Off after duty"}}
DAY_OFF = {"kind": "off", "labels": {"ja": "公休", "en": "Day off"}}

PATTERNS = [
    {
        "code": "koban-3-group",
        "labels": {"ja": "交番三交替制", "en": "Koban 3-group cycle"},
        "kind": "rotating",
        "description": (
            "当番 (24 h from 08:30) → 非番 → 公休; three groups one day apart, so one group is always on "
            "duty. Every 7th cycle the day off becomes a 日勤 (08:30–17:15)."
        ),
        "definition": {
            "groups": 3,
            "group_offset_days": 1,
            "shifts": {"T": DUTY_24H, "H": OFF_AFTER_DUTY, "K": DAY_OFF, "N": DAY_SHIFT},
            "cycle": [["T"], ["H"], ["K"]],
            "nth_cycle": {"n": 7, "replace": "K", "with": "N"},
        },
    },
    {
        "code": "mpd-4-group",
        "labels": {"ja": "四交替制（警視庁型）", "en": "4-group cycle (MPD style)"},
        "kind": "rotating",
        "description": (
            "日勤 → 当番 (24 h) → 非番 → 週休; four groups one day apart: every day one group is on "
            "24-hour duty and another works the day shift."
        ),
        "definition": {
            "groups": 4,
            "group_offset_days": 1,
            "shifts": {
                "N": DAY_SHIFT,
                "T": DUTY_24H,
                "H": OFF_AFTER_DUTY,
                "K": {"kind": "off", "labels": {"ja": "週休", "en": "Weekly rest"}},
            },
            "cycle": [["N"], ["T"], ["H"], ["K"]],
        },
    },
    {
        "code": "three-8h-shifts",
        "labels": {"ja": "8時間三交替制", "en": "8-hour three-shift rotation"},
        "kind": "rotating",
        "description": (
            "Early 06:00, late 14:00 and night 22:00 shifts of 8 hours (as in Singapore's neighbourhood "
            "police posts); four groups two days apart work two of each and rest two days."
        ),
        "definition": {
            "groups": 4,
            "group_offset_days": 2,
            "shifts": {
                "E": {"kind": "duty", "start": "06:00", "minutes": 480, "labels": {"ja": "早番", "en": "Early"}},
                "L": {"kind": "duty", "start": "14:00", "minutes": 480, "labels": {"ja": "遅番", "en": "Late"}},
                "X": {"kind": "duty", "start": "22:00", "minutes": 480, "labels": {"ja": "夜勤", "en": "Night"}},
                "O": {"kind": "off", "labels": {"ja": "休み", "en": "Rest"}},
            },
            "cycle": [["E"], ["E"], ["L"], ["L"], ["X"], ["X"], ["O"], ["O"]],
        },
    },
    {
        "code": "chuzaisho",
        "labels": {"ja": "駐在所勤務", "en": "Chuzaisho (resident officer)"},
        "kind": "residential",
        "description": (
            "One resident officer works the day shift on weekdays. The spouse (or a counsellor) takes "
            "walk-ins in the evening and on Saturday mornings: counter cover, not police staffing."
        ),
        "definition": {
            "groups": 1,
            "week_aligned": True,
            "shifts": {
                "N": DAY_SHIFT,
                "C": {"kind": "cover", "start": "17:15", "minutes": 165, "labels": {"ja": "家族対応", "en": "Family cover"}},
                "S": {"kind": "cover", "start": "09:00", "minutes": 180, "labels": {"ja": "家族対応", "en": "Family cover"}},
                "K": DAY_OFF,
            },
            "cycle": [["N", "C"], ["N", "C"], ["N", "C"], ["N", "C"], ["N", "C"], ["S"], ["K"]],
        },
    },
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    ShiftPattern = apps.get_model("rosters", "ShiftPattern")
    for pattern in PATTERNS:
        ShiftPattern.objects.update_or_create(code=pattern["code"], defaults={k: v for k, v in pattern.items() if k != "code"})


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    ShiftPattern = apps.get_model("rosters", "ShiftPattern")
    ShiftPattern.objects.filter(code__in=[p["code"] for p in PATTERNS], plans__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("rosters", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
