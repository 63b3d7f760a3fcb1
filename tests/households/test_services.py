"""The registry's verbs: placing an address, refusing what cannot be placed or is already there,
recording visits and what they change on the household."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError

from koban.accounts.access import boxes_visiting_for
from koban.audit.models import AuditEvent
from koban.households import services
from koban.households.models import Household, Kind, Outcome, Visit
from tests.clock import now

pytestmark = pytest.mark.django_db

IN_A = Point(139.704, 35.604, srid=4326)
IN_B = Point(139.714, 35.604, srid=4326)
NOWHERE = Point(139.80, 35.70, srid=4326)


def test_add_household_places_it_in_its_beat_and_box(cast):
    household = services.add_household(cast.officer_a, point=IN_A, address="本町1丁目2番3号")
    assert (household.beat, household.box, household.agency) == (cast.beat_a, cast.box_a, cast.agency)
    assert household.address_key == "本町1-2-3"
    assert AuditEvent.objects.filter(action="household.add", object_id=str(household.pk)).count() == 1


def test_an_address_in_no_beat_is_refused_naming_the_point(cast):
    with pytest.raises(ValidationError) as caught:
        services.add_household(cast.officer_a, point=NOWHERE, address="Far away 1")
    assert "cannot be placed" in caught.value.message_dict["point"][0]
    assert not Household.objects.exists()


def test_an_officer_adds_only_in_the_beats_of_their_box(cast):
    with pytest.raises(ValidationError) as caught:
        services.add_household(
            cast.officer_a, point=IN_B, address="Yamate 1", within=boxes_visiting_for(cast.officer_a)
        )
    assert "Yamate Chuzaisho" in caught.value.message_dict["point"][0]


def test_the_same_address_spelled_otherwise_is_a_duplicate(cast):
    first = services.add_household(cast.officer_a, point=IN_A, address="本町1丁目2番3号")
    with pytest.raises(ValidationError) as caught:
        services.add_household(cast.officer_a, point=IN_A, address="本町 １－２－３")
    assert f"no. {first.pk}" in caught.value.message_dict["address"][0]


def test_homes_carry_no_name_and_only_units_belong_to_buildings(cast):
    with pytest.raises(ValidationError) as caught:
        services.add_household(cast.officer_a, point=IN_A, address="1-1", name="Tanaka")
    assert "name" in caught.value.message_dict
    house = services.add_household(cast.officer_a, point=IN_A, address="1-2")
    with pytest.raises(ValidationError) as caught:
        services.add_household(
            cast.officer_a, point=IN_A, address="1-2 101", kind=Kind.APARTMENT_UNIT, building=house
        )
    assert "building" in caught.value.message_dict


def test_a_visit_that_reached_the_residents_resets_the_clock(cast):
    household = services.add_household(cast.officer_a, point=IN_A, address="1-3")
    services.record_visit(
        cast.officer_a, household, visited_at=now() - dt.timedelta(hours=2), outcome=Outcome.ABSENT
    )
    household.refresh_from_db()
    assert household.last_contact_at is None
    met = now() - dt.timedelta(hours=1)
    visit = services.record_visit(
        cast.officer_a,
        household,
        visited_at=met,
        outcome=Outcome.MET,
        topics=["fraud"],
        requests="Street light out",
    )
    household.refresh_from_db()
    assert household.last_contact_at == met
    assert (visit.box, visit.officer, visit.requests) == (cast.box_a, cast.officer_a, "Street light out")
    event = AuditEvent.objects.get(action="household.visit", object_id=str(visit.pk))
    assert "requests" not in event.after and "Street light" not in str(event.after)


def test_an_older_visit_recorded_late_does_not_move_the_clock_back(cast):
    household = services.add_household(cast.officer_a, point=IN_A, address="1-4")
    recent = now() - dt.timedelta(days=1)
    services.record_visit(cast.officer_a, household, visited_at=recent, outcome=Outcome.REFUSED)
    services.record_visit(
        cast.officer_a, household, visited_at=recent - dt.timedelta(days=30), outcome=Outcome.MET
    )
    household.refresh_from_db()
    assert household.last_contact_at == recent


def test_could_not_enter_marks_the_building_and_getting_in_clears_it(cast):
    building = services.add_household(
        cast.officer_a, point=IN_A, address="Corp 5", kind=Kind.APARTMENT_BUILDING
    )
    unit = services.add_household(
        cast.officer_a, point=IN_A, address="Corp 5 101", kind=Kind.APARTMENT_UNIT, building=building
    )
    services.record_visit(
        cast.officer_a, unit, visited_at=now() - dt.timedelta(hours=3), outcome=Outcome.COULD_NOT_ENTER
    )
    building.refresh_from_db()
    assert building.can_enter is False
    services.record_visit(cast.officer_a, unit, visited_at=now() - dt.timedelta(hours=1), outcome=Outcome.MET)
    building.refresh_from_db()
    assert building.can_enter is True


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"outcome": "chatted"}, "outcome"),
        ({"topics": ["weather"]}, "topics"),
        ({"visited_at_offset": dt.timedelta(days=2)}, "visited_at"),
    ],
)
def test_bad_visits_are_refused_naming_the_field_and_nothing_is_written(cast, changes, field):
    household = services.add_household(cast.officer_a, point=IN_A, address="1-5")
    values = {"visited_at": now() - dt.timedelta(hours=1), "outcome": Outcome.MET, "topics": []}
    offset = changes.pop("visited_at_offset", None)
    if offset is not None:
        values["visited_at"] = now() + offset
    values.update(changes)
    with pytest.raises(ValidationError) as caught:
        services.record_visit(cast.officer_a, household, **values)
    assert field in caught.value.message_dict
    assert not Visit.objects.exists()


def test_needs_care_is_set_with_an_audit_row(cast):
    household = services.add_household(cast.officer_a, point=IN_A, address="1-6")
    services.set_needs_care(cast.officer_a, household, True, reason="card")
    household.refresh_from_db()
    assert household.needs_care is True
    assert AuditEvent.objects.filter(action="household.needs_care", object_id=str(household.pk)).count() == 1


def test_a_request_raised_on_a_visit_is_handed_to_the_requests_queue(cast):
    from koban.voice.models import Request, RequestCategory, Source

    household = services.add_household(cast.officer_a, point=IN_A, address="1-7")
    category = RequestCategory.objects.get(code="dark_street")
    visit = services.record_visit(
        cast.officer_a,
        household,
        visited_at=now() - dt.timedelta(hours=1),
        outcome=Outcome.MET,
        requests="The street light at the corner is out",
        request_category=category,
    )
    request = Request.objects.get()
    assert visit.voice_request == request
    assert (request.source, request.box, request.category) == (Source.VISIT, cast.box_a, category)
    assert request.description == "The street light at the corner is out"
    assert "1-7" not in request.address + request.reference  # the resident stays anonymous


def test_a_category_without_a_request_text_is_refused(cast):
    from koban.voice.models import RequestCategory

    household = services.add_household(cast.officer_a, point=IN_A, address="1-8")
    with pytest.raises(ValidationError) as caught:
        services.record_visit(
            cast.officer_a,
            household,
            visited_at=now() - dt.timedelta(hours=1),
            outcome=Outcome.MET,
            request_category=RequestCategory.objects.get(code="other"),
        )
    assert "requests" in caught.value.message_dict
    assert not Visit.objects.exists()
