"""Visit coverage: how much of each beat, box and station the routine visits reach. Aggregates only.

For a period [start, end):
- ``households``: addresses officers visit (apartment buildings with units count through their units);
- ``visited``: of those, how many were reached (met, or refused to the officer's face) in the period;
- ``never``: how many have never been reached at all;
- ``cannot_enter``: buildings and houses whose entrance officers cannot pass (auto-lock);
- ``refusal_rate``: refusals among the visits that reached someone, in the period.
The monthly trend counts, per calendar month, the households reached, the visits and the refusals.
These figures name no household and are what station chiefs and HQ planners read.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from koban.households.models import Household, Outcome, Visit
from koban.organization.models import PoliceBox


@dataclass
class Figures:
    """Coverage figures of one beat, box, station or the whole scope."""

    households: int = 0
    visited: int = 0
    never: int = 0
    cannot_enter: int = 0
    contacts: int = 0
    refusals: int = 0

    def add(self, other: Figures) -> None:
        for name in ("households", "visited", "never", "cannot_enter", "contacts", "refusals"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def share_visited(self) -> float | None:
        """Share of households reached in the period (0–1), None for a beat without households."""
        return self.visited / self.households if self.households else None

    @property
    def refusal_rate(self) -> float | None:
        return self.refusals / self.contacts if self.contacts else None

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "households": self.households,
            "visited": self.visited,
            "never_visited": self.never,
            "cannot_enter": self.cannot_enter,
            "share_visited": None if self.share_visited is None else round(self.share_visited, 4),
            "refusal_rate": None if self.refusal_rate is None else round(self.refusal_rate, 4),
        }


@dataclass
class Coverage:
    start: datetime.datetime
    end: datetime.datetime
    total: Figures = field(default_factory=Figures)
    by_beat: dict[int, Figures] = field(default_factory=dict)
    by_box: dict[int, Figures] = field(default_factory=dict)
    by_station: dict[int, Figures] = field(default_factory=dict)
    months: list[dict[str, object]] = field(default_factory=list)


def coverage(boxes: QuerySet[PoliceBox], start: datetime.datetime, end: datetime.datetime) -> Coverage:
    """Coverage of the households of *boxes* in [start, end), per beat, box and station, and by month."""
    result = Coverage(start=start, end=end)
    station_of = dict(boxes.values_list("pk", "station_id"))
    registry = Household.objects.of_boxes(boxes).placed().visitable().order_by()
    for row in registry.values("beat_id", "box_id").annotate(
        households=Count("pk", distinct=True),
        never=Count("pk", filter=Q(last_contact_at__isnull=True), distinct=True),
        cannot_enter=Count("pk", filter=Q(can_enter=False), distinct=True),
    ):
        figures = _figures(result, row["beat_id"], row["box_id"])
        figures.households, figures.never, figures.cannot_enter = (
            row["households"],
            row["never"],
            row["cannot_enter"],
        )
    # Buildings whose entrance is shut count even when their units are what officers visit.
    shut = Household.objects.of_boxes(boxes).placed().cannot_enter().filter(units__isnull=False).order_by()
    for row in shut.values("beat_id", "box_id").annotate(n=Count("pk", distinct=True)):
        _figures(result, row["beat_id"], row["box_id"]).cannot_enter += row["n"]
    visits = Visit.objects.filter(household__box__in=boxes).between(start, end).order_by()
    reached = (
        visits.contacts()
        .values("household__beat_id", "household__box_id")
        .annotate(
            visited=Count("household", distinct=True),
            contacts=Count("pk"),
            refusals=Count("pk", filter=Q(outcome=Outcome.REFUSED)),
        )
    )
    for row in reached:
        figures = _figures(result, row["household__beat_id"], row["household__box_id"])
        figures.visited, figures.contacts, figures.refusals = row["visited"], row["contacts"], row["refusals"]
    _roll_up(result, station_of)
    result.months = monthly_trend(visits)
    return result


def _figures(result: Coverage, beat_id: int | None, box_id: int) -> Figures:
    figures = result.by_beat.setdefault(beat_id or 0, Figures())
    result.by_box.setdefault(box_id, Figures())
    return figures


def _roll_up(result: Coverage, station_of: dict[int, int]) -> None:
    beat_box = dict(
        Household.objects.filter(beat_id__in=list(result.by_beat)).values_list("beat_id", "box_id").distinct()
    )
    for beat_id, figures in result.by_beat.items():
        box_id = beat_box.get(beat_id)
        if box_id is None:
            continue
        result.by_box.setdefault(box_id, Figures()).add(figures)
    for box_id, figures in result.by_box.items():
        result.by_station.setdefault(station_of.get(box_id, 0), Figures()).add(figures)
        result.total.add(figures)


def monthly_trend(visits: QuerySet[Visit]) -> list[dict[str, object]]:
    """Per calendar month of *visits*: households reached, visits made, refusals and the refusal rate."""
    rows = (
        visits.annotate(month=TruncMonth("visited_at"))
        .values("month")
        .annotate(
            visits=Count("pk"),
            households_reached=Count(
                "household", filter=Q(outcome__in=[Outcome.MET, Outcome.REFUSED]), distinct=True
            ),
            contacts=Count("pk", filter=Q(outcome__in=[Outcome.MET, Outcome.REFUSED])),
            refusals=Count("pk", filter=Q(outcome=Outcome.REFUSED)),
        )
        .order_by("month")
    )
    return [
        {
            "month": row["month"].strftime("%Y-%m"),
            "visits": row["visits"],
            "reached": row["households_reached"],
            "refusals": row["refusals"],
            "refusal_rate": round(row["refusals"] / row["contacts"], 4) if row["contacts"] else None,
        }
        for row in rows
    ]
