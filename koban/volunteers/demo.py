"""Demo volunteer groups: about one group per 2,500 residents as in the national survey, with members
(mostly in their sixties and seventies), activity types, schedules and founding years back to 2005, some
too small or too rarely out to be counted; blue-light certified groups with patrollers and vehicles
(some papers expiring within the reminder window); four weeks of patrols along the roads of their beats,
with hazards and suspicious persons. Each ``volunteer.<station>`` login is a member of a group there."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.gis.geos import Point
from django.utils import timezone

from koban.accounts.models import Role, User
from koban.demo import names
from koban.demo.context import DemoContext
from koban.geography.models import Beat, RoadSegment
from koban.partners.models import Partner, PartnerKind
from koban.patrols.demo import _Walker
from koban.patrols.routes import Route
from koban.volunteers import services
from koban.volunteers.models import (
    ActivityObservation,
    ActivityType,
    AgeBand,
    BlueLightCertification,
    CertifiedPatroller,
    Composition,
    MemberRole,
    PatrolVehicle,
    VolunteerGroup,
    VolunteerMember,
)

ACTOR = "demo"
GROUPS_PER_BEAT = (1, 3)
WEEKS = 4
# Age bands of members, weighted like the ageing national figures (about a third 70 and over).
AGE_WEIGHTS = [
    (AgeBand.UNDER_20, 2),
    (AgeBand.AGE_20S, 2),
    (AgeBand.AGE_30S, 5),
    (AgeBand.AGE_40S, 10),
    (AgeBand.AGE_50S, 14),
    (AgeBand.AGE_60S, 35),
    (AgeBand.AGE_70_PLUS, 32),
]
NOTES = {
    ActivityObservation.Kind.HAZARD: [
        "防犯灯が切れている",
        "公園の植え込みが伸びて見通しが悪い",
        "空き家の窓が割れている",
    ],
    ActivityObservation.Kind.SUSPICIOUS: [
        "下校時間に児童に声をかける男性",
        "住宅をのぞき込む二人組",
        "同じ車が何度も周回している",
    ],
}


def _name(rng: Any) -> str:
    return f"{rng.choice(names.SURNAMES)} {rng.choice(names.GIVEN_NAMES)}"


def _activities(rng: Any, composition: str) -> list[str]:
    chosen: list[str] = [ActivityType.FOOT_PATROL] if rng.random() < 0.82 else []
    if composition == Composition.PARENTS or rng.random() < 0.7:
        chosen.append(ActivityType.SCHOOL_ROUTE)
    for code, share in (
        (ActivityType.DOG_WALK, 0.15),
        (ActivityType.CAMPAIGN, 0.3),
        (ActivityType.STANDING_WATCH, 0.2),
    ):
        if rng.random() < share:
            chosen.append(code)
    return chosen or [ActivityType.FOOT_PATROL]


def _group(
    context: DemoContext, beat: Beat, n: int, today: datetime.date, partner: Partner | None
) -> VolunteerGroup:
    rng = context.rng
    place = beat.box.name.replace("交番", "").replace("駐在所", "")
    composition = rng.choices(
        [Composition.NEIGHBOURHOOD, Composition.PARENTS, Composition.SENIORS, Composition.BUSINESSES],
        weights=[53, 15, 20, 12],
    )[0]
    suffix = {
        "neighbourhood": "自主防犯パトロール隊",
        "parents": "PTA見守り隊",
        "seniors": "シニア防犯クラブ",
        "businesses": "商店会防犯隊",
    }
    founded = datetime.date(rng.randint(2005, today.year - 1), rng.randint(1, 12), 1)
    dissolved = None
    if rng.random() < 0.06:
        dissolved = datetime.date(rng.randint(max(founded.year + 1, 2015), today.year - 1), 3, 31)
    return services.register_group(
        ACTOR,
        name=f"{place}{suffix[composition]}{'' if n == 0 else f' {n + 1}'}",
        station=beat.box.station,
        box=beat.box,
        partner=partner,
        composition=composition,
        activities=_activities(rng, composition),
        area=beat.geom,
        days_per_month=rng.choices([0, 1, 2, 4, 8, 12, 20], weights=[4, 8, 14, 30, 22, 12, 10])[0],
        schedule=rng.choice(
            [
                "毎週水曜 15:00–16:30（下校時）",
                "毎月第1・第3土曜 19:00–20:00",
                "平日 7:30–8:15（登校時）",
                "毎週金曜 20:00–21:00（夜間）",
            ]
        ),
        at_night=rng.random() < 0.43,
        founded_on=founded,
        dissolved_on=dissolved,
    )


def _members(context: DemoContext, group: VolunteerGroup, today: datetime.date) -> list[VolunteerMember]:
    rng = context.rng
    size = rng.choices([3, 4, 6, 8, 12, 18, 30, 60, 120], weights=[4, 4, 14, 18, 20, 16, 12, 8, 4])[
        0
    ] + rng.randint(0, 3)
    bands, weights = zip(*AGE_WEIGHTS, strict=True)
    span = max((today - group.founded_on).days, 1)
    rows = []
    for i in range(size):
        joined = group.founded_on + datetime.timedelta(days=0 if i < 5 else rng.randint(0, span))
        left = None
        if i >= 5 and rng.random() < 0.1:
            left = min(joined + datetime.timedelta(days=rng.randint(200, 2000)), today)
        role = MemberRole.LEADER if i == 0 else MemberRole.DEPUTY if i == 1 else MemberRole.MEMBER
        rows.append(
            VolunteerMember(
                group=group,
                name=_name(rng),
                phone=f"090-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}" if i < 2 else "",
                age_band=rng.choices(bands, weights=weights)[0],
                role=role,
                joined_on=joined,
                left_on=left if left and left > joined else None,
            )
        )
    return VolunteerMember.objects.bulk_create(rows)


def _blue_light(
    context: DemoContext, group: VolunteerGroup, members: list[VolunteerMember], today: datetime.date, k: int
) -> int:
    """Certify *group*; every third certified group has papers expiring within the reminder window."""
    rng = context.rng
    soon = k % 3 == 0
    expires = today + datetime.timedelta(days=rng.randint(10, 50) if soon else rng.randint(200, 700))
    BlueLightCertification.objects.create(
        group=group,
        number=f"青パト第{1000 + k}号",
        certified_on=expires - datetime.timedelta(days=3 * 365),
        expires_on=expires,
    )
    group.activities = [*group.activities, ActivityType.BLUE_LIGHT]
    group.save(update_fields=["activities"])
    current = [m for m in members if m.left_on is None]
    for i, member in enumerate(current[: max(3, len(current) // 3)]):
        card_end = today + datetime.timedelta(
            days=rng.randint(20, 55) if soon and i == 0 else rng.randint(120, 900)
        )
        CertifiedPatroller.objects.create(
            member=member,
            card_number=f"P{k:03d}-{i:02d}",
            trained_on=card_end - datetime.timedelta(days=3 * 365),
            expires_on=card_end,
        )
    vehicles = rng.randint(1, 3)
    for v in range(vehicles):
        PatrolVehicle.objects.create(
            group=group,
            plate=f"桜ヶ丘 {rng.randint(300, 599)} {'あいうえか'[v]} {rng.randint(10, 99)}-{rng.randint(10, 99)}",
            description="軽自動車（団体名表示・青色回転灯）",
            registered_on=today - datetime.timedelta(days=rng.randint(100, 1500)),
            expires_on=today + datetime.timedelta(days=rng.randint(30, 900)),
        )
    return vehicles


def _patrols(
    context: DemoContext,
    group: VolunteerGroup,
    walker: _Walker,
    members: list[VolunteerMember],
    today: datetime.date,
) -> int:
    rng = context.rng
    current = [m for m in members if m.left_on is None]
    if not current or walker.empty or group.dissolved_on is not None or group.days_per_month == 0:
        return 0
    recorded = 0
    zone = timezone.get_current_timezone()
    for week in range(WEEKS, 0, -1):
        day = today - datetime.timedelta(days=7 * week - rng.randint(0, 6))
        start = datetime.datetime.combine(
            day, datetime.time(rng.choice([7, 15, 19]), rng.choice([0, 30])), zone
        )
        there = [m for m in current if m.joined_on <= day]
        if not there:
            continue
        xy = walker.walk(rng.uniform(800, 2500))
        lon, lat = walker.backward.transform(xy[:, 0], xy[:, 1])
        route = Route(lines=[list(zip(lon.tolist(), lat.tolist(), strict=True))])
        kind = (
            ActivityType.SCHOOL_ROUTE
            if start.hour in (7, 15) and ActivityType.SCHOOL_ROUTE in group.activities
            else ActivityType.FOOT_PATROL
        )
        observations = []
        if rng.random() < 0.2:
            seen = rng.choice([ActivityObservation.Kind.HAZARD, ActivityObservation.Kind.SUSPICIOUS])
            i = rng.randrange(len(lon))
            point = Point(float(lon[i]), float(lat[i]), srid=4326)
            observations.append(
                services.ObservationInput(
                    seen, start + datetime.timedelta(minutes=20), rng.choice(NOTES[seen]), point
                )
            )
        services.record_activity(
            ACTOR,
            group,
            kind=kind,
            started_at=start,
            ended_at=start + datetime.timedelta(minutes=rng.choice([45, 60, 90])),
            participants=rng.sample(there, min(len(there), rng.randint(2, 6))),
            route=route,
            source="gpx" if rng.random() < 0.5 else "drawn",
            joint_box=group.box if rng.random() < 0.15 else None,
            observations=observations,
            now=context.now,
        )
        recorded += 1
    return recorded


def _link_logins(
    context: DemoContext, groups: list[VolunteerGroup], members_of: dict[int, list[VolunteerMember]]
) -> None:
    """Each ``volunteer.<station>`` login becomes the leader of the largest active group at its station."""
    for user in User.objects.filter(role=Role.VOLUNTEER, agency=context.agency).order_by("username"):
        here = [
            g
            for g in groups
            if g.station_id == user.station_id and g.dissolved_on is None and members_of[g.pk]
        ]
        if not here:
            continue
        group = max(here, key=lambda g: len(members_of[g.pk]))
        leader = members_of[group.pk][0]
        leader.user = user
        leader.name = user.display_name or leader.name
        leader.save(update_fields=["user", "name"])


def populate(context: DemoContext) -> str:
    rng = context.rng
    today = timezone.localtime(context.now).date()
    beats = list(
        Beat.objects.current()
        .filter(version__agency=context.agency)
        .select_related("box", "box__station")
        .order_by("code")
    )
    # The neighbourhood association of a box (demo partners) sponsors the box's first group.
    neighbourhoods = {
        box_id: partner
        for partner in Partner.objects.filter(agency=context.agency, kind=PartnerKind.NEIGHBOURHOOD).order_by(
            "pk"
        )
        for box_id in partner.boxes.values_list("pk", flat=True)
    }
    groups: list[VolunteerGroup] = []
    members_of: dict[int, list[VolunteerMember]] = {}
    vehicles = patrols = certified = 0
    for beat in beats:
        segments = list(RoadSegment.objects.filter(geom__intersects=beat.geom).order_by("id"))
        walker = _Walker(beat, segments, rng) if segments else None
        for n in range(rng.randint(*GROUPS_PER_BEAT)):
            group = _group(context, beat, n, today, neighbourhoods.get(beat.box_id) if n == 0 else None)
            members = _members(context, group, today)
            groups.append(group)
            members_of[group.pk] = members
            if group.dissolved_on is None and rng.random() < 0.2 and len(members) >= 5:
                vehicles += _blue_light(context, group, members, today, certified)
                certified += 1
            if walker is not None:
                patrols += _patrols(context, group, walker, members, today)
    _link_logins(context, groups, members_of)
    counted = VolunteerGroup.objects.filter(agency=context.agency).counted(today).count()
    total_members = sum(len(m) for m in members_of.values())
    return (
        f"{len(groups)} volunteer groups ({counted} counted by the survey) with {total_members} members, "
        f"{certified} blue-light groups with {vehicles} vehicles, {patrols} recorded patrols"
    )
