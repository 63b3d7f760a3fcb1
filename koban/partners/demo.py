"""Demo partners: the town offices, schools, neighbourhood associations, shop streets, a convenience-store
chain with a safe-haven agreement and an NPO working with the stations of the demo prefecture; their
contact people, agreements and two network meetings a year per station. The partner login
``partner.shops`` acts for the first station's shop street."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from koban.accounts.models import Role, User
from koban.demo import names
from koban.demo.context import DemoContext
from koban.geography.models import Beat
from koban.organization.models import PoliceBox, PoliceStation
from koban.partners import services
from koban.partners.models import AgreementKind, Partner, PartnerKind

ACTOR = "demo"


def _contact_name(rng: Any) -> str:
    return f"{rng.choice(names.SURNAMES)} {rng.choice(names.GIVEN_NAMES)}"


def _partner(
    context: DemoContext, name: str, kind: str, stations: list[PoliceStation], boxes: list[PoliceBox]
) -> Partner:
    beat = Beat.objects.current().filter(box__in=boxes).first() if boxes else None
    area = beat.geom if beat is not None else None
    partner = services.register_partner(
        ACTOR, name=name, kind=kind, agency=context.agency, stations=stations, boxes=boxes, area=area
    )
    for n in range(context.rng.choice([1, 1, 2])):
        services.add_contact(
            ACTOR,
            partner,
            name=_contact_name(context.rng),
            title="会長" if kind == PartnerKind.NEIGHBOURHOOD else "担当者",
            phone=f"0{context.rng.randint(100, 999)}-{context.rng.randint(10, 99)}-{context.rng.randint(1000, 9999)}",
            primary=n == 0,
        )
    return partner


def _station_partners(context: DemoContext, station: PoliceStation, boxes: list[PoliceBox]) -> list[Partner]:
    town = station.name.replace("警察署", "")
    made = [
        _partner(context, f"{town}市役所 防災安全課", PartnerKind.LOCAL_GOVERNMENT, [station], []),
        _partner(context, f"{town}地区防犯協会", PartnerKind.NPO, [station], []),
    ]
    for box in boxes[:6]:
        place = box.name.replace("交番", "").replace("駐在所", "")
        made.append(_partner(context, f"{place}町内会", PartnerKind.NEIGHBOURHOOD, [station], [box]))
        if context.rng.random() < 0.5:
            made.append(_partner(context, f"{place}小学校", PartnerKind.SCHOOL, [station], [box]))
    shops = _partner(context, f"{town}駅前商店街振興組合", PartnerKind.SHOP_STREET, [station], boxes[:1])
    made.append(shops)
    return made


def populate(context: DemoContext) -> str:
    today = timezone.localtime(context.now).date()
    stations = list(PoliceStation.objects.filter(agency=context.agency).order_by("code"))
    partners: list[Partner] = []
    for station in stations:
        boxes = list(PoliceBox.objects.filter(station=station).order_by("code"))
        partners += _station_partners(context, station, boxes)
    chain = _partner(context, "サクラマート（コンビニエンスストア）", PartnerKind.COMPANY, stations, [])
    partners.append(chain)
    agreements = 0
    services.record_agreement(
        ACTOR,
        chain,
        kind=AgreementKind.SAFE_HAVEN,
        title="コンビニエンスストアのセーフティステーション活動に関する協定",
        signed_on=datetime.date(today.year - 6, 4, 1),
        terms="子ども・女性の駆け込み対応、110番通報、防犯カメラ映像の提供",
    )
    agreements += 1
    for partner in partners:
        if partner.kind in (PartnerKind.SHOP_STREET, PartnerKind.SCHOOL) and context.rng.random() < 0.6:
            kind = (
                AgreementKind.CAMERAS
                if partner.kind == PartnerKind.SHOP_STREET
                else AgreementKind.INFORMATION
            )
            services.record_agreement(
                ACTOR,
                partner,
                kind=kind,
                title=f"{partner.name}との{'防犯カメラ' if kind == AgreementKind.CAMERAS else '情報共有'}に関する覚書",
                signed_on=today - datetime.timedelta(days=context.rng.randint(200, 2500)),
            )
            agreements += 1
    meetings = 0
    for station in stations:
        own = [p for p in partners if station in p.stations.all()]
        for months in (2, 8, 14):
            held = today - datetime.timedelta(days=30 * months)
            services.record_meeting(
                ACTOR,
                station,
                held_on=held,
                title=f"{station.name} 地域安全ネットワーク会議",
                partners=context.rng.sample(own, min(len(own), 6)),
                summary="管内の犯罪情勢、通学路の見守り、特殊詐欺の被害防止について意見交換",
            )
            meetings += 1
    staff = User.objects.filter(role=Role.PARTNER, username="partner.shops").first()
    if staff is not None:
        shops = next(p for p in partners if p.kind == PartnerKind.SHOP_STREET)
        services.link_account(ACTOR, staff, shops)
    return f"{len(partners)} partners, {agreements} agreements, {meetings} network meetings"
