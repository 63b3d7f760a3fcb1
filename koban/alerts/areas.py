"""CAP 1.2 area geometry: ``<polygon>`` and ``<circle>`` texts to and from WGS84 geometries.

CAP writes coordinates latitude first ("lat,lon lat,lon ..."), polygons closed with at least 4 pairs and
circles as "lat,lon radius" with the radius in kilometres. Every coordinate is checked before it reaches
GEOS (see ``koban.lib.geo``); errors name the polygon or circle and what is wrong with it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.utils.translation import gettext as _
from shapely.geometry import Polygon, shape
from shapely.geometry.base import BaseGeometry

from koban.lib.geo import GeometryError, area_m2, check_geometry_coordinates, to_metric, to_wgs84

MAX_POINTS = 5000
MAX_RADIUS_KM = 1000.0


class AreaError(ValueError):
    """An area that cannot be used, with a message naming the polygon or circle."""


def _pair(text: str, where: str) -> tuple[float, float]:
    parts = text.split(",")
    if len(parts) != 2:
        raise AreaError(
            _("%(where)s: “%(pair)s” is not a “latitude,longitude” pair.")
            % {"where": where, "pair": text[:40]}
        )
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise AreaError(
            _("%(where)s: “%(pair)s” is not a pair of numbers.") % {"where": where, "pair": text[:40]}
        ) from None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise AreaError(
            _("%(where)s: “%(pair)s” is outside the range of latitudes and longitudes.")
            % {"where": where, "pair": text[:40]}
        )
    return lon, lat


def parse_polygon(text: str, number: int = 1) -> Polygon:
    """A CAP polygon text as a valid shapely polygon (lon, lat)."""
    where = _("Polygon %(n)s") % {"n": number}
    pairs = text.split()
    if len(pairs) > MAX_POINTS:
        raise AreaError(_("%(where)s has more than %(max)s points.") % {"where": where, "max": MAX_POINTS})
    coords = [_pair(pair, where) for pair in pairs]
    if len(coords) < 4:
        raise AreaError(
            _("%(where)s needs at least 4 points (the first repeated at the end).") % {"where": where}
        )
    if coords[0] != coords[-1]:
        raise AreaError(
            _("%(where)s is not closed: its last point must repeat the first.") % {"where": where}
        )
    polygon = Polygon(coords)
    if not polygon.is_valid or polygon.area == 0:
        raise AreaError(_("%(where)s crosses itself or has no area.") % {"where": where})
    return polygon


def parse_circle(text: str, number: int = 1) -> Polygon:
    """A CAP circle text ("lat,lon radius_km") as a polygon approximating it."""
    where = _("Circle %(n)s") % {"n": number}
    parts = text.split()
    if len(parts) != 2:
        raise AreaError(_("%(where)s must be “latitude,longitude radius”.") % {"where": where})
    lon, lat = _pair(parts[0], where)
    try:
        radius = float(parts[1])
    except ValueError:
        raise AreaError(_("%(where)s: the radius is not a number.") % {"where": where}) from None
    if not (math.isfinite(radius) and 0 < radius <= MAX_RADIUS_KM):
        raise AreaError(
            _("%(where)s: the radius must be more than 0 and at most %(max)s km.")
            % {"where": where, "max": int(MAX_RADIUS_KM)}
        )
    (centre,) = to_metric([shapely.Point(lon, lat)], lon, lat)
    (circle,) = to_wgs84([centre.buffer(radius * 1000, quad_segs=16)], lon, lat)
    return circle


def polygon_text(polygon: Polygon) -> str:
    """A polygon's exterior ring as CAP text (lat,lon pairs, 6 decimals)."""
    ring = polygon.exterior.coords
    return " ".join(f"{lat:.6f},{lon:.6f}" for lon, lat in ring)


def polygons_from_geojson(value: Any) -> list[Polygon]:
    """Polygons drawn on a map (a GeoJSON geometry, feature or feature collection), checked."""
    if isinstance(value, dict) and value.get("type") == "FeatureCollection":
        geoms = [f.get("geometry") for f in value.get("features") or [] if isinstance(f, dict)]
    elif isinstance(value, dict) and value.get("type") == "Feature":
        geoms = [value.get("geometry")]
    else:
        geoms = [value]
    out: list[Polygon] = []
    for geom in geoms:
        try:
            parsed = shape(geom)
            check_geometry_coordinates(parsed)
        except (GeometryError, ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
            raise AreaError(_("The drawn area is not a valid polygon.")) from exc
        parts = list(parsed.geoms) if parsed.geom_type == "MultiPolygon" else [parsed]
        for part in parts:
            if part.geom_type != "Polygon" or not part.is_valid or part.area == 0:
                raise AreaError(
                    _("The drawn area is not a valid polygon (it crosses itself or has no area).")
                )
            out.append(Polygon(part.exterior.coords))
    if not out:
        raise AreaError(_("Draw at least one area on the map."))
    return out


def as_multipolygon(geoms: Iterable[BaseGeometry]) -> MultiPolygon:
    """The union of *geoms* as a GEOS MultiPolygon in SRID 4326 (what the models store)."""
    union = shapely.union_all(list(geoms))
    if union.geom_type == "Polygon":
        union = shapely.MultiPolygon([union])
    if union.geom_type != "MultiPolygon":
        raise AreaError(_("The area is not made of polygons."))
    geos = GEOSGeometry(union.wkb_hex, srid=4326)
    assert isinstance(geos, MultiPolygon)  # noqa: S101 - checked above
    return geos


def km2(geom: BaseGeometry) -> float:
    return area_m2(geom) / 1_000_000
