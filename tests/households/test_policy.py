"""The visit policy: intervals by kind of address, due households, and start-up checks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ImproperlyConfigured

from koban.households import services
from koban.households.models import Household, Kind, Outcome
from koban.households.policy import VisitPolicy, parse_policy
from tests.clock import now


def test_intervals_follow_visits_per_year_and_needs_care_is_the_stricter():
    policy = VisitPolicy(home=1, business=2, needs_care=4)
    assert policy.interval(business=False, needs_care=False) == dt.timedelta(days=365)
    assert policy.interval(business=True, needs_care=False) == dt.timedelta(days=182)
    assert policy.interval(business=False, needs_care=True) == dt.timedelta(days=91)
    assert VisitPolicy(business=12, needs_care=4).interval(business=True, needs_care=True) == dt.timedelta(
        days=30
    )


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ([1], "JSON object"),
        ({"homes": 1}, r"unknown field\(s\) homes"),
        ({"home": 0}, "KOBAN_VISIT_POLICY.home"),
        ({"business": True}, "KOBAN_VISIT_POLICY.business"),
        ({"needs_care": "4"}, "KOBAN_VISIT_POLICY.needs_care"),
    ],
)
def test_a_wrong_policy_names_its_field(raw, problem):
    with pytest.raises(ImproperlyConfigured, match=problem):
        parse_policy(raw)


@pytest.mark.django_db
def test_due_lists_the_never_reached_and_those_past_their_interval(cast):
    policy = VisitPolicy(home=1, business=2, needs_care=4)
    at = now()

    def add(address: str, days_ago: int | None, **fields: object) -> Household:
        household = services.add_household(
            cast.officer_a, point=Point(139.704, 35.604, srid=4326), address=address, **fields
        )
        if days_ago is not None:
            services.record_visit(
                cast.officer_a, household, visited_at=at - dt.timedelta(days=days_ago), outcome=Outcome.MET
            )
        return household

    never = add("never", None)
    add("home-recent", 300)
    old_home = add("home-old", 400)
    old_shop = add("shop-old", 200, kind=Kind.BUSINESS, name="Bakery")
    add("shop-recent", 100, kind=Kind.BUSINESS, name="Florist")
    care = add("care-old", 100, needs_care=True)
    building = add("tower", None, kind=Kind.APARTMENT_BUILDING)
    unit = add("tower 101", 10, kind=Kind.APARTMENT_UNIT, building=building)
    due = set(Household.objects.due(policy, at))
    assert due == {never, old_home, old_shop, care}
    assert unit not in due and building not in due  # a building with units is visited unit by unit
