"""Snapping a drawn patrol to the streets: pure functions, on street layouts whose answer is known."""

from __future__ import annotations

import itertools

import shapely

from koban.analytics.algorithms.road_snapping import snap_route
from koban.analytics.algorithms.routing import build_road_graph

W, S = 139.700, 35.600
# Roughly 90 m per 0.001° of longitude and 111 m per 0.001° of latitude here.


def _l_shaped_street():  # type: ignore[no-untyped-def]
    """One street going east along the south edge, then north at the east end (an L)."""
    return build_road_graph([shapely.LineString([(W, S), (W + 0.004, S), (W + 0.004, S + 0.004)])])


def test_two_taps_on_an_l_shaped_street_follow_the_corner():
    graph = _l_shaped_street()
    # Taps a few metres off the street: one near the west end, one near the north end.
    route = snap_route(graph, [(W + 0.0005, S + 0.0001), (W + 0.0041, S + 0.0035)])
    assert route.on_roads == [True] and route.all_on_roads
    coords = route.coordinates
    # The route starts and ends on the street, and turns at the corner (W + 0.004, S).
    assert abs(coords[0][1] - S) < 1e-6 and abs(coords[0][0] - (W + 0.0005)) < 1e-6
    assert abs(coords[-1][0] - (W + 0.004)) < 1e-6 and abs(coords[-1][1] - (S + 0.0035)) < 1e-6
    assert any(abs(x - (W + 0.004)) < 1e-6 and abs(y - S) < 1e-6 for x, y in coords[1:-1])


def test_the_shortest_way_round_a_block_is_taken():
    # A block: south street, east street, north street and a long detour west; the taps sit on the
    # south and north streets near the east side, so the way goes up the east street.
    e, n = W + 0.004, S + 0.004
    graph = build_road_graph(
        [
            shapely.LineString([(W, S), (e, S)]),
            shapely.LineString([(e, S), (e, n)]),
            shapely.LineString([(e, n), (W, n)]),
            shapely.LineString([(W, n), (W, S)]),
        ]
    )
    route = snap_route(graph, [(e - 0.0005, S), (e - 0.0005, n)])
    assert route.on_roads == [True]
    xs = [x for x, _ in route.coordinates]
    assert min(xs) > W + 0.003  # never goes to the west street


def test_consecutive_legs_share_their_tap_and_no_vertex_repeats():
    graph = _l_shaped_street()
    taps = [(W + 0.001, S), (W + 0.003, S), (W + 0.004, S + 0.002)]
    route = snap_route(graph, taps)
    assert route.on_roads == [True, True]
    coords = route.coordinates
    assert all(a != b for a, b in itertools.pairwise(coords))
    assert (round(coords[0][0], 6), round(coords[0][1], 6)) == (W + 0.001, S)


def test_a_tap_far_from_every_road_joins_its_neighbours_in_a_straight_line():
    graph = _l_shaped_street()
    park = (W + 0.002, S + 0.002)  # about 200 m from the street
    route = snap_route(graph, [(W + 0.001, S), park, (W + 0.004, S + 0.003)])
    assert route.on_roads == [False, False] and not route.all_on_roads
    assert park in route.coordinates


def test_unconnected_streets_give_a_straight_leg():
    graph = build_road_graph(
        [
            shapely.LineString([(W, S), (W + 0.002, S)]),
            shapely.LineString([(W, S + 0.003), (W + 0.002, S + 0.003)]),
        ]
    )
    route = snap_route(graph, [(W + 0.001, S), (W + 0.001, S + 0.003)])
    assert route.on_roads == [False]
    assert route.coordinates == [(W + 0.001, S), (W + 0.001, S + 0.003)]


def test_without_roads_the_taps_are_joined_by_straight_lines():
    taps = [(W, S), (W + 0.001, S + 0.001), (W + 0.002, S)]
    route = snap_route(None, taps)
    assert route.coordinates == taps and route.on_roads == [False, False]
    assert snap_route(None, [(W, S)]).on_roads == []
