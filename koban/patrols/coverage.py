"""Which streets of a beat were patrolled in a week, and which were not.

A road segment counts as patrolled when routes ran within ``BUFFER_M`` metres along at least
``MIN_FRACTION`` of its length inside the beat (crossing a street is not patrolling it). A beat with
no road segments is covered by a grid of ``CELL_M``-metre cells instead, a cell counting as visited
when a route passed through it. Geometry is done in the UTM zone of the beat (``koban.lib.geo``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.utils import timezone

from koban.analytics.algorithms.tracks import cells_visited, covered_fraction, grid_cells
from koban.geography.models import Beat, RoadSegment
from koban.lib.geo import to_metric, to_wgs84
from koban.patrols.models import Patrol

BUFFER_M = 25.0
MIN_FRACTION = 0.5
CELL_M = 100.0


@dataclass
class Coverage:
    """The result for one beat and one week, with GeoJSON features ready for the map."""

    beat: Beat
    start: datetime.datetime
    end: datetime.datetime
    mode: str  # "segments" or "grid"
    total: float = 0.0  # metres of street, or square metres of grid
    covered: float = 0.0
    patrol_count: int = 0
    features: list[dict[str, Any]] = field(default_factory=list)
    uncovered_names: list[str] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return round(100.0 * self.covered / self.total, 1) if self.total else 0.0

    def geojson(self) -> dict[str, Any]:
        return {"type": "FeatureCollection", "features": self.features}


def week_of(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Monday 00:00 to the next Monday 00:00 (local time) of the week containing *day*."""
    monday = day - datetime.timedelta(days=day.weekday())
    start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min))
    return start, start + datetime.timedelta(days=7)


def _shape(geom: GEOSGeometry) -> Any:
    return shapely.from_wkb(bytes(geom.wkb))


def beat_coverage(beat: Beat, day: datetime.date) -> Coverage:
    """Coverage of *beat* by every patrol (of any box) in the week containing *day*."""
    start, end = week_of(day)
    result = Coverage(beat=beat, start=start, end=end, mode="segments")
    area = _shape(beat.geom)
    centre = area.centroid
    lon, lat = centre.x, centre.y
    [area_m] = to_metric([area], lon, lat)
    patrols = list(Patrol.objects.between(start, end).filter(route__intersects=beat.geom))
    result.patrol_count = len(patrols)
    routes_m = to_metric([_shape(p.route) for p in patrols], lon, lat)
    segments = list(RoadSegment.objects.filter(geom__intersects=beat.geom).order_by("id"))
    if segments:
        _segment_coverage(result, segments, area_m, routes_m, lon, lat)
    else:
        result.mode = "grid"
        _grid_coverage(result, area_m, routes_m, lon, lat)
    return result


def _segment_coverage(
    result: Coverage, segments: list[RoadSegment], area_m: Any, routes_m: list[Any], lon: float, lat: float
) -> None:
    clipped = [
        shapely.intersection(g, area_m) for g in to_metric([_shape(s.geom) for s in segments], lon, lat)
    ]
    keep = [(s, g) for s, g in zip(segments, clipped, strict=True) if g.length > 0]
    lines = [_longest_lines(g) for _, g in keep]
    fractions = covered_fraction(lines, routes_m, buffer_m=BUFFER_M)
    for (segment, geom_m), line, fraction in zip(keep, lines, fractions, strict=True):
        is_covered = bool(fraction >= MIN_FRACTION)
        result.total += geom_m.length
        if is_covered:
            result.covered += geom_m.length
        elif segment.name and segment.name not in result.uncovered_names:
            result.uncovered_names.append(segment.name)
        [wgs] = to_wgs84([line], lon, lat)
        result.features.append(
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(wgs),
                "properties": {
                    "id": segment.pk,
                    "name": segment.name,
                    "kind": segment.kind,
                    "length_m": round(geom_m.length, 1),
                    "fraction": round(float(fraction), 3),
                    "covered": is_covered,
                },
            }
        )


def _longest_lines(geom: Any) -> Any:
    """Clipping may leave points or collections; keep only the line parts."""
    if geom.geom_type in ("LineString", "MultiLineString"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type == "LineString"]
    return shapely.MultiLineString(parts) if parts else shapely.LineString()


def _grid_coverage(result: Coverage, area_m: Any, routes_m: list[Any], lon: float, lat: float) -> None:
    cells = grid_cells(area_m, CELL_M)
    visited = cells_visited(cells, routes_m, buffer_m=BUFFER_M)
    for index, (cell, hit) in enumerate(zip(cells, visited, strict=True)):
        result.total += cell.area
        if hit:
            result.covered += cell.area
        [wgs] = to_wgs84([cell], lon, lat)
        result.features.append(
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(wgs),
                "properties": {"id": index, "area_m2": round(cell.area, 1), "covered": bool(hit)},
            }
        )
