"""An officer's worklist: the due households of a box (or one beat), as a walking route that fits the time.

The households due under the visit policy are ranked (homes that need care first, then the longest
overdue: never reached counts from the day the address was registered) and handed to the pure route
planner (``koban.analytics.algorithms.walking_route``) with the roads around them, when roads are
loaded; without roads the planner walks straight lines.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np

from koban.analytics.algorithms.walking_route import Route, plan_route
from koban.geography.models import Beat
from koban.geography.roads import road_graph_around
from koban.households.models import BUSINESS_KINDS, Household
from koban.households.policy import VisitPolicy, get_policy
from koban.organization.models import PoliceBox

#: At most this many due households are planned at once (the most urgent); the rest wait for the next walk.
MAX_CANDIDATES = 300


@dataclass(frozen=True)
class Stop:
    household: Household
    due_since: datetime.datetime
    leg_m: float


@dataclass(frozen=True)
class Worklist:
    box: PoliceBox
    stops: list[Stop]
    due: int
    left_out: int
    walk_m: float
    minutes: float
    on_roads: bool

    def route_coordinates(self) -> list[list[float]]:
        """The walk as [lon, lat] pairs, from the box through the stops and back."""
        box = [self.box.location.x, self.box.location.y]
        return [box] + [[s.household.point.x, s.household.point.y] for s in self.stops] + [box]


def due_households(
    box: PoliceBox, at: datetime.datetime, policy: VisitPolicy | None = None, beat: Beat | None = None
) -> list[tuple[Household, datetime.datetime]]:
    """The due households of *box* (or of *beat*), most urgent first, with the time each fell due."""
    policy = policy or get_policy()
    households = Household.objects.of_box(box).placed().due(policy, at).select_related("building")
    if beat is not None:
        households = households.in_beat(beat)
    ranked = []
    for household in households:
        due = policy.due_at(
            household.last_contact_at,
            business=household.kind in BUSINESS_KINDS,
            needs_care=household.needs_care,
        )
        ranked.append((household, due or household.created_at))
    ranked.sort(key=lambda pair: (not pair[0].needs_care, pair[1], pair[0].pk))
    return ranked


def build_worklist(
    box: PoliceBox,
    *,
    at: datetime.datetime,
    budget_minutes: float,
    minutes_per_visit: float,
    walking_speed: float = 1.2,
    beat: Beat | None = None,
    policy: VisitPolicy | None = None,
) -> Worklist:
    """Plan the walk of one officer of *box* from the box, for *budget_minutes*, at *at*."""
    ranked = due_households(box, at, policy, beat)
    candidates = ranked[:MAX_CANDIDATES]
    lons = np.array([h.point.x for h, _due in candidates], dtype=float)
    lats = np.array([h.point.y for h, _due in candidates], dtype=float)
    start = (box.location.x, box.location.y)
    graph = road_graph_around(np.r_[start[0], lons], np.r_[start[1], lats]) if candidates else None
    route: Route = plan_route(
        start,
        lons,
        lats,
        budget_minutes=budget_minutes,
        minutes_per_visit=minutes_per_visit,
        walking_speed=walking_speed,
        graph=graph,
    )
    stops = [
        Stop(household=candidates[i][0], due_since=candidates[i][1], leg_m=route.legs_m[n])
        for n, i in enumerate(route.order)
    ]
    return Worklist(
        box=box,
        stops=stops,
        due=len(ranked),
        left_out=len(ranked) - len(stops),
        walk_m=route.walk_m,
        minutes=route.minutes,
        on_roads=route.on_roads,
    )
