"""Bulk point-in-polygon: which beat (of thousands) contains each of millions of points.

Every import of households, incidents and calls assigns its points to beats, and a redistricting
re-assigns all of them, so this runs on tens of millions of points at a time. A spatial index that
tests each point against candidate polygons (an STRtree) spends microseconds per point; most points
are far from any boundary, and for those the answer does not need a geometric test at all.

:class:`PolygonIndex` lays a grid over the polygons. A cell that no polygon boundary passes through
lies wholly inside one polygon (or none), so it is labelled once at build time and points in it are
answered by an array lookup. Boundary cells where the polygons are small are refined into sub-grids
(a sparse hierarchy, like a quadtree with a larger branching factor) so that dense city beats get
small cells and rural beats big ones; only points in the remaining boundary cells get an exact test,
against the few polygons that may contain a point of their cell. The build is in :mod:`.pip_build`.

Points on a boundary follow one rule everywhere: a point belongs to the lowest-index polygon that
*intersects* it (boundary included); a point in no polygon gets -1, and so do NaN coordinates.
:func:`assign_exact` applies that rule directly and is the reference the index is tested against.

Why the cell labels are exact, not approximate: the build marks every cell that a boundary segment
may touch, computing cell numbers with the same floating-point formula as the query and with a
margin far above rounding error. A point's cell is found by a monotone formula, so the points that
map to one cell form a rectangle and the points mapping to a 4-connected group of unmarked cells form
a connected region without boundary points: every such region lies inside the same polygons
throughout, and one exact test of one point in it labels it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from koban.analytics.algorithms.pip_build import (
    BLOCK,
    OUTSIDE,
    Builder,
    Built,
    Grid,
    first_hits,
    intersects,
)

__all__ = ["PolygonIndex", "assign_exact"]


def _as_polygon_array(polygons: Sequence[object]) -> NDArray[np.object_]:
    geoms = np.empty(len(polygons), dtype=object)
    for i, geom in enumerate(polygons):
        if not isinstance(geom, shapely.Polygon | shapely.MultiPolygon):
            raise TypeError(f"polygons[{i}] is a {type(geom).__name__}, not a Polygon or MultiPolygon")
        geoms[i] = geom
    return geoms


def _as_coordinates(x: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    xs = np.ascontiguousarray(x, dtype=np.float64).reshape(-1)
    ys = np.ascontiguousarray(y, dtype=np.float64).reshape(-1)
    if xs.shape != ys.shape:
        raise ValueError(f"x and y differ in length ({xs.size} and {ys.size})")
    return xs, ys


def assign_exact(polygons: Sequence[object], x: ArrayLike, y: ArrayLike) -> NDArray[np.int64]:
    """Assign points to polygons by testing each point against every polygon whose bounding box holds it.

    The reference for :class:`PolygonIndex`: slow and obvious. A point gets the lowest index among the
    polygons that intersect it (so a point on an edge shared by polygons 3 and 7 gets 3), or -1.

    Parameters
    ----------
    polygons : sequence of shapely Polygon or MultiPolygon
    x, y : array_like of float
        Point coordinates in the polygons' coordinate system; NaN gives -1.

    Returns
    -------
    numpy.ndarray of int64
        Per point, the index of its polygon in *polygons*, or -1.

    Examples
    --------
    >>> from shapely import box
    >>> assign_exact([box(0, 0, 1, 1), box(1, 0, 2, 1)], [0.5, 1.0, 5.0], [0.5, 0.5, 0.5]).tolist()
    [0, 0, -1]
    """
    geoms = _as_polygon_array(polygons)
    xs, ys = _as_coordinates(x, y)
    valid = np.flatnonzero(np.isfinite(xs) & np.isfinite(ys))
    out = np.full(xs.size, OUTSIDE, dtype=np.int64)
    if valid.size == 0 or geoms.size == 0:
        return out
    # Deliberately shares no code with the index: bounding boxes from an STRtree, then GEOS's
    # intersects (boundary included) for each candidate, and the lowest index that hit.
    point, candidate = shapely.STRtree(geoms).query(shapely.points(xs[valid], ys[valid]))
    hit = shapely.intersects_xy(geoms[candidate], xs[valid][point], ys[valid][point])
    lowest = np.full(valid.size, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(lowest, point[hit], candidate[hit].astype(np.int64))
    out[valid] = np.where(lowest == np.iinfo(np.int64).max, OUTSIDE, lowest)
    return out


class PolygonIndex:
    """Assigns points to the polygon containing them, for millions of points at a time.

    Build once with :meth:`from_polygons`, then call :meth:`assign` as often as needed. Results are
    identical to :func:`assign_exact`: the lowest-index polygon that intersects the point (so points on
    shared edges and vertices go to the lower index), -1 for points in no polygon and for NaN.

    Examples
    --------
    >>> from shapely import box
    >>> index = PolygonIndex.from_polygons([box(0, 0, 1, 1), box(1, 0, 2, 1)])
    >>> index.assign([0.25, 1.5, 1.0, 3.0, float("nan")], [0.5, 0.5, 0.5, 0.5, 0.5]).tolist()
    [0, 1, 0, -1, -1]
    """

    def __init__(self, geoms: NDArray[np.object_], built: Built | None) -> None:
        self._geoms = geoms
        self._built = built

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_polygons(
        cls,
        polygons: Sequence[object],
        cell_size: float | None = None,
        *,
        detail: float = 32.0,
        branching: int = 4,
        max_levels: int = 6,
    ) -> PolygonIndex:
        """Build the index.

        Parameters
        ----------
        polygons : sequence of shapely Polygon or MultiPolygon
            Holes and multi-part polygons are supported; overlaps are allowed (lowest index wins).
            The geometries are prepared in place (a cache GEOS keeps; they do not change).
        cell_size : float, optional
            Size of the root grid's cells in coordinate units. By default about 64 root cells per
            polygon over the polygons' extent.
        detail : float
            Boundary cells are refined until they are smaller than the polygon part they border
            (√area) divided by *detail*; higher means fewer exact tests and more memory.
        branching : int
            Each refined cell becomes ``branching × branching`` cells; a power of two.
        max_levels : int
            Most refinement levels below the root grid.

        Returns
        -------
        PolygonIndex
        """
        if branching < 2 or branching & (branching - 1):
            raise ValueError("branching must be a power of two, at least 2")
        geoms = _as_polygon_array(polygons)
        shapely.prepare(geoms)
        nonempty = ~shapely.is_empty(geoms)
        if not nonempty.any():
            return cls(geoms, None)
        return cls(geoms, Builder(geoms, cell_size, detail, branching, max_levels).build())

    # -- keeping a built index ------------------------------------------------------------------

    #: Bumped when the layout of the saved arrays or the meaning of the cell codes changes.
    FILE_VERSION = 1

    def save(self, path: Path | str) -> None:
        """Write the index and its polygons (as WKB) to *path*, an uncompressed ``.npz`` file.

        Building takes seconds for thousands of polygons; loading the saved arrays takes a fraction
        of that, so a fresh process answers its first points without rebuilding. The file is written
        beside *path* and renamed into place, so a reader never sees half of it.
        """
        path = Path(path)
        wkb = shapely.to_wkb(self._geoms)
        sizes = np.fromiter((len(item) for item in wkb), dtype=np.int64, count=wkb.size)
        arrays: dict[str, Any] = {
            "file_version": np.array([self.FILE_VERSION], dtype=np.int64),
            "wkb": np.frombuffer(b"".join(wkb.tolist()), dtype=np.uint8),
            "wkb_end": np.cumsum(sizes),
        }
        built = self._built
        if built is not None:
            grid = built.grid
            arrays |= {
                "grid": np.array([grid.x0, grid.y0, grid.scale], dtype=np.float64),
                "grid_shape": np.array([grid.bits, grid.levels, *built.root_shape], dtype=np.int64),
                "root": built.root,
                "blocks": built.blocks,
                "leaf_start": built.leaf_start,
                "leaf_candidates": built.leaf_candidates,
            }
        partial = path.with_name(f".{path.name}.{id(self)}.partial")
        with partial.open("wb") as handle:
            np.savez(handle, **arrays)
        partial.replace(path)

    @classmethod
    def load(cls, path: Path | str) -> PolygonIndex:
        """Read an index written by :meth:`save`; raises ``ValueError`` for a file of another layout."""
        with np.load(Path(path), allow_pickle=False) as data:
            if "file_version" not in data or int(data["file_version"][0]) != cls.FILE_VERSION:
                raise ValueError(f"{path} is not a polygon index of version {cls.FILE_VERSION}")
            blob, ends = data["wkb"].tobytes(), data["wkb_end"]
            starts = np.concatenate(([0], ends[:-1])) if ends.size else ends
            wkb = np.array(
                [blob[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)], dtype=object
            )
            geoms = shapely.from_wkb(wkb) if wkb.size else np.empty(0, dtype=object)
            shapely.prepare(geoms)
            if "grid" not in data:
                return cls(geoms, None)
            x0, y0, scale = (float(v) for v in data["grid"])
            bits, levels, nx0, ny0 = (int(v) for v in data["grid_shape"])
            built = Built(
                Grid(x0, y0, scale, bits, levels),
                data["root"],
                (nx0, ny0),
                data["blocks"],
                data["leaf_start"],
                data["leaf_candidates"],
            )
        return cls(geoms, built)

    # -- queries ------------------------------------------------------------------------------

    @property
    def polygon_count(self) -> int:
        return int(self._geoms.size)

    def stats(self) -> dict[str, int]:
        """Sizes of the index: root cells, refinement levels and blocks, exact-test cells, bytes."""
        built = self._built
        if built is None:
            return {"root_cells": 0, "levels": 0, "blocks": 0, "leaf_cells": 0, "bytes": 0}
        arrays = (built.root, built.blocks, built.leaf_start, built.leaf_candidates)
        return {
            "root_cells": int(built.root.size),
            "levels": built.grid.levels,
            "blocks": int(built.blocks.size >> (2 * built.grid.bits)),
            "leaf_cells": int(built.leaf_start.size - 1),
            "bytes": int(sum(array.nbytes for array in arrays)),
        }

    def assign(self, x: ArrayLike, y: ArrayLike, chunk_size: int = 1 << 18) -> NDArray[np.int64]:
        """Index of the polygon containing each point, or -1 (none, or NaN coordinates).

        Parameters
        ----------
        x, y : array_like of float
            Point coordinates in the polygons' coordinate system.
        chunk_size : int
            Points processed at once; bounds the temporary memory.

        Returns
        -------
        numpy.ndarray of int64
        """
        xs, ys = _as_coordinates(x, y)
        out = np.full(xs.size, OUTSIDE, dtype=np.int64)
        if self._built is None:
            return out
        for start in range(0, xs.size, chunk_size):
            stop = start + chunk_size
            out[start:stop] = self._assign_chunk(xs[start:stop], ys[start:stop])
        return out

    def _assign_chunk(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.int64]:
        built = self._built
        if built is None:
            raise RuntimeError("an index without polygons has no cells")
        grid, (nx0, ny0) = built.grid, built.root_shape
        fx = (x - grid.x0) * grid.scale
        fy = (y - grid.y0) * grid.scale
        shift = grid.bits * grid.levels
        # NaN and ±inf fail these comparisons, so they fall outside with points beyond the extent.
        inside = (fx >= 0) & (fx < float(nx0 << shift)) & (fy >= 0) & (fy < float(ny0 << shift))
        out = np.full(x.size, OUTSIDE, dtype=np.int64)
        where = np.flatnonzero(inside)
        u = fx[where].astype(np.int64)  # truncation is floor here: the values are non-negative
        v = fy[where].astype(np.int64)
        code = built.root[(v >> shift) * nx0 + (u >> shift)]
        mask = (1 << grid.bits) - 1
        for level in range(1, grid.levels + 1):
            sub = np.flatnonzero(code <= BLOCK)
            if sub.size == 0:
                break
            level_shift = grid.bits * (grid.levels - level)
            local = (((v[sub] >> level_shift) & mask) << grid.bits) | ((u[sub] >> level_shift) & mask)
            block = BLOCK - code[sub].astype(np.int64)
            code[sub] = built.blocks[(block << (2 * grid.bits)) | local]
        result = code.astype(np.int64)
        leaf = np.flatnonzero(code <= -2)
        if leaf.size:
            result[leaf] = self._exact(x[where[leaf]], y[where[leaf]], -2 - result[leaf], built)
        out[where] = result
        return out

    def _exact(
        self, x: NDArray[np.float64], y: NDArray[np.float64], leaf: NDArray[np.int64], built: Built
    ) -> NDArray[np.int64]:
        """Exact answer for points in boundary cells, against the candidates listed for their cell."""
        first = built.leaf_start[leaf]
        count = built.leaf_start[leaf + 1] - first
        point = np.repeat(np.arange(leaf.size, dtype=np.int64), count)
        offset = np.arange(point.size, dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
        candidate = built.leaf_candidates[np.repeat(first, count) + offset]
        hit = intersects(self._geoms, candidate, x[point], y[point])
        return first_hits(point, candidate, hit, leaf.size)
