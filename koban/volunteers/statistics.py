"""The national survey of volunteer crime-prevention groups (防犯ボランティア団体の活動状況), for any area.

The survey counts the groups that are active at least monthly and have five or more members on a
reference day (``VolunteerGroupQuerySet.counted``), with their members; it breaks them down by size,
members by age band, groups by activity type, and reports blue-light patrols (certified groups,
vehicles, patrollers) and the trend at each year's end. Every figure is one aggregate query in the
database (conditional counts over the counted groups), so the report stays fast at national scale.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from koban.volunteers.models import (
    ActivityType,
    AgeBand,
    BlueLightCertification,
    CertifiedPatroller,
    PatrolVehicle,
    VolunteerGroupQuerySet,
    VolunteerMember,
)

# Size bands of the survey: (key, lowest, highest or None).
SIZE_BANDS: list[tuple[str, int, int | None]] = [
    ("5-9", 5, 9),
    ("10-19", 10, 19),
    ("20-49", 20, 49),
    ("50-99", 50, 99),
    ("100+", 100, None),
]


@dataclass
class YearFigure:
    year: int
    groups: int
    members: int


@dataclass
class SurveyReport:
    """The survey's figures for one area on one day."""

    area: str
    day: datetime.date
    groups: int
    members: int
    by_size: list[tuple[str, int]]
    by_age: list[tuple[str, str, int]]  # (code, label, members)
    by_activity: list[tuple[str, str, int]]  # (code, label, groups)
    blue_light_groups: int
    blue_light_vehicles: int
    blue_light_patrollers: int
    trend: list[YearFigure] = field(default_factory=list)

    @property
    def mean_size(self) -> float:
        return round(self.members / self.groups, 1) if self.groups else 0.0

    @property
    def seniors_share(self) -> float:
        """Share of members aged 70 and over (the survey's ageing figure), in percent."""
        old = sum(n for code, _label, n in self.by_age if code == AgeBand.AGE_70_PLUS)
        return round(100 * old / self.members, 1) if self.members else 0.0


def _size_filter(low: int, high: int | None) -> Q:
    return Q(member_count__gte=low) if high is None else Q(member_count__gte=low, member_count__lte=high)


def _group_figures(counted: VolunteerGroupQuerySet) -> dict[str, int]:
    """Groups, members, size bands and activity types of *counted* groups, in one query."""
    aggregates = {
        "groups": Count("pk"),
        "members": Coalesce(Sum("member_count"), 0),
        **{f"size:{key}": Count("pk", filter=_size_filter(low, high)) for key, low, high in SIZE_BANDS},
        **{
            f"activity:{code}": Count("pk", filter=Q(activities__contains=[code]))
            for code in ActivityType.values
        },
    }
    return counted.aggregate(**aggregates)  # type: ignore[no-any-return]


def _age_figures(counted: VolunteerGroupQuerySet, day: datetime.date) -> dict[str, int]:
    members = VolunteerMember.objects.current_on(day).filter(group__in=counted.values("pk"))
    aggregates = {code: Count("pk", filter=Q(age_band=code)) for code in AgeBand.values}
    return members.aggregate(**aggregates)  # type: ignore[no-any-return]


def _blue_light(groups: VolunteerGroupQuerySet, day: datetime.date) -> tuple[int, int, int]:
    certified = BlueLightCertification.objects.valid_on(day).filter(group__in=groups.values("pk"))
    certified_groups = certified.values("group_id")
    vehicles = PatrolVehicle.objects.valid_on(day).filter(group__in=certified_groups).count()
    patrollers = (
        CertifiedPatroller.objects.valid_on(day)
        .filter(member__group__in=certified_groups)
        .values("member_id")
        .distinct()
        .count()
    )
    return certified.values("group_id").distinct().count(), vehicles, patrollers


def trend(groups: VolunteerGroupQuerySet, years: list[int]) -> list[YearFigure]:
    """Counted groups and their members at the end of each of *years*."""
    figures = []
    for year in years:
        end = datetime.date(year, 12, 31)
        totals = groups.counted(end).aggregate(groups=Count("pk"), members=Coalesce(Sum("member_count"), 0))
        figures.append(YearFigure(year=year, groups=totals["groups"], members=totals["members"]))
    return figures


def survey_report(
    groups: VolunteerGroupQuerySet, *, area: str, day: datetime.date, years: list[int] | None = None
) -> SurveyReport:
    """The survey of the groups in *groups* (already narrowed to the area) on *day*."""
    counted = groups.counted(day)
    figures = _group_figures(counted)
    ages = _age_figures(counted, day)
    certified, vehicles, patrollers = _blue_light(groups, day)
    return SurveyReport(
        area=area,
        day=day,
        groups=figures["groups"],
        members=figures["members"],
        by_size=[(key, figures[f"size:{key}"]) for key, _low, _high in SIZE_BANDS],
        by_age=[(code, str(label), ages[code]) for code, label in AgeBand.choices],
        by_activity=[(code, str(label), figures[f"activity:{code}"]) for code, label in ActivityType.choices],
        blue_light_groups=certified,
        blue_light_vehicles=vehicles,
        blue_light_patrollers=patrollers,
        trend=trend(groups, years or []),
    )
