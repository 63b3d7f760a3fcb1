"""A small built world for one issue of box A: incidents this month, last month and a year before."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from koban.lostfound.models import ItemCategory
from koban.lostfound.services import receive_item
from koban.newsletters.content import add_months
from koban.newsletters.models import month_start
from koban.rosters.reports import box_zone
from tests import clock
from tests.personas import LAT, LON, Cast
from tests.web import dashboard_data as data

FINDER_MARK = "FINDER-SECRET-NAME"
ITEM_MARK = "wallet with a driving licence of Tanaka"


@dataclass
class IssueWorld:
    month: dt.date
    exact_points: list[tuple[float, float]]


def at(month: dt.date, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(month.year, month.month, day, hour, minute, tzinfo=box_zone())


def build_issue_world(cast: Cast) -> IssueWorld:
    """Box A, last month: 3 thefts (one in the last minutes of the month) and 2 bicycle thefts, plus a
    cancelled call; the month before: 1 theft; the same month a year before: 4 thefts. Box B and the
    first minutes of the next month add incidents that must not be counted."""
    month = add_months(month_start(clock.local_today()), -1)
    box = cast.box_a
    last_day = (add_months(month, 1) - dt.timedelta(days=1)).day
    points = [(LON + 0.0021, LAT + 0.0021), (LON + 0.0022, LAT + 0.0022), (LON + 0.0071, LAT + 0.0061)]
    data.incident(box, at(month, 3, 10), lon=points[0][0], lat=points[0][1], code="theft")
    data.incident(box, at(month, 9, 22), lon=points[1][0], lat=points[1][1], code="theft")
    data.incident(box, at(month, last_day, 23, 50), lon=points[2][0], lat=points[2][1], code="theft")
    data.incident(box, at(month, 5, 8), lon=points[0][0], lat=points[0][1], code="bicycle_theft")
    data.incident(box, at(month, 6, 8), lon=points[2][0], lat=points[2][1], code="bicycle_theft")
    data.incident(box, at(month, 7, 8), lon=points[2][0], lat=points[2][1], code="theft", status="cancelled")
    previous = add_months(month, -1)
    data.incident(box, at(previous, 15, 12), lon=points[0][0], lat=points[0][1], code="theft")
    year_before = add_months(month, -12)
    for day in (1, 2, 3, 4):
        data.incident(box, at(year_before, day, 12), lon=points[1][0], lat=points[1][1], code="theft")
    following = add_months(month, 1)
    data.incident(box, at(following, 1, 0, 10), lon=points[0][0], lat=points[0][1], code="theft")
    data.incident(cast.box_b, at(month, 3, 10), lon=LON + 0.015, lat=LAT + 0.005, code="theft")
    receive_item(
        cast.officer_a,
        box,
        category=ItemCategory.objects.get(code="wallet"),
        description=ITEM_MARK,
        found_at=at(month, 12, 9),
        found_place="Ekimae 3-4-5, in front of house",
        handed_in_at=at(month, 12, 10),
        finder_name=FINDER_MARK,
        finder_contact="090-9999-0000",
        now=at(month, 12, 10),
    )
    return IssueWorld(month=month, exact_points=points)
