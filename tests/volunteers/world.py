"""A small world of volunteer groups whose survey figures are known by hand (see ``test_statistics``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from koban.organization.models import PoliceStation
from koban.volunteers.models import (
    BlueLightCertification,
    CertifiedPatroller,
    PatrolVehicle,
    VolunteerGroup,
    VolunteerMember,
)
from tests.personas import Cast

DAY = datetime.date(2026, 6, 10)


def group(
    station: PoliceStation,
    name: str,
    ages: list[str],
    *,
    founded: datetime.date,
    days_per_month: int = 4,
    activities: tuple[str, ...] = ("foot_patrol",),
    dissolved: datetime.date | None = None,
) -> VolunteerGroup:
    made = VolunteerGroup.objects.create(
        name=name,
        agency_id=station.agency_id,
        station=station,
        activities=list(activities),
        days_per_month=days_per_month,
        founded_on=founded,
        dissolved_on=dissolved,
    )
    VolunteerMember.objects.bulk_create(
        VolunteerMember(group=made, name=f"{name} {i}", age_band=age, joined_on=founded)
        for i, age in enumerate(ages)
    )
    return made


@dataclass
class SurveyWorld:
    patrol_team: VolunteerGroup  # north, 5 members, counted
    blue_team: VolunteerGroup  # north, 12 members, blue-light certified, counted
    south_team: VolunteerGroup  # south, 20 members, counted


def build_survey_world(cast: Cast) -> SurveyWorld:
    north, south = cast.north, cast.south
    patrol_team = group(
        north,
        "Ekimae Patrol",
        ["60s"] * 3 + ["70_plus"] * 2,
        founded=datetime.date(2024, 5, 1),
        activities=("foot_patrol", "school_route"),
    )
    blue_team = group(
        north,
        "Yamate Blue",
        ["20s"] * 2 + ["40s"] * 10,
        founded=datetime.date(2025, 3, 1),
        days_per_month=2,
        activities=("foot_patrol", "blue_light"),
    )
    south_team = group(
        south, "Minato Seniors", ["70_plus"] * 20, founded=datetime.date(2023, 1, 1), days_per_month=8
    )
    # Not counted: four members; not active monthly; two of six members gone; dissolved.
    group(north, "Too Small", ["50s"] * 4, founded=datetime.date(2024, 1, 1))
    group(north, "Rarely Out", ["50s"] * 6, founded=datetime.date(2024, 1, 1), days_per_month=0)
    shrinking = group(north, "Shrinking", ["30s"] * 6, founded=datetime.date(2024, 1, 1))
    gone = list(shrinking.members.all()[:2])
    for member in gone:
        member.left_on = datetime.date(2026, 1, 31)
        member.save(update_fields=["left_on"])
    group(
        north,
        "Disbanded",
        ["60s"] * 9,
        founded=datetime.date(2020, 1, 1),
        dissolved=datetime.date(2026, 3, 31),
    )
    # Blue light: a valid certificate, one valid and one expired vehicle, two valid patrollers, one expired.
    BlueLightCertification.objects.create(
        group=blue_team,
        number="BL-1",
        certified_on=datetime.date(2025, 4, 1),
        expires_on=datetime.date(2027, 3, 31),
    )
    PatrolVehicle.objects.create(
        group=blue_team,
        plate="品川 500 あ 1",
        registered_on=datetime.date(2025, 4, 5),
        expires_on=datetime.date(2027, 3, 31),
    )
    PatrolVehicle.objects.create(
        group=blue_team,
        plate="品川 500 あ 2",
        registered_on=datetime.date(2024, 4, 5),
        expires_on=datetime.date(2026, 3, 31),
    )
    members = list(blue_team.members.order_by("pk"))
    for i, member in enumerate(members[:3]):
        expires = datetime.date(2026, 5, 31) if i == 2 else datetime.date(2027, 3, 31)
        CertifiedPatroller.objects.create(
            member=member, card_number=f"P-{i}", trained_on=datetime.date(2025, 4, 1), expires_on=expires
        )
    return SurveyWorld(patrol_team=patrol_team, blue_team=blue_team, south_team=south_team)
