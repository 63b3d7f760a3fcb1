"""Patrol tracks: stop detection, length, and coverage of streets or grid cells.

All geometry here is in a metric CRS (metres); callers project WGS84 data first (``koban.lib.geo``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, Polygon, box
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class StopSpan:
    """A stay on a track: points ``first``..``last`` (inclusive) within the radius of the first one."""

    first: int
    last: int
    x: float
    y: float
    arrived_s: float
    left_s: float

    @property
    def dwell_s(self) -> float:
        return self.left_s - self.arrived_s


def detect_stops(
    xy: np.ndarray, t: np.ndarray, *, radius_m: float = 30.0, min_dwell_s: float = 180.0
) -> list[StopSpan]:
    """Find where a track stayed within *radius_m* of one point for at least *min_dwell_s* seconds.

    Parameters
    ----------
    xy : (n, 2) array of metric coordinates, in time order.
    t : (n,) array of times in seconds, non-decreasing.
    radius_m, min_dwell_s : the stay-point thresholds (Li et al., 2008).

    Returns
    -------
    list of StopSpan, in time order, not overlapping; the stop's position is the mean of its points.
    """
    xy = np.asarray(xy, dtype=float)
    t = np.asarray(t, dtype=float)
    n = len(xy)
    if n != len(t):
        raise ValueError("xy and t must have the same length")
    stops: list[StopSpan] = []
    i = 0
    while i < n:
        j = i + 1
        while j < n and np.hypot(*(xy[j] - xy[i])) <= radius_m:
            j += 1
        if t[j - 1] - t[i] >= min_dwell_s:
            centre = xy[i:j].mean(axis=0)
            stops.append(StopSpan(i, j - 1, float(centre[0]), float(centre[1]), float(t[i]), float(t[j - 1])))
            i = j
        else:
            i += 1
    return stops


def path_length(xy: np.ndarray) -> float:
    """Length in metres of a polyline given as an (n, 2) metric array."""
    xy = np.asarray(xy, dtype=float)
    if len(xy) < 2:
        return 0.0
    return float(np.hypot(*np.diff(xy, axis=0).T).sum())


def max_speed(xy: np.ndarray, t: np.ndarray) -> float:
    """Highest speed (m/s) between consecutive points; 0 for fewer than two points or no elapsed time."""
    xy, t = np.asarray(xy, dtype=float), np.asarray(t, dtype=float)
    if len(xy) < 2:
        return 0.0
    step = np.hypot(*np.diff(xy, axis=0).T)
    dt = np.diff(t)
    moving = dt > 0
    if not moving.any():
        return 0.0
    return float((step[moving] / dt[moving]).max())


def covered_fraction(
    segments: Sequence[LineString], routes: Sequence[BaseGeometry], *, buffer_m: float = 25.0
) -> np.ndarray:
    """Fraction of each segment's length that lies within *buffer_m* of any route.

    A street counts as patrolled when a route ran along a good part of it, not when a route only
    crossed it: callers compare the fraction with a threshold (e.g. 0.5).
    """
    if not segments:
        return np.zeros(0)
    lengths = shapely.length(np.asarray(segments, dtype=object))
    if not routes:
        return np.zeros(len(segments))
    corridor = shapely.union_all([shapely.buffer(r, buffer_m, cap_style="flat") for r in routes])
    shapely.prepare(corridor)
    inside = shapely.length(shapely.intersection(np.asarray(segments, dtype=object), corridor))
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(lengths > 0, inside / lengths, 0.0)
    return np.clip(fraction, 0.0, 1.0)


def grid_cells(area: BaseGeometry, cell_m: float) -> list[Polygon]:
    """Square cells of *cell_m* metres covering *area*, clipped to it (empty pieces dropped)."""
    if cell_m <= 0:
        raise ValueError("cell size must be positive")
    minx, miny, maxx, maxy = area.bounds
    nx = max(1, int(np.ceil((maxx - minx) / cell_m)))
    ny = max(1, int(np.ceil((maxy - miny) / cell_m)))
    if nx * ny > 250_000:
        raise ValueError(f"{nx * ny} cells of {cell_m} m are too many; use larger cells")
    squares = [
        box(minx + i * cell_m, miny + j * cell_m, minx + (i + 1) * cell_m, miny + (j + 1) * cell_m)
        for j in range(ny)
        for i in range(nx)
    ]
    clipped = shapely.intersection(np.asarray(squares, dtype=object), area)
    return [
        c for c in clipped if not c.is_empty and c.area > 0 and c.geom_type in ("Polygon", "MultiPolygon")
    ]


def cells_visited(
    cells: Sequence[BaseGeometry], routes: Sequence[BaseGeometry], *, buffer_m: float = 25.0
) -> np.ndarray:
    """Boolean per cell: does any route pass within *buffer_m* of it."""
    if not cells:
        return np.zeros(0, dtype=bool)
    if not routes:
        return np.zeros(len(cells), dtype=bool)
    corridor = shapely.union_all([shapely.buffer(r, buffer_m) for r in routes])
    shapely.prepare(corridor)
    return np.asarray(shapely.intersects(corridor, np.asarray(cells, dtype=object)), dtype=bool)


def as_lines(geom: BaseGeometry) -> list[LineString]:
    """The LineStrings of a LineString or MultiLineString."""
    if isinstance(geom, MultiLineString):
        return list(geom.geoms)
    if isinstance(geom, LineString):
        return [geom]
    raise TypeError(f"expected a line, got {geom.geom_type}")
