"""Dispatch suggestions: free on-duty officers and patrol cars by travel time (road where loaded);
dispatching them, backup from other boxes, and the commitments that keep officers out of the list."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
import shapely
from django.contrib.gis.geos import LineString
from django.core.exceptions import PermissionDenied, ValidationError

from koban.accounts.access import incidents_visible_to
from koban.accounts.models import Role
from koban.analytics.algorithms.routing import build_road_graph, road_distances
from koban.audit.models import AuditEvent
from koban.geography.models import RoadSegment
from koban.incidents.dispatching import OFFICER, ROAD, STRAIGHT_LINE, UNIT, suggest_units
from koban.incidents.services import dispatch_units, intake_incident
from koban.rosters.models import CrewAssignment, DutyRecord, PatrolCar
from koban.rosters.presence import officers_committed
from koban.rosters.services import assign_crew
from tests import clock
from tests.factories import make_user
from tests.incidents.conftest import minutes_ago
from tests.personas import LAT, LON

# The incident is on the north road. Box B is nearest as the crow flies, but it sits south of a river
# that only a bridge far to the east crosses; box A has a lane straight up to the north road.
ROADS = [
    [(LON, LAT + 0.009), (LON + 0.005, LAT + 0.009)],  # north road, west part
    [(LON + 0.005, LAT + 0.009), (LON + 0.05, LAT + 0.009)],  # north road, east part
    [(LON + 0.005, LAT + 0.009), (LON + 0.005, LAT + 0.005)],  # lane down to box A
    [(LON + 0.015, LAT + 0.005), (LON + 0.05, LAT + 0.005)],  # south road past boxes B and C
    [(LON + 0.05, LAT + 0.005), (LON + 0.05, LAT + 0.009)],  # the bridge
]
INCIDENT = (LON + 0.013, LAT + 0.009)


def load_roads() -> None:
    for coords in ROADS:
        line = LineString(coords, srid=4326)
        RoadSegment.objects.create(geom=line, length_m=0.0, kind=RoadSegment.Kind.MINOR)


@pytest.fixture
def incident(cast, theft):  # type: ignore[no-untyped-def]
    return intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(5), lon=INCIDENT[0], lat=INCIDENT[1]
    ).incident


def test_road_distance_goes_round_by_the_bridge():  # type: ignore[no-untyped-def]
    graph = build_road_graph([shapely.LineString(c) for c in ROADS])
    assert graph is not None
    lons = np.array([LON + 0.005, LON + 0.015])
    lats = np.array([LAT + 0.005, LAT + 0.005])
    to_a, to_b = road_distances(graph, INCIDENT, lons, lats)
    # A: 0.008° of longitude (~724 m) west plus 0.004° of latitude (~444 m) down the lane.
    assert to_a == pytest.approx(725 + 444, rel=0.01)
    # B: east to the bridge (0.037°), across it, and back west along the south road (0.035°).
    assert to_b == pytest.approx(3352 + 444 + 3171, rel=0.01)


def test_a_point_far_from_every_road_has_no_road_distance():  # type: ignore[no-untyped-def]
    graph = build_road_graph([shapely.LineString(c) for c in ROADS])
    assert graph is not None
    far = road_distances(graph, (LON + 0.013, LAT + 0.05), np.array([LON + 0.005]), np.array([LAT + 0.005]))
    assert np.isnan(far).all()


@pytest.fixture
def incident_a(cast, theft):  # type: ignore[no-untyped-def]
    """An incident in box A's beat, which box A's officer may act on."""
    return intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(5), lon=LON + 0.003, lat=LAT + 0.003
    ).incident


def on_duty(box, *officers):  # type: ignore[no-untyped-def]
    for officer in officers:
        DutyRecord.objects.create(
            box=box, officer=officer, signed_on_at=clock.now() - datetime.timedelta(hours=2)
        )


@pytest.fixture
def second_a(cast):  # type: ignore[no-untyped-def]
    """A second officer of box A."""
    return make_user(Role.BOX_OFFICER, "officer_a2", agency=cast.agency, station=cast.north, box=cast.box_a)


@pytest.fixture
def car(cast):  # type: ignore[no-untyped-def]
    return PatrolCar.objects.create(call_sign="North 1", box=cast.box_b, kind=PatrolCar.Kind.PATROL_CAR)


def keys(suggestions):  # type: ignore[no-untyped-def]
    return [s.key for s in suggestions]


def test_without_roads_officers_are_ranked_by_straight_line(cast, incident):  # type: ignore[no-untyped-def]
    on_duty(cast.box_a, cast.officer_a)
    on_duty(cast.box_b, cast.officer_b)
    suggestions = suggest_units(incident, cast.chief_north)
    assert [s.officers for s in suggestions] == [[cast.officer_b], [cast.officer_a]]
    assert {s.method for s in suggestions} == {STRAIGHT_LINE}
    assert {s.kind for s in suggestions} == {OFFICER}


def test_with_roads_the_officer_across_the_river_drops_behind(cast, incident):  # type: ignore[no-untyped-def]
    on_duty(cast.box_a, cast.officer_a)
    on_duty(cast.box_b, cast.officer_b)
    load_roads()
    suggestions = suggest_units(incident, cast.chief_north)
    assert [s.officers for s in suggestions] == [[cast.officer_a], [cast.officer_b]]
    assert {s.method for s in suggestions} == {ROAD}
    a, b = suggestions
    assert b.straight_line_m < a.straight_line_m and b.distance_m > a.distance_m
    assert a.travel_s == pytest.approx(a.distance_m / (15 / 3.6))
    assert a.route[0] == pytest.approx(INCIDENT) and len(a.route) > 2


def test_nobody_off_duty_is_suggested(cast, incident):  # type: ignore[no-untyped-def]
    on_duty(cast.box_a, cast.officer_a)
    assert [s.officers for s in suggest_units(incident, cast.chief_north)] == [[cast.officer_a]]


def test_the_free_officer_is_suggested_not_the_one_on_another_incident(cast, incident_a, second_a, theft):  # type: ignore[no-untyped-def]
    on_duty(cast.box_a, cast.officer_a, second_a)
    other = intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(20), lon=LON, lat=LAT
    ).incident
    dispatch_units(cast.officer_a, other, cast.box_a, [second_a], at=minutes_ago(15))
    suggestions = suggest_units(incident_a, cast.officer_a)
    assert [s.officers for s in suggestions] == [[cast.officer_a]]


def test_an_urgent_incident_may_take_an_officer_from_a_less_urgent_one(cast, second_a, theft, assault):  # type: ignore[no-untyped-def]
    on_duty(cast.box_a, cast.officer_a, second_a)
    other = intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(20), lon=LON, lat=LAT
    ).incident
    dispatch_units(cast.officer_a, other, cast.box_a, [second_a], at=minutes_ago(15))
    urgent = intake_incident(
        cast.officer_a,
        category=assault,
        priority=1,
        received_at=minutes_ago(2),
        lon=LON + 0.003,
        lat=LAT + 0.003,
    ).incident
    suggestions = suggest_units(urgent, cast.officer_a)
    assert [(s.officers, s.preempts, s.committed_to) for s in suggestions] == [
        ([cast.officer_a], False, []),
        ([second_a], True, [other.pk]),
    ]
    dispatch_units(cast.officer_a, urgent, cast.box_a, [second_a])
    assert f"#{other.pk}" in urgent.events.filter(action="dispatched").get().note


def test_the_service_refuses_an_officer_busy_on_an_equally_urgent_incident(cast, incident_a, second_a, theft):  # type: ignore[no-untyped-def]
    on_duty(cast.box_a, second_a)
    other = intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(20), lon=LON, lat=LAT
    ).incident
    dispatch_units(cast.officer_a, other, cast.box_a, [second_a], at=minutes_ago(15))
    with pytest.raises(ValidationError) as refused:
        dispatch_units(cast.officer_a, incident_a, cast.box_a, [second_a])
    assert "officers" in refused.value.message_dict
    assert not incident_a.dispatches.exists()


def test_a_patrol_car_goes_as_one_unit_with_its_crew(cast, incident, car, second_a):  # type: ignore[no-untyped-def]
    on_duty(cast.box_a, cast.officer_a, second_a)
    on_duty(cast.box_b, cast.officer_b)
    assign_crew(
        cast.chief_north,
        car,
        [cast.officer_b, second_a],
        clock.now() - datetime.timedelta(hours=1),
        clock.now() + datetime.timedelta(hours=7),
    )
    suggestions = suggest_units(incident, cast.chief_north)
    assert keys(suggestions) == [f"unit:{car.pk}", f"officer:{cast.officer_a.pk}"]
    unit = suggestions[0]
    assert unit.kind == UNIT and unit.box == cast.box_b
    assert {o.pk for o in unit.officers} == {cast.officer_b.pk, second_a.pk}

    sent = dispatch_units(cast.chief_north, incident, car.box, [], unit=car)
    assert sent.unit == car and set(sent.officers.all()) == {cast.officer_b, second_a}
    assert AuditEvent.objects.filter(action="incident.dispatch", note=str(car)).exists()
    # The crew is now out of its boxes, as presence sees it.
    assert set(officers_committed([cast.officer_b.pk, second_a.pk, cast.officer_a.pk], clock.now())) == {
        cast.officer_b.pk,
        second_a.pk,
    }
    assert keys(suggest_units(incident, cast.chief_north)) == [f"officer:{cast.officer_a.pk}"]


def test_a_crew_cannot_be_booked_in_two_cars_at_once(cast, car):  # type: ignore[no-untyped-def]
    other = PatrolCar.objects.create(call_sign="North 2", box=cast.box_b)
    start, end = clock.now(), clock.now() + datetime.timedelta(hours=8)
    assign_crew(cast.chief_north, car, [cast.officer_b], start, end)
    with pytest.raises(ValidationError) as refused:
        assign_crew(cast.chief_north, other, [cast.officer_b], start + datetime.timedelta(hours=1), end)
    assert "officers" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        assign_crew(cast.officer_a, other, [cast.officer_a], start, end)
    assert CrewAssignment.objects.count() == 1


def test_backup_comes_from_the_other_boxes_of_the_station(cast, incident_a):  # type: ignore[no-untyped-def]
    on_duty(cast.box_a, cast.officer_a)
    on_duty(cast.box_b, cast.officer_b)
    officer_c = make_user(
        Role.BOX_OFFICER, "officer_c", agency=cast.agency, station=cast.south, box=cast.box_c
    )
    on_duty(cast.box_c, officer_c)
    # Box A's officer sees the officers of the station's boxes, not those of South station.
    assert {s.box for s in suggest_units(incident_a, cast.officer_a)} == {cast.box_a, cast.box_b}
    dispatch_units(cast.officer_a, incident_a, cast.box_a, [cast.officer_a])
    backup = suggest_units(incident_a, cast.officer_a, backup=True)
    assert [s.officers for s in backup] == [[cast.officer_b]]
    dispatch_units(cast.officer_a, incident_a, cast.box_b, [cast.officer_b])
    assert incident_a.dispatches.count() == 2
    # Officer B, sent as backup, may now act on the incident_a.
    assert incidents_visible_to(cast.officer_b).filter(pk=incident_a.pk).exists()
    with pytest.raises(PermissionDenied):
        dispatch_units(cast.officer_a, incident_a, cast.box_c, [officer_c])
