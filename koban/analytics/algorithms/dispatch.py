"""Which officers and units to send to an incident: free ones first, by travel time.

A candidate is an officer (who answers from the box by bicycle) or a unit (a patrol car with its
crew). Each has a starting point and a speed; travel time is the way to the incident divided by that
speed. The way is measured on the road graph when both ends lie near a road, otherwise as a straight
line (then the time is a lower bound, and the result says so).

A candidate already committed to an open incident is left out, unless the new incident is urgent
enough to take it from there (``may_preempt``, the one place the rule is written); such candidates
are ranked after every free one and marked.

No Django here: plain values and the road graph in, ranked results out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from koban.analytics.algorithms.routing import (
    DEFAULT_MAX_SNAP_M,
    RoadGraph,
    road_routes,
    straight_line_distances,
)

ROAD = "road"
STRAIGHT_LINE = "straight_line"

#: Only incidents of this priority (1, urgent: life or an ongoing crime) may pre-empt.
PREEMPTING_PRIORITY = 1


def may_preempt(incident_priority: int, committed_priority: int) -> bool:
    """Whether an incident of *incident_priority* may take a unit from one of *committed_priority*.

    Only an urgent incident (priority 1) may, and only from a less urgent one (a larger number): two
    urgent incidents never take units from each other.
    """
    return incident_priority <= PREEMPTING_PRIORITY and committed_priority > incident_priority


@dataclass(frozen=True)
class Candidate:
    """Someone who could be sent: where they start, how fast they go, and what they are busy with.

    ``committed_priority`` is the most urgent priority among the open incidents the candidate is
    already sent to (None when free).
    """

    key: str
    lon: float
    lat: float
    speed_mps: float
    committed_priority: int | None = None


@dataclass(frozen=True)
class Ranked:
    """One candidate with its way to the incident: metres, seconds, how measured, the line to draw.

    ``route`` runs from the incident to the candidate as (lon, lat) pairs; for a straight line it has
    two points.
    """

    key: str
    distance_m: float
    travel_s: float
    method: str
    straight_line_m: float
    preempts: bool
    route: list[tuple[float, float]]


def _eligible(candidates: Sequence[Candidate], incident_priority: int) -> list[tuple[Candidate, bool]]:
    out = []
    for c in candidates:
        if c.committed_priority is None:
            out.append((c, False))
        elif may_preempt(incident_priority, c.committed_priority):
            out.append((c, True))
    return out


def rank_candidates(
    graph: RoadGraph | None,
    incident: tuple[float, float],
    incident_priority: int,
    candidates: Sequence[Candidate],
    limit: int | None = None,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> list[Ranked]:
    """Free candidates by travel time, then the pre-emptable ones by travel time; others left out.

    Parameters
    ----------
    graph : RoadGraph or None
        The road network (None when no roads are loaded: every way is then a straight line).
    incident : (lon, lat)
        Where the incident is.
    incident_priority : int
        1 (urgent) … 4 (low); decides which committed candidates may be taken (``may_preempt``).
    candidates : sequence of Candidate
    limit : int, optional
        Keep at most this many.
    """
    eligible = _eligible(candidates, incident_priority)
    if not eligible:
        return []
    lons = np.array([c.lon for c, _ in eligible])
    lats = np.array([c.lat for c, _ in eligible])
    straight = straight_line_distances(incident, lons, lats)
    if graph is not None:
        routes = road_routes(graph, incident, lons, lats, max_snap_m)
        road, paths = routes.distance, routes.paths
    else:
        road, paths = np.full(len(eligible), np.nan), [None] * len(eligible)
    ranked = []
    for i, (candidate, preempts) in enumerate(eligible):
        path = paths[i] if np.isfinite(road[i]) else None
        distance = float(road[i]) if path is not None else float(straight[i])
        ranked.append(
            Ranked(
                key=candidate.key,
                distance_m=distance,
                travel_s=distance / candidate.speed_mps,
                method=ROAD if path is not None else STRAIGHT_LINE,
                straight_line_m=float(straight[i]),
                preempts=preempts,
                route=path if path is not None else [incident, (candidate.lon, candidate.lat)],
            )
        )
    ranked.sort(key=lambda r: (r.preempts, r.travel_s, r.key))
    return ranked if limit is None else ranked[:limit]
