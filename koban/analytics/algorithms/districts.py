"""Districting: giving each small area (chome, census block) to the nearest police box.

Beats (受持区) are built from address areas: each area goes to the nearest box, optionally only
among the boxes of the same group (the police station whose jurisdiction holds the area), so that a
beat never crosses a station boundary. Distances are straight lines in a metric projection.
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

#: Returned for an area whose group has no box.
UNASSIGNED = -1


def nearest_box_per_area(
    area_xy: ArrayLike,
    box_xy: ArrayLike,
    area_group: ArrayLike | None = None,
    box_group: ArrayLike | None = None,
) -> NDArray[np.int64]:
    """Return, for each area, the index of the nearest box in the same group.

    Parameters
    ----------
    area_xy : array_like, shape (n, 2)
        Representative point of each area (a point inside it), in metres (projected x, y).
    box_xy : array_like, shape (m, 2)
        Location of each box, in the same projection.
    area_group : array_like of int, shape (n,), optional
        Group of each area, e.g. the index of the station whose jurisdiction contains it. A negative
        value means "no group": the area is left unassigned. When omitted (together with
        ``box_group``), every area may go to any box.
    box_group : array_like of int, shape (m,), optional
        Group of each box; required when ``area_group`` is given.

    Returns
    -------
    numpy.ndarray of int64, shape (n,)
        Index into ``box_xy`` of the chosen box, or ``UNASSIGNED`` (-1) when the area has no group
        or its group has no box. Equidistant boxes are decided by the k-d tree, the same way for
        the same input.

    Raises
    ------
    ValueError
        If the shapes disagree, a coordinate is not finite, or only one of the group arrays is given.

    Examples
    --------
    >>> nearest_box_per_area([[0, 0], [10, 0]], [[1, 0], [9, 0]]).tolist()
    [0, 1]
    >>> nearest_box_per_area([[0, 0], [10, 0]], [[1, 0], [9, 0]], [0, 0], [0, 1]).tolist()
    [0, 0]
    """
    areas = _points(area_xy, "area_xy")
    boxes = _points(box_xy, "box_xy")
    if (area_group is None) != (box_group is None):
        raise ValueError("area_group and box_group must be given together")
    if area_group is None or box_group is None:
        area_groups = np.zeros(len(areas), dtype=np.int64)
        box_groups = np.zeros(len(boxes), dtype=np.int64)
    else:
        area_groups = _groups(area_group, len(areas), "area_group")
        box_groups = _groups(box_group, len(boxes), "box_group")

    result = np.full(len(areas), UNASSIGNED, dtype=np.int64)
    for group in np.unique(area_groups[area_groups >= 0]):
        box_index = np.flatnonzero(box_groups == group)
        if box_index.size == 0:
            continue
        area_index = np.flatnonzero(area_groups == group)
        _, nearest = cKDTree(boxes[box_index]).query(areas[area_index], k=1)
        result[area_index] = box_index[np.asarray(nearest, dtype=np.int64)]
    return result


def drop_small_holes(geom: BaseGeometry, min_area: float) -> BaseGeometry:
    """Remove the holes smaller than *min_area* from a dissolved district, and make it valid.

    Where neighbouring areas do not quite meet (borders computed separately, rounding), their union
    keeps zero-width cracks as holes; a district has no such holes in reality.

    Parameters
    ----------
    geom : shapely geometry
        A polygon or multipolygon in a metric projection (parts of other types are dropped).
    min_area : float
        Holes with a smaller area, in square metres, are filled.

    Returns
    -------
    shapely geometry
        A valid polygon or multipolygon; empty if *geom* has no polygon part.
    """
    polygons = []
    for part in shapely.get_parts(shapely.make_valid(geom)):
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        holes = [ring for ring in part.interiors if shapely.Polygon(ring).area >= min_area]
        polygons.append(shapely.Polygon(part.exterior, holes))
    return shapely.make_valid(shapely.union_all(polygons)) if polygons else shapely.Polygon()


def _points(values: ArrayLike, name: str) -> NDArray[np.float64]:
    points = np.asarray(values, dtype=np.float64)
    if points.size == 0:
        return points.reshape(0, 2)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"{name} must have shape (n, 2), not {points.shape}")
    if not np.isfinite(points).all():
        raise ValueError(f"{name} has a coordinate that is not a finite number")
    return points


def _groups(values: ArrayLike, length: int, name: str) -> NDArray[np.int64]:
    groups = np.asarray(values)
    if groups.shape != (length,):
        raise ValueError(f"{name} must have shape ({length},), not {groups.shape}")
    if groups.size and not np.issubdtype(groups.dtype, np.integer):
        raise ValueError(f"{name} must hold whole numbers")
    return groups.astype(np.int64)
