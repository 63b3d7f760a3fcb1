"""Demo liaison councils: one per operating box, with members, a year of meetings and their opinions.

Each council has a chair from the neighbourhood association, a school, a shop and residents; a few terms
end within the renewal window. Meetings are quarterly: held ones carry an agenda, attendance and minutes,
and their opinions go to the voice queue as council requests; earlier opinions got actions, some done,
so the latest meeting reports back on them. The next meeting is planned. Everything is written through
the services (so the audit trail shows it).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from koban.accounts.models import Role, User
from koban.councils import services
from koban.councils.models import Council, CouncilMember, Meeting, MemberKind
from koban.demo.context import DemoContext
from koban.organization.models import PoliceBox
from koban.rosters.reports import box_zone
from koban.voice import services as voice
from koban.voice.models import ActionKind, RequestCategory

SURNAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田"]
GIVEN = ["花子", "一郎", "美咲", "健太", "由美", "誠", "陽子", "大輔", "恵子", "翔"]
OPINIONS = [
    ("dark_street", "駅からの帰り道の街灯が少なく、夜は暗くて不安です。"),
    ("speeding", "通学路を抜け道にする車がスピードを出しています。"),
    ("more_patrols", "週末の夜に公園周辺のパトロールを増やしてほしい。"),
    ("suspicious_person", "下校時間に見慣れない人が学校の周りにいることがあります。"),
    ("traffic_safety", "交差点の見通しが悪く、子どもの飛び出しが心配です。"),
    ("noise", "深夜にコンビニ前で若者が騒いでいます。"),
    ("praise", "いつも見回りをしていただき、ありがとうございます。"),
]
AGENDAS = [
    "1. 管内の犯罪発生状況\n2. 前回のご意見への対応報告\n3. 地域からのご意見",
    "1. 特殊詐欺の被害防止\n2. 前回のご意見への対応報告\n3. 年末の防犯活動",
    "1. 通学路の安全点検\n2. 前回のご意見への対応報告\n3. 夏祭りの警戒",
]
ACTIONS = {
    "dark_street": (ActionKind.ROAD_AUTHORITY, "市に街灯の増設を要望", "街灯2基が増設されました。"),
    "speeding": (ActionKind.PATROL_FOCUS, "通学時間帯の速度取締り", "朝の取締りを4週間実施しました。"),
    "more_patrols": (
        ActionKind.PATROL_FOCUS,
        "週末夜間の公園パトロール",
        "週末の夜に重点パトロールを行いました。",
    ),
    "suspicious_person": (ActionKind.PATROL_FOCUS, "下校時間の見守り", "下校時間の立番を行いました。"),
    "traffic_safety": (
        ActionKind.ROAD_AUTHORITY,
        "道路管理者とカーブミラー設置を協議",
        "カーブミラーが設置されました。",
    ),
    "noise": (ActionKind.VISIT, "店舗に声掛けを依頼", "店舗と協力して声掛けを行いました。"),
}
MEETINGS = 4


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"


def _members(rng: random.Random, chief: User, council: Council, today: dt.date) -> list[CouncilMember]:
    kinds = [
        (MemberKind.ASSOCIATION, "自治会", True),
        (MemberKind.SCHOOL, "小学校PTA", False),
        (MemberKind.SHOP, "商店会", False),
        (MemberKind.RESIDENT, "", False),
        (MemberKind.RESIDENT, "", False),
    ]
    members = []
    for index, (kind, organization, chair) in enumerate(kinds):
        # Terms started over the last two years; the first ones end within the renewal window.
        start = today - dt.timedelta(days=700 - index * 140 + rng.randint(0, 20))
        members.append(
            services.appoint_member(
                chief,
                council,
                kind=kind,
                name=_name(rng),
                organization=f"{council.box.name}{organization}" if organization else "",
                contact=f"090-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
                is_chair=chair,
                term_start=start,
            )
        )
    return members


def _act_on(officer: User, meeting: Meeting, rng: random.Random) -> None:
    """Make actions of the meeting's opinions; most are done by now (the report back shows them)."""
    for opinion in meeting.opinions.select_related("request", "category"):
        plan = ACTIONS.get(opinion.category.code)
        if plan is None:
            continue
        kind, title, result = plan
        action = voice.create_action(
            officer,
            [opinion.request],
            kind=kind,
            title=title,
            due_on=meeting.held_on + dt.timedelta(days=60),
            weeks=4 if kind == ActionKind.PATROL_FOCUS else None,
            starts_on=meeting.held_on + dt.timedelta(days=7),
        )
        if rng.random() < 0.75:
            voice.complete_action(officer, action, result=result, close_requests=True)


def _meetings(
    rng: random.Random, officer: User, council: Council, members: list[CouncilMember], today: dt.date
) -> int:
    categories = {c.code: c for c in RequestCategory.objects.all()}
    held = []
    for index in range(MEETINGS):
        day = today - dt.timedelta(days=30 + 91 * (MEETINGS - 1 - index) + rng.randint(0, 10))
        present = [m for m in members if m.serves_on(day) and rng.random() < 0.85]
        meeting = services.record_meeting(
            officer,
            council,
            held_on=day,
            place=f"{council.box.name}前 集会所",
            agenda=AGENDAS[index % len(AGENDAS)],
            minutes=(
                f"出席{len(present)}名。{council.box.name}から管内の発生状況を報告。"
                "前回のご意見への対応を報告し、地域からの新たなご意見を伺った。"
            ),
            attendees=present,
            other_attendees=2,
        )
        for code, text in rng.sample(OPINIONS, 2):
            if code in categories:
                raised_by = rng.choice(present) if present else None
                services.record_opinion(
                    officer, meeting, category=categories[code], summary=text, raised_by=raised_by
                )
        held.append(meeting)
    for meeting in held[:-1]:
        _act_on(officer, meeting, rng)
    services.record_meeting(
        officer,
        council,
        held_on=today + dt.timedelta(days=60),
        place=f"{council.box.name}前 集会所",
        agenda="1. 管内の犯罪発生状況\n2. 前回のご意見への対応報告",
    )
    return len(held) + 1


def populate(context: DemoContext) -> str:
    rng = context.rng
    today = context.now.astimezone(box_zone()).date()
    boxes = list(
        PoliceBox.objects.filter(station__agency=context.agency).operating().order_by("station__code", "code")
    )
    chiefs = {
        u.station_id: u
        for u in User.objects.filter(role=Role.STATION_CHIEF, station__agency=context.agency, is_active=True)
    }
    officers: dict[int, User] = {}
    for user in User.objects.filter(role=Role.BOX_OFFICER, box__in=boxes, is_active=True).order_by(
        "username"
    ):
        officers.setdefault(user.box_id, user)  # type: ignore[arg-type]
    councils = meetings = 0
    for box in boxes:
        chief, officer = chiefs.get(box.station_id), officers.get(box.pk)
        if chief is None or officer is None:
            continue
        with transaction.atomic():
            council = services.open_council(chief, box)
            members = _members(rng, chief, council, today)
            meetings += _meetings(rng, officer, council, members, today)
        councils += 1
    return f"{councils} liaison councils, {meetings} meetings"
