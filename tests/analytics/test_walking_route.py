"""The walking route of a worklist: pure functions, checked on layouts whose best answer is known."""

from __future__ import annotations

import math

import numpy as np
import shapely

from koban.analytics.algorithms.routing import build_road_graph
from koban.analytics.algorithms.walking_route import (
    distance_matrix,
    nearest_neighbour_tour,
    plan_route,
    tour_length,
    two_opt,
)

BOX = (139.700, 35.600)
# About 90 m per 0.001° of longitude at this latitude, 111 m per 0.001° of latitude.


def _ring(n: int, radius: float = 0.004) -> tuple[np.ndarray, np.ndarray]:
    """Households on a circle around a point just east of the box, in a shuffled order."""
    angles = np.linspace(0, 2 * math.pi, n, endpoint=False)
    order = np.random.default_rng(4).permutation(n)
    return (BOX[0] + 0.006 + radius * np.cos(angles[order]), BOX[1] + radius * np.sin(angles[order]))


def test_households_on_a_circle_are_walked_round_it():
    lons, lats = _ring(24)
    route = plan_route(BOX, lons, lats, budget_minutes=600, minutes_per_visit=5)
    assert sorted(route.order) == list(range(24)) and route.skipped == []
    angles = np.arctan2(lats[route.order] - BOX[1], lons[route.order] - BOX[0] - 0.006)
    steps = np.diff(np.unwrap(angles))
    assert (steps > 0).all() or (steps < 0).all(), "the walk goes round the circle one way"


def test_the_route_is_never_longer_than_the_nearest_neighbour_order():
    rng = np.random.default_rng(9)
    for _trial in range(5):
        lons = BOX[0] + rng.uniform(-0.01, 0.01, 60)
        lats = BOX[1] + rng.uniform(-0.01, 0.01, 60)
        distances, _ = distance_matrix(np.r_[BOX[0], lons], np.r_[BOX[1], lats])
        nearest = nearest_neighbour_tour(distances)
        improved = two_opt(distances, nearest)
        assert tour_length(distances, improved) <= tour_length(distances, nearest) + 1e-6
        route = plan_route(BOX, lons, lats, budget_minutes=10_000, minutes_per_visit=1)
        assert route.walk_m <= tour_length(distances, nearest) * 1.02


def test_two_opt_untangles_a_crossing():
    # A square walked corner to opposite corner: the crossing walk is longer than the square's edge.
    square = np.array([[0, 0], [0, 1], [1, 1], [1, 0]], dtype=float)
    distances = np.hypot(*(square[:, None, :] - square[None, :, :]).transpose(2, 0, 1))
    crossing = [0, 2, 1, 3]
    assert tour_length(distances, two_opt(distances, crossing)) == 4.0


def test_the_budget_keeps_the_most_overdue_and_is_never_exceeded():
    lons, lats = _ring(30)
    route = plan_route(BOX, lons, lats, budget_minutes=60, minutes_per_visit=6)
    assert route.minutes <= 60
    assert 0 < len(route.order) < 30
    # Households come in priority order: those kept are the first ones, apart from cheap additions.
    assert set(range(len(route.order) // 2)) <= set(route.order)
    assert sorted(route.order + route.skipped) == list(range(30))
    walk_minutes = route.walk_m / 1.2 / 60
    assert math.isclose(route.minutes, walk_minutes + 6 * len(route.order))
    assert len(route.legs_m) == len(route.order) + 1


def test_an_empty_worklist_is_an_empty_walk():
    route = plan_route(BOX, np.array([]), np.array([]), budget_minutes=60, minutes_per_visit=5)
    assert (route.order, route.skipped, route.walk_m, route.minutes) == ([], [], 0.0, 0.0)


def test_roads_decide_the_distance_where_they_are_loaded():
    # A U-shaped street: two houses at the tips of the U are 100 m apart as the crow flies, but the
    # walk goes down one arm, along the bottom and up the other.
    west, east, top, bottom = 139.700, 139.7011, 35.600, 35.595
    street = shapely.LineString([(west, top), (west, bottom), (east, bottom), (east, top)])
    graph = build_road_graph([street])
    lons, lats = np.array([west, east]), np.array([top, top])
    by_road, on_roads = distance_matrix(lons, lats, graph)
    straight, _ = distance_matrix(lons, lats)
    assert on_roads
    assert 1100 < by_road[0, 1] < 1250  # 555 m down, 100 m across, 555 m up
    assert straight[0, 1] < 200


def test_places_far_from_every_road_fall_back_to_straight_lines():
    street = shapely.LineString([(139.70, 35.60), (139.71, 35.60)])
    graph = build_road_graph([street])
    lons, lats = np.array([139.75, 139.751]), np.array([35.65, 35.65])
    with_graph, on_roads = distance_matrix(lons, lats, graph, max_snap_m=100)
    without, _ = distance_matrix(lons, lats)
    assert not on_roads
    assert np.allclose(with_graph, without)
