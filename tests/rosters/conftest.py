"""Roster fixtures: box A on the koban 3-group pattern with three officers, one per group."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from koban.accounts.models import Role, User
from koban.rosters.models import BoxShiftPlan, ShiftPattern
from koban.rosters.services import create_plan
from tests.clock import TOKYO, tokyo
from tests.factories import make_user

__all__ = ["TOKYO", "Squad", "squad", "tokyo"]  # tokyo: kept importable from here for older tests


@dataclass
class Squad:
    plan: BoxShiftPlan
    officers: list[User]  # officers[g] is in group g


@pytest.fixture
def squad(cast) -> Squad:  # type: ignore[no-untyped-def]
    second = make_user(Role.BOX_OFFICER, "officer_a2", agency=cast.agency, station=cast.north, box=cast.box_a)
    third = make_user(Role.BOX_OFFICER, "officer_a3", agency=cast.agency, station=cast.north, box=cast.box_a)
    officers = [cast.officer_a, second, third]
    plan = create_plan(
        cast.chief_north,
        cast.box_a,
        ShiftPattern.objects.get(code="koban-3-group"),
        anchor=dt.date(2026, 4, 1),
        valid_from=dt.date(2026, 1, 1),
        members=[(o, g) for g, o in enumerate(officers)],
    )
    return Squad(plan=plan, officers=officers)
