"""Ranking officers and units for an incident: travel time, commitments, pre-emption, road or straight line."""

from __future__ import annotations

import pytest
import shapely

from koban.analytics.algorithms.dispatch import (
    ROAD,
    STRAIGHT_LINE,
    Candidate,
    may_preempt,
    rank_candidates,
)
from koban.analytics.algorithms.routing import build_road_graph

LON, LAT = 139.70, 35.60
BIKE = 15 / 3.6
CAR = 30 / 3.6
INCIDENT = (LON + 0.013, LAT + 0.009)
# The incident is on the north road; the south road only joins it by a bridge far to the east. Roads
# meet where they share a vertex, so the north road is drawn in two pieces joining at the lane.
ROADS = [
    [(LON, LAT + 0.009), (LON + 0.005, LAT + 0.009)],
    [(LON + 0.005, LAT + 0.009), (LON + 0.05, LAT + 0.009)],
    [(LON + 0.005, LAT + 0.009), (LON + 0.005, LAT + 0.005)],
    [(LON + 0.015, LAT + 0.005), (LON + 0.05, LAT + 0.005)],
    [(LON + 0.05, LAT + 0.005), (LON + 0.05, LAT + 0.009)],
]
WEST = (LON + 0.005, LAT + 0.005)  # up the lane: about 1.2 km by road
ACROSS = (LON + 0.015, LAT + 0.005)  # nearer as the crow flies, 7 km round by the bridge


def graph():  # type: ignore[no-untyped-def]
    built = build_road_graph([shapely.LineString(c) for c in ROADS])
    assert built is not None
    return built


def test_committed_candidates_are_left_out_of_a_normal_incident() -> None:
    candidates = [
        Candidate("officer:1", *WEST, BIKE, committed_priority=3),
        Candidate("officer:2", *WEST, BIKE),
    ]
    ranked = rank_candidates(None, INCIDENT, 3, candidates)
    assert [r.key for r in ranked] == ["officer:2"]
    assert not ranked[0].preempts


def test_an_urgent_incident_may_take_from_a_less_urgent_one_after_every_free_candidate() -> None:
    candidates = [
        Candidate("officer:near-busy", *INCIDENT, BIKE, committed_priority=3),
        Candidate("officer:urgent-busy", *INCIDENT, BIKE, committed_priority=1),
        Candidate("officer:far-free", *ACROSS, BIKE),
    ]
    ranked = rank_candidates(None, INCIDENT, 1, candidates)
    assert [r.key for r in ranked] == ["officer:far-free", "officer:near-busy"]
    assert [r.preempts for r in ranked] == [False, True]


@pytest.mark.parametrize(
    ("incident", "committed", "allowed"),
    [(1, 2, True), (1, 4, True), (1, 1, False), (2, 3, False), (3, 4, False), (4, 4, False)],
)
def test_the_preemption_rule(incident: int, committed: int, allowed: bool) -> None:
    assert may_preempt(incident, committed) is allowed


def test_a_car_beats_a_bicycle_from_the_same_distance() -> None:
    candidates = [Candidate("officer:1", *WEST, BIKE), Candidate("unit:1", *WEST, CAR)]
    ranked = rank_candidates(None, INCIDENT, 3, candidates)
    assert [r.key for r in ranked] == ["unit:1", "officer:1"]
    assert ranked[1].travel_s == pytest.approx(2 * ranked[0].travel_s)


def test_on_roads_the_candidate_across_the_river_drops_behind() -> None:
    candidates = [Candidate("officer:across", *ACROSS, BIKE), Candidate("officer:west", *WEST, BIKE)]
    straight = rank_candidates(None, INCIDENT, 3, candidates)
    assert [r.key for r in straight] == ["officer:across", "officer:west"]
    assert {r.method for r in straight} == {STRAIGHT_LINE}
    assert all(len(r.route) == 2 for r in straight)

    by_road = rank_candidates(graph(), INCIDENT, 3, candidates)
    assert [r.key for r in by_road] == ["officer:west", "officer:across"]
    assert {r.method for r in by_road} == {ROAD}
    west, across = by_road
    assert west.distance_m == pytest.approx(725 + 444, rel=0.01)
    assert west.travel_s == pytest.approx(west.distance_m / BIKE)
    assert across.distance_m > 6900 and across.straight_line_m < west.straight_line_m


def test_a_road_route_runs_from_the_incident_along_the_roads_to_the_candidate() -> None:
    (west,) = rank_candidates(graph(), INCIDENT, 3, [Candidate("officer:west", *WEST, BIKE)])
    assert west.route[0] == pytest.approx(INCIDENT)
    assert west.route[-1] == pytest.approx(WEST)
    # It turns at the junction of the north road and the lane.
    assert any(p == pytest.approx((LON + 0.005, LAT + 0.009), abs=1e-6) for p in west.route)
    line = shapely.LineString(west.route)
    assert line.length == pytest.approx(0.008 + 0.004, rel=0.01)  # degrees: along, then down


def test_a_candidate_far_from_every_road_is_measured_in_a_straight_line() -> None:
    lost = (LON + 0.013, LAT + 0.05)
    ranked = rank_candidates(graph(), INCIDENT, 3, [Candidate("officer:lost", *lost, BIKE)])
    assert ranked[0].method == STRAIGHT_LINE
    assert ranked[0].route == [INCIDENT, lost]
    assert ranked[0].distance_m == pytest.approx(ranked[0].straight_line_m)


def test_limit_and_no_candidates() -> None:
    assert rank_candidates(None, INCIDENT, 1, []) == []
    many = [Candidate(f"officer:{i}", LON + i * 0.001, LAT, BIKE) for i in range(5)]
    assert len(rank_candidates(None, INCIDENT, 3, many, limit=2)) == 2
