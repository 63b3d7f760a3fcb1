"""Demo counter log: a year of walk-ins and calls at every box, with a daily and weekly rhythm.

The mix follows Hiroshima's counsellor figures (Apr–Sep 2008: 80,103 tasks, 41,561 directions and
10,929 found-property receipts): directions dominate, then found items, consultations and reports.
Busy koban (with a counsellor) see many more matters than a rural chuzaisho. The rows are bulk
inserted: they are demo history, not changes anyone made, so they carry no audit rows.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Sequence

from django.utils.translation import gettext as _

from koban.accounts.models import Role, User
from koban.counter.models import Channel, CounterCategory, CounterMatter, Outcome
from koban.demo.context import DemoContext
from koban.organization.models import PoliceBox
from koban.rosters.reports import box_zone

DAYS = 365
# Share of matters per category code (Hiroshima 2008: directions 52 %, found items 14 %).
MIX = {
    "directions": 0.52,
    "found-item": 0.14,
    "consultation": 0.12,
    "report": 0.09,
    "complaint": 0.03,
    "lost-child": 0.006,
    "elderly-wanderer": 0.007,
    "other": 0.077,
}
# Relative walk-in volume by hour of day (local time): quiet at night, busy from late morning.
HOURLY = [
    0.2,
    0.15,
    0.1,
    0.1,
    0.1,
    0.2,
    0.4,
    0.8,
    1.2,
    1.5,
    1.7,
    1.8,
    1.6,
    1.7,
    1.8,
    1.8,
    1.9,
    2.0,
    1.9,
    1.6,
    1.2,
    0.9,
    0.6,
    0.35,
]
WEEKDAY = [1.0, 0.95, 0.95, 1.0, 1.1, 1.3, 1.2]  # Monday … Sunday: weekends bring visitors who ask the way

SUMMARIES = {
    "directions": [
        "市役所への道順",
        "病院の場所",
        "駅の出口",
        "ホテルへの行き方",
        "バス乗り場",
        "観光地への道順",
        "住所の確認",
    ],
    "found-item": [
        "財布の拾得",
        "傘の拾得",
        "鍵の拾得",
        "スマートフォンの拾得",
        "定期券の拾得",
        "手袋の拾得",
    ],
    "consultation": [
        "近隣トラブルの相談",
        "詐欺電話の相談",
        "ストーカー被害の相談",
        "家族の相談",
        "騒音の相談",
    ],
    "report": ["自転車盗難の届出", "遺失届", "交通事故の届出", "器物損壊の届出", "不審者の通報"],
    "complaint": ["違法駐車への苦情", "夜間の騒音への苦情", "路上喫煙への苦情"],
    "lost-child": ["駅前で迷子の保護", "商店街で迷子の保護", "公園で迷子の保護"],
    "elderly-wanderer": ["徘徊中の高齢者を保護", "道に迷った高齢者を保護"],
    "other": ["落とし物の問い合わせ", "防犯グッズの問い合わせ", "その他の問い合わせ"],
}
PEOPLE = {
    "lost-child": ["男児、5歳くらい、青い上着", "女児、4歳くらい、赤い帽子", "男児、7歳くらい、ランドセル"],
    "elderly-wanderer": [
        "80代男性、杖、灰色の上着",
        "70代女性、紺色のカーディガン",
        "80代女性、スリッパ履き",
    ],
}
HANDOVER = {"lost-child": ["母親", "父親", "祖母"], "elderly-wanderer": ["家族", "介護施設職員", "長男"]}
OUTCOMES = {
    "directions": [(Outcome.RESOLVED, 1.0)],
    "found-item": [(Outcome.RESOLVED, 1.0)],
    "consultation": [(Outcome.RESOLVED, 0.6), (Outcome.REFERRED, 0.25), (Outcome.FOLLOW_UP, 0.15)],
    "report": [(Outcome.REPORT_TAKEN, 0.9), (Outcome.REFERRED, 0.1)],
    "complaint": [(Outcome.RESOLVED, 0.5), (Outcome.REFERRED, 0.3), (Outcome.FOLLOW_UP, 0.2)],
    "other": [(Outcome.RESOLVED, 0.9), (Outcome.REFERRED, 0.1)],
}


def _poisson(rng: random.Random, lam: float) -> int:
    """Knuth's method; the daily means here are small."""
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    return rng.choices([w[0] for w in weighted], weights=[w[1] for w in weighted])[0]


def _daily_mean(box: PoliceBox, has_counsellor: bool, rng: random.Random) -> float:
    if box.is_residential:
        return rng.uniform(0.4, 1.5)
    return rng.uniform(6.0, 14.0) if has_counsellor else rng.uniform(2.5, 6.0)


def populate(context: DemoContext) -> str:
    rng = context.rng
    zone = box_zone()
    categories = {c.code: c for c in CounterCategory.objects.filter(code__in=MIX)}
    mix = [(code, share) for code, share in MIX.items() if code in categories]
    boxes = list(
        PoliceBox.objects.filter(station__agency=context.agency).operating().order_by("station__code", "code")
    )
    staff: dict[int, dict[str, list[User]]] = defaultdict(lambda: defaultdict(list))
    for user in User.objects.filter(box__in=boxes, is_active=True).order_by("username"):
        staff[user.box_id][user.role].append(user)  # type: ignore[index]
    end_day = context.now.astimezone(zone).date()
    rows: list[CounterMatter] = []
    total = 0
    for box in boxes:
        officers = staff[box.pk][Role.BOX_OFFICER]
        counsellors = staff[box.pk][Role.BOX_COUNSELLOR]
        if not officers:
            continue
        mean = _daily_mean(box, bool(counsellors), rng)
        for back in range(DAYS, -1, -1):
            day = end_day - dt.timedelta(days=back)
            for _n in range(_poisson(rng, mean * WEEKDAY[day.weekday()])):
                matter = _matter(rng, box, day, zone, mix, categories, officers, counsellors)
                if matter.received_at > context.now:
                    continue
                if matter.handed_over_at and matter.handed_over_at > context.now:
                    # Still waiting for the family: custody open, no handover yet.
                    matter.outcome, matter.handed_over_to, matter.handed_over_at = Outcome.OPEN, "", None
                rows.append(matter)
            if len(rows) >= 5000:
                CounterMatter.objects.bulk_create(rows)
                total += len(rows)
                rows = []
    CounterMatter.objects.bulk_create(rows)
    total += len(rows)
    return _("%(count)d counter matters over the last year at %(boxes)d boxes") % {
        "count": total,
        "boxes": len(boxes),
    }


def _matter(rng, box, day, zone, mix, categories, officers, counsellors) -> CounterMatter:  # type: ignore[no-untyped-def]
    hour = rng.choices(range(24), weights=HOURLY)[0]
    # In UTC, so that adding minutes across a daylight-saving switch adds real minutes.
    received = dt.datetime.combine(day, dt.time(hour, rng.randrange(60)), tzinfo=zone).astimezone(dt.UTC)
    code = _pick(rng, mix)
    # Counsellors work weekday daytime and take most walk-ins then.
    daytime = day.weekday() < 5 and 9 <= hour < 17
    handler = (
        rng.choice(counsellors) if counsellors and daytime and rng.random() < 0.65 else rng.choice(officers)
    )
    channel = _pick(rng, [(Channel.WALK_IN, 0.8), (Channel.PHONE, 0.15), (Channel.CALL_PHONE, 0.05)])
    matter = CounterMatter(
        box=box,
        received_at=received,
        channel=channel,
        category=categories[code],
        summary=rng.choice(SUMMARIES[code]),
        handled_by=handler,
        recorded_by=handler,
    )
    if code in PEOPLE:
        matter.outcome = Outcome.HANDED_OVER
        matter.person_description = rng.choice(PEOPLE[code])
        matter.handed_over_to = rng.choice(HANDOVER[code])
        matter.handed_over_at = received + dt.timedelta(minutes=rng.randint(20, 180))
        matter.channel = Channel.WALK_IN
    else:
        matter.outcome = _pick(rng, OUTCOMES[code])
    return matter
