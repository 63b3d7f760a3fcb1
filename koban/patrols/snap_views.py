"""Drawing a patrol over the street network: the map sends the tapped corners, this answers the route.

The route follows the roads between consecutive taps when roads are loaded near them; otherwise (no
roads, a tap in a park) the leg stays straight and the answer says so, for the page to tell the officer.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from koban.accounts.access import boxes_patrollable_by
from koban.analytics.algorithms.road_snapping import snap_route
from koban.geography.roads import road_graph
from koban.lib.geo import lonlat_problem

#: At most this many taps in one request (a drawn patrol has tens of corners, not thousands).
MAX_TAPS = 200
#: The taps must lie within this many degrees (about 10 km) of each other: one beat, not a prefecture.
MAX_SPAN_DEG = 0.1


class TapError(ValueError):
    """The request's points cannot be used; the message says why (translated)."""


def parse_taps(body: bytes) -> list[tuple[float, float]]:
    """The (lon, lat) taps of a request body ``{"points": [[lon, lat], ...]}``, checked."""
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise TapError(_('The points must be JSON: {"points": [[longitude, latitude], …]}.')) from None
    points = data.get("points") if isinstance(data, dict) else None
    if not isinstance(points, list) or not 2 <= len(points) <= MAX_TAPS:
        raise TapError(_("Send between 2 and %(n)d points.") % {"n": MAX_TAPS})
    taps = []
    for number, point in enumerate(points, start=1):
        if not (isinstance(point, list) and len(point) == 2) or any(isinstance(v, bool) for v in point):
            raise TapError(_("Point %(n)d is not a [longitude, latitude] pair.") % {"n": number})
        problem = lonlat_problem(point[0], point[1])
        if problem:
            raise TapError(_("Point %(n)d: %(problem)s") % {"n": number, "problem": problem[1]})
        taps.append((float(point[0]), float(point[1])))
    lons, lats = [t[0] for t in taps], [t[1] for t in taps]
    if max(lons) - min(lons) > MAX_SPAN_DEG or max(lats) - min(lats) > MAX_SPAN_DEG:
        raise TapError(_("The points are too far apart to follow the streets (at most about 10 km)."))
    return taps


@login_required
@require_POST
def snap_view(request: HttpRequest) -> JsonResponse:
    """The route through the posted taps along the roads, with each leg marked on roads or straight."""
    if not boxes_patrollable_by(request.user).exists():  # type: ignore[arg-type]
        raise PermissionDenied(_("You may not record patrols."))
    try:
        taps = parse_taps(request.body)
    except TapError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    graph = road_graph()
    route = snap_route(graph, taps)
    answer: dict[str, Any] = {
        "coordinates": [list(point) for point in route.coordinates],
        "on_roads": route.on_roads,
        "roads_loaded": graph is not None,
    }
    if graph is None:
        answer["note"] = _("No street data is loaded here: the route is drawn as straight lines.")
    elif not route.all_on_roads:
        answer["note"] = _("Some points are far from any street: those parts are straight lines.")
    return JsonResponse(answer)
