"""The bulk point-in-polygon index agrees with the exact reference everywhere, edges included."""

from __future__ import annotations

import ast
import doctest
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

from koban.analytics.algorithms import point_in_polygon
from koban.analytics.algorithms.point_in_polygon import PolygonIndex, assign_exact

ALGORITHMS = Path(point_in_polygon.__file__).parent


def tessellation(nx: int = 12, ny: int = 9, seed: int = 5) -> tuple[list[object], np.ndarray]:
    """Quadrilaterals over a jittered grid sharing exact edges; some rows stay straight.

    Returns the polygons and the grid vertices. Polygon 0 gets a hole that is exactly polygon 1 (an
    island), and two distant cells are merged into one multipolygon.
    """
    rng = np.random.default_rng(seed)
    gx, gy = np.meshgrid(np.arange(nx + 1, dtype=float), np.arange(ny + 1, dtype=float))
    jitter = rng.uniform(-0.3, 0.3, (2, *gx.shape))
    jitter[:, 0, :] = jitter[:, -1, :] = jitter[:, :, 0] = jitter[:, :, -1] = 0
    jitter[:, 4, :] = 0  # one straight row: its edges are axis-aligned, midpoints exactly on them
    vx, vy = 139.0 + (gx + jitter[0]) * 0.01, 35.0 + (gy + jitter[1]) * 0.01
    cells = []
    for j in range(ny):
        for i in range(nx):
            ring = [(vx[j, i], vy[j, i]), (vx[j, i + 1], vy[j, i + 1])]
            ring += [(vx[j + 1, i + 1], vy[j + 1, i + 1]), (vx[j + 1, i], vy[j + 1, i])]
            cells.append(shapely.Polygon(ring))
    centre = np.array(cells[0].centroid.coords[0])
    island = shapely.Polygon(centre + np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * 0.002)
    polygons: list[object] = [shapely.Polygon(cells[0].exterior.coords, [island.exterior.coords]), island]
    merged = shapely.MultiPolygon([cells[5], cells[nx * 3 + 9]])
    polygons.append(merged)
    polygons += [cell for k, cell in enumerate(cells) if k not in (0, 5, nx * 3 + 9)]
    return polygons, np.column_stack([vx.ravel(), vy.ravel()])


def edge_points(polygons: list[object]) -> tuple[np.ndarray, np.ndarray]:
    """Every vertex and every edge midpoint of every ring (some lie exactly on shared edges)."""
    rings = shapely.get_rings(shapely.get_parts(np.asarray(polygons, dtype=object)))
    coords, which = shapely.get_coordinates(rings, return_index=True)
    same = which[1:] == which[:-1]
    mid = (coords[1:][same] + coords[:-1][same]) / 2
    points = np.concatenate([coords, mid])
    return points[:, 0], points[:, 1]


def check(polygons: list[object], x: np.ndarray, y: np.ndarray, **options: object) -> np.ndarray:
    index = PolygonIndex.from_polygons(polygons, **options)  # type: ignore[arg-type]
    got = index.assign(x, y)
    expected = assign_exact(polygons, x, y)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, expected)
    return got


def test_it_agrees_with_the_exact_reference_on_uniform_points() -> None:
    polygons, _ = tessellation()
    rng = np.random.default_rng(1)
    x = rng.uniform(138.99, 139.13, 50_000)
    y = rng.uniform(34.99, 35.10, 50_000)
    got = check(polygons, x, y)
    assert (got == -1).any() and len(np.unique(got)) == len(polygons) + 1


def test_it_agrees_on_clustered_points_with_fine_refinement() -> None:
    polygons, _ = tessellation()
    rng = np.random.default_rng(2)
    x = 139.06 + rng.normal(0, 0.004, 50_000)
    y = 35.045 + rng.normal(0, 0.004, 50_000)
    check(polygons, x, y)
    check(polygons, x, y, cell_size=0.05, detail=200, branching=2, max_levels=8)
    check(polygons, x, y, cell_size=0.001, branching=8, max_levels=1)


def test_points_on_shared_edges_and_vertices_go_to_the_lowest_index() -> None:
    polygons, vertices = tessellation()
    x, y = edge_points(polygons)
    got = check(polygons, x, y)
    check(polygons, x, y, cell_size=0.003, detail=100)
    # A vertex shared by four cells goes to the lowest of them.
    inner = vertices[(vertices[:, 0] > 139.02) & (vertices[:, 1] > 35.02)][:1]
    containing = [i for i, p in enumerate(polygons) if p.intersects(shapely.Point(inner[0]))]
    assert len(containing) >= 3
    assert PolygonIndex.from_polygons(polygons).assign(inner[:, 0], inner[:, 1]).tolist() == [min(containing)]
    assert (got >= 0).all()


def test_holes_belong_to_the_island_not_the_surrounding_polygon() -> None:
    polygons, _ = tessellation()
    island_centre = polygons[1].centroid  # type: ignore[attr-defined]
    index = PolygonIndex.from_polygons(polygons)
    assert index.assign([island_centre.x], [island_centre.y]).tolist() == [1]
    ring = np.array(polygons[1].exterior.coords)  # type: ignore[attr-defined]
    # The hole's edge is shared by the surrounding polygon (0) and the island (1): 0 wins.
    assert index.assign(ring[:, 0], ring[:, 1]).tolist() == [0] * len(ring)


def test_both_parts_of_a_multipolygon_map_to_it() -> None:
    polygons, _ = tessellation()
    parts = shapely.get_parts(polygons[2])
    points = np.array([part.representative_point().coords[0] for part in parts])
    assert PolygonIndex.from_polygons(polygons).assign(points[:, 0], points[:, 1]).tolist() == [2, 2]


def test_outside_nan_and_infinite_coordinates_get_minus_one() -> None:
    polygons, _ = tessellation()
    x = np.array([np.nan, 139.05, np.inf, -np.inf, 0.0, 1e300, 139.05, 139.05])
    y = np.array([35.05, np.nan, 35.05, 35.05, 0.0, 35.05, 34.5, 35.05])
    got = check(polygons, x, y)
    assert got[:7].tolist() == [-1] * 7 and got[7] >= 0


def test_overlapping_polygons_give_the_lowest_index_even_where_a_big_one_covers_cells() -> None:
    polygons, _ = tessellation()
    # A large square covering many cells wholly, first and last: cells it covers never see its edges.
    cover = shapely.box(139.02, 35.02, 139.09, 35.07)
    rng = np.random.default_rng(3)
    x = rng.uniform(138.99, 139.13, 30_000)
    y = rng.uniform(34.99, 35.10, 30_000)
    first = check([cover, *polygons], x, y)
    inside = (x > 139.02) & (x < 139.09) & (y > 35.02) & (y < 35.07)
    assert (first[inside] == 0).all()
    last = check([*polygons, cover], x, y, cell_size=0.002)
    assert (last[inside] < len(polygons)).all()


def test_empty_inputs() -> None:
    polygons, _ = tessellation()
    assert PolygonIndex.from_polygons(polygons).assign([], []).shape == (0,)
    assert PolygonIndex.from_polygons([]).assign([1.0, np.nan], [2.0, 3.0]).tolist() == [-1, -1]
    assert assign_exact([], [1.0], [2.0]).tolist() == [-1]
    empty = shapely.Polygon()
    assert PolygonIndex.from_polygons([empty, shapely.box(0, 0, 1, 1)]).assign([0.5], [0.5]).tolist() == [1]


def test_a_saved_index_loads_and_answers_exactly_like_the_built_one(tmp_path: Path) -> None:
    polygons, _ = tessellation()
    rng = np.random.default_rng(3)
    x, y = rng.uniform(138.99, 139.13, 20_000), rng.uniform(34.99, 35.1, 20_000)
    ex, ey = edge_points(polygons)
    x, y = np.concatenate([x, ex]), np.concatenate([y, ey])
    built = PolygonIndex.from_polygons(polygons, detail=64.0)
    built.save(tmp_path / "index.npz")
    loaded = PolygonIndex.load(tmp_path / "index.npz")
    assert loaded.polygon_count == len(polygons) and loaded.stats() == built.stats()
    np.testing.assert_array_equal(loaded.assign(x, y), assign_exact(polygons, x, y))
    PolygonIndex.from_polygons([]).save(tmp_path / "empty.npz")
    assert PolygonIndex.load(tmp_path / "empty.npz").assign([139.0], [35.0]).tolist() == [-1]


def test_a_file_of_another_layout_is_refused(tmp_path: Path) -> None:
    np.savez(tmp_path / "other.npz", root=np.zeros(3))
    with pytest.raises(ValueError, match="not a polygon index"):
        PolygonIndex.load(tmp_path / "other.npz")


def test_it_processes_points_in_chunks_with_the_same_result() -> None:
    polygons, _ = tessellation()
    rng = np.random.default_rng(4)
    x, y = rng.uniform(139.0, 139.12, 10_000), rng.uniform(35.0, 35.09, 10_000)
    index = PolygonIndex.from_polygons(polygons)
    np.testing.assert_array_equal(index.assign(x, y, chunk_size=777), index.assign(x, y))


def test_it_rejects_what_is_not_a_polygon_and_mismatched_coordinates() -> None:
    with pytest.raises(TypeError, match=r"polygons\[1\] is a Point"):
        PolygonIndex.from_polygons([shapely.box(0, 0, 1, 1), shapely.Point(0, 0)])
    with pytest.raises(ValueError, match="differ in length"):
        PolygonIndex.from_polygons([shapely.box(0, 0, 1, 1)]).assign([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="power of two"):
        PolygonIndex.from_polygons([shapely.box(0, 0, 1, 1)], branching=3)


def test_docstring_examples_run() -> None:
    failures, tried = doctest.testmod(point_in_polygon, raise_on_error=False)
    assert tried >= 2 and failures == 0


def test_algorithms_import_nothing_from_django() -> None:
    for path in ALGORITHMS.glob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in {"django", "rest_framework"}, f"{path.name} imports {name}"
    code = (
        "import sys, koban.analytics.algorithms.point_in_polygon; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
