"""Geometry helpers shared by every app: validation, metres, projections.

Storage is WGS84 (EPSG:4326). For distances and areas in metres use the geodesic helpers here; for
geometric work in metres (buffers, dissolves) project with ``metric_transformers`` to the UTM zone of
the data, which works anywhere in the world (deployments abroad included).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry.base import BaseGeometry

if TYPE_CHECKING:
    from django.contrib.gis.geos import Point

WGS84 = 4326
_GEOD = Geod(ellps="WGS84")


class GeometryError(ValueError):
    """A geometry or coordinate that cannot be accepted; the message says why."""


def check_lonlat(lon: float, lat: float) -> None:
    """Raise GeometryError unless (*lon*, *lat*) is a finite WGS84 coordinate.

    Every incoming coordinate passes here before it reaches GEOS: GEOS can crash the process on
    huge or non-finite coordinates.
    """
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise GeometryError(f"coordinate ({lon}, {lat}) is not a finite number")
    if not -180.0 <= lon <= 180.0:
        raise GeometryError(f"longitude {lon} is outside -180..180")
    if not -90.0 <= lat <= 90.0:
        raise GeometryError(f"latitude {lat} is outside -90..90")


def lonlat_problem(lon: object, lat: object) -> tuple[str, str] | None:
    """Why (*lon*, *lat*) is not a WGS84 coordinate, as ("lon" or "lat", translated message), or None.

    Accepts numbers or numeric text; the one rule every form, service and importer applies.
    """
    # Django is imported here, not at module level: pure algorithms import this module.
    from django.utils.translation import gettext as _

    checks = (
        ("lon", lon, 180.0, _("The longitude must be a number between -180 and 180.")),
        ("lat", lat, 90.0, _("The latitude must be a number between -90 and 90.")),
    )
    for name, value, limit, message in checks:
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return name, message
        if not (math.isfinite(number) and -limit <= number <= limit):
            return name, message
    return None


def point_from_lonlat(
    lon: object, lat: object, field: str | tuple[str, str] = "location", *, required: bool = False
) -> Point | None:
    """A checked WGS84 point from a longitude and latitude given by a person or a file.

    None when both are missing and the point is optional. Raises ``ValidationError`` on *field*
    (or on the lon or lat field of a ``(lon_field, lat_field)`` pair) with a translated message.
    """
    from django.contrib.gis.geos import Point
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    def blank(value: object) -> bool:
        return value is None or (isinstance(value, str) and not value.strip())

    names = (field, field) if isinstance(field, str) else field
    if blank(lon) and blank(lat):
        if not required:
            return None
        raise ValidationError({names[0]: _("Give the longitude and latitude.")})
    if blank(lon) or blank(lat):
        message = (
            _("Give both longitude and latitude.")
            if required
            else _("Give both longitude and latitude, or neither.")
        )
        raise ValidationError({names[0] if blank(lon) else names[1]: message})
    problem = lonlat_problem(lon, lat)
    if problem is not None:
        raise ValidationError({names[0] if problem[0] == "lon" else names[1]: problem[1]})
    return Point(float(lon), float(lat), srid=WGS84)  # type: ignore[arg-type]


def check_geometry_coordinates(geom: BaseGeometry) -> None:
    """Raise GeometryError unless every coordinate of a shapely geometry is valid WGS84 and 2D."""
    coords = shapely.get_coordinates(geom, include_z=False)
    if coords.size == 0:
        raise GeometryError("geometry is empty")
    import numpy as np

    if not np.isfinite(coords).all():
        raise GeometryError("geometry has a coordinate that is not a finite number")
    lon, lat = coords[:, 0], coords[:, 1]
    if (lon < -180).any() or (lon > 180).any():
        raise GeometryError("geometry has a longitude outside -180..180")
    if (lat < -90).any() or (lat > 90).any():
        raise GeometryError("geometry has a latitude outside -90..90")


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance in metres between two WGS84 points."""
    _, _, dist = _GEOD.inv(lon1, lat1, lon2, lat2)
    return float(dist)


def area_m2(geom: BaseGeometry) -> float:
    """Geodesic area in square metres of a WGS84 polygon or multipolygon."""
    area, _ = _GEOD.geometry_area_perimeter(geom)
    return abs(float(area))


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the UTM zone containing the point (WGS84 / UTM north or south)."""
    zone = int((lon + 180) // 6) % 60 + 1
    return (32600 if lat >= 0 else 32700) + zone


@lru_cache(maxsize=64)
def _transformers(epsg: int) -> tuple[Transformer, Transformer]:
    metric = CRS.from_epsg(epsg)
    to_metric = Transformer.from_crs(WGS84, metric, always_xy=True)
    to_wgs84 = Transformer.from_crs(metric, WGS84, always_xy=True)
    return to_metric, to_wgs84


def metric_transformers(lon: float, lat: float) -> tuple[Transformer, Transformer]:
    """Return (to_metric, to_wgs84) transformers for the UTM zone around (*lon*, *lat*)."""
    return _transformers(utm_epsg(lon, lat))


def to_metric(geoms: Iterable[BaseGeometry], lon: float, lat: float) -> list[BaseGeometry]:
    forward, _ = metric_transformers(lon, lat)
    return [shapely.transform(g, lambda xy: _apply(forward, xy)) for g in geoms]


def to_wgs84(geoms: Iterable[BaseGeometry], lon: float, lat: float) -> list[BaseGeometry]:
    _, backward = metric_transformers(lon, lat)
    return [shapely.transform(g, lambda xy: _apply(backward, xy)) for g in geoms]


def _apply(transformer: Transformer, xy):  # type: ignore[no-untyped-def]
    import numpy as np

    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])
