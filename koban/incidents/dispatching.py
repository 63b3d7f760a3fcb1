"""Whom to send: free on-duty officers and patrol-car units, nearest to an incident by travel time.

Candidates are the officers on duty at the boxes the user may send from (``boxes_sendable_to``),
nearest boxes first, and the patrol cars kept there that have a crew at the time (the crew goes as
one unit and is not offered again one by one). Officers answer from their box by bicycle, cars drive
(``KOBAN_DISPATCH_BICYCLE_KMH``, ``KOBAN_DISPATCH_CAR_KMH``). The system holds no live positions:
every candidate starts from its box.

Officers already sent to another open incident are left out unless this incident may take them from
there (``koban.analytics.algorithms.dispatch.may_preempt``); officers already sent to this incident
are never offered again. The ranking itself is the pure ``rank_candidates``: by road where roads are
loaded and both ends lie near one, else by straight line (and the suggestion says so). The road graph
is built once per process and rebuilt when the roads change.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from koban.accounts.access import (
    access_box,
    access_patrol_car_to_send,
    boxes_sendable_to,
    can_work_on_incident,
    fetch_or_refuse,
    officers_sendable_to,
)
from koban.accounts.models import User
from koban.analytics.algorithms.dispatch import ROAD, STRAIGHT_LINE, Candidate, rank_candidates
from koban.analytics.algorithms.routing import DEFAULT_MAX_SNAP_M
from koban.geography.roads import road_graph
from koban.incidents.models import Dispatch, Incident
from koban.incidents.presence import OPEN_DISPATCH_LIMIT
from koban.organization.models import PoliceBox
from koban.rosters.models import PatrolCar
from koban.rosters.queries import crews_at, on_duty_officers

__all__ = ["ROAD", "STRAIGHT_LINE", "Suggestion", "commitments", "road_graph", "suggest_units"]

#: Boxes considered, nearest first by straight line, before travel times re-rank their people.
CANDIDATE_BOXES = 12

OFFICER = "officer"
UNIT = "unit"


@dataclass(frozen=True)
class Suggestion:
    """One officer, or one patrol car with its crew, who could be sent; how far and how long away.

    ``preempts`` marks a candidate already sent to a less urgent open incident (``committed_to``),
    offered only because this incident is urgent enough to take them from there.
    """

    kind: str  # OFFICER or UNIT
    box: PoliceBox
    officers: list[User]
    distance_m: float
    travel_s: float
    method: str  # ROAD or STRAIGHT_LINE
    straight_line_m: float
    route: list[tuple[float, float]]
    unit: PatrolCar | None = None
    preempts: bool = False
    committed_to: list[int] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{UNIT}:{self.unit.pk}" if self.unit is not None else f"{OFFICER}:{self.officers[0].pk}"

    @property
    def label(self) -> str:
        return str(self.unit) if self.unit is not None else str(self.officers[0])

    @property
    def travel_min(self) -> float:
        return self.travel_s / 60.0

    @property
    def has_units(self) -> bool:
        return bool(self.officers)


def commitments(
    officer_ids: Collection[int], at: datetime.datetime, exclude_incident: int | None = None
) -> dict[int, dict[int, int]]:
    """Per officer, the open incidents they are sent to at *at* (incident id → its priority).

    A dispatch older than ``OPEN_DISPATCH_LIMIT`` no longer holds anyone, as for presence.
    """
    rows = (
        Dispatch.officers.through.objects.filter(
            user_id__in=list(officer_ids),
            dispatch__dispatched_at__lte=at,
            dispatch__dispatched_at__gt=at - OPEN_DISPATCH_LIMIT,
            dispatch__incident__in=Incident.objects.open(),
        )
        .exclude(dispatch__incident_id=exclude_incident or 0)
        .values_list("user_id", "dispatch__incident_id", "dispatch__incident__priority")
    )
    out: dict[int, dict[int, int]] = defaultdict(dict)
    for officer_id, incident_id, priority in rows:
        out[officer_id][incident_id] = priority
    return dict(out)


def _candidate_boxes(user: User, incident: Incident, backup: bool) -> list[PoliceBox]:
    boxes = boxes_sendable_to(user, incident).operating().with_station()
    if backup:
        # Backup comes from other boxes than the incident's own and those already sent.
        boxes = boxes.exclude(pk=incident.box_id or 0).exclude(pk__in=incident.dispatches.values("box_id"))
    return list(boxes.nearest(incident.location)[:CANDIDATE_BOXES])  # type: ignore[arg-type]


@dataclass
class _Pool:
    """The people and cars that could go, before ranking."""

    boxes: dict[int, PoliceBox]
    officers: dict[int, User]
    home: dict[int, int]  # officer → box
    cars: dict[PatrolCar, list[int]]
    busy: dict[int, dict[int, int]]


def _pool(user: User, incident: Incident, at: datetime.datetime, backup: bool) -> _Pool:
    boxes = {b.pk: b for b in _candidate_boxes(user, incident, backup)}
    duty = on_duty_officers(list(boxes), at)
    already_sent = set(
        Dispatch.officers.through.objects.filter(dispatch__incident=incident).values_list(
            "user_id", flat=True
        )
    )
    officers = {o.pk: o for people in duty.values() for o in people if o.pk not in already_sent}
    home = {o.pk: box_id for box_id, people in duty.items() for o in people if o.pk in officers}
    cars = {
        car: crew
        for car, crew in (
            (c, [o for o in ids if o in officers]) for c, ids in crews_at(list(boxes), at).items()
        )
        if crew
    }
    return _Pool(boxes, officers, home, cars, commitments(list(officers), at, exclude_incident=incident.pk))


def _candidates(pool: _Pool) -> list[Candidate]:
    bicycle = settings.KOBAN_DISPATCH_BICYCLE_KMH / 3.6
    car_speed = settings.KOBAN_DISPATCH_CAR_KMH / 3.6
    in_cars = {o for crew in pool.cars.values() for o in crew}
    out = []
    for car, crew in pool.cars.items():
        busy = [p for o in crew for p in pool.busy.get(o, {}).values()]
        where = car.box.location
        out.append(Candidate(f"{UNIT}:{car.pk}", where.x, where.y, car_speed, min(busy) if busy else None))
    for officer_id, box_id in pool.home.items():
        if officer_id in in_cars:
            continue
        busy = list(pool.busy.get(officer_id, {}).values())
        where = pool.boxes[box_id].location
        out.append(
            Candidate(f"{OFFICER}:{officer_id}", where.x, where.y, bicycle, min(busy) if busy else None)
        )
    return out


def suggest_units(
    incident: Incident,
    user: User,
    at: datetime.datetime | None = None,
    limit: int = 8,
    backup: bool = False,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> list[Suggestion]:
    """The *limit* best officers and units *user* may send to the incident, fastest first.

    Free candidates come first by travel time, then those an urgent incident may take from a less
    urgent one (marked). With *backup*, only other boxes than the incident's own and those already
    sent are asked. Without a location there is nothing to measure and the list is empty.
    """
    if incident.location is None:
        return []
    at = at or timezone.now()
    pool = _pool(user, incident, at, backup)
    candidates = _candidates(pool)
    origin = (incident.location.x, incident.location.y)
    ranked = rank_candidates(road_graph(), origin, incident.priority, candidates, limit, max_snap_m)
    cars = {f"{UNIT}:{car.pk}": car for car in pool.cars}
    out = []
    for r in ranked:
        car = cars.get(r.key)
        people = pool.cars[car] if car is not None else [int(r.key.split(":")[1])]
        box = car.box if car is not None else pool.boxes[pool.home[people[0]]]
        out.append(
            Suggestion(
                kind=UNIT if car is not None else OFFICER,
                box=box,
                officers=[pool.officers[o] for o in people],
                distance_m=r.distance_m,
                travel_s=r.travel_s,
                method=r.method,
                straight_line_m=r.straight_line_m,
                route=r.route,
                unit=car,
                preempts=r.preempts,
                committed_to=sorted({i for o in people for i in pool.busy.get(o, {})}),
            )
        )
    return out


def suggestion_data(s: Suggestion) -> dict[str, object]:
    """One suggestion as plain data (the API's answer and the page map's input); the route is an
    RFC 7946 LineString from the incident to the candidate's starting point."""
    return {
        "kind": s.kind,
        "key": s.key,
        "label": s.label,
        "box": s.box.pk,
        "box_name": s.box.name,
        "unit": (
            {"id": s.unit.pk, "call_sign": s.unit.call_sign, "kind": s.unit.kind}
            if s.unit is not None
            else None
        ),
        "officers": [{"id": o.pk, "username": o.username, "name": str(o)} for o in s.officers],
        "travel_s": round(s.travel_s, 1),
        "distance_m": round(s.distance_m, 1),
        "method": s.method,
        "straight_line_m": round(s.straight_line_m, 1),
        "preempts": s.preempts,
        "committed_to": s.committed_to,
        "route": {"type": "LineString", "coordinates": [[round(x, 7), round(y, 7)] for x, y in s.route]},
    }


@dataclass(frozen=True)
class Sendees:
    """Whom a dispatch request names, checked: the box they leave from, the car, the officers."""

    box: PoliceBox
    unit: PatrolCar | None
    officers: list[User]


def resolve_sendees(
    user: User, incident: Incident, box_id: int | None, unit_id: int | None, officer_ids: list[int]
) -> Sendees:
    """Look up the car and officers of a dispatch request among those *user* may send to *incident*.

    Ids of cars or officers the user may not send answer 404 like unknown ones. The box is the car's,
    else the one given, else the one the officers are posted at (all of them at one box). Someone who
    reads the incident but may not act on it (a counsellor) is refused with 403 before any lookup.
    """
    if not can_work_on_incident(user, incident):
        raise PermissionDenied(_("You may not dispatch units to this incident."))
    unit = access_patrol_car_to_send(user, incident, unit_id) if unit_id is not None else None
    scope = officers_sendable_to(user, incident)
    officers = [fetch_or_refuse(user, scope, o) for o in dict.fromkeys(officer_ids)]
    if unit is not None:
        return Sendees(unit.box, unit, officers)
    if box_id is not None:
        return Sendees(access_box(user, box_id), None, officers)
    if not officers:
        raise ValidationError({"officers": _("Name the officers or the patrol car to send.")})
    homes = {o.box_id for o in officers}
    if len(homes) != 1:
        raise ValidationError({"officers": _("Send the officers of one box at a time.")})
    return Sendees(officers[0].box, None, officers)  # type: ignore[arg-type]
