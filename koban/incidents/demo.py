"""Demo incidents: a year of 110 calls and reports with realistic rhythm, places and response times.

Volume: Japan receives about 8 million 110 calls a year for 125 million people (≈ 64 per 1,000), so a
prefecture of 200,000 gets about 35 a day. Calls peak in the evening and are fewest before dawn, and
Friday and Saturday nights are busiest. Places cluster around the stations and the city centre (where
people gather), along the major roads (traffic accidents), and otherwise follow where people live
(beats weighted by population). Response times are lognormal around 7–8 minutes in koban beats and
longer in residential (chuzaisho) beats, which are large and rural. The last hours before "now" hold
open incidents. Rows are bulk inserted as history (no audit rows: nobody made these changes).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from koban.accounts.models import Role, User
from koban.demo.context import DemoContext
from koban.geography.assign import BeatPlaces
from koban.geography.models import Beat, RoadSegment
from koban.incidents.models import (
    Dispatch,
    Incident,
    IncidentCategory,
    IncidentEvent,
    Source,
    Status,
)
from koban.organization.models import PoliceBox
from koban.rosters.reports import box_zone

DAYS = 365
CALLS_PER_DAY = 35.0
# Relative volume by local hour: low before dawn, a daytime plateau, the evening peak at 19–22.
HOURLY = [0.9, 0.7, 0.5, 0.35, 0.3, 0.35, 0.5, 0.75, 0.95, 1.0, 1.0, 1.05,
          1.05, 1.05, 1.05, 1.1, 1.2, 1.35, 1.5, 1.6, 1.6, 1.5, 1.3, 1.1]  # fmt: skip
WEEKDAY = [0.95, 0.93, 0.95, 0.98, 1.1, 1.2, 1.05]  # Monday … Sunday
# Category code → share of incidents, by day (07–19) and by night.
MIX_DAY = {
    "traffic_accident": 0.16, "theft": 0.13, "bicycle_theft": 0.11, "noise_trouble": 0.10,
    "suspicious_person": 0.08, "lost_child": 0.06, "fraud": 0.06, "domestic": 0.04, "assault": 0.03,
    "burglary": 0.05, "theft_from_vehicle": 0.04, "snatching": 0.01, "vehicle_theft": 0.02, "other": 0.11,
}  # fmt: skip
MIX_NIGHT = {
    "traffic_accident": 0.12, "theft": 0.08, "bicycle_theft": 0.08, "noise_trouble": 0.22,
    "suspicious_person": 0.10, "lost_child": 0.02, "fraud": 0.02, "domestic": 0.08, "assault": 0.08,
    "burglary": 0.06, "theft_from_vehicle": 0.04, "snatching": 0.01, "vehicle_theft": 0.02, "other": 0.07,
}  # fmt: skip
SOURCES = [(Source.CALL_110, 0.72), (Source.WALK_IN, 0.18), (Source.OFFICER, 0.10)]
RESPONSE_MEDIAN_S = {False: 450.0, True: 720.0}  # koban beat, residential (chuzaisho) beat
RESPONSE_SIGMA = 0.45
CANCELLED_SHARE = 0.06
DESCRIPTIONS = {
    "traffic_accident": ["車両同士の接触事故", "自転車と歩行者の接触", "単独事故、けが人なし"],
    "theft": ["店舗での万引き", "置き引きの届出", "財布の盗難"],
    "bicycle_theft": ["駅前駐輪場で自転車盗難", "自宅前から自転車盗難"],
    "noise_trouble": ["深夜の騒音苦情", "近隣トラブル", "酔客同士の口論"],
    "suspicious_person": ["不審者がうろついている", "不審な車両が停車"],
    "lost_child": ["迷子の保護", "高齢者の行方不明"],
    "fraud": ["特殊詐欺の電話", "還付金詐欺の相談"],
    "domestic": ["家庭内の口論", "DVの相談"],
    "assault": ["路上での暴行", "飲食店での喧嘩"],
    "burglary": ["空き巣被害", "事務所荒らし"],
    "theft_from_vehicle": ["車上ねらい", "ナンバープレート盗難"],
    "snatching": ["ひったくり被害"],
    "vehicle_theft": ["バイク盗難", "自動車盗難"],
    "other": ["落とし物の相談", "道路上の障害物", "動物の保護"],
}


@dataclass
class _Places:
    """Where incidents happen: hot spots, major roads and beats weighted by population."""

    spots: list[tuple[float, float, float]]  # lon, lat, sigma in degrees
    roads: list[shapely.LineString]
    beats: list[shapely.Geometry]
    beat_weights: list[float]


def _places(context: DemoContext, boxes: Sequence[PoliceBox]) -> _Places:
    stations = {b.station_id: b.station for b in boxes}
    spots = [(s.location.x, s.location.y, 0.004) for s in stations.values() if s.location]
    busy = [b for b in boxes if not b.is_residential]
    spots += [(b.location.x, b.location.y, 0.003) for b in busy[: max(1, len(busy) // 3)]]
    roads = [
        shapely.from_wkb(bytes(g.wkb))
        for g in RoadSegment.objects.filter(kind=RoadSegment.Kind.MAJOR).values_list("geom", flat=True)
    ]
    beats = list(Beat.objects.current().filter(version__agency=context.agency))
    return _Places(
        spots=spots,
        roads=roads,
        beats=[shapely.from_wkb(bytes(b.geom.wkb)) for b in beats],
        beat_weights=[float(b.population or 1) for b in beats],
    )


def _point_in(rng: random.Random, geom: shapely.Geometry) -> tuple[float, float]:
    x0, y0, x1, y1 = geom.bounds
    for _ in range(50):
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if geom.contains(shapely.Point(x, y)):
            return x, y
    point = geom.representative_point()
    return point.x, point.y


def _place(rng: random.Random, places: _Places, category: str) -> tuple[float, float]:
    roll = rng.random()
    on_road = 0.7 if category == "traffic_accident" else 0.2
    if places.roads and roll < on_road:
        road = rng.choice(places.roads)
        point = road.interpolate(rng.random(), normalized=True)
        return point.x + rng.gauss(0, 0.0002), point.y + rng.gauss(0, 0.0002)
    if places.spots and roll < on_road + 0.35:
        lon, lat, sigma = rng.choice(places.spots)
        return lon + rng.gauss(0, sigma), lat + rng.gauss(0, sigma)
    if places.beats:
        beat = rng.choices(places.beats, weights=places.beat_weights)[0]
        return _point_in(rng, beat)
    lon, lat, sigma = places.spots[0]
    return lon + rng.gauss(0, sigma * 5), lat + rng.gauss(0, sigma * 5)


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def populate(context: DemoContext) -> str:
    rng = context.rng
    boxes = list(PoliceBox.objects.filter(station__agency=context.agency).operating().with_station())
    if not boxes:
        return "no boxes: no incidents"
    categories = {c.code: c for c in IncidentCategory.objects.active()}
    staff: dict[int, list[User]] = {}
    for user in User.objects.filter(box__in=boxes, role=Role.BOX_OFFICER, is_active=True):
        staff.setdefault(user.box_id, []).append(user)  # type: ignore[arg-type]
    places = _places(context, boxes)
    zone = box_zone()
    now = context.now.astimezone(zone)
    first_day = (now - dt.timedelta(days=DAYS)).date()

    drafts: list[tuple[Incident, float, float]] = []
    for offset in range(DAYS + 1):
        day = first_day + dt.timedelta(days=offset)
        expected = (
            CALLS_PER_DAY
            * WEEKDAY[day.weekday()]
            * (1 + 0.08 * math.sin(2 * math.pi * day.timetuple().tm_yday / 365))
        )
        for _ in range(_poisson(rng, expected)):
            hour = rng.choices(range(24), weights=HOURLY)[0]
            # In UTC before any arithmetic: local wall-clock arithmetic across a daylight-saving
            # switch would put an arrival before its dispatch.
            received = dt.datetime.combine(day, dt.time(hour), tzinfo=zone).astimezone(dt.UTC) + dt.timedelta(
                seconds=rng.randrange(3600)
            )
            if received >= now:
                continue
            code = _pick(rng, MIX_DAY if 7 <= hour < 19 else MIX_NIGHT)
            code = code if code in categories else "other"
            category = categories.get(code) or next(iter(categories.values()))
            lon, lat = _place(rng, places, code)
            source = rng.choices([s for s, _ in SOURCES], weights=[w for _, w in SOURCES])[0]
            incident = Incident(
                agency=context.agency,
                source=source,
                category=category,
                priority=category.default_priority,
                description=rng.choice(DESCRIPTIONS.get(code, DESCRIPTIONS["other"])),
                received_at=received,
                created_at=received,
            )
            drafts.append((incident, lon, lat))

    _assign_places(context, drafts)
    incidents, events, dispatches, crews = _play_out(rng, drafts, staff, now)
    Incident.objects.bulk_create(incidents, batch_size=2000)
    for event in events:
        event.incident_id = event.incident.pk
    IncidentEvent.objects.bulk_create(events, batch_size=5000)
    for dispatch in dispatches:
        dispatch.incident_id = dispatch.incident.pk
    Dispatch.objects.bulk_create(dispatches, batch_size=2000)
    through = Dispatch.officers.through
    through.objects.bulk_create(
        [
            through(dispatch_id=d.pk, user_id=u.pk)
            for d, crew in zip(dispatches, crews, strict=True)
            for u in crew
        ],
        batch_size=5000,
    )
    still_open = sum(1 for i in incidents if i.is_open)
    outside = sum(1 for i in incidents if i.outside_jurisdiction)
    return (
        f"{len(incidents)} incidents over {DAYS} days ({still_open} open now, {outside} outside every beat),"
        f" {len(dispatches)} dispatches"
    )


def _assign_places(context: DemoContext, drafts: list[tuple[Incident, float, float]]) -> None:
    """Set location, beat, box and station of every draft, with the importer's bulk assignment."""
    from django.contrib.gis.geos import Point

    lons = np.array([d[1] for d in drafts])
    lats = np.array([d[2] for d in drafts])
    assigner = BeatPlaces(context.agency)
    hits = assigner.assign(lons, lats).tolist()
    for (incident, lon, lat), hit in zip(drafts, hits, strict=True):
        incident.location = Point(lon, lat, srid=4326)
        if hit >= 0:
            incident.beat_id, incident.box_id, incident.station_id = assigner.ids[hit]
        else:
            incident.outside_jurisdiction = True


def _play_out(
    rng: random.Random,
    drafts: list[tuple[Incident, float, float]],
    staff: dict[int, list[User]],
    now: dt.datetime,
) -> tuple[list[Incident], list[IncidentEvent], list[Dispatch], list[list[User]]]:
    """What happened to each incident: dispatch, arrival, clearing or cancelling, up to *now*."""
    residential = {
        b.pk: b.is_residential for b in PoliceBox.objects.filter(pk__in={d[0].box_id for d in drafts})
    }
    incidents, events, dispatches, crews = [], [], [], []
    today = now.date()
    for incident, _lon, _lat in drafts:
        received = incident.received_at
        # Half of today's incidents are still being dealt with (statements taken, a search going on).
        busy_today = received.astimezone(now.tzinfo).date() == today and rng.random() < 0.5
        later = now + dt.timedelta(days=1)
        crew_pool = staff.get(incident.box_id or 0, [])
        incident.created_by = (
            rng.choice(crew_pool) if crew_pool and incident.source != Source.CALL_110 else None
        )
        events.append(
            IncidentEvent(incident=incident, at=received, action="received", to_status=Status.RECEIVED)
        )
        state = Status.RECEIVED
        if incident.source == Source.WALK_IN or incident.box_id is None:
            # Taken at the counter (or handed to the neighbouring agency): settled without a unit.
            done = later if busy_today else received + dt.timedelta(minutes=rng.uniform(10, 40))
            if done < now:
                incident.cleared_at, state = done, Status.CLEARED
                events.append(_step(incident, done, "cleared", Status.RECEIVED, Status.CLEARED))
        elif rng.random() < CANCELLED_SHARE and incident.source == Source.CALL_110:
            state = Status.CANCELLED
            events.append(
                _step(incident, received + dt.timedelta(minutes=3), "cancelled", state, state, "誤報・重複")
            )
            events[-1].from_status = Status.RECEIVED
        else:
            officer_found = incident.source == Source.OFFICER
            delay = 0.0 if officer_found else rng.lognormvariate(math.log(60), 0.5)
            travel = (
                0.0
                if officer_found
                else rng.lognormvariate(
                    math.log(RESPONSE_MEDIAN_S[residential.get(incident.box_id, False)]), RESPONSE_SIGMA
                )
            )
            dispatched = received + dt.timedelta(seconds=delay)
            arrived = dispatched + dt.timedelta(seconds=travel)
            cleared = (
                later if busy_today else arrived + dt.timedelta(minutes=rng.lognormvariate(math.log(35), 0.6))
            )
            crew = rng.sample(crew_pool, k=min(len(crew_pool), 2 if incident.priority <= 2 else 1))
            if dispatched < now:
                incident.dispatched_at, state = dispatched, Status.DISPATCHED
                events.append(_step(incident, dispatched, "dispatched", Status.RECEIVED, state))
                dispatch = Dispatch(incident=incident, box_id=incident.box_id, dispatched_at=dispatched)
                dispatches.append(dispatch)
                crews.append(crew)
                if arrived < now:
                    incident.arrived_at, dispatch.arrived_at, state = arrived, arrived, Status.ON_SCENE
                    events.append(_step(incident, arrived, "arrived", Status.DISPATCHED, state))
                    if cleared < now:
                        incident.cleared_at, state = cleared, Status.CLEARED
                        events.append(_step(incident, cleared, "cleared", Status.ON_SCENE, state))
        incident.status = state
        incidents.append(incident)
    return incidents, events, dispatches, crews


def _step(
    incident: Incident, at: dt.datetime, action: str, before: str, after: str, note: str = ""
) -> IncidentEvent:
    return IncidentEvent(
        incident=incident, at=at, action=action, from_status=before, to_status=after, note=note
    )
