"""Benchmark: the worklist route for 200 due households (target < 2 s), against nearest-neighbour order.

Two layouts, both measured in the same run:
- ``roads``: a street grid of about 1.4 km × 1.4 km (a city beat, 60 m blocks, every street two-way)
  with the households along the streets; distances are walked on the road graph;
- ``straight``: the same households without roads (straight lines with the detour allowance).
The time covers the whole planning: building the road graph, the distance matrix, the insertion by
priority and 2-opt. The route length is reported against the nearest-neighbour order over the same
households and the same distances (the order an officer would pick by eye), as a same-run ratio.
Pure computation: no database.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import shapely

BOX = (139.700, 35.600)
HOUSEHOLDS = 200
GRID_M = 60.0
GRID_N = 24  # streets in each direction


def _grid() -> list[shapely.LineString]:
    dlon = GRID_M / 90_600.0  # metres to degrees of longitude at 35.6°N
    dlat = GRID_M / 111_000.0
    x0, y0 = BOX[0] - GRID_N / 2 * dlon, BOX[1] - GRID_N / 2 * dlat
    lines = []
    for i in range(GRID_N + 1):
        for j in range(GRID_N):
            lines.append(
                shapely.LineString([(x0 + i * dlon, y0 + j * dlat), (x0 + i * dlon, y0 + (j + 1) * dlat)])
            )
            lines.append(
                shapely.LineString([(x0 + j * dlon, y0 + i * dlat), (x0 + (j + 1) * dlon, y0 + i * dlat)])
            )
    return lines


def _households(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Households a few metres off the streets, anywhere in the grid."""
    span_lon, span_lat = GRID_N * GRID_M / 90_600.0, GRID_N * GRID_M / 111_000.0
    lons = BOX[0] - span_lon / 2 + rng.uniform(0, span_lon, HOUSEHOLDS)
    lats = BOX[1] - span_lat / 2 + rng.uniform(0, span_lat, HOUSEHOLDS)
    return lons, lats


def _measure(lons: np.ndarray, lats: np.ndarray, lines: list[shapely.LineString] | None) -> dict[str, Any]:
    from koban.analytics.algorithms.routing import build_road_graph
    from koban.analytics.algorithms.walking_route import (
        distance_matrix,
        nearest_neighbour_tour,
        plan_route,
        tour_length,
    )

    started = time.perf_counter()
    graph = build_road_graph(lines) if lines else None
    route = plan_route(BOX, lons, lats, budget_minutes=100_000, minutes_per_visit=5, graph=graph)
    seconds = time.perf_counter() - started
    distances, on_roads = distance_matrix(np.r_[BOX[0], lons], np.r_[BOX[1], lats], graph)
    nearest = tour_length(distances, nearest_neighbour_tour(distances))
    return {
        "seconds": round(seconds, 3),
        "households_routed": len(route.order),
        "on_roads": on_roads,
        "route_km": round(route.walk_m / 1000, 2),
        "nearest_neighbour_km": round(nearest / 1000, 2),
        "route_vs_nearest_neighbour": round(route.walk_m / nearest, 3),
        "meets_target": seconds < 2.0,
    }


def run(quick: bool) -> dict[str, Any]:
    rng = np.random.default_rng(17)
    lons, lats = _households(rng)
    roads = _measure(lons, lats, _grid())
    straight = _measure(lons, lats, None)
    return {
        "households": HOUSEHOLDS,
        "road_segments": 2 * GRID_N * (GRID_N + 1),
        "roads": roads,
        "straight": straight,
        "target_s": 2.0,
        "summary": [
            f"{HOUSEHOLDS} households on a street grid: planned in {roads['seconds']:.2f} s (target < 2 s);"
            f" {roads['route_km']} km against {roads['nearest_neighbour_km']} km in nearest-neighbour order"
            f" ({(1 - roads['route_vs_nearest_neighbour']) * 100:.0f} % shorter)",
            f"without roads: {straight['seconds']:.2f} s; {straight['route_km']} km against"
            f" {straight['nearest_neighbour_km']} km ({(1 - straight['route_vs_nearest_neighbour']) * 100:.0f} % shorter)",
        ],
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
