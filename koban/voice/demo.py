"""Demo residents' requests: four months of requests, opinions and tips at every box, and their actions.

Each beat receives requests from every channel (the public form most, then Open311 apps, household
visits, council meetings and officers), spread over the categories with dark streets, speeding and
wishes for more patrols the most common. Older requests have mostly reached "done" or "will not act",
recent ones are still received or under review; about a third became action items (patrol focus on the
street, talks with the road authority, visits). The rows are bulk inserted: they are demo history, not
changes anyone made, so they carry no audit rows.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.contrib.gis.geos import LineString, Point
from django.utils.translation import gettext as _

from koban.accounts.models import Role, User
from koban.demo.context import DemoContext
from koban.geography.models import Beat
from koban.voice.models import (
    Action,
    ActionKind,
    Moderation,
    Request,
    RequestCategory,
    Source,
    Status,
)

DAYS = 120
# Requests per beat over the period (a chuzaisho's rural beat gets fewer).
PER_BEAT = {"koban": (18, 34), "chuzaisho": (6, 14)}
MIX = {
    "dark_street": 0.2,
    "speeding": 0.18,
    "more_patrols": 0.14,
    "traffic_safety": 0.12,
    "suspicious_person": 0.1,
    "noise": 0.09,
    "praise": 0.07,
    "complaint": 0.05,
    "other": 0.05,
}
SOURCES: dict[str, float] = {
    Source.PUBLIC: 0.5,
    Source.OPEN311: 0.12,
    Source.VISIT: 0.18,
    Source.COUNCIL: 0.1,
    Source.OFFICER: 0.1,
}
TEXTS = {
    "dark_street": [
        "公園の前の街灯が切れていて夜は真っ暗です。",
        "駅から続く裏道に防犯灯がなく、帰宅時に不安です。",
    ],
    "speeding": [
        "通学路をスピードを出した車が通り抜けます。",
        "朝の時間帯に抜け道として使う車が多く危ないです。",
    ],
    "more_patrols": [
        "夕方の公園周辺のパトロールを増やしてほしい。",
        "空き巣が続いたので巡回をお願いします。",
    ],
    "traffic_safety": [
        "横断歩道の白線が消えかけています。",
        "交差点のカーブミラーが曲がって見えにくいです。",
    ],
    "suspicious_person": [
        "夜に住宅をのぞき込む人を見かけました。",
        "小学校の近くで声をかける男性がいたと聞きました。",
    ],
    "noise": ["深夜に集合住宅の駐車場で騒ぐ声がします。", "週末の夜、バイクの空ぶかしがうるさいです。"],
    "praise": [
        "道を尋ねたとき親切に案内していただきました。",
        "落とした財布が戻りました。ありがとうございました。",
    ],
    "complaint": ["交番が不在のことが多く困りました。", "電話がつながるまで時間がかかりました。"],
    "other": ["放置自転車が歩道をふさいでいます。", "ごみ置き場のカラス対策について相談したいです。"],
}
NAMES = ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村"]
NOTES: dict[str, str] = {
    Status.UNDER_REVIEW: "担当者が現地を確認します。",
    Status.ACTION_PLANNED: "対応を計画しました。",
    Status.DONE: "対応が完了しました。ご連絡ありがとうございました。",
    Status.WILL_NOT_ACT: "警察の対応範囲外のため、関係機関にお伝えしました。",
}
ACTION_TITLES = {
    ActionKind.PATROL_FOCUS: "夕方から夜間の重点パトロール",
    ActionKind.ROAD_AUTHORITY: "道路管理者（市）と街灯・標示の補修を協議",
    ActionKind.VISIT: "周辺住宅への巡回連絡と注意喚起",
}


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _point_in(beat: Beat, rng: random.Random) -> Point:
    xmin, ymin, xmax, ymax = beat.geom.extent
    for _try in range(50):
        point = Point(rng.uniform(xmin, xmax), rng.uniform(ymin, ymax), srid=4326)
        if beat.geom.contains(point):
            return point
    return beat.geom.point_on_surface  # type: ignore[no-any-return]


def _status(age_days: float, rng: random.Random) -> str:
    """Old requests are mostly settled; new ones still waiting."""
    settled = min(0.9, age_days / 60)
    if rng.random() < settled:
        return Status.DONE if rng.random() < 0.85 else Status.WILL_NOT_ACT
    return rng.choice([Status.RECEIVED, Status.UNDER_REVIEW, Status.ACTION_PLANNED])


def _request(context: DemoContext, beat: Beat, category: RequestCategory) -> Request:
    rng = context.rng
    age = rng.uniform(0, DAYS)
    requested = context.now - dt.timedelta(days=age)
    status = _status(age, rng)
    named = rng.random() < 0.4
    return Request(
        agency=context.agency,
        box=beat.box,
        beat=beat,
        point=_point_in(beat, rng),
        category=category,
        description=rng.choice(TEXTS.get(category.code, TEXTS["other"])),
        status=status,
        status_note=NOTES.get(status, ""),
        will_not_act_reason=NOTES[Status.WILL_NOT_ACT] if status == Status.WILL_NOT_ACT else "",
        moderation=Moderation.APPROVED if rng.random() < 0.8 or age > 7 else Moderation.PENDING,
        source=_pick(rng, SOURCES),
        reporter_name=f"{rng.choice(NAMES)} {rng.choice(['様', ''])}".strip() if named else "",
        reporter_email=f"resident{rng.randrange(10_000)}@example.jp" if named and rng.random() < 0.6 else "",
        hide_name=rng.random() < 0.7,
        language="ja",
        token=uuid.UUID(int=rng.getrandbits(128), version=4),
        requested_at=requested,
        updated_at=min(context.now, requested + dt.timedelta(days=rng.uniform(0, min(age, 20)))),
    )


def _action(context: DemoContext, request: Request, owners: list[User]) -> Action:
    rng = context.rng
    kind = rng.choice([ActionKind.PATROL_FOCUS, ActionKind.ROAD_AUTHORITY, ActionKind.VISIT])
    start = request.updated_at.date()
    weeks = rng.randint(2, 4) if kind == ActionKind.PATROL_FOCUS else None
    point = request.point
    street = None
    if kind == ActionKind.PATROL_FOCUS and point is not None:
        street = LineString((point.x - 0.0015, point.y), (point.x + 0.0015, point.y), srid=4326)
    done = request.status in (Status.DONE, Status.WILL_NOT_ACT)
    return Action(
        box=request.box,
        kind=kind,
        title=ACTION_TITLES[kind],
        geom=street,
        starts_on=start,
        weeks=weeks,
        ends_on=start + dt.timedelta(weeks=weeks) - dt.timedelta(days=1) if weeks else None,
        owner=rng.choice(owners) if owners else None,
        due_on=start + dt.timedelta(days=rng.randint(7, 30)),
        result="実施済み。" if done else "",
        done_at=request.updated_at if done else None,
        created_at=request.updated_at,
    )


def populate(context: DemoContext) -> str:
    rng = context.rng
    categories = {c.code: c for c in RequestCategory.objects.filter(code__in=MIX)}
    mix = {code: share for code, share in MIX.items() if code in categories}
    beats = list(
        Beat.objects.current().filter(version__agency=context.agency).select_related("box").order_by("code")
    )
    requests: list[Request] = []
    codes = list(mix)
    for beat in beats:
        low, high = PER_BEAT["chuzaisho" if beat.box.is_residential else "koban"]
        for _n in range(rng.randint(low, high)):
            # Every category at least once in the agency, then by the mix.
            code = codes[len(requests)] if len(requests) < len(codes) else _pick(rng, mix)
            requests.append(_request(context, beat, categories[code]))
    Request.objects.bulk_create(requests, batch_size=1000)
    owners_of: dict[int, list[User]] = {}
    for officer in User.objects.filter(role=Role.BOX_OFFICER, is_active=True, box__isnull=False).order_by(
        "pk"
    ):
        owners_of.setdefault(officer.box_id, []).append(officer)  # type: ignore[arg-type]
    planned = [r for r in requests if r.status in (Status.ACTION_PLANNED, Status.DONE) and rng.random() < 0.5]
    actions = [_action(context, r, owners_of.get(r.box_id, [])) for r in planned]
    Action.objects.bulk_create(actions, batch_size=1000)
    links = [
        Action.requests.through(action_id=a.pk, request_id=r.pk)
        for a, r in zip(actions, planned, strict=True)
    ]
    Action.requests.through.objects.bulk_create(links, batch_size=1000)
    return _("%(requests)d residents' requests and %(actions)d action items at %(beats)d beats") % {
        "requests": len(requests),
        "actions": len(actions),
        "beats": len(beats),
    }
