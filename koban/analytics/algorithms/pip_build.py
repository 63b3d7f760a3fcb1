"""Building the hierarchical cell grid behind :class:`~.point_in_polygon.PolygonIndex`.

The build goes level by level, from the root grid down:

1. mark every cell that a boundary segment may touch (conservatively: segments are cut into pieces of
   at most half a cell and each piece marks every cell whose box, enlarged by a small margin, it meets);
   below the root only the parts of segments inside refined parent cells are cut, so a long rural
   edge is not cut into millions of pieces because one end is near a city;
2. label the 4-connected regions of unmarked cells, each with one exact test of one of its cells;
3. for each marked cell, decide: refine it into ``b × b`` cells of the next level (where its polygons
   are small for the cell) or keep it as a leaf whose points get an exact test at query time.

Each marked cell also gets its *context*: every polygon that may contain a point of it. That is the
polygons whose boundary marks it, plus those covering it whole, which can only be polygons in the
context of its parent (tested at the cell's centre). Leaves keep their context as the candidates of
the exact test; region labels are found among the parent's context. Only the root level queries an
STRtree.

All cell numbers come from ``floor((x - x0) * scale)`` with the scale of a level equal to the finest
scale divided by a power of two, exactly as the query computes them, so build and query agree on
which cell a point is in, and cells nest exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy import ndimage

# Cell codes, in the root grid and in refinement blocks:
#   code >= 0            the cell lies inside polygon `code` (and in no lower-index polygon)
#   code == -1           the cell lies in no polygon
#   BLOCK < code <= -2   boundary cell answered by an exact test, leaf number -2 - code
#   code <= BLOCK        boundary cell refined into block number BLOCK - code
OUTSIDE = -1
BLOCK = -(1 << 30)
_UNSET = np.iinfo(np.int64).max

# Margin (in cells of the level being marked) added around every cell when testing whether a
# boundary piece touches it. Rounding error of the cell formula is below 1e-8 cells here.
_MARGIN = 1e-6
# Margin (in child cells) added around a refined parent when clipping segments to it.
_CLIP_MARGIN = 0.01
# Boundary pieces span at most half a cell in x and in y.
_PIECE = 0.5
# Largest grid coordinate at the finest level; keeps cell keys and float cell coordinates exact.
MAX_FINE = 1 << 26
# Pieces processed at once while marking (bounds memory).
_PIECE_BATCH = 1 << 21


@dataclass(frozen=True)
class Grid:
    """The cell formula shared by build and query: ``floor((x - x0) * scale)`` at the finest level."""

    x0: float
    y0: float
    scale: float
    bits: int
    levels: int

    def level_scale(self, level: int) -> float:
        return self.scale / float(1 << (self.bits * (self.levels - level)))

    def cell_centre(
        self, u: NDArray[np.int64], v: NDArray[np.int64], level: int
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        s = self.level_scale(level)
        cx = np.asarray(self.x0 + (u + 0.5) / s, dtype=np.float64)
        cy = np.asarray(self.y0 + (v + 0.5) / s, dtype=np.float64)
        return cx, cy

    def cells(
        self, x: NDArray[np.float64], y: NDArray[np.float64], level: int
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        s = self.level_scale(level)
        return np.floor((x - self.x0) * s).astype(np.int64), np.floor((y - self.y0) * s).astype(np.int64)


@dataclass
class Built:
    """The arrays a :class:`PolygonIndex` answers from."""

    grid: Grid
    root: NDArray[np.int32]
    root_shape: tuple[int, int]
    blocks: NDArray[np.int32]
    leaf_start: NDArray[np.int64]
    leaf_candidates: NDArray[np.int64]


@dataclass
class _Csr:
    """Rows of sorted polygon numbers: row i is ``values[start[i]:start[i + 1]]``."""

    start: NDArray[np.int64]
    values: NDArray[np.int64]

    @classmethod
    def from_pairs(cls, rows: NDArray[np.int64], values: NDArray[np.int64], n_rows: int, width: int) -> _Csr:
        combined = sorted_unique(rows * np.int64(width) + values)
        row, value = combined // width, combined % width
        start = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(row, minlength=n_rows), out=start[1:])
        return cls(start, value)

    def counts(self) -> NDArray[np.int64]:
        return np.diff(self.start)

    def take(self, rows: NDArray[np.int64]) -> _Csr:
        row, value = self.expand(rows)
        start = np.zeros(rows.size + 1, dtype=np.int64)
        np.cumsum(self.counts()[rows], out=start[1:])
        del row
        return _Csr(start, value)

    def expand(self, rows: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Pairs (position in *rows*, value) for every value of every given row, in row order."""
        first = self.start[rows]
        count = self.start[rows + 1] - first
        which = np.repeat(np.arange(rows.size, dtype=np.int64), count)
        offset = np.arange(which.size, dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
        return which, self.values[np.repeat(first, count) + offset]


def sorted_unique(values: NDArray[np.int64]) -> NDArray[np.int64]:
    """``np.unique`` by sorting (numpy's hash-based unique is several times slower on large int arrays)."""
    values = np.sort(values)
    if values.size == 0:
        return values
    keep = np.empty(values.size, dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def first_hits(
    point: NDArray[np.int64], candidate: NDArray[np.int64], hit: NDArray[np.bool_], n: int
) -> NDArray[np.int64]:
    """Per point, the first candidate that hit (*point* ascending), or -1."""
    out = np.full(n, OUTSIDE, dtype=np.int64)
    hit_point = point[hit]
    hit_candidate = candidate[hit]
    if hit_point.size:
        first = np.empty(hit_point.size, dtype=bool)
        first[0] = True
        np.not_equal(hit_point[1:], hit_point[:-1], out=first[1:])
        out[hit_point[first]] = hit_candidate[first]
    return out


def intersects(
    geoms: NDArray[np.object_], polygon: NDArray[np.int64], x: NDArray[np.float64], y: NDArray[np.float64]
) -> NDArray[np.bool_]:
    """``intersects_xy(geoms[polygon], x, y)`` pairwise, grouped by polygon.

    GEOS tests a point against a prepared polygon through an index it keeps per polygon; taking the
    pairs polygon by polygon keeps that index in cache and is about three times faster than taking
    them in point order.
    """
    order = np.argsort(polygon, kind="stable")
    hit = np.empty(polygon.size, dtype=bool)
    hit[order] = shapely.intersects_xy(geoms[polygon[order]], x[order], y[order])
    return hit


def covering_pairs(
    geoms: NDArray[np.object_], tree: shapely.STRtree, x: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_]]:
    """Pairs (point, polygon) whose bounding boxes meet, sorted, and whether the polygon intersects the point.

    ``intersects_xy`` on prepared polygons is an order of magnitude faster than an STRtree query with
    a predicate, which prepares nothing.
    """
    point, candidate = tree.query(shapely.points(x, y))
    order = np.lexsort((candidate, point))
    point, candidate = point[order].astype(np.int64), candidate[order].astype(np.int64)
    hit = intersects(geoms, candidate, x[point], y[point])
    return point, candidate, hit


def segments(
    geoms: NDArray[np.object_],
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.float64]]:
    """Every boundary segment (ax, ay, bx, by), its polygon, and the size (√area) of its polygon part."""
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring_of_coord = shapely.get_coordinates(rings, return_index=True)
    start = np.flatnonzero(ring_of_coord[1:] == ring_of_coord[:-1])
    seg = np.column_stack([coords[start], coords[start + 1]])
    part = ring_part[ring_of_coord[start]]
    size = np.sqrt(shapely.area(parts))[part]
    return seg, part_owner[part].astype(np.int64), np.asarray(size, dtype=np.float64)


def mark(
    au: NDArray[np.float64],
    av: NDArray[np.float64],
    du: NDArray[np.float64],
    dv: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Cells (u, v) each segment (in cell units) may touch, and the segment's position for each."""
    pieces = np.maximum(np.ceil(np.maximum(np.abs(du), np.abs(dv)) / _PIECE), 1).astype(np.int64)
    total = np.cumsum(pieces)
    us, vs, ids = [], [], []
    lo = 0
    while lo < au.size:
        done = int(total[lo - 1]) if lo else 0
        hi = max(int(np.searchsorted(total, done + _PIECE_BATCH, side="right")), lo + 1)
        sl = slice(lo, hi)
        u, v, which = _mark_pieces(au[sl], av[sl], du[sl], dv[sl], pieces[sl])
        us.append(u)
        vs.append(v)
        ids.append(which + lo)
        lo = hi
    if not us:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return np.concatenate(us), np.concatenate(vs), np.concatenate(ids)


def _mark_pieces(
    au: NDArray[np.float64],
    av: NDArray[np.float64],
    du: NDArray[np.float64],
    dv: NDArray[np.float64],
    pieces: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    if np.all(pieces == 1):
        which = np.arange(au.size)
        pu0, pv0, pdu, pdv = au, av, du, dv
    else:
        which = np.repeat(np.arange(au.size), pieces)
        k = np.arange(which.size) - np.repeat(np.cumsum(pieces) - pieces, pieces)
        n = pieces[which].astype(np.float64)
        t0, t1 = k / n, (k + 1) / n
        a_u, a_v, d_u, d_v = au[which], av[which], du[which], dv[which]
        pu0, pv0 = a_u + d_u * t0, a_v + d_v * t0
        pdu, pdv = a_u + d_u * t1 - pu0, a_v + d_v * t1 - pv0
    lo_u = np.floor(np.minimum(pu0, pu0 + pdu) - _MARGIN)
    lo_v = np.floor(np.minimum(pv0, pv0 + pdv) - _MARGIN)
    wide_u = np.floor(np.maximum(pu0, pu0 + pdu) + _MARGIN) > lo_u
    wide_v = np.floor(np.maximum(pv0, pv0 + pdv) + _MARGIN) > lo_v
    # A piece whose enlarged box lies in one row or one column of cells marks all of them (one or
    # two); only a piece spanning 2 x 2 cells needs the line test to leave out the cell it misses.
    both = wide_u & wide_v
    out_u, out_v, out_id = [], [], []
    for ou, ov, which_cells in (
        (0.0, 0.0, ~both),
        (1.0, 0.0, wide_u & ~wide_v),
        (0.0, 1.0, wide_v & ~wide_u),
    ):
        chosen = np.flatnonzero(which_cells)
        out_u.append(lo_u[chosen] + ou)
        out_v.append(lo_v[chosen] + ov)
        out_id.append(which[chosen])
    multi = np.flatnonzero(both)
    pu0, pv0, pdu, pdv = pu0[multi], pv0[multi], pdu[multi], pdv[multi]
    lo_u, lo_v, which = lo_u[multi], lo_v[multi], which[multi]
    for ou in (0.0, 1.0):
        for ov in (0.0, 1.0):
            cu, cv = lo_u + ou, lo_v + ov
            # The piece's line separates the corners of the (enlarged) cell unless it meets the cell.
            left, right = cu - _MARGIN - pu0, cu + 1 + _MARGIN - pu0
            bottom, top = cv - _MARGIN - pv0, cv + 1 + _MARGIN - pv0
            c1, c2 = pdu * bottom - pdv * left, pdu * bottom - pdv * right
            c3, c4 = pdu * top - pdv * left, pdu * top - pdv * right
            low = np.minimum(np.minimum(c1, c2), np.minimum(c3, c4))
            high = np.maximum(np.maximum(c1, c2), np.maximum(c3, c4))
            keep = np.flatnonzero((low <= 0) & (high >= 0))
            out_u.append(cu[keep])
            out_v.append(cv[keep])
            out_id.append(which[keep])
    return (
        np.concatenate(out_u).astype(np.int64),
        np.concatenate(out_v).astype(np.int64),
        np.concatenate(out_id),
    )


def clip(
    au: NDArray[np.float64],
    av: NDArray[np.float64],
    du: NDArray[np.float64],
    dv: NDArray[np.float64],
    lo_u: NDArray[np.float64],
    lo_v: NDArray[np.float64],
    size: float,
) -> tuple[
    NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]
]:
    """Clip segments to boxes ``[lo, lo + size]`` enlarged by a margin (Liang–Barsky)."""
    t_min = np.zeros(au.size)
    t_max = np.ones(au.size)
    ok = np.ones(au.size, dtype=bool)
    for a, d, lo in ((au, du, lo_u), (av, dv, lo_v)):
        low, high = lo - _CLIP_MARGIN, lo + size + _CLIP_MARGIN
        flat = d == 0
        ok &= ~flat | ((a >= low) & (a <= high))
        with np.errstate(divide="ignore", invalid="ignore"):
            t1 = np.where(flat, -np.inf, (low - a) / d)
            t2 = np.where(flat, np.inf, (high - a) / d)
        t_min = np.maximum(t_min, np.minimum(t1, t2))
        t_max = np.minimum(t_max, np.maximum(t1, t2))
    ok &= t_min <= t_max
    cu, cv = au + du * t_min, av + dv * t_min
    return cu, cv, au + du * t_max - cu, av + dv * t_max - cv, ok


class Builder:
    """Builds the arrays of a :class:`PolygonIndex` level by level (see the module docstring)."""

    def __init__(
        self,
        geoms: NDArray[np.object_],
        cell_size: float | None,
        detail: float,
        branching: int,
        max_levels: int,
    ) -> None:
        self.geoms = geoms
        self.n_polys = int(geoms.size)
        self.tree = shapely.STRtree(geoms)
        self.detail = float(detail)
        self.bits = branching.bit_length() - 1
        self.side = branching
        self.seg, self.seg_owner, self.seg_size = segments(geoms)
        xmin, ymin, xmax, ymax = shapely.total_bounds(geoms[~shapely.is_empty(geoms)])
        width, height = max(xmax - xmin, 1e-9), max(ymax - ymin, 1e-9)
        if cell_size is None:
            target = min(max(64 * geoms.size, 4096), 1 << 22)
            cell_size = max(float(np.sqrt(width * height / target)), width / 4096, height / 4096)
        if not (cell_size > 0 and np.isfinite(cell_size)):
            raise ValueError("cell_size must be a positive number")
        self.c0 = float(cell_size)
        self.nx0 = int(np.ceil(width / self.c0)) + 2
        self.ny0 = int(np.ceil(height / self.c0)) + 2
        if self.nx0 * self.ny0 > (1 << 26):
            raise ValueError("cell_size is too small for the polygons' extent (more than 2**26 root cells)")
        # Depth: enough levels for the smaller polygon parts to reach their detail, within limits.
        small = float(np.quantile(self.seg_size, 0.02)) if self.seg_size.size else self.c0
        wanted = np.log(self.c0 * self.detail / max(small, 1e-12)) / np.log(branching)
        levels = int(np.clip(np.ceil(wanted), 0, max_levels))
        while levels and max(self.nx0, self.ny0) << (self.bits * levels) > MAX_FINE:
            levels -= 1
        scale = float(1 << (self.bits * levels)) / self.c0
        self.grid = Grid(xmin - self.c0, ymin - self.c0, scale, self.bits, levels)
        self.leaf_counts: list[NDArray[np.int64]] = []
        self.leaf_values: list[NDArray[np.int64]] = []
        self.n_leaves = 0
        self.n_blocks = 0

    def build(self) -> Built:
        grid = self.grid
        s = grid.level_scale(0)
        au, av = (self.seg[:, 0] - grid.x0) * s, (self.seg[:, 1] - grid.y0) * s
        du, dv = (self.seg[:, 2] - grid.x0) * s - au, (self.seg[:, 3] - grid.y0) * s - av
        u, v, which = mark(au, av, du, dv)
        cells = self._cells(u, v, which, 0)
        root = np.full(self.nx0 * self.ny0, _UNSET, dtype=np.int64)
        non_boundary = np.ones(root.size, dtype=bool)
        non_boundary[cells.key] = False
        self._label_root(root, non_boundary.reshape(self.ny0, self.nx0))
        context = self._root_context(cells)
        refined = self._decide(cells, context, 0)
        root[cells.key] = cells.code
        blocks: list[NDArray[np.int64]] = []
        for level in range(1, grid.levels + 1):
            if refined.size == 0:
                break
            cells, block_code, refined_next, context = self._next_level(
                cells, refined, context.take(refined), level
            )
            blocks.append(block_code)
            refined = refined_next
        all_blocks = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int64)
        if (root == _UNSET).any() or (all_blocks == _UNSET).any():
            raise AssertionError("point-in-polygon index left a cell unlabelled")
        counts = np.concatenate(self.leaf_counts) if self.leaf_counts else np.zeros(0, np.int64)
        start = np.zeros(counts.size + 1, dtype=np.int64)
        np.cumsum(counts, out=start[1:])
        values = np.concatenate(self.leaf_values) if self.leaf_values else np.zeros(0, np.int64)
        return Built(
            grid, root.astype(np.int32), (self.nx0, self.ny0), all_blocks.astype(np.int32), start, values
        )

    def _next_level(
        self, parent: _Cells, refined: NDArray[np.int64], parent_context: _Csr, level: int
    ) -> tuple[_Cells, NDArray[np.int64], NDArray[np.int64], _Csr]:
        """Marks, region labels and decisions for the blocks under the refined cells of *parent*."""
        grid = self.grid
        # (segment, refined parent) pairs: clip each segment to its parent and mark the child cells.
        is_refined = np.zeros(parent.key.size, dtype=bool)
        is_refined[refined] = True
        block_of_cell = np.cumsum(is_refined) - 1
        pair = np.flatnonzero(is_refined[parent.pair_cell])
        seg = parent.pair_seg[pair]
        block = block_of_cell[parent.pair_cell[pair]]
        nx_parent = self.nx0 << (self.bits * (level - 1))
        pu, pv = parent.key[refined] % nx_parent, parent.key[refined] // nx_parent
        s = grid.level_scale(level)
        au, av = (self.seg[seg, 0] - grid.x0) * s, (self.seg[seg, 1] - grid.y0) * s
        du, dv = (self.seg[seg, 2] - grid.x0) * s - au, (self.seg[seg, 3] - grid.y0) * s - av
        lo_u = (pu[block] << self.bits).astype(np.float64)
        lo_v = (pv[block] << self.bits).astype(np.float64)
        cu, cv, cdu, cdv, ok = clip(au, av, du, dv, lo_u, lo_v, float(self.side))
        keep = np.flatnonzero(ok)
        u, v, which = mark(cu[keep], cv[keep], cdu[keep], cdv[keep])
        which = keep[which]
        inside = ((u >> self.bits) == pu[block[which]]) & ((v >> self.bits) == pv[block[which]])
        u, v, which = u[inside], v[inside], which[inside]
        cells = self._cells(u, v, seg[which], level, block_of=block[which])
        # Region labels inside the blocks.
        side = self.side
        local = ((cells.key // cells.nx & (side - 1)) << self.bits) | (cells.key % cells.nx & (side - 1))
        flat_boundary = cells.block * side * side + local
        block_code = np.full(refined.size * side * side, _UNSET, dtype=np.int64)
        non_boundary = np.ones(block_code.size, dtype=bool)
        non_boundary[flat_boundary] = False
        self._label_blocks(block_code, non_boundary, refined, pu, pv, parent_context, level)
        context = self._child_context(cells, parent_context, level)
        refined_next = self._decide(cells, context, level)
        block_code[flat_boundary] = cells.code
        return cells, block_code, refined_next, context

    def _cells(
        self,
        u: NDArray[np.int64],
        v: NDArray[np.int64],
        seg: NDArray[np.int64],
        level: int,
        block_of: NDArray[np.int64] | None = None,
    ) -> _Cells:
        nx = self.nx0 << (self.bits * level)
        key = v * nx + u
        order = np.argsort(key, kind="stable")
        key, seg = key[order], seg[order]
        new_cell = np.empty(key.size, dtype=bool)
        if key.size:
            new_cell[0] = True
            np.not_equal(key[1:], key[:-1], out=new_cell[1:])
        cell_of_mark = np.cumsum(new_cell) - 1
        # Distinct (cell, segment) pairs, still in cell order.
        pair_key = cell_of_mark * np.int64(max(self.seg_owner.size, 1)) + seg
        pair_order = np.argsort(pair_key, kind="stable")
        pair_key = pair_key[pair_order]
        new_pair = np.empty(pair_key.size, dtype=bool)
        if pair_key.size:
            new_pair[0] = True
            np.not_equal(pair_key[1:], pair_key[:-1], out=new_pair[1:])
        pair_cell, pair_seg = cell_of_mark[pair_order][new_pair], seg[pair_order][new_pair]
        n_cells = int(new_cell.sum())
        starts = np.flatnonzero(np.r_[True, pair_cell[1:] != pair_cell[:-1]]) if pair_cell.size else pair_cell
        smallest = np.minimum.reduceat(self.seg_size[pair_seg], starts) if pair_seg.size else np.zeros(0)
        owners = _Csr.from_pairs(pair_cell, self.seg_owner[pair_seg], n_cells, self.n_polys)
        block = block_of[order][new_cell] if block_of is not None else np.zeros(0, dtype=np.int64)
        return _Cells(key[new_cell], nx, pair_cell, pair_seg, smallest, owners, block, level)

    def _label_root(self, root: NDArray[np.int64], non_boundary: NDArray[np.bool_]) -> None:
        """Label each region of non-boundary root cells by an exact test (STRtree) of one cell."""
        labels, count = ndimage.label(non_boundary)
        if count == 0:
            return
        flat = labels.reshape(-1)
        first = _first_of_each_label(flat, count)
        u, v = first % self.nx0, first // self.nx0
        cx, cy = self._centres(u, v, 0)
        point, candidate, hit = covering_pairs(self.geoms, self.tree, cx, cy)
        label_code = first_hits(point, candidate, hit, count)
        inside = flat > 0
        root[inside] = label_code[flat[inside] - 1]

    def _label_blocks(
        self,
        codes: NDArray[np.int64],
        non_boundary: NDArray[np.bool_],
        refined: NDArray[np.int64],
        pu: NDArray[np.int64],
        pv: NDArray[np.int64],
        parent_context: _Csr,
        level: int,
    ) -> None:
        """Label each region of non-boundary cells in a block, testing its parent's context polygons."""
        side = self.side
        structure = np.zeros((3, 3, 3), dtype=bool)
        structure[1] = ndimage.generate_binary_structure(2, 1)
        labels, count = ndimage.label(non_boundary.reshape(-1, side, side), structure=structure)
        if count == 0:
            return
        flat = labels.reshape(-1)
        first = _first_of_each_label(flat, count)
        block, local = first // (side * side), first % (side * side)
        u = (pu[block] << self.bits) | (local % side)
        v = (pv[block] << self.bits) | (local // side)
        cx, cy = self._centres(u, v, level)
        region, candidate = parent_context.expand(block)
        hit = intersects(self.geoms, candidate, cx[region], cy[region])
        label_code = first_hits(region, candidate, hit, count)
        inside = flat > 0
        codes[inside] = label_code[flat[inside] - 1]

    def _root_context(self, cells: _Cells) -> _Csr:
        """Owners of each root boundary cell plus the polygons containing its centre (STRtree)."""
        cx, cy = self._centres(cells.key % cells.nx, cells.key // cells.nx, 0)
        point, candidate, hit = covering_pairs(self.geoms, self.tree, cx, cy)
        owner_cell, owner = cells.owners.expand(np.arange(cells.key.size))
        rows = np.concatenate([owner_cell, point[hit]])
        values = np.concatenate([owner, candidate[hit]])
        return _Csr.from_pairs(rows, values, cells.key.size, self.n_polys)

    def _child_context(self, cells: _Cells, parent_context: _Csr, level: int) -> _Csr:
        """Owners of each boundary cell plus those of its parent's context that contain its centre."""
        cell, candidate = parent_context.expand(cells.block)
        owner_cell, owner = cells.owners.expand(np.arange(cells.key.size))
        owned = sorted_unique(owner_cell * self.n_polys + owner)
        pair_key = cell * self.n_polys + candidate
        pos = np.minimum(np.searchsorted(owned, pair_key), max(owned.size - 1, 0))
        test = np.flatnonzero(owned[pos] != pair_key) if owned.size else np.arange(pair_key.size)
        cx, cy = self._centres(cells.key % cells.nx, cells.key // cells.nx, level)
        hit = intersects(self.geoms, candidate[test], cx[cell[test]], cy[cell[test]])
        rows = np.concatenate([owner_cell, cell[test][hit]])
        values = np.concatenate([owner, candidate[test][hit]])
        return _Csr.from_pairs(rows, values, cells.key.size, self.n_polys)

    def _decide(self, cells: _Cells, context: _Csr, level: int) -> NDArray[np.int64]:
        """Refine cells whose polygons are small for them; the others become leaves. Returns the refined."""
        cell_size = self.c0 / float(1 << (self.bits * level))
        refine = np.zeros(cells.key.size, dtype=bool)
        if level < self.grid.levels:
            refine = cell_size * self.detail > cells.smallest
        refined = np.flatnonzero(refine)
        leaves = np.flatnonzero(~refine)
        cells.code = np.empty(cells.key.size, dtype=np.int64)
        cells.code[refined] = BLOCK - (self.n_blocks + np.arange(refined.size))
        cells.code[leaves] = -2 - (self.n_leaves + np.arange(leaves.size))
        leaf_context = context.take(leaves)
        self.leaf_counts.append(leaf_context.counts())
        self.leaf_values.append(leaf_context.values)
        self.n_blocks += refined.size
        self.n_leaves += leaves.size
        if self.n_leaves >= -BLOCK - 2 or self.n_blocks >= (1 << 30):
            raise ValueError("too many boundary cells; use a larger cell_size or a lower detail")
        return refined

    def _centres(
        self, u: NDArray[np.int64], v: NDArray[np.int64], level: int
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Centres of cells, checked to fall in their own cell under the query's formula."""
        cx, cy = self.grid.cell_centre(u, v, level)
        check_u, check_v = self.grid.cells(cx, cy, level)
        if not (np.array_equal(check_u, u) and np.array_equal(check_v, v)):
            raise AssertionError("a cell centre does not fall in its own cell")
        return cx, cy


@dataclass
class _Cells:
    """Boundary cells of one level, sorted by key, with the (cell, segment) pairs that marked them."""

    key: NDArray[np.int64]
    nx: int
    pair_cell: NDArray[np.int64]
    pair_seg: NDArray[np.int64]
    smallest: NDArray[np.float64]
    owners: _Csr
    block: NDArray[np.int64]
    level: int
    code: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def _first_of_each_label(flat: NDArray[np.int32], count: int) -> NDArray[np.int64]:
    """Flat position of the first cell of each label 1..count."""
    first = np.full(count + 1, flat.size, dtype=np.int64)
    np.minimum.at(first, flat, np.arange(flat.size, dtype=np.int64))
    return first[1:]
