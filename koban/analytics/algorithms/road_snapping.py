"""Drawing a patrol over the street network: the officer taps the corners, the route follows the roads.

Each pair of consecutive taps is joined by the shortest way along the roads (taps join the network at
the nearest point of the nearest road, see :func:`routing.snap_points`). Where a tap is farther than the
snapping distance from every road, or the two taps' roads are not connected, that leg stays a straight
line and is reported as such, so the page can say so.

No Django here: a graph and (lon, lat) pairs in, (lon, lat) pairs out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pyproj.enums import TransformDirection
from scipy.sparse.csgraph import dijkstra

from koban.analytics.algorithms.routing import RoadGraph, Snap, snap_points

#: A tap farther than this from every road is not meant as a point on a road (a park, a square).
DEFAULT_TAP_SNAP_M = 60.0

LonLat = tuple[float, float]


@dataclass(frozen=True)
class SnappedRoute:
    """The route through the taps: its (lon, lat) vertices, and for each leg whether it follows roads."""

    coordinates: list[LonLat]
    on_roads: list[bool]

    @property
    def all_on_roads(self) -> bool:
        return bool(self.on_roads) and all(self.on_roads)


def snap_route(
    graph: RoadGraph | None, taps: Sequence[LonLat], max_snap_m: float = DEFAULT_TAP_SNAP_M
) -> SnappedRoute:
    """Join consecutive *taps* along the roads of *graph* (straight lines where that is impossible)."""
    taps = [(float(lon), float(lat)) for lon, lat in taps]
    if len(taps) < 2 or graph is None:
        return SnappedRoute(list(taps), [False] * max(len(taps) - 1, 0))
    lons = np.array([t[0] for t in taps])
    lats = np.array([t[1] for t in taps])
    snap = snap_points(graph, lons, lats, max_snap_m)
    coordinates: list[LonLat] = []
    on_roads: list[bool] = []
    for i in range(len(taps) - 1):
        leg = _leg_on_roads(graph, snap, i, i + 1)
        on_roads.append(leg is not None)
        points = [taps[i], taps[i + 1]] if leg is None else _to_lonlat(graph, leg)
        # Consecutive legs share their tap: do not repeat it.
        coordinates.extend(points[1:] if coordinates else points)
    return SnappedRoute(_without_repeats(coordinates), on_roads)


def _leg_on_roads(graph: RoadGraph, snap: Snap, a: int, b: int) -> np.ndarray | None:
    """Metric vertices from tap *a*'s road point to tap *b*'s along the roads, or None."""
    edge, along = snap.edge, snap.along
    ea, eb = int(edge[a]), int(edge[b])
    if ea < 0 or eb < 0:
        return None
    start = _point_on_edge(graph, ea, float(along[a]))
    end = _point_on_edge(graph, eb, float(along[b]))
    if ea == eb:
        return np.array([start, end])
    ends_a = (int(graph.edge_u[ea]), int(graph.edge_v[ea]))
    ends_b = (int(graph.edge_u[eb]), int(graph.edge_v[eb]))
    to_ends_a = (float(along[a]), float(graph.edge_length[ea] - along[a]))
    from_ends_b = (float(along[b]), float(graph.edge_length[eb] - along[b]))
    dist, pred = dijkstra(graph.matrix, directed=True, indices=list(ends_a), return_predecessors=True)
    best: tuple[float, int, int] | None = None
    for i in range(2):
        for j in range(2):
            total = to_ends_a[i] + dist[i, ends_b[j]] + from_ends_b[j]
            if np.isfinite(total) and (best is None or total < best[0]):
                best = (float(total), i, j)
    if best is None:
        return None
    _, i, j = best
    nodes = _path(pred[i], ends_a[i], ends_b[j])
    return np.array([start, *graph.node_xy[nodes], end])


def _point_on_edge(graph: RoadGraph, edge: int, along: float) -> np.ndarray:
    u, v = graph.node_xy[graph.edge_u[edge]], graph.node_xy[graph.edge_v[edge]]
    length = float(graph.edge_length[edge])
    share = 0.0 if length <= 0 else min(max(along / length, 0.0), 1.0)
    return np.asarray(u + (v - u) * share)


def _path(predecessors: np.ndarray, source: int, target: int) -> list[int]:
    """Node indices from *source* to *target* following Dijkstra's predecessors."""
    nodes = [target]
    while nodes[-1] != source:
        previous = int(predecessors[nodes[-1]])
        if previous < 0:  # unreachable: cannot happen after a finite distance
            return [source, target]
        nodes.append(previous)
    return nodes[::-1]


def _to_lonlat(graph: RoadGraph, xy: np.ndarray) -> list[LonLat]:
    lon, lat = graph.to_metric.transform(xy[:, 0], xy[:, 1], direction=TransformDirection.INVERSE)
    return [(round(float(x), 7), round(float(y), 7)) for x, y in zip(lon, lat, strict=True)]


def _without_repeats(coordinates: list[LonLat]) -> list[LonLat]:
    kept: list[LonLat] = []
    for point in coordinates:
        if not kept or kept[-1] != point:
            kept.append(point)
    return kept
