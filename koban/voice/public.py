"""What the public may see of a request: its outcome, never its reporter's contact, sensitive places blurred.

Used by the public request page, the outcome lists (and the box's public page, which calls
``public_outcomes``) and the Open311 answers, so that all of them show the same thing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.geos import Point

from koban.organization.models import PoliceBox
from koban.voice.models import Moderation, Request, RequestQuerySet

METRES_PER_DEGREE_LAT = 111_320.0


def blur(lon: float, lat: float, metres: float) -> tuple[float, float]:
    """The centre of the grid cell of about *metres* × *metres* that holds (*lon*, *lat*).

    Every point of a cell maps to the same centre, so repeated reports from one home do not average out
    to its door; cells are fixed (not random), so a place never shows in two spots.
    """
    step_lat = metres / METRES_PER_DEGREE_LAT
    row = math.floor(lat / step_lat)
    centre_lat = (row + 0.5) * step_lat
    step_lon = metres / (METRES_PER_DEGREE_LAT * max(math.cos(math.radians(centre_lat)), 0.01))
    centre_lon = (math.floor(lon / step_lon) + 0.5) * step_lon
    return round(centre_lon, 6), round(centre_lat, 6)


def public_point(request: Request) -> Point | None:
    """The place shown publicly: exact, or blurred for sensitive categories."""
    if request.point is None:
        return None
    if not request.category.sensitive:
        return request.point
    lon, lat = blur(request.point.x, request.point.y, settings.KOBAN_VOICE_BLUR_METRES)
    return Point(lon, lat, srid=4326)


def public_description(request: Request) -> str:
    """The resident's words once a moderator approved them; nothing before."""
    return request.description if request.moderation == Moderation.APPROVED else ""


@dataclass(frozen=True)
class PublicRequest:
    """One request as the public sees it."""

    request: Request
    point: Point | None
    description: str
    name: str


def public_view(request: Request) -> PublicRequest:
    return PublicRequest(
        request=request,
        point=public_point(request),
        description=public_description(request),
        name=request.public_name if request.moderation == Moderation.APPROVED else "",
    )


def public_requests() -> RequestQuerySet:
    """Every request the public may list, with what its public view needs."""
    return Request.objects.public().with_related()


def public_outcomes(box: PoliceBox | int, limit: int = 10) -> list[PublicRequest]:
    """The latest outcomes at *box* for its public page: closed requests, newest first."""
    found = public_requests().of_box(box).closed().order_by("-updated_at", "-id")[:limit]
    return [public_view(r) for r in found]
