"""Where an agency works, and whether a place someone gives is plausibly there.

An agency's jurisdiction is its configured extent, else the union of its stations' areas. An agency
with neither (a network being set up, the bare demo) is checked against ``KOBAN_FALLBACK_EXTENT``, a
box around the country (Japan by default), and the messages say that this coarse check was used.

A place outside is refused with the nearest box named, unless a user whose role allows it confirms
it as outside the jurisdiction: an incident just across the border is real, a box in Sydney is a
typo. Each process keeps the jurisdiction for ``KOBAN_JURISDICTION_CACHE_SECONDS``; the services
that change station areas or the extent forget it at once in their own process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.db.models.functions import GeometryDistance
from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from koban.accounts.access import can_confirm_outside_jurisdiction
from koban.lib.geo import distance_m, to_metric, to_wgs84
from koban.organization.models import Agency, PoliceBox, PoliceStation


class Source:
    """Where a jurisdiction comes from."""

    EXTENT = "extent"
    STATIONS = "stations"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class Jurisdiction:
    """An agency's territory as a WGS84 shapely geometry, with a margin for tracks along its border."""

    agency_id: int
    source: str
    geom: BaseGeometry
    margin: BaseGeometry  # geom grown by KOBAN_TRACK_TOLERANCE_M

    @property
    def is_fallback(self) -> bool:
        return self.source == Source.FALLBACK

    def contains(self, lon: float, lat: float) -> bool:
        return bool(shapely.intersects_xy(self.geom, lon, lat))

    def outside_margin(self, coords: np.ndarray) -> np.ndarray:
        """Mask of the (lon, lat) rows that lie farther outside than the tolerance."""
        return ~shapely.intersects_xy(self.margin, coords[:, 0], coords[:, 1])


_cache: dict[int, tuple[float, Jurisdiction]] = {}


def forget_jurisdiction(agency_id: int | None = None) -> None:
    """Drop the cached jurisdiction of one agency (or of all) after its stations or extent changed."""
    if agency_id is None:
        _cache.clear()
    else:
        _cache.pop(agency_id, None)


def jurisdiction_of(agency: Agency, *, fresh: bool = False) -> Jurisdiction:
    """The agency's jurisdiction: its extent, else its stations' areas, else the fallback extent.

    *fresh* reads the database even when a cached copy exists (the beat check must not be stale).
    """
    cached = _cache.get(agency.pk)
    if not fresh and cached is not None and cached[0] > time.monotonic():
        return cached[1]
    found = _build(agency)
    _cache[agency.pk] = (time.monotonic() + settings.KOBAN_JURISDICTION_CACHE_SECONDS, found)
    return found


def _shapely(geom: GEOSGeometry) -> BaseGeometry:
    return shapely.from_wkb(bytes(geom.wkb))


def _build(agency: Agency) -> Jurisdiction:
    extent = Agency.objects.filter(pk=agency.pk).values_list("extent", flat=True).first()
    if extent is not None:
        source, geom = Source.EXTENT, _shapely(extent)
    else:
        areas = PoliceStation.objects.of_agency(agency).exclude(area=None).values_list("area", flat=True)
        shapes = [_shapely(a) for a in areas if a is not None]
        if shapes:
            source, geom = Source.STATIONS, shapely.union_all(shapes)
        else:
            source, geom = Source.FALLBACK, shapely.box(*settings.KOBAN_FALLBACK_EXTENT)
    shapely.prepare(geom)
    return Jurisdiction(agency.pk, source, geom, _grown(geom, settings.KOBAN_TRACK_TOLERANCE_M))


def _grown(geom: BaseGeometry, metres: float) -> BaseGeometry:
    """*geom* buffered by *metres*, computed in the UTM zone of its centre."""
    if metres <= 0 or geom.is_empty:
        return geom
    centre = geom.centroid
    (metric,) = to_metric([geom], centre.x, centre.y)
    (grown,) = to_wgs84([metric.buffer(metres)], centre.x, centre.y)
    shapely.prepare(grown)
    return grown


@dataclass(frozen=True)
class NearestPlace:
    name: str
    metres: float


def nearest_place(agency: Agency, lon: float, lat: float) -> NearestPlace | None:
    """The operating box of *agency* nearest to the point (else the nearest station), with the distance."""
    point = Point(lon, lat, srid=4326)
    box = (
        PoliceBox.objects.operating()
        .filter(station__agency=agency)
        .order_by(GeometryDistance("location", point))
        .only("name", "location")
        .first()
    )
    if box is not None:
        return NearestPlace(box.name, distance_m(lon, lat, box.location.x, box.location.y))
    station = (
        PoliceStation.objects.of_agency(agency)
        .exclude(location=None)
        .order_by(GeometryDistance("location", point))
        .only("name", "location")
        .first()
    )
    if station is not None and station.location is not None:
        return NearestPlace(station.name, distance_m(lon, lat, station.location.x, station.location.y))
    return None


def outside_message(agency: Agency, lon: float, lat: float) -> str:
    """Why the place is refused, naming the nearest box and what the user can do."""
    where = {"lat": lat, "lon": lon, "agency": agency.name}
    if jurisdiction_of(agency).is_fallback:
        text = (
            _(
                "The place (%(lat).5f, %(lon).5f) is outside the area %(agency)s can plausibly work in "
                "(the default extent: the agency has no station areas or configured extent yet)."
            )
            % where
        )
    else:
        text = _("The place (%(lat).5f, %(lon).5f) is outside the jurisdiction of %(agency)s.") % where
    near = nearest_place(agency, lon, lat)
    if near is not None:
        text += " " + _("The nearest is %(place)s, %(km).1f km away.") % {
            "place": near.name,
            "km": near.metres / 1000,
        }
    return text + " " + _("Check the coordinates, or confirm the place as outside the jurisdiction.")


def _allow_confirmation(actor: Any, field: str) -> None:
    """A system process run by an operator (a string actor) confirms by the operator's own flag."""
    if isinstance(actor, str) or can_confirm_outside_jurisdiction(actor):
        return
    raise ValidationError({field: _("You may not confirm places outside the jurisdiction.")})


def check_place(actor: Any, agency: Agency, point: Point, *, field: str, confirmed: bool = False) -> bool:
    """Refuse a point outside *agency*'s jurisdiction unless *actor* may and did confirm it.

    Returns True when the point lies outside and was confirmed (callers flag the record 管轄外),
    False when it lies inside. Raises ValidationError on *field* otherwise.
    """
    if jurisdiction_of(agency).contains(point.x, point.y):
        return False
    if not confirmed:
        raise ValidationError({field: outside_message(agency, point.x, point.y)})
    _allow_confirmation(actor, field)
    return True


def check_in_country(point: Point, *, field: str) -> None:
    """Refuse a point outside ``KOBAN_FALLBACK_EXTENT`` (the country), for places anywhere in it."""
    west, south, east, north = settings.KOBAN_FALLBACK_EXTENT
    if not (west <= point.x <= east and south <= point.y <= north):
        raise ValidationError(
            {
                field: _(
                    "The place (%(lat).5f, %(lon).5f) is outside the country this deployment serves; "
                    "check the coordinates."
                )
                % {"lat": point.y, "lon": point.x}
            }
        )


def check_track(
    actor: Any, agency: Agency, coords: np.ndarray, *, field: str, confirmed: bool = False
) -> bool:
    """Refuse a track with a vertex farther outside the jurisdiction than ``KOBAN_TRACK_TOLERANCE_M``.

    A patrol may walk a border street; a track in another city is a wrong file or a wrong box.
    Returns True when the track strays outside and that was confirmed.
    """
    coords = np.asarray(coords, dtype=float).reshape(-1, 2)
    if coords.size == 0:
        return False
    outside = jurisdiction_of(agency).outside_margin(coords)
    if not outside.any():
        return False
    if not confirmed:
        lon, lat = coords[int(np.argmax(outside))]
        raise ValidationError({field: outside_message(agency, float(lon), float(lat))})
    _allow_confirmation(actor, field)
    return True
