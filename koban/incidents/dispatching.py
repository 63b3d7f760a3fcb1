"""Which units to send: the on-duty officers of the boxes nearest to an incident by travel distance.

Travel distance is measured on the road network when roads are loaded and both the incident and the
box lie near a road; otherwise it is the straight-line distance, and the suggestion says so. The road
graph is built once per process and rebuilt when the roads change.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import numpy as np
from django.utils import timezone

from koban.accounts.models import User
from koban.analytics.algorithms.routing import (
    DEFAULT_MAX_SNAP_M,
    road_distances,
    straight_line_distances,
)
from koban.geography.roads import road_graph
from koban.incidents.models import Incident
from koban.organization.models import PoliceBox

#: Boxes considered, nearest first by straight line, before travel distances re-rank them.
CANDIDATE_BOXES = 12

ROAD = "road"
STRAIGHT_LINE = "straight_line"


@dataclass(frozen=True)
class Suggestion:
    """One box that could respond, how far it is, and who is on duty there now."""

    box: PoliceBox
    distance_m: float
    method: str  # ROAD or STRAIGHT_LINE
    straight_line_m: float
    officers: list[User] = field(default_factory=list)

    @property
    def has_units(self) -> bool:
        return bool(self.officers)


def _candidate_boxes(incident: Incident, limit: int) -> list[PoliceBox]:
    if incident.location is None:
        return []
    boxes = PoliceBox.objects.operating().filter(station__agency_id=incident.agency_id).with_station()
    return list(boxes.nearest(incident.location)[:limit])


def _on_duty(box_ids: list[int], at: datetime.datetime) -> dict[int, list[User]]:
    from koban.rosters.queries import on_duty_officers

    return on_duty_officers(box_ids, at)


def suggest_units(
    incident: Incident,
    at: datetime.datetime | None = None,
    limit: int = 5,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> list[Suggestion]:
    """The *limit* boxes nearest to the incident by travel distance, with their on-duty officers.

    Boxes reachable on the road network come first, by road distance; boxes that are not (no road
    near them, or roads not connected) follow by straight-line distance. Without a location there is
    nothing to measure and the list is empty.
    """
    if incident.location is None:
        return []
    boxes = _candidate_boxes(incident, max(limit, CANDIDATE_BOXES))
    if not boxes:
        return []
    origin = (incident.location.x, incident.location.y)
    lons = np.array([b.location.x for b in boxes])
    lats = np.array([b.location.y for b in boxes])
    straight = straight_line_distances(origin, lons, lats)
    graph = road_graph()
    road = (
        road_distances(graph, origin, lons, lats, max_snap_m)
        if graph is not None
        else np.full(len(boxes), np.nan)
    )
    on_road = np.isfinite(road)
    order = sorted(
        range(len(boxes)),
        key=lambda i: (0, road[i]) if on_road[i] else (1, straight[i]),
    )[:limit]
    officers = _on_duty([boxes[i].pk for i in order], at or timezone.now())
    return [
        Suggestion(
            box=boxes[i],
            distance_m=float(road[i] if on_road[i] else straight[i]),
            method=ROAD if on_road[i] else STRAIGHT_LINE,
            straight_line_m=float(straight[i]),
            officers=officers.get(boxes[i].pk, []),
        )
        for i in order
    ]
