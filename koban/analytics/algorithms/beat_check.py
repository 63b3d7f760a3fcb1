"""Checking a set of beats (受持区) against the territory they must tile.

A beat version is sound when no two beats overlap, the beats leave no gap inside the agency's
jurisdiction, and the people living in any gap are known, so that a planner can judge what a gap
costs. Geometries are WGS84 shapely polygons; areas are geodesic square metres.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry

from koban.lib.geo import area_m2

# Slivers smaller than this are rounding noise from simplified boundaries, not real overlaps or gaps.
MIN_REPORTED_AREA_M2 = 1.0


@dataclass(frozen=True)
class Overlap:
    """Beats ``first`` and ``second`` (indexes into the input) share ``area_m2`` around (lon, lat)."""

    first: int
    second: int
    area_m2: float
    lon: float
    lat: float
    geom: BaseGeometry


@dataclass(frozen=True)
class Gap:
    """A piece of the territory that no beat covers."""

    area_m2: float
    lon: float
    lat: float
    geom: BaseGeometry


@dataclass(frozen=True)
class PopulatedArea:
    """A statistical area with its counts (either may be unknown)."""

    geom: BaseGeometry
    population: int | None
    households: int | None


def polygons(geom: BaseGeometry) -> list[BaseGeometry]:
    """The non-empty polygons of any geometry (intersections also yield lines and points)."""
    return [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and not g.is_empty]


def find_overlaps(shapes: Sequence[BaseGeometry], min_area_m2: float = MIN_REPORTED_AREA_M2) -> list[Overlap]:
    """Every pair of shapes whose interiors overlap by at least *min_area_m2*, one entry per piece.

    >>> from shapely.geometry import box
    >>> [(o.first, o.second) for o in find_overlaps([box(0, 0, 0.01, 0.01), box(0.005, 0, 0.015, 0.01)])]
    [(0, 1)]
    >>> find_overlaps([box(0, 0, 0.01, 0.01), box(0.01, 0, 0.02, 0.01)])
    []
    """
    tree = shapely.STRtree(shapes)
    left, right = tree.query(shapes, predicate="intersects")
    found = []
    for i, j in sorted(zip(left.tolist(), right.tolist(), strict=True)):
        if i >= j:
            continue
        for part in polygons(shapely.intersection(shapes[i], shapes[j])):
            size = area_m2(part)
            if size >= min_area_m2:
                spot = part.representative_point()
                found.append(Overlap(i, j, size, spot.x, spot.y, part))
    return found


def find_gaps(
    territory: BaseGeometry, shapes: Sequence[BaseGeometry], min_area_m2: float = MIN_REPORTED_AREA_M2
) -> list[Gap]:
    """The pieces of *territory* that none of *shapes* covers, largest first.

    >>> from shapely.geometry import box
    >>> [round(g.lon, 3) for g in find_gaps(box(0, 0, 0.02, 0.01), [box(0, 0, 0.01, 0.01)])]
    [0.015]
    """
    covered = shapely.union_all(list(shapes)) if shapes else shapely.Polygon()
    gaps = []
    for part in polygons(shapely.difference(territory, covered)):
        size = area_m2(part)
        if size >= min_area_m2:
            spot = part.representative_point()
            gaps.append(Gap(size, spot.x, spot.y, part))
    return sorted(gaps, key=lambda g: -g.area_m2)


def people_in(geom: BaseGeometry, areas: Sequence[PopulatedArea]) -> tuple[int | None, int | None]:
    """Population and households inside *geom*, shared out of *areas* by the part of each it covers.

    Areal weighting assumes people are spread evenly over each area: good enough to rank gaps, not
    a census. A count is None when no area overlapping *geom* knows it.

    >>> from shapely.geometry import box
    >>> people_in(box(0, 0, 0.005, 0.01), [PopulatedArea(box(0, 0, 0.01, 0.01), 1000, None)])
    (500, None)
    """
    population = households = 0.0
    knows_population = knows_households = False
    for area in areas:
        if not area.geom.intersects(geom):
            continue
        whole = area_m2(area.geom)
        if whole <= 0:
            continue
        share = sum(area_m2(p) for p in polygons(shapely.intersection(area.geom, geom))) / whole
        if area.population is not None:
            population += area.population * share
            knows_population = True
        if area.households is not None:
            households += area.households * share
            knows_households = True
    return (
        round(population) if knows_population else None,
        round(households) if knows_households else None,
    )
