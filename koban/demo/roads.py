"""The demo road network, planned in metres: a city grid, arterials, and winding rural roads.

The city centre is a tight grid of residential streets crossed by named arterials every eighth line;
the suburbs keep every other line with some streets missing; rural hamlets are joined by winding roads
along a spanning tree of their Delaunay triangulation plus a few loops, and the main routes from the
city to the town and village centres and to the prefecture's edge become major roads. Every piece runs
from junction to junction and the whole graph is connected (later used for travel distances).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import shapely
from scipy.spatial import Delaunay, cKDTree

from koban.demo.names import AVENUES

GRID_SPACING_M = 220.0
MAJOR_EVERY = 8  # every eighth grid line is an arterial
SMALL_GRID_SPACING_M = 180.0


@dataclass
class RoadPlan:
    """One road segment between two junctions, as local metric coordinates."""

    name: str
    kind: str  # a RoadSegment.Kind value
    coords: np.ndarray  # (k, 2), first and last are junctions
    start: int
    end: int


@dataclass
class Hamlet:
    """A rural place the road network must reach (a hamlet, a town centre, an exit)."""

    xy: tuple[float, float]
    name: str


@dataclass
class RoadNetwork:
    nodes: list[tuple[float, float]] = field(default_factory=list)
    roads: list[RoadPlan] = field(default_factory=list)
    # Junctions of the city grid and the small town grids: where a koban can stand on a corner.
    urban_nodes: list[int] = field(default_factory=list)

    def add_node(self, xy: tuple[float, float]) -> int:
        self.nodes.append((float(xy[0]), float(xy[1])))
        return len(self.nodes) - 1

    def add_road(self, start: int, end: int, kind: str, name: str, middle: np.ndarray | None = None) -> None:
        points = [self.nodes[start]]
        if middle is not None and len(middle):
            points.extend((float(x), float(y)) for x, y in middle)
        points.append(self.nodes[end])
        self.roads.append(RoadPlan(name, kind, np.asarray(points), start, end))

    def graph(self, lengths: bool = True) -> nx.Graph:
        graph = nx.Graph()
        graph.add_nodes_from(range(len(self.nodes)))
        for road in self.roads:
            if lengths:
                graph.add_edge(road.start, road.end, length=_length(road.coords))
            else:
                graph.add_edge(road.start, road.end)
        return graph

    def nearest_node(self, xy: tuple[float, float], among: list[int] | None = None) -> int:
        index = among if among is not None else list(range(len(self.nodes)))
        points = np.asarray([self.nodes[i] for i in index])
        distance = np.hypot(points[:, 0] - xy[0], points[:, 1] - xy[1])
        return index[int(np.argmin(distance))]


def _length(coords: np.ndarray) -> float:
    return float(np.hypot(*np.diff(coords, axis=0).T).sum())


def build_network(
    rng: np.random.Generator,
    city: shapely.Polygon,
    core_radius_m: float,
    centres: list[Hamlet],
    hamlets: list[Hamlet],
    exits: list[Hamlet],
) -> RoadNetwork:
    """Plan every road: the city grid, small grids in *centres*, and rural roads to *hamlets* and *exits*."""
    network = RoadNetwork()
    gateways = _city_grid(rng, network, city, core_radius_m)
    centre_nodes = [_small_grid(rng, network, centre) for centre in centres]
    rural = [network.add_node(h.xy) for h in hamlets]
    exit_nodes = [network.add_node(e.xy) for e in exits]
    names = {
        n: h.name for n, h in zip(centre_nodes + rural + exit_nodes, centres + hamlets + exits, strict=True)
    }
    _rural_roads(rng, network, city, gateways, centre_nodes, rural, exit_nodes, names)
    _connect_components(network)
    return network


def _city_grid(
    rng: np.random.Generator, network: RoadNetwork, city: shapely.Polygon, core_m: float
) -> list[int]:
    """Lay the rotated grid; return the outermost junctions, where rural roads leave the city."""
    angle = rng.uniform(0.08, 0.3)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    minx, miny, maxx, maxy = city.bounds
    half = int(np.ceil(max(abs(minx), abs(miny), maxx, maxy) * 1.5 / GRID_SPACING_M))
    grid_i, grid_j = np.meshgrid(np.arange(-half, half + 1), np.arange(-half, half + 1), indexing="ij")
    ii, jj = grid_i.ravel(), grid_j.ravel()
    xy = (rotation @ np.vstack([ii, jj]).astype(float) * GRID_SPACING_M).T
    radius = np.hypot(xy[:, 0], xy[:, 1])
    shapely.prepare(city)
    inside = shapely.contains_xy(shapely.buffer(city, -60.0), xy[:, 0], xy[:, 1])
    core = radius < core_m
    keep = inside & (core | ((ii % 2 == 0) & (jj % 2 == 0)))
    jitter = np.where(core, 12.0, 35.0)[:, None] * rng.standard_normal(xy.shape)
    xy = xy + jitter
    ids: dict[tuple[int, int], int] = {}
    for k in np.flatnonzero(keep):
        node = network.add_node((xy[k, 0], xy[k, 1]))
        ids[(int(ii[k]), int(jj[k]))] = node
        network.urban_nodes.append(node)
    is_core = {ids[(int(ii[k]), int(jj[k]))]: bool(core[k]) for k in np.flatnonzero(keep)}

    avenue_names = iter(AVENUES * 3)
    line_names: dict[tuple[str, int], str] = {}

    def line_name(axis: str, index: int) -> tuple[str, str]:
        if index % MAJOR_EVERY == 0:
            if (axis, index) not in line_names:
                line_names[(axis, index)] = next(avenue_names)
            return "major", line_names[(axis, index)]
        number = (100 if axis == "row" else 200) + index + half
        return "", f"市道{number}号線"

    for axis in ("row", "col"):
        lines: dict[int, list[int]] = {}
        for i, j in ids:
            fixed, moving = (j, i) if axis == "row" else (i, j)
            lines.setdefault(fixed, []).append(moving)
        for fixed, positions in sorted(lines.items()):
            positions.sort()
            kind, name = line_name(axis, fixed)
            for a, b in itertools.pairwise(positions):
                if b - a > 2:
                    continue
                start = ids[(a, fixed) if axis == "row" else (fixed, a)]
                end = ids[(b, fixed) if axis == "row" else (fixed, b)]
                both_core = is_core[start] and is_core[end]
                if not kind and not both_core and rng.random() < 0.12:
                    continue  # suburbs have gaps: fields, rivers, dead ends
                road_kind = kind or ("residential" if both_core else "minor")
                network.add_road(start, end, road_kind, name)
    return _gateways(network, list(ids.values()))


def _gateways(network: RoadNetwork, grid_nodes: list[int], directions: int = 12) -> list[int]:
    points = np.asarray([network.nodes[n] for n in grid_nodes])
    chosen: list[int] = []
    for k in range(directions):
        theta = 2 * np.pi * k / directions
        along = points @ np.array([np.cos(theta), np.sin(theta)])
        across = np.abs(points @ np.array([-np.sin(theta), np.cos(theta)]))
        best = grid_nodes[int(np.argmax(along - 0.6 * across))]
        if best not in chosen:
            chosen.append(best)
    return chosen


def _small_grid(rng: np.random.Generator, network: RoadNetwork, centre: Hamlet, size: int = 5) -> int:
    """A few blocks of streets around a town or village centre; return the central junction."""
    half = size // 2
    ids: dict[tuple[int, int], int] = {}
    for i in range(-half, half + 1):
        for j in range(-half, half + 1):
            x = centre.xy[0] + i * SMALL_GRID_SPACING_M + rng.normal(0, 10)
            y = centre.xy[1] + j * SMALL_GRID_SPACING_M + rng.normal(0, 10)
            if (i, j) == (0, 0):
                x, y = centre.xy
            ids[(i, j)] = network.add_node((x, y))
            network.urban_nodes.append(ids[(i, j)])
    for (i, j), node in ids.items():
        for di, dj in ((1, 0), (0, 1)):
            other = ids.get((i + di, j + dj))
            if other is not None:
                main = (j == 0 and di) or (i == 0 and dj)
                name = (
                    f"{centre.name}本通り" if main else f"{centre.name}町道{len(network.roads) % 90 + 1}号線"
                )
                network.add_road(node, other, "minor" if main else "residential", name)
    return ids[(0, 0)]


def _rural_roads(
    rng: np.random.Generator,
    network: RoadNetwork,
    city: shapely.Polygon,
    gateways: list[int],
    centres: list[int],
    hamlets: list[int],
    exits: list[int],
    names: dict[int, str],
) -> None:
    nodes = gateways + centres + hamlets + exits
    points = np.asarray([network.nodes[n] for n in nodes])
    inner_city = shapely.buffer(city, -500.0)
    shapely.prepare(inner_city)
    candidates = nx.Graph()
    for simplex in Delaunay(points).simplices:
        for a, b in ((0, 1), (1, 2), (0, 2)):
            u, v = int(simplex[a]), int(simplex[b])
            line = shapely.LineString([points[u], points[v]])
            length = line.length
            if length > 7000 or shapely.intersects(inner_city, line):
                continue
            if u < len(gateways) and v < len(gateways):
                continue  # two city exits are already joined through the city
            candidates.add_edge(u, v, length=length)
    tree = nx.minimum_spanning_tree(candidates, weight="length")
    kept = nx.Graph(tree)
    for u, v, data in sorted(candidates.edges(data=True)):
        if not kept.has_edge(u, v) and data["length"] < 2500 and rng.random() < 0.35:
            kept.add_edge(u, v, **data)

    major = _major_routes(kept, len(gateways), [nodes.index(c) for c in centres + exits])
    route_numbers = rng.permutation(np.arange(10, 10 + max(300, kept.number_of_edges())))
    trunk = f"国道{int(rng.integers(400, 500))}号"
    for k, (u, v) in enumerate(sorted(kept.edges())):
        start, end = nodes[u], nodes[v]
        middle = _winding(rng, points[u], points[v])
        if (u, v) in major or (v, u) in major:
            network.add_road(start, end, "major", trunk, middle)
        else:
            place_a, place_b = names.get(start, "桜ヶ丘"), names.get(end, "桜ヶ丘")
            name = f"県道{int(route_numbers[k])}号{place_a}{place_b}線"
            network.add_road(start, end, "minor", name, middle)


def _major_routes(graph: nx.Graph, gateway_count: int, targets: list[int]) -> set[tuple[int, int]]:
    """Edges on the shortest routes from the city to each target: the trunk roads."""
    edges: set[tuple[int, int]] = set()
    for target in targets:
        if target not in graph:
            continue
        lengths, paths = nx.single_source_dijkstra(graph, target, weight="length")
        reachable = [g for g in range(gateway_count) if g in lengths]
        if not reachable:
            continue
        path = paths[min(reachable, key=lambda g: lengths[g])]
        edges.update(itertools.pairwise(path))
    return edges


def _winding(rng: np.random.Generator, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intermediate points of a country road from *a* to *b*: it bends, but never far from the line."""
    length = float(np.hypot(*(b - a)))
    pieces = max(2, int(length // 250))
    t = np.linspace(0.0, 1.0, pieces + 1)[1:-1]
    if t.size == 0:
        return np.empty((0, 2))
    normal = np.array([-(b - a)[1], (b - a)[0]]) / length
    amplitude = min(0.07 * length, 280.0) * rng.uniform(0.3, 1.0)
    waves = rng.integers(1, 4)
    phase = rng.uniform(0, 2 * np.pi)
    offset = amplitude * np.sin(np.pi * t) * np.sin(waves * np.pi * t + phase)
    offset += rng.normal(0, 15.0, size=t.size) * np.sin(np.pi * t)
    return a + np.outer(t, b - a) + np.outer(offset, normal)


def _connect_components(network: RoadNetwork) -> None:
    """Join any piece of the network cut off from the rest to its nearest junction outside it."""
    while True:
        components = sorted(nx.connected_components(network.graph(lengths=False)), key=len, reverse=True)
        if len(components) <= 1:
            return
        main = sorted(components[0])
        tree = cKDTree(np.asarray([network.nodes[n] for n in main]))
        piece = sorted(components[1])
        distance, index = tree.query(np.asarray([network.nodes[n] for n in piece]))
        k = int(np.argmin(distance))
        network.add_road(piece[k], main[int(index[k])], "minor", "連絡道路")
