"""Rosters around the suite's instant, in the deployment's zone: `make test` runs these at month and
year ends, a leap day and a daylight-saving switch abroad (see tests/clock.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from koban.accounts.models import Role
from koban.rosters.generation import generate_month_roster
from koban.rosters.models import RosterEntry, ShiftPattern
from koban.rosters.queries import on_duty_officers
from koban.rosters.reports import box_gaps, box_zone, local_day_bounds
from koban.rosters.services import create_plan
from tests import clock
from tests.factories import make_user

pytestmark = pytest.mark.dates


def _previous_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@pytest.mark.parametrize(("code", "groups"), [("koban-3-group", 3), ("three-8h-shifts", 4)])
def test_last_and_this_month_staff_every_hour_of_yesterday_and_today(cast, code, groups):
    crew = [cast.officer_a] + [
        make_user(Role.BOX_OFFICER, f"crew{n}", agency=cast.agency, station=cast.north, box=cast.box_a)
        for n in range(1, groups)
    ]
    today = clock.local_today()
    last_month = _previous_month(today)
    create_plan(
        cast.chief_north,
        cast.box_a,
        ShiftPattern.objects.get(code=code),
        anchor=last_month,
        valid_from=last_month - dt.timedelta(days=1),
        members=[(officer, group) for group, officer in enumerate(crew)],
    )
    for month in (last_month, today.replace(day=1)):
        result = generate_month_roster(cast.chief_north, cast.box_a, month.year, month.month)
        assert result.saved and not result.has_gaps, month

    [gaps] = box_gaps([cast.box_a], *local_day_bounds(today - dt.timedelta(days=1), today, box_zone()))
    assert gaps.unstaffed == []
    assert on_duty_officers([cast.box_a.id], clock.now())[cast.box_a.id]
    # Every shift starts at its local hour, also across a clock change (then it is an hour longer
    # or shorter in real time).
    starts = {e.start.astimezone(box_zone()).time() for e in RosterEntry.objects.filter(box=cast.box_a)}
    assert starts <= {dt.time(8, 30), dt.time(6), dt.time(14), dt.time(22)}
