"""Dispatch suggestions: nearest boxes by road where roads are loaded, with their on-duty officers."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
import shapely
from django.contrib.gis.geos import LineString

from koban.analytics.algorithms.routing import build_road_graph, road_distances
from koban.geography.models import RoadSegment
from koban.incidents.dispatching import ROAD, STRAIGHT_LINE, suggest_units
from koban.incidents.services import intake_incident
from koban.rosters.models import DutyRecord
from tests import clock
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


def test_without_roads_boxes_are_ranked_by_straight_line(cast, incident):  # type: ignore[no-untyped-def]
    suggestions = suggest_units(incident)
    assert [s.box for s in suggestions] == [cast.box_b, cast.box_a, cast.box_c]
    assert {s.method for s in suggestions} == {STRAIGHT_LINE}


def test_with_roads_the_box_across_the_river_drops_behind(cast, incident):  # type: ignore[no-untyped-def]
    load_roads()
    suggestions = suggest_units(incident)
    assert [s.box for s in suggestions] == [cast.box_a, cast.box_c, cast.box_b]
    assert {s.method for s in suggestions} == {ROAD}
    by_box = {s.box: s for s in suggestions}
    assert by_box[cast.box_b].straight_line_m < by_box[cast.box_a].straight_line_m
    assert by_box[cast.box_b].distance_m > by_box[cast.box_a].distance_m


def test_suggestions_name_the_officers_on_duty(cast, incident):  # type: ignore[no-untyped-def]
    DutyRecord.objects.create(
        box=cast.box_a, officer=cast.officer_a, signed_on_at=clock.now() - datetime.timedelta(hours=2)
    )
    suggestions = {s.box: s for s in suggest_units(incident)}
    assert suggestions[cast.box_a].officers == [cast.officer_a]
    assert suggestions[cast.box_b].officers == [] and not suggestions[cast.box_b].has_units
