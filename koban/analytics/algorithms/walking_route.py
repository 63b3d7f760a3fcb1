"""A walking route for routine visits: which due households to visit in the time there is, in which order.

An officer leaves the box with a time budget (say three hours), walks at a known speed and spends some
minutes at each door. Given the households that are due, most overdue first, the route

1. measures the walking distance between every pair of places (the box and the households) over the
   road network when there is one (``koban.analytics.algorithms.routing``), otherwise straight lines
   in a local metric projection, lengthened by a typical detour factor;
2. takes households in order of priority and inserts each where it lengthens the round trip least,
   as long as the walk and the visits still fit the budget (so the most overdue come first and the
   route never runs over);
3. shortens the round trip with 2-opt (reversing a stretch of the route whenever that is shorter),
   then tries once more to fit the households left out into the time saved.

The nearest-neighbour order (always walk to the closest household not yet visited) is computed as
well, for comparison: the benchmark reports how much shorter the route is.

No Django here: coordinates and arrays in, a ``Route`` out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import dijkstra

from koban.analytics.algorithms.routing import DEFAULT_MAX_SNAP_M, RoadGraph, snap_points
from koban.lib.geo import metric_transformers

#: Walking speed of an officer between doors (m/s): about 4.3 km/h, unhurried in a residential street.
DEFAULT_WALKING_SPEED = 1.2
#: How much longer a walk is than the straight line where no road is known (typical urban detour).
DETOUR_FACTOR = 1.3
_MAX_2OPT_PASSES = 60


@dataclass(frozen=True)
class Route:
    """The planned walk.

    Attributes
    ----------
    order : list of int
        Indices into the given households, in walking order (the box is not listed: the walk starts
        and ends there).
    skipped : list of int
        Households left out because they did not fit the budget, in priority order.
    legs_m : list of float
        Metres of each leg: box → first, …, last → box (``len(order) + 1`` legs; none when empty).
    walk_m : float
        Metres walked in all.
    minutes : float
        Walking plus visiting time.
    on_roads : bool
        Whether distances came from the road network.
    """

    order: list[int]
    skipped: list[int]
    legs_m: list[float]
    walk_m: float
    minutes: float
    on_roads: bool


def distance_matrix(
    lons: np.ndarray, lats: np.ndarray, graph: RoadGraph | None = None, max_snap_m: float = DEFAULT_MAX_SNAP_M
) -> tuple[np.ndarray, bool]:
    """Walking metres between every pair of places, and whether roads were used.

    Over the road network where both places lie near a connected road; otherwise the straight line
    times ``DETOUR_FACTOR``.
    """
    lons = np.asarray(lons, dtype=float)
    lats = np.asarray(lats, dtype=float)
    straight = _straight_matrix(lons, lats) * DETOUR_FACTOR
    if graph is None or lons.size < 2:
        return straight, False
    roads = _road_matrix(graph, lons, lats, max_snap_m)
    use = np.isfinite(roads)
    np.fill_diagonal(use, False)
    on_roads = bool(use.any())
    np.fill_diagonal(use, True)
    return np.where(use, roads, straight), on_roads


def _straight_matrix(lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    if lons.size == 0:
        return np.zeros((0, 0))
    forward, _ = metric_transformers(float(np.median(lons)), float(np.median(lats)))
    x, y = forward.transform(lons, lats)
    xy = np.column_stack([x, y])
    return np.asarray(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)), dtype=float)


def _road_matrix(graph: RoadGraph, lons: np.ndarray, lats: np.ndarray, max_snap_m: float) -> np.ndarray:
    """Road metres between every pair (``inf`` where a place is off the roads or not connected)."""
    n = lons.size
    result = np.full((n, n), np.inf)
    np.fill_diagonal(result, 0.0)
    snap = snap_points(graph, lons, lats, max_snap_m)
    ok = np.flatnonzero(snap.edge >= 0)
    if ok.size == 0:
        return result
    edge = snap.edge[ok]
    u, v = graph.edge_u[edge], graph.edge_v[edge]
    to_u = snap.along[ok]
    to_v = graph.edge_length[edge] - to_u
    sources, position = np.unique(np.concatenate([u, v]), return_inverse=True)
    # One Dijkstra from every road end next to a place (scipy runs them in C).
    between = dijkstra(graph.matrix, directed=False, indices=sources)  # (k, nodes)
    pu, pv = position[: ok.size], position[ok.size :]
    # Leave a place by either end of its road piece, arrive at the other by either end.
    best = np.minimum.reduce(
        [
            to_u[:, None] + between[pu][:, u] + to_u[None, :],
            to_u[:, None] + between[pu][:, v] + to_v[None, :],
            to_v[:, None] + between[pv][:, u] + to_u[None, :],
            to_v[:, None] + between[pv][:, v] + to_v[None, :],
        ]
    )
    same_piece = edge[:, None] == edge[None, :]
    along = np.abs(to_u[:, None] - to_u[None, :])
    best = np.where(same_piece, np.minimum(best, along), best)
    best += snap.offset[ok][:, None] + snap.offset[ok][None, :]
    np.fill_diagonal(best, 0.0)
    result[np.ix_(ok, ok)] = best
    return result


def tour_length(distances: np.ndarray, tour: list[int]) -> float:
    """Metres of the closed walk through *tour* (indices into *distances*, starting at the box, 0)."""
    if len(tour) < 2:
        return 0.0
    stops = np.asarray([*tour, tour[0]])
    return float(distances[stops[:-1], stops[1:]].sum())


def nearest_neighbour_tour(distances: np.ndarray, stops: list[int] | None = None) -> list[int]:
    """The closed walk from the box (0) that always goes to the nearest place not yet visited."""
    remaining = set(range(1, distances.shape[0]) if stops is None else stops)
    tour = [0]
    while remaining:
        here = tour[-1]
        candidates = np.fromiter(remaining, dtype=np.int64)
        nearest = int(candidates[np.argmin(distances[here, candidates])])
        tour.append(nearest)
        remaining.discard(nearest)
    return tour


def two_opt(distances: np.ndarray, tour: list[int]) -> list[int]:
    """Shorten a closed walk by reversing stretches while that helps (the box stays first)."""
    path = np.asarray(tour, dtype=np.int64)
    m = path.size
    if m < 4:
        return tour
    for _pass in range(_MAX_2OPT_PASSES):
        improved = False
        for i in range(1, m - 1):
            a, b = path[i - 1], path[i]
            js = np.arange(i + 1, m)
            c, d = path[js], path[(js + 1) % m]
            gain = distances[a, b] + distances[c, d] - distances[a, c] - distances[b, d]
            best = int(np.argmax(gain))
            if gain[best] > 1e-9:
                j = int(js[best])
                path[i : j + 1] = path[i : j + 1][::-1].copy()
                improved = True
        if not improved:
            break
    return [int(x) for x in path]


@dataclass
class _Budget:
    seconds: float
    speed: float
    visit_s: float

    def minutes(self, walk_m: float, stops: int) -> float:
        return (walk_m / self.speed + stops * self.visit_s) / 60.0

    def fits(self, walk_m: float, stops: int) -> bool:
        return walk_m / self.speed + stops * self.visit_s <= self.seconds + 1e-6


def _insert_by_priority(
    distances: np.ndarray, tour: list[int], candidates: list[int], budget: _Budget
) -> list[int]:
    """Insert *candidates* (in priority order) each at its cheapest place, while the budget allows."""
    skipped = []
    length = tour_length(distances, tour)
    for stop in candidates:
        path = np.asarray([*tour, tour[0]])
        added = distances[path[:-1], stop] + distances[stop, path[1:]] - distances[path[:-1], path[1:]]
        where = int(np.argmin(added))
        if budget.fits(length + float(added[where]), len(tour)):
            tour.insert(where + 1, stop)
            length += float(added[where])
        else:
            skipped.append(stop)
    return skipped


def plan_route(
    start: tuple[float, float],
    lons: np.ndarray,
    lats: np.ndarray,
    *,
    budget_minutes: float,
    minutes_per_visit: float,
    walking_speed: float = DEFAULT_WALKING_SPEED,
    graph: RoadGraph | None = None,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> Route:
    """Plan the walk from *start* (the box) through as many of the households as fit the budget.

    The households are given in priority order (most overdue first): when not all fit, the later ones
    are left out first. Returns a ``Route`` whose indices refer to the households as given.
    """
    lons = np.asarray(lons, dtype=float)
    lats = np.asarray(lats, dtype=float)
    places_lon = np.concatenate([[start[0]], lons])
    places_lat = np.concatenate([[start[1]], lats])
    distances, on_roads = distance_matrix(places_lon, places_lat, graph, max_snap_m)
    budget = _Budget(budget_minutes * 60.0, walking_speed, minutes_per_visit * 60.0)
    tour = [0]
    skipped = _insert_by_priority(distances, tour, list(range(1, lons.size + 1)), budget)
    tour = two_opt(distances, tour)
    if skipped:
        skipped = _insert_by_priority(distances, tour, skipped, budget)
        tour = two_opt(distances, tour)
    stops = np.asarray([*tour, 0])
    legs = distances[stops[:-1], stops[1:]] if len(tour) > 1 else np.zeros(0)
    walk = float(legs.sum())
    return Route(
        order=[i - 1 for i in tour[1:]],
        skipped=[i - 1 for i in skipped],
        legs_m=[float(x) for x in legs],
        walk_m=walk,
        minutes=budget.minutes(walk, len(tour) - 1),
        on_roads=on_roads,
    )
