"""Travel distances on a road network, for choosing which box's units reach an incident first.

Roads come in as WGS84 line geometries; the graph is built in a local metric projection (UTM), with a
node at every vertex (vertices at the same place, to the centimetre, are the same junction) and an
edge for every straight piece between consecutive vertices. A point (an incident, a box) joins the
network at the nearest point of the nearest road piece within a snapping distance; the way from the
point to the road counts as travel too. Roads are two-way.

No Django here: geometries and arrays in, arrays out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Geod, Transformer
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from koban.lib.geo import metric_transformers

_GEOD = Geod(ellps="WGS84")

#: A point farther than this from every road is not on the network (a box in a park, a point at sea).
DEFAULT_MAX_SNAP_M = 500.0


@dataclass(frozen=True)
class RoadGraph:
    """A road network ready for shortest-path queries.

    Attributes
    ----------
    to_metric : pyproj.Transformer
        WGS84 (lon, lat) → the metric CRS the graph is built in.
    node_xy : numpy.ndarray
        (n, 2) metric coordinates of the junctions and vertices.
    edge_u, edge_v : numpy.ndarray
        (m,) node indices at the start and end of each road piece.
    edge_length : numpy.ndarray
        (m,) length of each piece in metres.
    edges : numpy.ndarray
        (m,) shapely LineStrings of the pieces (metric), for snapping.
    matrix : scipy.sparse.csr_matrix
        (n, n) symmetric adjacency matrix of edge lengths.
    tree : shapely.STRtree
        Spatial index over ``edges``.
    """

    to_metric: Transformer
    node_xy: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length: np.ndarray
    edges: np.ndarray
    matrix: csr_matrix
    tree: shapely.STRtree

    @property
    def node_count(self) -> int:
        return int(self.node_xy.shape[0])

    @property
    def edge_count(self) -> int:
        return int(self.edge_u.shape[0])


@dataclass(frozen=True)
class Snap:
    """Where points join the network: the road piece, the metres along it from its start node, and
    the metres from the point to the road (piece -1 and ``nan`` metres when no road is near enough)."""

    edge: np.ndarray
    along: np.ndarray
    offset: np.ndarray


def build_road_graph(lines: Sequence[shapely.LineString] | np.ndarray) -> RoadGraph | None:
    """Build a graph from WGS84 LineStrings; return None when there is no usable road.

    Parameters
    ----------
    lines : sequence of shapely.LineString
        Road centre lines in lon/lat. Lines meet where they share a vertex.

    Returns
    -------
    RoadGraph or None
    """
    geoms = np.asarray(lines, dtype=object)
    if geoms.size == 0:
        return None
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    if coords.shape[0] < 2:
        return None
    finite = np.isfinite(coords).all(axis=1)
    if not finite.all():
        coords, owner = coords[finite], owner[finite]
    lon0, lat0 = float(np.median(coords[:, 0])), float(np.median(coords[:, 1]))
    forward, _ = metric_transformers(lon0, lat0)
    x, y = forward.transform(coords[:, 0], coords[:, 1])
    xy = np.column_stack([x, y])
    # Vertices within a centimetre of each other are the same junction.
    keys = np.round(xy * 100).astype(np.int64)
    unique_keys, node_of = np.unique(keys, axis=0, return_inverse=True)
    node_of = node_of.ravel()
    node_xy = unique_keys.astype(float) / 100.0

    same_line = owner[1:] == owner[:-1]
    u = node_of[:-1][same_line]
    v = node_of[1:][same_line]
    keep = u != v
    u, v = u[keep], v[keep]
    if u.size == 0:
        return None
    starts, ends = node_xy[u], node_xy[v]
    length = np.hypot(*(ends - starts).T)
    edges = shapely.linestrings(np.stack([starts, ends], axis=1))

    n = node_xy.shape[0]
    # Two pieces joining the same junctions (a dual carriageway drawn twice): keep the shorter one.
    a, b = np.minimum(u, v), np.maximum(u, v)
    order = np.lexsort((length, b, a))
    a, b, w = a[order], b[order], length[order]
    first = np.ones(a.size, dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    a, b, w = a[first], b[first], w[first]
    # Scipy treats an explicit zero weight as "no edge"; a piece shorter than a centimetre is kept
    # as a centimetre.
    w = np.maximum(w, 0.01)
    matrix = csr_matrix(
        (np.concatenate([w, w]), (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n, n)
    )
    return RoadGraph(
        to_metric=forward,
        node_xy=node_xy,
        edge_u=u,
        edge_v=v,
        edge_length=length,
        edges=edges,
        matrix=matrix,
        tree=shapely.STRtree(edges),
    )


def snap_points(graph: RoadGraph, lons: np.ndarray, lats: np.ndarray, max_snap_m: float) -> Snap:
    """Join points to the nearest road piece within *max_snap_m* metres (edge -1 when none)."""
    lons = np.atleast_1d(np.asarray(lons, dtype=float))
    lats = np.atleast_1d(np.asarray(lats, dtype=float))
    x, y = graph.to_metric.transform(lons, lats)
    points = shapely.points(np.column_stack([x, y]))
    edge = np.full(points.size, -1, dtype=np.int64)
    along = np.full(points.size, np.nan)
    offset = np.full(points.size, np.nan)
    if points.size == 0:
        return Snap(edge, along, offset)
    (which, nearest), dist = graph.tree.query_nearest(points, max_distance=max_snap_m, return_distance=True)
    # Ties give several rows per point; the first is as good as any.
    which, first = np.unique(which, return_index=True)
    nearest, dist = nearest[first], dist[first]
    edge[which] = nearest
    offset[which] = dist
    along[which] = shapely.line_locate_point(graph.edges[nearest], points[which])
    return Snap(edge, along, offset)


def road_distances(
    graph: RoadGraph,
    origin: tuple[float, float],
    targets_lon: np.ndarray,
    targets_lat: np.ndarray,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> np.ndarray:
    """Shortest travel distance in metres from *origin* (lon, lat) to each target over the roads.

    Returns
    -------
    numpy.ndarray
        One distance per target; ``nan`` where the origin or the target is farther than
        *max_snap_m* from every road, or the target's roads are not connected to the origin's.
    """
    return road_routes(graph, origin, targets_lon, targets_lat, max_snap_m, with_paths=False).distance


@dataclass(frozen=True)
class RoadRoutes:
    """Shortest ways over the roads from one origin to several targets.

    ``distance`` holds metres per target (``nan`` where there is no road way); ``paths`` holds, per
    target, the way as (lon, lat) pairs from the origin to the target (including the short steps
    between each point and its road), or None where there is no road way or paths were not asked for.
    """

    distance: np.ndarray
    paths: list[list[tuple[float, float]] | None]


def road_routes(
    graph: RoadGraph,
    origin: tuple[float, float],
    targets_lon: np.ndarray,
    targets_lat: np.ndarray,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    with_paths: bool = True,
) -> RoadRoutes:
    """Shortest ways over the roads from *origin* (lon, lat) to each target; see ``RoadRoutes``."""
    targets_lon = np.atleast_1d(np.asarray(targets_lon, dtype=float))
    targets_lat = np.atleast_1d(np.asarray(targets_lat, dtype=float))
    result = np.full(targets_lon.size, np.nan)
    paths: list[list[tuple[float, float]] | None] = [None] * targets_lon.size
    start = snap_points(graph, np.array([origin[0]]), np.array([origin[1]]), max_snap_m)
    if start.edge[0] < 0 or targets_lon.size == 0:
        return RoadRoutes(result, paths)
    e0, t0, off0 = int(start.edge[0]), float(start.along[0]), float(start.offset[0])
    sources = np.array([graph.edge_u[e0], graph.edge_v[e0]])
    to_source = np.array([t0, graph.edge_length[e0] - t0])
    from_sources, predecessors = dijkstra(
        graph.matrix, directed=True, indices=sources, return_predecessors=True
    )

    snap = snap_points(graph, targets_lon, targets_lat, max_snap_m)
    ok = snap.edge >= 0
    if not ok.any():
        return RoadRoutes(result, paths)
    e = snap.edge[ok]
    tu, tv = graph.edge_u[e], graph.edge_v[e]
    from_u = snap.along[ok]
    from_v = graph.edge_length[e] - from_u
    # Leave the origin's piece at either end (source 0 or 1), arrive at the target's piece at either
    # end (u or v): the four ways, in the order (source, end) = (0,u), (0,v), (1,u), (1,v).
    candidates = np.stack(
        [
            to_source[0] + from_sources[0, tu] + from_u,
            to_source[0] + from_sources[0, tv] + from_v,
            to_source[1] + from_sources[1, tu] + from_u,
            to_source[1] + from_sources[1, tv] + from_v,
        ]
    )
    choice = candidates.argmin(axis=0)
    best = candidates.min(axis=0)
    # Both on the same piece: straight along it (choice -1).
    same = e == e0
    direct = np.abs(from_u - t0)
    along_piece = same & (direct <= best)
    best[along_piece] = direct[along_piece]
    choice[along_piece] = -1
    total = off0 + best + snap.offset[ok]
    total[~np.isfinite(total)] = np.nan
    result[ok] = total
    if with_paths:
        way = _WayBuilder(graph, origin, e0, t0, sources, predecessors)
        for i, target in enumerate(np.flatnonzero(ok)):
            if np.isfinite(total[i]):
                end_node = (tu if choice[i] % 2 == 0 else tv)[i] if choice[i] >= 0 else -1
                paths[target] = way.build(
                    int(choice[i]) // 2 if choice[i] >= 0 else -1,
                    int(end_node),
                    int(e[i]),
                    float(from_u[i]),
                    (float(targets_lon[target]), float(targets_lat[target])),
                )
    return RoadRoutes(result, paths)


class _WayBuilder:
    """Turns a shortest-path choice back into a line: origin, its road, the junctions, the target."""

    def __init__(
        self,
        graph: RoadGraph,
        origin: tuple[float, float],
        edge0: int,
        along0: float,
        sources: np.ndarray,
        predecessors: np.ndarray,
    ) -> None:
        self.graph = graph
        self.origin = origin
        self.start = self._on_piece(edge0, along0)
        self.sources = sources
        self.predecessors = predecessors

    def _on_piece(self, edge: int, along: float) -> tuple[float, float]:
        point = shapely.line_interpolate_point(self.graph.edges[edge], along)
        return float(point.x), float(point.y)

    def _nodes(self, source: int, node: int) -> list[int]:
        chain = [node]
        row = self.predecessors[source]
        while chain[-1] != self.sources[source]:
            chain.append(int(row[chain[-1]]))
        return chain[::-1]

    def build(
        self, source: int, end_node: int, edge: int, along: float, target: tuple[float, float]
    ) -> list[tuple[float, float]]:
        metric = [self.start]
        if source >= 0:
            metric += [tuple(self.graph.node_xy[n]) for n in self._nodes(source, end_node)]  # type: ignore[misc]
        metric.append(self._on_piece(edge, along))
        xs, ys = zip(*metric, strict=True)
        lons, lats = self.graph.to_metric.transform(xs, ys, direction="INVERSE")
        return [self.origin, *zip(map(float, lons), map(float, lats), strict=True), target]


def straight_line_distances(
    origin: tuple[float, float], targets_lon: np.ndarray, targets_lat: np.ndarray
) -> np.ndarray:
    """Geodesic distance in metres from *origin* (lon, lat) to each target."""
    targets_lon = np.atleast_1d(np.asarray(targets_lon, dtype=float))
    targets_lat = np.atleast_1d(np.asarray(targets_lat, dtype=float))
    if targets_lon.size == 0:
        return np.zeros(0)
    _, _, dist = _GEOD.inv(
        np.full(targets_lon.size, origin[0]), np.full(targets_lat.size, origin[1]), targets_lon, targets_lat
    )
    return np.asarray(dist, dtype=float)
