"""Demo lost property: eight months of found items and loss reports at every box of the demo agency.

History is replayed week by week through the real services and the daily clock, so the items stand
where the law puts them today: some still in their notice period, some waiting for the finder, some
returned to their owners (after a matching loss report), handed to finders, vested or disposed of,
and a few received today. Names are fictional.
"""

from __future__ import annotations

import datetime
import math
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from koban.accounts.models import Role, User
from koban.demo.context import DemoContext
from koban.lostfound import services
from koban.lostfound.clocks import State
from koban.lostfound.models import FoundItem, Handover, ItemCategory, ItemTask, LossReport
from koban.organization.models import PoliceBox

HISTORY_DAYS = 240
# (category, weight, descriptions, (low, high) value estimate or None)
KINDS: list[tuple[str, int, list[str], tuple[int, int] | None]] = [
    (
        "wallet",
        14,
        ["黒い革の長財布", "茶色の二つ折り財布", "ピンクの小銭入れ", "black leather wallet"],
        (1000, 20000),
    ),
    ("cash", 6, ["封筒入りの現金", "裸の千円札"], None),
    (
        "phone",
        10,
        ["黒いスマートフォン（手帳型ケース）", "白いスマートフォン", "blue smartphone, cracked screen"],
        (10000, 80000),
    ),
    ("card", 7, ["交通系ICカード", "クレジットカード", "ポイントカード入りカードケース"], (0, 1000)),
    ("id", 4, ["運転免許証", "健康保険証", "学生証"], (0, 0)),
    ("keys", 9, ["鈴付きの鍵束", "自転車の鍵", "家の鍵（キーホルダー付き）"], (500, 3000)),
    ("umbrella", 16, ["透明のビニール傘", "黒い折りたたみ傘", "花柄の長傘"], (300, 3000)),
    ("bag", 7, ["紺色のリュックサック", "黒いトートバッグ", "grey backpack with laptop"], (2000, 60000)),
    ("clothing", 6, ["紺のマフラー", "子供用の手袋", "黒いジャケット"], (500, 8000)),
    ("bicycle", 5, ["銀色のシティサイクル", "赤い子供用自転車"], (3000, 30000)),
    ("electronics", 4, ["ワイヤレスイヤホン", "携帯ゲーム機"], (3000, 30000)),
    ("jewellery", 3, ["銀色のネックレス", "腕時計"], (5000, 50000)),
    ("other", 9, ["水筒", "眼鏡ケース入りの眼鏡", "ぬいぐるみ", "書類の入ったクリアファイル"], (0, 3000)),
]
PLACES = [
    "駅前ロータリー",
    "商店街の路上",
    "公園のベンチ",
    "バス停",
    "コンビニ前",
    "交差点付近",
    "スーパー駐輪場",
    "神社の境内",
]
FACILITY_PLACES = ["駅の改札付近（駅係員から）", "電車内（鉄道会社から）", "スーパー店内（店長から）"]
FAMILY = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田"]
TASK_NOTES: dict[str, str] = {
    ItemTask.Kind.NOTIFY_FINDER: "拾得者に電話連絡済み",
    ItemTask.Kind.SEND_TO_PREFECTURE: "会計課へ送付",
    ItemTask.Kind.SEND_PERSONAL_DATA: "データ消去のため会計課へ送付",
}
GIVEN = ["太郎", "花子", "健", "美咲", "翔太", "陽子", "大輔", "愛", "誠", "由美"]


def populate(context: DemoContext) -> str:
    rng = context.rng
    boxes = list(
        PoliceBox.objects.operating().filter(station__agency=context.agency).select_related("station")
    )
    categories = {c.code: c for c in ItemCategory.objects.all()}
    today = timezone.localtime(context.now).date()
    start = today - datetime.timedelta(days=HISTORY_DAYS)
    staff = _staff(boxes)
    boxes = [b for b in boxes if staff.get(b.pk)]
    if not boxes:
        return "no boxes with officers: nothing added"

    # Found items (and the owners' reports for some of them), received over the history.
    planned: list[dict[str, Any]] = []
    for box in boxes:
        per_week = 1.0 if box.kind == "koban" else 0.3
        count = max(3, int(per_week * HISTORY_DAYS / 7 * rng.uniform(0.7, 1.3)))
        for _ in range(count):
            planned.append(_plan_item(rng, box, start, today, context.now))
    planned.sort(key=lambda p: p["handed_in_at"])

    week = start
    pending = list(planned)
    reports: dict[int, LossReport] = {}
    while week <= today:
        week_end = week + datetime.timedelta(days=7)
        while pending and timezone.localtime(pending[0]["handed_in_at"]).date() < min(week_end, today):
            plan = pending.pop(0)
            item = _receive(plan, categories, staff, rng, context.now)
            if rng.random() < 0.45:
                reports[item.pk] = _report_for(item, boxes, staff, rng, context.now)
        services.advance_clocks(week, actor=_system())
        _replay_week(context, week, staff, reports, rng)
        week = week_end
    services.advance_clocks(today, actor=_system())
    # Received today, after the night's clock run: still waiting for their public notice.
    for box in rng.sample(boxes, k=min(len(boxes), 4)):
        pending.append(_plan_item(rng, box, today, today, context.now))
    for plan in pending:
        plan["handed_in_at"] = context.now - datetime.timedelta(minutes=rng.randrange(10, 240))
        plan["found_at"] = min(plan["found_at"], plan["handed_in_at"] - datetime.timedelta(minutes=20))
        _receive(plan, categories, staff, rng, context.now)
    for _ in range(max(3, len(boxes) // 3)):
        _unmatched_report(rng, boxes, staff, categories, context.now)

    counts = {s: FoundItem.objects.filter(box__in=boxes, state=s).count() for s in FoundItem.Status.values}
    shown = ", ".join(f"{n} {s}" for s, n in counts.items())
    reports_n = LossReport.objects.filter(box__in=boxes).count()
    return f"{sum(counts.values())} found items ({shown}); {reports_n} loss reports"


def _system() -> str:
    return "system:lostfound_daily (demo)"


def _staff(boxes: list[PoliceBox]) -> dict[int, list[User]]:
    users = User.objects.filter(is_active=True, box__in=boxes).filter(
        Q(role=Role.BOX_OFFICER) | Q(role=Role.BOX_COUNSELLOR)
    )
    staff: dict[int, list[User]] = {}
    for user in users.order_by("username"):
        staff.setdefault(user.box_id, []).append(user)  # type: ignore[arg-type]
    return staff


def _plan_item(
    rng: Any, box: PoliceBox, start: datetime.date, today: datetime.date, now: datetime.datetime
) -> dict[str, Any]:
    code, _, texts, values = rng.choices(KINDS, weights=[k[1] for k in KINDS])[0]
    day = start + datetime.timedelta(days=rng.randrange((today - start).days + 1))
    handed = timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(rng.randrange(7, 22), rng.randrange(60)))
    )
    handed = min(handed, now - datetime.timedelta(minutes=5))
    in_facility = rng.random() < 0.25
    late = rng.random() < 0.04
    delay = (
        datetime.timedelta(days=rng.uniform(8, 20))
        if late
        else datetime.timedelta(minutes=rng.randrange(10, 600))
    )
    if in_facility and not late:
        delay = datetime.timedelta(hours=rng.uniform(1, 20))
    angle, dist = rng.uniform(0, 2 * math.pi), abs(rng.gauss(0, 350))
    lon = box.location.x + dist * math.cos(angle) / (111_320 * math.cos(math.radians(box.location.y)))
    lat = box.location.y + dist * math.sin(angle) / 110_540
    return {
        "box": box,
        "code": code,
        "description": rng.choice(texts),
        "handed_in_at": handed,
        "found_at": handed - delay,
        "found_in_facility": in_facility,
        "found_place": rng.choice(FACILITY_PLACES if in_facility else PLACES),
        "lon": round(lon, 6),
        "lat": round(lat, 6),
        "value": rng.randint(*values) if values else None,
        "cash": rng.choice([1000, 3000, 5000, 10000, 23000]) if code in ("cash", "wallet") else None,
        "finder": f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}",
        "reward": rng.random() < 0.6,
        "wants_item": rng.random() < 0.65,
    }


def _receive(
    plan: dict[str, Any],
    categories: dict[str, ItemCategory],
    staff: dict[int, list[User]],
    rng: Any,
    now: datetime.datetime,
) -> FoundItem:
    box = plan["box"]
    return services.receive_item(
        rng.choice(staff[box.pk]),
        box,
        category=categories[plan["code"]],
        description=plan["description"],
        found_at=plan["found_at"],
        found_place=plan["found_place"],
        found_lon=plan["lon"],
        found_lat=plan["lat"],
        handed_in_at=plan["handed_in_at"],
        finder_name="" if plan["found_in_facility"] else plan["finder"],
        finder_contact=""
        if plan["found_in_facility"]
        else f"090-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
        found_in_facility=plan["found_in_facility"],
        # The facility (a station, a shop) that brought the item in shares the reward it claimed.
        facility_name=plan["found_place"] if plan["found_in_facility"] else "",
        facility_claims_reward=plan["found_in_facility"] and plan["reward"],
        # Some wallets hold a driving licence: the wallet may go to the finder, the licence never.
        personal_data_inside=plan["code"] == "wallet" and plan["cash"] == 23000,
        personal_data_note="運転免許証" if plan["code"] == "wallet" and plan["cash"] == 23000 else "",
        finder_claims_reward=plan["reward"],
        finder_claims_item=plan["wants_item"],
        value_estimate=plan["value"],
        cash_amount=plan["cash"],
        storage_location=rng.choice(["保管庫A", "保管庫B", "ロッカー3", "自転車置場"]),
        now=now,
    )


def _report_for(
    item: FoundItem, boxes: list[PoliceBox], staff: dict[int, list[User]], rng: Any, now: datetime.datetime
) -> LossReport:
    """The owner's report, usually at the same box, describing the item in their own words."""
    box = item.box if rng.random() < 0.7 else rng.choice(boxes)
    lost_to = item.found_at - datetime.timedelta(minutes=rng.randrange(0, 90))
    lost_from = lost_to - datetime.timedelta(hours=rng.uniform(0.5, 8))
    reported = min(item.found_at + datetime.timedelta(hours=rng.uniform(1, 48)), now)
    words = item.description.split("（")[0]
    text = rng.choice([f"{words}をなくしました", f"{words}、中身あり", words])
    point = item.found_point
    lon = point.x + rng.uniform(-0.003, 0.003) if point else None
    lat = point.y + rng.uniform(-0.003, 0.003) if point else None
    return services.report_loss(
        rng.choice(staff[box.pk]),
        box,
        category=item.category,
        description=text,
        owner_name=f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}",
        owner_contact=f"080-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
        lost_from=lost_from,
        lost_to=lost_to,
        lost_place=rng.choice(PLACES),
        lost_lon=lon,
        lost_lat=lat,
        reported_at=max(reported, lost_to),
        now=now,
    )


def _unmatched_report(
    rng: Any,
    boxes: list[PoliceBox],
    staff: dict[int, list[User]],
    categories: dict[str, ItemCategory],
    now: datetime.datetime,
) -> None:
    box = rng.choice(boxes)
    code, _, texts, _values = rng.choice(KINDS)
    lost_to = now - datetime.timedelta(days=rng.uniform(0.2, 20))
    services.report_loss(
        rng.choice(staff[box.pk]),
        box,
        category=categories[code],
        description=rng.choice(texts),
        owner_name=f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}",
        owner_contact=f"080-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
        lost_from=lost_to - datetime.timedelta(hours=rng.uniform(1, 12)),
        lost_to=lost_to,
        lost_place=rng.choice(PLACES),
        reported_at=min(lost_to + datetime.timedelta(hours=3), now),
        now=now,
    )


def _replay_week(
    context: DemoContext,
    week: datetime.date,
    staff: dict[int, list[User]],
    reports: dict[int, LossReport],
    rng: Any,
) -> None:
    """What officers did this week: owners collect, finders collect, cheap bulky items go, tasks get done."""
    moment = timezone.make_aware(datetime.datetime.combine(week, datetime.time(15, 0)))
    if moment > context.now:
        return
    items = FoundItem.objects.filter(box__in=list(staff), state__in=State.OPEN).select_related(
        "category", "box"
    )
    for item in items:
        if item.handed_in_at >= moment:
            continue
        officer = next((u for u in staff[item.box_id] if u.role == Role.BOX_OFFICER), staff[item.box_id][0])
        report = reports.get(item.pk)
        if (
            item.state in State.WITH_OWNER_RIGHTS
            and report is not None
            and report.status == "open"
            and rng.random() < 0.5
        ):
            reward = Decimal(rng.choice([5, 10, 10, 15, 20])) if item.finder_claims_reward else None
            _hand_over(
                officer,
                item,
                Handover.Recipient.OWNER,
                report.owner_name,
                moment,
                reward,
                report,
                context.now,
            )
        elif (
            item.state == State.FINDER_MAY_CLAIM
            and week >= item.state_changed_on + datetime.timedelta(days=21)  # finders take their time
            and rng.random() < 0.15
        ):
            _hand_over(
                officer,
                item,
                Handover.Recipient.FINDER,
                item.finder_name or "施設占有者",
                moment,
                None,
                None,
                context.now,
            )
        elif (
            item.disposable_from
            and week >= item.disposable_from + datetime.timedelta(days=7)
            and rng.random() < 0.6
        ):
            # Disposal needs police powers: a counsellor standing in for the box hands it to the system.
            disposer = officer if officer.role == Role.BOX_OFFICER else _system()
            services.dispose_item(disposer, item, note="売却（廉価・大型物件）", today=week, now=context.now)
    # Officers tick off their list within days; a few tasks stay open to show the page at work.
    stale = ItemTask.objects.filter(
        done_at__isnull=True, item__box__in=list(staff), due_on__lt=week - datetime.timedelta(days=3)
    ).exclude(kind__in=[ItemTask.Kind.CLAIM_LAPSING, ItemTask.Kind.DISPOSE_BULKY])
    for task in stale.select_related("item"):
        if rng.random() < 0.8:
            services.complete_task(staff[task.item.box_id][0], task, note=TASK_NOTES[task.kind], now=moment)
    for item in FoundItem.objects.filter(
        box__in=list(staff), state=State.VESTED, state_changed_on__lt=week - datetime.timedelta(days=21)
    ):
        if rng.random() < 0.3:
            police = next((u for u in staff[item.box_id] if u.role == Role.BOX_OFFICER), None)
            services.dispose_item(
                police or _system(), item, note="都道府県へ引継ぎ・処分済み", today=week, now=context.now
            )


def _hand_over(
    officer: User,
    item: FoundItem,
    recipient: str,
    name: str,
    moment: datetime.datetime,
    reward: Decimal | None,
    report: LossReport | None,
    now: datetime.datetime,
) -> None:
    services.hand_over(
        officer,
        item,
        recipient=recipient,
        recipient_name=name,
        id_document=Handover.Document.DRIVING_LICENCE,
        id_number_last_digits=str(item.pk % 10000).zfill(4),
        reward_percent=reward,
        loss_report=report,
        handed_over_at=min(max(moment, item.handed_in_at + datetime.timedelta(hours=1)), now),
        now=now,
    )
