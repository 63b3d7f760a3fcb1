"""Demo alerts: subscribers of the demo prefecture and three months of alert history.

About 1,500 residents subscribe by e-mail (a box's beat or their municipality, sometimes both, in Japanese or
English, some with quiet hours or only some categories; a few never confirmed, unsubscribed or bounced), and
two partner systems receive webhooks. Boxes drafted suspicious-person, fraud-call and crime-prevention alerts,
their station chiefs approved them (a few updates, one cancellation, one rejected draft); the deliveries of
the history are recorded as sent, and two fresh drafts wait for approval.
"""

from __future__ import annotations

import datetime
from typing import Any

import shapely
from django.db import connection

from koban.accounts.models import Role, User
from koban.alerts import delivery, services
from koban.alerts.areas import as_multipolygon, polygon_text
from koban.alerts.models import Alert, Channel, Delivery, Subscription, SubscriptionArea
from koban.alerts.services import AreaSpec
from koban.demo.context import DemoContext
from koban.geography.models import AdminArea, Beat

SUBSCRIBERS = 1500
DAYS = 90
ALERTS = 36
PLACES = ["公園", "駅前の駐輪場", "小学校の通学路", "コンビニ付近", "川沿いの遊歩道", "団地の駐車場"]
HAPPENINGS = [
    "下校中の女子児童が、後をつけてきた男に声をかけられた。",
    "男が児童に「家まで送る」と声をかけ、車に乗せようとした。",
    "公園のトイレ付近で、男が児童を携帯電話で撮影していた。",
    "女子中学生が自転車で帰宅中、男に体を触られそうになった。",
]
CLOTHING = [
    "黒いキャップ、灰色のパーカー",
    "紺色のスーツ",
    "白いTシャツ、ジーンズ",
    "緑色のジャンパー、マスク",
]
VEHICLES = ["", "", "白色の軽自動車", "黒色のワンボックスカー", "銀色の自転車"]
# Subscriptions belong to no agency: the demo's are recognised by this name and replaced on each load.
DEMO_NAME = "demo"
ASKED = ["キャッシュカードの受け取り", "ATMでの還付金の手続き", "現金の準備と手渡し"]


def _shape(geom: Any) -> Any:
    return shapely.from_wkb(bytes(geom.wkb))


def _subscribers(context: DemoContext, beats: list[Beat], towns: list[AdminArea]) -> int:
    rng, now = context.rng, context.now
    subscriptions, areas = [], []
    for n in range(SUBSCRIBERS):
        chosen: list[tuple[str, Any]] = [("beat", rng.choice(beats))]
        if towns and rng.random() < 0.3:
            chosen.append(("municipality", rng.choice(towns)))
        created = now - datetime.timedelta(days=rng.uniform(5, 400))
        quiet = rng.random() < 0.2
        subscription = Subscription(
            channel=Channel.EMAIL,
            email=f"resident{n:04d}@example.jp",
            name=DEMO_NAME,
            language="en" if rng.random() < 0.12 else "ja",
            categories=["Security"] if rng.random() < 0.25 else [],
            quiet_start=datetime.time(22) if quiet else None,
            quiet_end=datetime.time(7) if quiet else None,
            geom=as_multipolygon([_shape(area.geom) for _kind, area in chosen]),
            created_at=created,
            confirmed_at=None
            if rng.random() < 0.04
            else created + datetime.timedelta(minutes=rng.uniform(1, 120)),
        )
        if rng.random() < 0.05:
            subscription.unsubscribed_at = created + datetime.timedelta(days=rng.uniform(1, 60))
        elif rng.random() < 0.01:
            subscription.bounced_at = subscription.disabled_at = created + datetime.timedelta(days=3)
            subscription.disabled_reason = "bounced"
        subscriptions.append(subscription)
        areas.append(chosen)
    Subscription.objects.bulk_create(subscriptions, batch_size=500)
    rows = []
    for subscription, chosen in zip(subscriptions, areas, strict=True):
        for kind, area in chosen:
            rows.append(
                SubscriptionArea(
                    subscription=subscription,
                    kind=kind,
                    beat=area if kind == "beat" else None,
                    admin_area=area if kind == "municipality" else None,
                    label=area.name,
                    geom=area.geom,
                )
            )
    SubscriptionArea.objects.bulk_create(rows, batch_size=1000)
    return len(subscriptions)


def _webhooks(context: DemoContext, towns: list[AdminArea]) -> None:
    for name, path in (
        ("市防災課 防災情報システム", "city-disaster"),
        ("市教育委員会 学校連絡網", "school-board"),
    ):
        hook = Subscription.objects.create(
            channel=Channel.WEBHOOK,
            name=f"{DEMO_NAME}: {name}",
            webhook_url=f"https://partner.example.jp/{path}/cap",
            webhook_secret=f"demo-secret-{path}",
            geom=as_multipolygon([_shape(t.geom) for t in towns] or [shapely.box(139, 35, 140, 36)]),
            created_at=context.now - datetime.timedelta(days=200),
            confirmed_at=context.now - datetime.timedelta(days=200),
            user=None,
        )
        SubscriptionArea.objects.bulk_create(
            [
                SubscriptionArea(
                    subscription=hook, kind="municipality", admin_area=t, label=t.name, geom=t.geom
                )
                for t in towns
            ]
        )


def _answers(context: DemoContext, kind: str, beat: Beat, when: datetime.datetime) -> dict[str, Any]:
    rng = context.rng
    place = f"{beat.name}{rng.choice(PLACES)}"
    if kind == Alert.FormKind.SUSPICIOUS_PERSON:
        return {
            "occurred_at": when.isoformat(),
            "place": place,
            "what_happened": rng.choice(HAPPENINGS),
            "sex": "male",
            "age_range": rng.choice(["20s", "30s", "40s", "50s", "unknown"]),
            "height_cm": rng.choice([None, 165, 170, 175, 180]),
            "build": rng.choice(["slim", "medium", "heavy", "unknown"]),
            "clothing": rng.choice(CLOTHING),
            "vehicle": rng.choice(VEHICLES),
        }
    if kind == Alert.FormKind.FRAUD_CALL:
        return {
            "occurred_at": when.isoformat(),
            "place": beat.name,
            "pretext": rng.choice(["police", "bank", "family", "city"]),
            "asked_for": rng.choice(ASKED),
            "details": "",
        }
    return {
        "title": "自転車盗難にご注意ください",
        "message": "駅周辺で無施錠の自転車の盗難が続いています。",
        "place": beat.name,
    }


def _release_quietly(actor: Any, alert: Alert, at: datetime.datetime) -> Alert:
    """Approve without queueing the delivery, and record the history's deliveries as sent."""
    alert = services.approve_alert(actor, alert, now=at, deliver=False)
    delivery.fan_out(alert, now=at)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE alerts_delivery SET state = 'sent', attempts = 1, sent_at = %s + (random() * interval '90 seconds') "
            "WHERE alert_id = %s",
            [at, alert.pk],
        )
    return alert


def _history(context: DemoContext, beats: list[Beat]) -> tuple[int, int]:
    rng, now = context.rng, context.now
    officers = {
        u.box_id: u for u in User.objects.filter(role=Role.BOX_OFFICER, box__isnull=False).order_by("pk")
    }
    chiefs = {u.station_id: u for u in User.objects.filter(role=Role.STATION_CHIEF).order_by("pk")}
    kinds = (
        [Alert.FormKind.SUSPICIOUS_PERSON] * 6
        + [Alert.FormKind.FRAUD_CALL] * 3
        + [Alert.FormKind.CRIME_PREVENTION]
    )
    released = drafts = 0
    for n in range(ALERTS + 3):
        beat = rng.choice([b for b in beats if b.box_id in officers])
        officer, chief = officers[beat.box_id], chiefs.get(beat.box.station_id)
        if chief is None:
            continue
        fresh = n >= ALERTS  # the last ones are this morning's drafts
        drafted = now - (
            datetime.timedelta(minutes=rng.uniform(10, 90))
            if fresh
            else datetime.timedelta(days=rng.uniform(1, DAYS))
        )
        kind = rng.choice(kinds)
        area = AreaSpec(beat.name or beat.code, [polygon_text(p) for p in _shape(beat.geom).geoms])
        alert = services.draft_alert(
            officer,
            box=beat.box,
            kind=kind,
            data=_answers(context, kind, beat, drafted - datetime.timedelta(minutes=40)),
            areas=[area],
            now=drafted,
        )
        approved = drafted + datetime.timedelta(minutes=rng.uniform(5, 40))
        if n == ALERTS:
            services.reject_alert(
                chief, alert, "場所の記載が不十分です。町名と目印を追記してください。", now=approved
            )
        elif fresh:
            drafts += 1
        else:
            alert = _release_quietly(chief, alert, approved)
            released += 1
            if kind == Alert.FormKind.SUSPICIOUS_PERSON and rng.random() < 0.2:
                later = approved + datetime.timedelta(hours=rng.uniform(1, 6))
                update = services.draft_update(
                    officer, alert, data=alert.form_data | {"clothing": rng.choice(CLOTHING)}, now=later
                )
                _release_quietly(chief, update, later + datetime.timedelta(minutes=10))
            elif rng.random() < 0.05:
                later = approved + datetime.timedelta(hours=2)
                cancel = services.draft_cancel(
                    officer, alert, "人物が特定され、事案は解決しました。", now=later
                )
                _release_quietly(chief, cancel, later + datetime.timedelta(minutes=10))
    return released, drafts


def populate(context: DemoContext) -> str:
    beats = list(Beat.objects.current().of_agency(context.agency).with_box())
    if not beats:
        return "no beats: no alerts"
    towns = list(AdminArea.objects.filter(level=AdminArea.Level.MUNICIPALITY).order_by("code")[:3])
    Subscription.objects.filter(name__startswith=DEMO_NAME).delete()
    subscribers = _subscribers(context, beats, towns)
    _webhooks(context, towns)
    context.progress("subscribers and webhooks written; writing the alert history")
    released, drafts = _history(context, beats)
    deliveries = Delivery.objects.filter(alert__agency=context.agency).count()
    return f"{subscribers} subscribers, {released} released alerts ({deliveries} deliveries), {drafts} drafts waiting"
