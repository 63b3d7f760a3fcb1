"""The dashboard's "visits due" section: counts only, a worklist link for those who visit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point

from koban.households import services
from koban.households.dashboard import build_visits_due
from koban.households.models import Kind, Outcome
from tests.clock import now

pytestmark = pytest.mark.django_db


def test_visits_due_counts_the_box_and_links_the_worklist_for_its_officers(cast):
    at = now()
    point = Point(139.704, 35.604, srid=4326)
    due = services.add_household(cast.officer_a, point=point, address="1-1", needs_care=True)
    reached = services.add_household(cast.officer_a, point=point, address="1-2")
    tower = services.add_household(
        cast.officer_a, point=point, address="Tower", kind=Kind.APARTMENT_BUILDING, can_enter=False
    )
    services.add_household(
        cast.officer_a, point=point, address="Tower 1", kind=Kind.APARTMENT_UNIT, building=tower
    )
    services.record_visit(
        cast.officer_a, reached, visited_at=at - dt.timedelta(minutes=30), outcome=Outcome.MET
    )
    services.record_visit(
        cast.officer_a, due, visited_at=at - dt.timedelta(minutes=20), outcome=Outcome.ABSENT
    )
    section = build_visits_due(cast.box_a, cast.officer_a, at)
    assert section is not None
    counts = section["counts"]
    assert (counts["households"], counts["due"], counts["never"], counts["needs_care"]) == (3, 2, 2, 1)
    assert counts["locked"] == 1 and counts["reached_this_month"] == 1
    assert section["worklist"] is True
    assert build_visits_due(cast.box_a, cast.planner, at)["worklist"] is False  # type: ignore[index]
    assert build_visits_due(cast.box_b, cast.officer_b, at) is None  # no registry there yet
