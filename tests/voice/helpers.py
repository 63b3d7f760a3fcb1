"""Builders for residents' requests: points inside the cast's beats and requests filed there."""

from __future__ import annotations

from typing import Any

from django.contrib.gis.geos import Point

from koban.voice import services
from koban.voice.models import Request, RequestCategory, Source
from tests.personas import LAT, LON

# Inside beat A (box A, Ekimae Koban), beat B and far outside every beat.
IN_A = Point(LON + 0.005, LAT + 0.005, srid=4326)
IN_B = Point(LON + 0.015, LAT + 0.005, srid=4326)
OUTSIDE = Point(LON + 0.2, LAT + 0.2, srid=4326)


def category(code: str = "dark_street") -> RequestCategory:
    return RequestCategory.objects.get(code=code)


def file_request(point: Point = IN_A, code: str = "dark_street", **fields: Any) -> Request:
    """A public request at *point*, as a resident would send it (anonymous unless a reporter is given)."""
    fields.setdefault("description", "The street lamp at the corner has been out for a week.")
    fields.setdefault("source", Source.PUBLIC)
    return services.submit_request(point=point, category=category(code), **fields)
