"""Answering "where is this point?": its beat, box, station and the nearest box."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.gis.geos import Point

from koban.geography.models import Beat
from koban.lib.geo import check_lonlat, distance_m
from koban.organization.models import PoliceBox

# Nearest-neighbour search by planar distance in degrees (the GiST "<->" operator) can rank two close
# candidates in the wrong order far from the equator; re-rank a few by geodesic distance.
_KNN_CANDIDATES = 8


@dataclass(frozen=True)
class Location:
    lon: float
    lat: float
    beat: Beat | None
    beat_box: PoliceBox | None
    beat_box_distance_m: float | None
    nearest_box: PoliceBox | None
    nearest_box_distance_m: float | None


def locate(lon: float, lat: float) -> Location:
    """Return the active beat containing the point, its box, and the nearest operating box."""
    check_lonlat(lon, lat)
    point = Point(lon, lat, srid=4326)
    beat = Beat.objects.current().containing(point).with_box().first()
    beat_box = beat.box if beat else None
    nearest, nearest_distance = nearest_box(lon, lat)
    return Location(
        lon=lon,
        lat=lat,
        beat=beat,
        beat_box=beat_box,
        beat_box_distance_m=(
            distance_m(lon, lat, beat_box.location.x, beat_box.location.y) if beat_box else None
        ),
        nearest_box=nearest,
        nearest_box_distance_m=nearest_distance,
    )


def nearest_box(lon: float, lat: float) -> tuple[PoliceBox | None, float | None]:
    """Return the operating box nearest to the point by geodesic distance, with that distance."""
    check_lonlat(lon, lat)
    candidates = list(
        PoliceBox.objects.operating().with_station().nearest(Point(lon, lat, srid=4326))[:_KNN_CANDIDATES]
    )
    if not candidates:
        return None, None
    distances = [distance_m(lon, lat, box.location.x, box.location.y) for box in candidates]
    best = min(range(len(candidates)), key=distances.__getitem__)
    return candidates[best], distances[best]
