"""Demo patrols: three weeks of GPS tracks along the demo roads of every beat, with stops,
observations and patrol cards.

Each beat has a set of streets its officers rarely take (a quarter of its road segments, chosen
from the seed): the tracks walk the road graph without them, so the coverage page shows streets
that were not patrolled, as real beats have.
"""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import networkx as nx
import numpy as np
from django.contrib.gis.geos import Point
from django.utils import timezone

from koban.accounts.models import Role, User
from koban.demo.context import DemoContext
from koban.geography.models import AdminArea, Beat, RoadSegment
from koban.lib.geo import metric_transformers
from koban.patrols import services
from koban.patrols.models import Observation, Patrol
from koban.patrols.routes import Route

DAYS = 21
NEGLECTED_SHARE = 0.25
SPEED = {Patrol.Kind.FOOT: 1.2, Patrol.Kind.BICYCLE: 3.5, Patrol.Kind.CAR: 8.0}  # m/s while moving
DISTANCE = {Patrol.Kind.FOOT: (1500, 3000), Patrol.Kind.BICYCLE: (3000, 6000), Patrol.Kind.CAR: (6000, 12000)}
NOTES = {
    Observation.Kind.HAZARD: [
        "街灯が切れている",
        "歩道の段差が大きい",
        "放置自転車が通路をふさいでいる",
        "カーブミラーが曲がっている",
    ],
    Observation.Kind.SUSPICIOUS: [
        "住宅をのぞき込む男性（声かけ済み）",
        "深夜に駐車場をうろつく若者2人",
        "車内から児童に声をかける車両",
    ],
    Observation.Kind.ADVICE: [
        "自転車の二重ロックを助言",
        "高齢者に特殊詐欺の注意喚起",
        "無施錠の窓について住民に助言",
    ],
    Observation.Kind.OTHER: ["地域の清掃活動に参加", "町内会長と立ち話（要望なし）"],
}


def populate(context: DemoContext) -> str:
    rng = context.rng
    beats = list(
        Beat.objects.current().filter(version__agency=context.agency).select_related("box", "box__station")
    )
    today = timezone.localtime(context.now).date()
    patrols = cards = observations = 0
    for beat in beats:
        officers = list(
            User.objects.filter(box=beat.box, role=Role.BOX_OFFICER, is_active=True).order_by("username")
        )
        segments = list(RoadSegment.objects.filter(geom__intersects=beat.geom).order_by("id"))
        if not officers or not segments:
            continue
        walker = _Walker(beat, segments, rng)
        if walker.empty:
            continue
        residential = beat.box.is_residential
        for back in range(DAYS, 0, -1):
            day = today - datetime.timedelta(days=back)
            for _ in range(
                rng.choice([1, 1, 2]) if not residential and rng.random() < 0.9 else int(rng.random() < 0.6)
            ):
                patrol = _patrol(context, beat, officers, walker, day, residential)
                patrols += 1
                observations += _observe(rng, patrol, officers[0])
                cards += _leave_cards(rng, patrol, officers[0])
    return f"{patrols} patrols with {cards} patrol cards and {observations} observations over {DAYS} days"


class _Walker:
    """The beat's road graph in metres, without its neglected streets, for random walks."""

    def __init__(self, beat: Beat, segments: list[RoadSegment], rng: Any) -> None:
        centre = beat.geom.centroid
        self.forward, self.backward = metric_transformers(centre.x, centre.y)
        self.rng = rng
        graph = nx.Graph()
        for segment in segments:
            lon, lat = np.asarray(segment.geom.coords).T
            x, y = self.forward.transform(lon, lat)
            xy = np.column_stack([x, y])
            a, b = _node(xy[0]), _node(xy[-1])
            if a != b:
                graph.add_edge(a, b, xy=xy, length=float(np.hypot(*np.diff(xy, axis=0).T).sum()))
        edges = sorted(graph.edges)
        neglected = rng.sample(edges, int(len(edges) * NEGLECTED_SHARE)) if len(edges) > 4 else []
        walkable = graph.copy()
        walkable.remove_edges_from(neglected)
        bx, by = self.forward.transform(beat.box.location.x, beat.box.location.y)
        nodes = list(walkable.nodes) or list(graph.nodes)
        self.start = min(nodes, key=lambda n: (n[0] - bx) ** 2 + (n[1] - by) ** 2) if nodes else None
        component = nx.node_connected_component(walkable, self.start) if self.start in walkable else set()
        self.graph = walkable.subgraph(component) if len(component) > 1 else graph
        self.empty = self.start is None or self.graph.number_of_edges() == 0
        if self.start not in self.graph and not self.empty:
            self.start = next(iter(self.graph.nodes))

    def walk(self, metres: float) -> np.ndarray:
        """A random walk from the box's nearest junction, avoiding U-turns where it can."""
        node, previous, done = self.start, None, 0.0
        parts: list[np.ndarray] = []
        for _ in range(400):
            choices = [n for n in self.graph.neighbors(node) if n != previous] or list(
                self.graph.neighbors(node)
            )
            if not choices or done >= metres:
                break
            nxt = self.rng.choice(choices)
            data = self.graph.edges[node, nxt]
            xy = data["xy"] if _node(data["xy"][0]) == node else data["xy"][::-1]
            parts.append(xy if not parts else xy[1:])
            done += data["length"]
            previous, node = node, nxt
        return np.vstack(parts)


def _node(xy: np.ndarray) -> tuple[float, float]:
    return (round(float(xy[0]) * 2) / 2, round(float(xy[1]) * 2) / 2)


def _densify(xy: np.ndarray, step: float = 15.0) -> np.ndarray:
    out = [xy[0]]
    for a, b in itertools.pairwise(xy):
        n = max(1, int(np.hypot(*(b - a)) // step))
        out.extend(a + (b - a) * (i / n) for i in range(1, n + 1))
    return np.asarray(out)


def _patrol(
    context: DemoContext,
    beat: Beat,
    officers: list[User],
    walker: _Walker,
    day: datetime.date,
    residential: bool,
) -> Patrol:
    rng = context.rng
    kinds = (
        [Patrol.Kind.BICYCLE, Patrol.Kind.CAR]
        if residential
        else [Patrol.Kind.FOOT, Patrol.Kind.FOOT, Patrol.Kind.BICYCLE]
    )
    kind = rng.choice(kinds)
    xy = _densify(walker.walk(rng.uniform(*DISTANCE[kind])))
    start = timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(rng.randrange(8, 22), rng.randrange(60)))
    )
    speed = SPEED[kind] * rng.uniform(0.8, 1.2)
    seconds = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T) / speed)])
    # One or two stops (standing watch, a chat with a resident): several fixes around one spot.
    points, times = list(xy), list(seconds)
    for index in sorted(
        rng.sample(range(1, len(xy) - 1), k=min(len(xy) - 2, rng.choice([1, 2]))), reverse=True
    ):
        dwell = rng.randrange(4, 11)
        extra = [xy[index] + np.array([rng.uniform(-4, 4), rng.uniform(-4, 4)]) for _ in range(dwell)]
        points[index + 1 : index + 1] = extra
        times[index + 1 :] = [t + dwell * 60 for t in times[index + 1 :]]
        times[index + 1 : index + 1] = [times[index] + 60 * (k + 1) for k in range(dwell)]
    arr = np.asarray(points)
    lon, lat = walker.backward.transform(arr[:, 0], arr[:, 1])
    moments = [start + datetime.timedelta(seconds=float(t)) for t in times]
    route = Route(
        lines=[[(round(float(a), 6), round(float(b), 6)) for a, b in zip(lon, lat, strict=True)]],
        times=[moments],
    )
    crew = rng.sample(officers, 2) if len(officers) > 1 and rng.random() < 0.3 else [rng.choice(officers)]
    return services.record_patrol(
        crew[0], beat.box, route, source=Patrol.Source.GPX, officers=crew, kind=kind, now=context.now
    )


def _route_point(rng: Any, patrol: Patrol) -> tuple[float, float, datetime.datetime]:
    line = patrol.route[0]
    index = rng.randrange(len(line.coords))
    lon, lat = line.coords[index]
    share = index / max(1, len(line.coords) - 1)
    return lon, lat, patrol.started_at + (patrol.ended_at - patrol.started_at) * share


def _observe(rng: Any, patrol: Patrol, officer: User) -> int:
    if rng.random() > 0.35:
        return 0
    count = rng.choice([1, 1, 2])
    for _ in range(count):
        kind = rng.choices(list(NOTES), weights=[3, 1, 4, 1])[0]
        lon, lat, when = _route_point(rng, patrol)
        services.add_observation(
            officer, patrol, kind=kind, observed_at=when, note=rng.choice(NOTES[kind]), lon=lon, lat=lat
        )
    return count


def _leave_cards(rng: Any, patrol: Patrol, officer: User) -> int:
    if patrol.kind == Patrol.Kind.CAR or rng.random() > 0.5:
        return 0
    count = rng.randrange(1, 5)
    for _ in range(count):
        lon, lat, when = _route_point(rng, patrol)
        town = AdminArea.objects.filter(
            level=AdminArea.Level.TOWN, geom__contains=Point(lon, lat, srid=4326)
        ).first()
        address = (
            f"{town.name if town else ''}{rng.randrange(1, 5)}-{rng.randrange(1, 30)}-{rng.randrange(1, 20)}"
        )
        note = rng.choice(["不在のため郵便受けに投函", "住民に手渡し", "玄関先に差し込み"])
        services.add_card(officer, patrol, address=address, left_at=when, note=note, lon=lon, lat=lat)
    return count
