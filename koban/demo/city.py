"""The geography of the fictional demo prefecture, planned in metres before anything is saved.

Pure planning (numpy and shapely, no Django): one call to ``make_plan(seed)`` lays out the
municipalities, the town/chome areas with their residents, the roads, the railway stations, the
police stations with their jurisdictions and the sites of the koban and chuzaisho. The same seed
always gives the same plan. Coordinates are metres east and north of the city centre; ``CENTRE_LON``
and ``CENTRE_LAT`` place that centre on the Kanto plain, on land, though the prefecture is invented.

Realism over uniformity: chome are small and crowded in the centre and large and sparse at the edges,
households are smaller in the city than in the countryside, and koban sit where people are (a greedy
p-median on the residents) while chuzaisho cover the rural districts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.ops import nearest_points

from koban.demo import names
from koban.demo.roads import Hamlet, RoadNetwork, build_network

CENTRE_LON, CENTRE_LAT = 139.83, 36.24
PREFECTURE_CODE = "99"  # no real prefecture has this code (they run 01–47)
TARGET_RESIDENTS = 200_000
CORE_RADIUS_M = 3000.0


@dataclass
class Municipality:
    code: str
    name: str
    name_en: str
    slug: str
    polygon: shapely.Polygon
    centre: tuple[float, float]
    residents: int  # the share of TARGET_RESIDENTS before noise
    household_size: float


@dataclass
class Area:
    """A town/chome (町丁目) area: the building block of beats."""

    code: str
    name: str
    slug: str
    municipality: int
    polygon: shapely.Polygon
    seed: tuple[float, float]
    population: int = 0
    households: int = 0
    station: int = -1


@dataclass
class StationPlan:
    code: str
    name: str
    slug: str
    xy: tuple[float, float]
    address: str
    phone: str


@dataclass
class BoxPlan:
    code: str
    name: str
    slug: str
    kind: str  # "koban" or "chuzaisho"
    station: int
    xy: tuple[float, float]
    address: str
    phone: str
    staffing_target: int
    at_railway_station: bool = False


@dataclass
class Plan:
    seed: int
    municipalities: list[Municipality]
    areas: list[Area]
    network: RoadNetwork
    rail_stations: list[tuple[str, tuple[float, float]]]
    stations: list[StationPlan] = field(default_factory=list)
    boxes: list[BoxPlan] = field(default_factory=list)

    @property
    def residents(self) -> int:
        return sum(a.population for a in self.areas)


def make_plan(seed: int) -> Plan:
    """Plan the whole demo prefecture from *seed*."""
    rng = np.random.default_rng(seed)
    municipalities = _municipalities(rng)
    areas: list[Area] = []
    for m, muni in enumerate(municipalities):
        areas.extend(_areas(rng, m, muni))
    _populate(rng, areas, municipalities)
    rail = _rail_stations(municipalities)
    hamlets = [
        Hamlet(a.seed, a.name.removeprefix("大字"))
        for a in areas
        if a.municipality > 0 and np.hypot(*np.subtract(a.seed, municipalities[a.municipality].centre)) > 600
    ]
    centres = [Hamlet(m.centre, m.name[:-1]) for m in municipalities[1:]]
    network = build_network(
        rng, municipalities[0].polygon, CORE_RADIUS_M, centres, hamlets, _exits(municipalities)
    )
    plan = Plan(seed, municipalities, areas, network, rail)
    _assign_stations(plan)
    _place_stations(rng, plan)
    _place_boxes(rng, plan)
    return plan


# -- Municipalities -------------------------------------------------------------------------------


def _outline(
    rng: np.random.Generator, rx: float, ry: float, wobble: float, points: int = 120
) -> shapely.Polygon:
    """A closed, irregular, roughly elliptical boundary: rivers and ridges, not a compass circle."""
    theta = np.linspace(0, 2 * np.pi, points, endpoint=False)
    radius = np.ones_like(theta)
    for k in range(2, 7):
        radius += wobble / k * rng.uniform(0.4, 1.0) * np.sin(k * theta + rng.uniform(0, 2 * np.pi))
    return shapely.Polygon(np.column_stack([rx * radius * np.cos(theta), ry * radius * np.sin(theta)]))


def _municipalities(rng: np.random.Generator) -> list[Municipality]:
    region = shapely.segmentize(_outline(rng, 17_500, 13_500, 0.12), 200.0)
    city_outline = shapely.segmentize(_outline(rng, 7_200, 6_400, 0.10), 200.0)
    # A wavy north–south line (a river) divides the countryside into the town (east) and the village.
    ys = np.linspace(-30_000, 30_000, 61)
    xs = 600 + np.cumsum(rng.normal(0, 220, size=ys.size))
    river = shapely.segmentize(shapely.LineString(np.column_stack([xs, ys])), 200.0)
    east_side = shapely.Polygon([*zip(xs, ys, strict=True), (40_000, 30_000), (40_000, -30_000)])
    # Node all boundaries once and build the municipalities from the faces, so that neighbours share
    # exactly the same border vertices (no slivers between them).
    lines = shapely.union_all([region.exterior, city_outline.exterior, river])
    faces: dict[str, list[shapely.Polygon]] = {"city": [], "town": [], "village": []}
    for face in shapely.get_parts(shapely.polygonize(shapely.get_parts(lines))):
        spot = face.representative_point()
        if not region.contains(spot):
            continue
        if city_outline.contains(spot):
            faces["city"].append(face)
        else:
            faces["town" if east_side.contains(spot) else "village"].append(face)
    city, town, village = (_largest(shapely.union_all(faces[key])) for key in ("city", "town", "village"))
    city_name, city_en, city_slug = names.CITY
    town_name, town_en, town_slug = names.TOWN
    village_name, village_en, village_slug = names.VILLAGE
    return [
        Municipality(f"{PREFECTURE_CODE}201", city_name, city_en, city_slug, city, (0.0, 0.0), 166_000, 2.2),
        Municipality(
            f"{PREFECTURE_CODE}341",
            town_name,
            town_en,
            town_slug,
            town,
            _inside(town, (11_500, 1_500)),
            21_000,
            2.8,
        ),
        Municipality(
            f"{PREFECTURE_CODE}421",
            village_name,
            village_en,
            village_slug,
            village,
            _inside(village, (-11_000, -3_000)),
            13_000,
            2.8,
        ),
    ]


def _largest(geom: shapely.Geometry) -> shapely.Polygon:
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
    return max(parts, key=lambda p: p.area)


def _inside(polygon: shapely.Polygon, wanted: tuple[float, float]) -> tuple[float, float]:
    """*wanted* if it lies well inside *polygon*, otherwise the nearest point that does."""
    inner = shapely.buffer(polygon, -1500.0)
    point = shapely.Point(wanted)
    if not inner.contains(point):
        point = nearest_points(inner, point)[0] if not inner.is_empty else polygon.point_on_surface()
    return (round(point.x, 1), round(point.y, 1))


def _exits(municipalities: list[Municipality]) -> list[Hamlet]:
    """Where the main roads leave for the neighbouring (unmodelled) prefectures."""
    region = shapely.union_all([m.polygon for m in municipalities])
    exits = []
    for theta, label in ((0.15, "東"), (1.75, "北"), (3.3, "西"), (4.6, "南")):
        far = shapely.LineString([(0, 0), (40_000 * np.cos(theta), 40_000 * np.sin(theta))])
        crossing = shapely.intersection(region.exterior, far)
        point = min(shapely.get_parts(crossing), key=lambda p: p.distance(shapely.Point(0, 0)))
        inward = np.array([point.x, point.y]) * (1 - 150 / max(np.hypot(point.x, point.y), 1.0))
        exits.append(Hamlet((float(inward[0]), float(inward[1])), f"県境{label}"))
    return exits


# -- Town / chome areas -----------------------------------------------------------------------------


def _areas(rng: np.random.Generator, index: int, muni: Municipality) -> list[Area]:
    if index == 0:
        seeds = _seeds(rng, muni.polygon, muni.centre, base=230.0, growth=0.085)
    else:
        seeds = _seeds(rng, muni.polygon, muni.centre, base=800.0, growth=0.2)
    cells = shapely.voronoi_polygons(
        shapely.MultiPoint(seeds), extend_to=shapely.buffer(muni.polygon, 2000), ordered=True
    )
    areas: list[Area] = []
    for seed, cell in zip(seeds, shapely.get_parts(cells), strict=True):
        clipped = shapely.intersection(cell, muni.polygon)
        polygon = max(
            (p for p in shapely.get_parts(clipped) if p.geom_type == "Polygon"),
            key=lambda p: p.area,
            default=None,
        )
        if polygon is None or polygon.area < 1000:
            continue
        areas.append(Area("", "", "", index, polygon, (float(seed[0]), float(seed[1]))))
    _close_tiling(areas, muni.polygon)
    if index == 0:
        _name_city(rng, areas)
    else:
        _name_rural(rng, areas, muni)
    return areas


def _close_tiling(areas: list[Area], polygon: shapely.Polygon) -> None:
    """Give bits of the municipality no cell kept (split-off slivers) to the neighbour touching them most."""
    rest = shapely.difference(polygon, shapely.union_all([a.polygon for a in areas]))
    for piece in shapely.get_parts(rest):
        if piece.geom_type != "Polygon" or piece.area < 1.0:
            continue
        best = max(
            areas, key=lambda a: shapely.length(shapely.intersection(a.polygon.boundary, piece.boundary))
        )
        merged = shapely.union(best.polygon, piece)
        if merged.geom_type == "Polygon":
            best.polygon = merged


def _seeds(
    rng: np.random.Generator,
    polygon: shapely.Polygon,
    centre: tuple[float, float],
    base: float,
    growth: float,
) -> np.ndarray:
    """Dart-throwing with a spacing that grows with the distance from *centre*: dense middle, sparse edge."""
    minx, miny, maxx, maxy = polygon.bounds
    shapely.prepare(polygon)
    tries = rng.uniform((minx, miny), (maxx, maxy), size=(12_000, 2))
    tries = tries[shapely.contains_xy(polygon, tries[:, 0], tries[:, 1])]
    # Darts nearer the centre are thrown first so that the middle fills up evenly.
    distance = np.hypot(tries[:, 0] - centre[0], tries[:, 1] - centre[1])
    tries = tries[np.argsort(distance + rng.uniform(0, 1500, size=distance.size))]
    accepted = np.empty((0, 2))
    spacing_of = np.empty(0)
    for point in tries:
        r = float(np.hypot(point[0] - centre[0], point[1] - centre[1]))
        spacing = base + growth * r
        if accepted.size:
            gaps = np.hypot(accepted[:, 0] - point[0], accepted[:, 1] - point[1])
            if (gaps < 0.5 * (spacing + spacing_of)).any():
                continue
        accepted = np.vstack([accepted, point])
        spacing_of = np.append(spacing_of, spacing)
    return accepted


def _name_city(rng: np.random.Generator, areas: list[Area]) -> None:
    """Group neighbouring cells into towns (町) of one to five chome, named from the centre outwards."""
    seeds = np.asarray([a.seed for a in areas])
    tree = cKDTree(seeds)
    order = np.argsort(np.hypot(seeds[:, 0], seeds[:, 1]))
    group_of = np.full(len(areas), -1)
    groups: list[list[int]] = []
    for i in order:
        if group_of[i] >= 0:
            continue
        size = int(rng.choice([1, 2, 3, 4, 4, 5, 5]))
        _, near = tree.query(seeds[i], k=min(12, len(areas)))
        members = [int(j) for j in np.atleast_1d(near) if group_of[j] < 0][:size]
        for j in members:
            group_of[j] = len(groups)
        groups.append(members)
    for g, members in enumerate(groups):
        base, slug = names.CITY_TOWNS[g % len(names.CITY_TOWNS)]
        if g >= len(names.CITY_TOWNS):
            base, slug = f"新{base}", f"shin{slug}"
        for k, j in enumerate(members, start=1):
            one = len(members) == 1
            areas[j].name = base if one else f"{base}{names.chome(k)}"
            areas[j].slug = slug if one else f"{slug}{k}"


def _name_rural(rng: np.random.Generator, areas: list[Area], muni: Municipality) -> None:
    """大字 names; the district at the centre carries the municipality's own name."""
    order = np.argsort([np.hypot(a.seed[0] - muni.centre[0], a.seed[1] - muni.centre[1]) for a in areas])
    pool = [names.RURAL_DISTRICTS[int(k)] for k in rng.permutation(len(names.RURAL_DISTRICTS))]
    for rank, i in enumerate(order):
        if rank == 0:
            base, slug = muni.name[:-1], muni.slug
        else:
            base, slug = pool[(rank - 1) % len(pool)]
            if rank - 1 >= len(pool):
                base, slug = f"新{base}", f"shin{slug}"
        areas[int(i)].name = f"大字{base}"
        areas[int(i)].slug = slug


def _populate(rng: np.random.Generator, areas: list[Area], municipalities: list[Municipality]) -> None:
    """Residents fall off with the distance from each centre; households are larger in the country."""
    for m, muni in enumerate(municipalities):
        members = [a for a in areas if a.municipality == m]
        km2 = np.asarray([a.polygon.area / 1e6 for a in members])
        r = np.asarray([np.hypot(a.seed[0] - muni.centre[0], a.seed[1] - muni.centre[1]) for a in members])
        if m == 0:
            density = 11_000 * np.exp(-r / 1_900) + 1_600 * np.exp(-r / 6_000)
        else:
            density = 2_400 * np.exp(-r / 900) + 45
        weight = km2 * density * rng.lognormal(0, 0.25, size=len(members))
        share = muni.residents * rng.uniform(0.97, 1.03)
        population = np.maximum(np.round(weight / weight.sum() * share), 5).astype(int)
        if m == 0:
            size = 1.9 + 0.6 * np.minimum(r / 6_000, 1.0) + rng.normal(0, 0.08, size=len(members))
        else:
            size = muni.household_size + rng.normal(0, 0.12, size=len(members))
        households = np.maximum(np.round(population / np.maximum(size, 1.2)), 1).astype(int)
        for area, people, homes in zip(members, population, households, strict=True):
            area.population, area.households = int(people), int(homes)
    counters = dict.fromkeys(range(len(municipalities)), 0)
    for area in sorted(areas, key=lambda a: (a.municipality, a.name)):
        counters[area.municipality] += 1
        area.code = f"{municipalities[area.municipality].code}{counters[area.municipality]:04d}"


# -- Railway, stations, boxes ---------------------------------------------------------------------


def _rail_stations(municipalities: list[Municipality]) -> list[tuple[str, tuple[float, float]]]:
    """A line runs west–east through the city centre to the town: its stations draw koban (main first)."""
    return [
        ("桜ヶ丘駅", (0.0, 0.0)),
        ("西桜ヶ丘駅", (-2_700.0, -350.0)),
        ("東桜ヶ丘駅", (2_600.0, 420.0)),
        ("緑川駅", municipalities[1].centre),
    ]


# (code, name, slug, koban target, chuzaisho target)
STATIONS = [
    ("CHUO", "桜ヶ丘中央警察署", "chuo", 9, 0),
    ("KITA", "桜ヶ丘北警察署", "kita", 8, 3),
    ("YAMABE", "山辺警察署", "yamabe", 1, 4),
]


def _assign_stations(plan: Plan) -> None:
    """North of a slanted line, the city and the town belong to the north station; the village to Yamabe."""
    for area in plan.areas:
        x, y = area.seed
        if area.municipality == 2:
            area.station = 2
        elif area.municipality == 1 or y > 0.35 * x + 900:
            area.station = 1
        else:
            area.station = 0


def _address(rng: np.random.Generator, plan: Plan, xy: tuple[float, float]) -> str:
    area = _area_at(plan, xy)
    muni = plan.municipalities[area.municipality]
    return (
        f"{names.PREFECTURE[0]}{muni.name}{area.name}{int(rng.integers(1, 30))}番{int(rng.integers(1, 20))}号"
    )


def _area_at(plan: Plan, xy: tuple[float, float]) -> Area:
    point = shapely.Point(xy)
    for area in plan.areas:
        if area.polygon.covers(point):
            return area
    return min(plan.areas, key=lambda a: a.polygon.distance(point))


def _phone(station: int, box: int) -> str:
    # Area code 000 does not exist in Japan's numbering plan: these numbers can never ring anyone.
    return f"000-{station + 1:03d}-{box:04d}"


def _place_stations(rng: np.random.Generator, plan: Plan) -> None:
    net = plan.network
    wanted = [
        (400.0, 300.0),
        _weighted_centre(plan, station=1, municipality=0),
        plan.municipalities[2].centre,
    ]
    for s, (code, name, slug, _, _) in enumerate(STATIONS):
        xy = net.nodes[net.nearest_node(wanted[s], net.urban_nodes)]
        xy = (xy[0] + 15.0, xy[1] + 15.0)
        plan.stations.append(StationPlan(code, name, slug, xy, _address(rng, plan, xy), _phone(s, 110)))


def _weighted_centre(plan: Plan, station: int, municipality: int) -> tuple[float, float]:
    members = [a for a in plan.areas if a.station == station and a.municipality == municipality]
    weights = np.asarray([a.population for a in members], dtype=float)
    seeds = np.asarray([a.seed for a in members])
    centre = (seeds * weights[:, None]).sum(axis=0) / weights.sum()
    return (float(centre[0]), float(centre[1]))


def _place_boxes(rng: np.random.Generator, plan: Plan) -> None:
    """Koban at railway stations, then where they cut walking distance most; chuzaisho in the country."""
    used: set[str] = set()
    for s, (_, _, _, koban_target, chuzaisho_target) in enumerate(STATIONS):
        demand = [a for a in plan.areas if a.station == s]
        sites: list[tuple[float, float]] = []
        koban: list[BoxPlan] = []
        for rail_name, rail_xy in plan.rail_stations:
            if _area_at(plan, rail_xy).station == s:
                xy = (rail_xy[0] + 40.0, rail_xy[1] - 30.0)
                koban.append(
                    _box(rng, plan, s, "koban", f"{rail_name}前", _rail_slug(rail_name), xy, used, True)
                )
                sites.append(xy)
        if s == 2:  # the village centre
            area = _area_at(plan, plan.municipalities[2].centre)
            xy = _on_street(plan, area)
            koban.append(_box(rng, plan, s, "koban", area.name.removeprefix("大字"), area.slug, xy, used))
            sites.append(xy)
        urban = [a for a in demand if a.municipality == 0]
        for area in _greedy(demand, urban, sites, koban_target - len(koban)):
            xy = _on_street(plan, area)
            town_slug = area.slug.rstrip("0123456789")
            koban.append(_box(rng, plan, s, "koban", _town_of(area), town_slug, xy, used))
            sites.append(xy)
        rural = [
            a
            for a in demand
            if a.municipality > 0 and not any(a.polygon.covers(shapely.Point(p)) for p in sites)
        ]
        chuzaisho = []
        for area in _greedy(demand, rural, sites, chuzaisho_target):
            xy = (area.seed[0] + 20.0, area.seed[1] + 20.0)
            chuzaisho.append(
                _box(rng, plan, s, "chuzaisho", area.name.removeprefix("大字"), area.slug, xy, used)
            )
            sites.append(xy)
        for k, box in enumerate(koban, start=1):
            box.code, box.phone = f"K{k:02d}", _phone(s, k)
        for k, box in enumerate(chuzaisho, start=1):
            box.code, box.phone = f"C{k:02d}", _phone(s, 500 + k)
        plan.boxes.extend(koban + chuzaisho)


def _greedy(
    demand: list[Area], candidates: list[Area], sites: list[tuple[float, float]], count: int
) -> list[Area]:
    """Pick *count* candidate areas that most reduce the residents' total distance to a box (p-median)."""
    if count <= 0 or not candidates:
        return []
    people = np.asarray([a.population for a in demand], dtype=float)
    where = np.asarray([a.seed for a in demand])
    options = np.asarray([c.seed for c in candidates])
    distance = np.hypot(where[:, None, 0] - options[None, :, 0], where[:, None, 1] - options[None, :, 1])
    current = np.full(len(demand), 50_000.0)
    for site in sites:
        current = np.minimum(current, np.hypot(where[:, 0] - site[0], where[:, 1] - site[1]))
    chosen: list[int] = []
    for _ in range(min(count, len(candidates))):
        gain = (people[:, None] * np.maximum(current[:, None] - distance, 0.0)).sum(axis=0)
        gain[chosen] = -1.0
        best = int(np.argmax(gain))
        chosen.append(best)
        current = np.minimum(current, distance[:, best])
    return [candidates[i] for i in chosen]


def _on_street(plan: Plan, area: Area) -> tuple[float, float]:
    """A corner near the area's middle, inside the area (koban stand at junctions)."""
    net = plan.network
    node = net.nodes[net.nearest_node(area.seed, net.urban_nodes)]
    xy = (node[0] + 12.0, node[1] + 12.0)
    return xy if area.polygon.covers(shapely.Point(xy)) else area.seed


def _town_of(area: Area) -> str:
    """The town part of a chome name: 本町二丁目 → 本町."""
    for numeral in names.KANJI_NUMERALS:
        suffix = f"{numeral}丁目"
        if area.name.endswith(suffix):
            return area.name.removesuffix(suffix)
    return area.name


def _rail_slug(rail_name: str) -> str:
    slugs = {
        "西桜ヶ丘駅": "nishi-ekimae",
        "桜ヶ丘駅": "ekimae",
        "東桜ヶ丘駅": "higashi-ekimae",
        "緑川駅": "midorikawa-ekimae",
    }
    return slugs.get(rail_name, "ekimae")


def _box(
    rng: np.random.Generator,
    plan: Plan,
    station: int,
    kind: str,
    place: str,
    slug: str,
    xy: tuple[float, float],
    used: set[str],
    at_rail: bool = False,
) -> BoxPlan:
    suffix = "交番" if kind == "koban" else "駐在所"
    name = f"{place}{suffix}"
    if name in used or slug in used:
        # Two boxes in one town: name the second after its chome (本町二丁目交番).
        area = _area_at(plan, xy)
        name, slug = f"{area.name.removeprefix('大字')}{suffix}", area.slug
        if name in used or slug in used:
            name, slug = f"{place}第{len(used)}{suffix}", f"{slug}-{len(used)}"
    used.update((name, slug))
    staffing = 1 if kind == "chuzaisho" else (4 if at_rail else 3)
    return BoxPlan("", name, slug, kind, station, xy, _address(rng, plan, xy), "", staffing, at_rail)
