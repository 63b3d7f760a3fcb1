"""GeoJSON output that follows RFC 7946: WGS84 longitude/latitude, right-hand-rule rings, at most 7 decimals."""

from __future__ import annotations

from typing import Any

import shapely
from django.contrib.gis.geos import GEOSGeometry
from rest_framework_gis.fields import GeoJsonDict, GeometryField

# RFC 7946 §11.2: 7 decimal places are about 1 cm, more is noise.
PRECISION = 7


def rfc7946_geometry(geom: GEOSGeometry) -> dict[str, Any]:
    """Return a GeoJSON geometry dict with exterior rings counter-clockwise and holes clockwise."""
    shape = shapely.from_wkb(bytes(geom.wkb))
    if shape.geom_type in ("Polygon", "MultiPolygon", "GeometryCollection"):
        shape = shapely.orient_polygons(shape, exterior_cw=False)
    return shapely.geometry.mapping(shape)  # type: ignore[no-any-return]


class RFC7946GeometryField(GeometryField):
    """A drf-gis geometry field whose output is RFC 7946 GeoJSON (orientation and precision)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("precision", PRECISION)
        kwargs.setdefault("remove_duplicates", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> Any:
        if not isinstance(value, GEOSGeometry) or value.empty:
            return super().to_representation(value)
        mapping = rfc7946_geometry(value)
        geometries = mapping["geometries"] if mapping["type"] == "GeometryCollection" else [mapping]
        for geometry in geometries:
            coordinates = _lists(geometry["coordinates"])
            coordinates = self._recursive_round(coordinates, self.precision)
            if self.remove_dupes:
                coordinates = self._rm_redundant_points(coordinates, geometry["type"])
            geometry["coordinates"] = coordinates
        if mapping["type"] == "GeometryCollection":
            mapping["geometries"] = list(geometries)
        return GeoJsonDict(mapping)


def _lists(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_lists(v) for v in value]
    return value
