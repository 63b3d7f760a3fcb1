"""Bulk beat assignment: 1,000,000 points over 6,000 realistic beats.

Compares, on the same data in the same run:

- Koban's :class:`~koban.analytics.algorithms.point_in_polygon.PolygonIndex` (build timed apart from
  assignment);
- GeoPandas ``sjoin(predicate="within")``, the usual Python baseline;
- a PostGIS join (``ST_Contains`` with GiST indexes) in the managed database, parallel workers off so
  that it uses one core like the others.

All three are checked point by point against the exact reference
(:func:`~koban.analytics.algorithms.point_in_polygon.assign_exact`). The index and the reference share
one rule for points on a boundary (lowest-index polygon that intersects the point); ``within`` and
``ST_Contains`` leave such points unassigned, so a difference there is counted apart, as explained,
and only the remaining differences count as mismatches.

Targets (docs/performance.md): ≥ 3 M points/s per core, ≥ 2.5× ``sjoin``, and ≥ 2.5× ``sjoin`` end
to end in a fresh process, index build or load included. The last is measured in three new Python
processes given the same files (beats as WKB, points as arrays): one builds the index and assigns,
one loads the index kept on disk (``PolygonIndex.save``, as ``koban.geography.assign`` keeps one per
set of beats) and assigns, one runs ``sjoin`` (which builds its own tree). Each times from its files
to the answer, WKB parsing included; interpreter start and library imports are reported apart.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from bench import realistic_beats
from koban.analytics.algorithms.point_in_polygon import PolygonIndex, assign_exact

FULL_POINTS, FULL_BEATS = 1_000_000, 6_000
QUICK_POINTS, QUICK_BEATS = 100_000, 1_000
REPEATS = 3
SINGLE_CORE_NOTE = (
    "one process, one thread: shapely/GEOS predicates and numpy element-wise operations are "
    "single-threaded (no BLAS is involved); cpu_s/wall_s shows the cores actually used"
)


def _timed(fn: Callable[[], Any], repeats: int) -> tuple[Any, dict[str, float]]:
    """Best wall time of *repeats* runs, with the CPU time of that run."""
    best: dict[str, float] | None = None
    result = None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        timing = {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu}
        if best is None or timing["wall_s"] < best["wall_s"]:
            best = timing
    assert best is not None
    return result, {key: round(value, 4) for key, value in best.items()}


def _rate(n: int, seconds: float) -> float:
    return round(n / seconds, 1) if seconds > 0 else float("inf")


def compare(
    polygons: list[shapely.Polygon],
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    exact: NDArray[np.int64],
    other: NDArray[np.int64],
) -> dict[str, int]:
    """Differences from the exact answer, separating those due to the boundary rule.

    ``within``/``ST_Contains`` exclude a polygon's boundary, so a point on a beat edge gets no beat
    there (or, where two beats meet, not the lower-index one). Such a point is "explained" if it lies
    on the boundary of the beat the exact rule chose.
    """
    differ = np.flatnonzero(exact != other)
    on_boundary = np.zeros(differ.size, dtype=bool)
    chosen = exact[differ]
    has_beat = chosen >= 0
    if has_beat.any():
        boundaries = shapely.boundary(np.asarray(polygons, dtype=object)[chosen[has_beat]])
        on_boundary[has_beat] = shapely.intersects_xy(boundaries, x[differ[has_beat]], y[differ[has_beat]])
    return {
        "differences": int(differ.size),
        "explained_by_boundary_rule": int(on_boundary.sum()),
        "mismatches": int((~on_boundary).sum()),
    }


def _sjoin(polygons: list[shapely.Polygon], x: NDArray[np.float64], y: NDArray[np.float64]) -> dict[str, Any]:
    try:
        import geopandas as gpd
    except ImportError:
        return {"skipped": "geopandas is not installed (it is in the dev extra)"}
    beats = gpd.GeoDataFrame({"beat": np.arange(len(polygons))}, geometry=list(polygons), crs=4326)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=4326)

    def join() -> NDArray[np.int64]:
        joined = gpd.sjoin(points, beats, how="inner", predicate="within")
        out = np.full(x.size, -1, dtype=np.int64)
        # A point within two beats (only where beats overlap) takes the lower index, as the rule says.
        order = np.argsort(-joined["beat"].to_numpy(), kind="stable")
        out[joined.index.to_numpy()[order]] = joined["beat"].to_numpy()[order]
        return out

    result, timing = _timed(join, max(1, REPEATS - 1))
    return {"assignment": result, "timing": timing}


_FRESH_MODES = ("build", "load", "sjoin")


def fresh_process_main(mode: str, folder: Path) -> dict[str, Any]:
    """One fresh process's end-to-end assignment (*mode*: build, load or sjoin); prints JSON."""
    started = time.perf_counter()
    if mode == "sjoin":
        import geopandas as gpd
    imports_s = time.perf_counter() - started
    with np.load(folder / "points.npz") as data:
        x, y = data["x"], data["y"]
    clock = time.perf_counter()
    if mode == "load":
        index = PolygonIndex.load(folder / "index.npz")
        ready = time.perf_counter()
        answer = index.assign(x, y)
    else:
        with np.load(folder / "index.npz") as data:  # the polygons, as WKB, from the same file
            blob, ends = data["wkb"].tobytes(), data["wkb_end"]
        starts = np.concatenate(([0], ends[:-1]))
        polygons = shapely.from_wkb(
            np.array([blob[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)], dtype=object)
        )
        if mode == "build":
            index = PolygonIndex.from_polygons(list(polygons))
            ready = time.perf_counter()
            answer = index.assign(x, y)
        else:
            beats = gpd.GeoDataFrame({"beat": np.arange(polygons.size)}, geometry=polygons, crs=4326)
            points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=4326)
            ready = time.perf_counter()
            joined = gpd.sjoin(points, beats, how="inner", predicate="within")
            answer = np.full(x.size, -1, dtype=np.int64)
            order = np.argsort(-joined["beat"].to_numpy(), kind="stable")
            answer[joined.index.to_numpy()[order]] = joined["beat"].to_numpy()[order]
    done = time.perf_counter()
    np.save(folder / f"answer-{mode}.npy", answer)
    return {
        "imports_s": round(imports_s, 4),
        "prepare_s": round(ready - clock, 4),
        "assign_s": round(done - ready, 4),
        "end_to_end_s": round(done - clock, 4),
    }


def _fresh_processes(index: PolygonIndex, x: NDArray[np.float64], y: NDArray[np.float64]) -> dict[str, Any]:
    """Run the three fresh processes on the same files; ratios are against sjoin's end to end time."""
    import json

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        index.save(folder / "index.npz")
        np.savez(folder / "points.npz", x=x, y=y)
        for mode in _FRESH_MODES:
            if mode == "sjoin":
                try:
                    import geopandas  # noqa: F401
                except ImportError:
                    out[mode] = {"skipped": "geopandas is not installed (it is in the dev extra)"}
                    continue
            clock = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "bench.bench_beat_assignment", "--fresh", mode, str(folder)],
                capture_output=True,
                text=True,
                check=True,
                cwd=Path(__file__).resolve().parent.parent,
            )
            timing = json.loads(done.stdout.strip().splitlines()[-1])
            timing["process_wall_s"] = round(time.perf_counter() - clock, 4)
            out[mode] = timing
        answers = {m: np.load(folder / f"answer-{m}.npy") for m in _FRESH_MODES if "skipped" not in out[m]}
    out["same_answer_build_and_load"] = bool(np.array_equal(answers["build"], answers["load"]))
    if "sjoin" in answers:
        sjoin_s = out["sjoin"]["end_to_end_s"]
        for mode in ("build", "load"):
            out[mode]["vs_sjoin"] = round(sjoin_s / out[mode]["end_to_end_s"], 2)
    return out


def _database_connection() -> Any:
    """Django's connection to the managed cluster (or DATABASE_URL), set up if this is a plain process."""
    import django
    from django.conf import settings

    if not settings.configured:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "koban.settings")
        if not os.environ.get("DATABASE_URL"):
            from koban.lib.localdb import default_cluster

            default_cluster().ensure_running(quiet=True)
        django.setup()
    from django.db import connection

    return connection


def _postgis(
    polygons: list[shapely.Polygon], x: NDArray[np.float64], y: NDArray[np.float64]
) -> dict[str, Any]:
    try:
        connection = _database_connection()
        connection.ensure_connection()
    except Exception as exc:  # the comparison is optional: no database, no PostGIS column
        return {"skipped": f"no database: {exc}"}
    timing: dict[str, float] = {}
    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
        for table in ("bench_beat", "bench_point_xy", "bench_point", "bench_result"):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        clock = time.perf_counter()
        cursor.execute("CREATE TEMP TABLE bench_beat (idx integer, wkb text)")
        with cursor.copy("COPY bench_beat (idx, wkb) FROM STDIN") as copy:
            for i, wkb in enumerate(shapely.to_wkb(np.asarray(polygons, dtype=object), hex=True)):
                copy.write_row((i, wkb))
        cursor.execute("CREATE TEMP TABLE bench_point_xy (idx integer, x float8, y float8)")
        # repr() of a Python float round-trips exactly, so PostGIS sees the very same coordinates.
        lines = "".join(
            f"{i}\t{a!r}\t{b!r}\n" for i, (a, b) in enumerate(zip(x.tolist(), y.tolist(), strict=True))
        )
        with cursor.copy("COPY bench_point_xy (idx, x, y) FROM STDIN") as copy:
            copy.write(lines)
        timing["load_s"] = time.perf_counter() - clock
        clock = time.perf_counter()
        cursor.execute(
            "ALTER TABLE bench_beat ADD COLUMN geom geometry; "
            "UPDATE bench_beat SET geom = ST_SetSRID(ST_GeomFromWKB(decode(wkb, 'hex')), 4326)"
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_point AS "
            "SELECT idx, ST_SetSRID(ST_MakePoint(x, y), 4326) AS geom FROM bench_point_xy"
        )
        cursor.execute("CREATE INDEX ON bench_beat USING gist (geom)")
        cursor.execute("CREATE INDEX ON bench_point USING gist (geom)")
        cursor.execute("ANALYZE bench_beat; ANALYZE bench_point")
        timing["index_s"] = time.perf_counter() - clock
        clock = time.perf_counter()
        # Beats on the outer side of the nested loop: ST_Contains then sees the same beat for many
        # points in a row and reuses its prepared form. The planner's own choice (points outer,
        # one beat lookup per point) was about 4x slower here.
        cursor.execute(
            "CREATE TEMP TABLE bench_result AS "
            "SELECT p.idx, min(b.idx) AS beat FROM bench_beat b CROSS JOIN LATERAL "
            "(SELECT p.idx FROM bench_point p WHERE ST_Contains(b.geom, p.geom) OFFSET 0) p "
            "GROUP BY p.idx"
        )
        timing["join_s"] = time.perf_counter() - clock
        cursor.execute("SELECT idx, beat FROM bench_result")
        rows = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 2)
        cursor.execute("SELECT postgis_lib_version(), current_setting('server_version')")
        postgis_version, server_version = cursor.fetchone()
        for table in ("bench_beat", "bench_point_xy", "bench_point", "bench_result"):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute("RESET max_parallel_workers_per_gather")
    out = np.full(x.size, -1, dtype=np.int64)
    out[rows[:, 0]] = rows[:, 1]
    return {
        "assignment": out,
        "timing": {key: round(value, 4) for key, value in timing.items()},
        "postgis": postgis_version,
        "postgresql": server_version,
        "note": (
            "max_parallel_workers_per_gather = 0 (one core); beats outer, points by GiST index; "
            "the join is timed, not loading or indexing"
        ),
    }


def run(
    quick: bool, n_points: int | None = None, n_beats: int | None = None, postgis: bool = True
) -> dict[str, Any]:
    """Measure bulk beat assignment; see the module docstring. Sizes may be overridden (tests do)."""
    n_points = n_points or (QUICK_POINTS if quick else FULL_POINTS)
    n_beats = n_beats or (QUICK_BEATS if quick else FULL_BEATS)
    clock = time.perf_counter()
    polygons = realistic_beats.beats(n_beats)
    x, y = realistic_beats.points(n_points)
    data_s = time.perf_counter() - clock
    vertices = shapely.get_num_coordinates(np.asarray(polygons, dtype=object))

    index, build = _timed(lambda: PolygonIndex.from_polygons(polygons), 1)
    ours, assign = _timed(lambda: index.assign(x, y), REPEATS)
    exact, exact_timing = _timed(lambda: assign_exact(polygons, x, y), 1)
    # The same number of points spread uniformly over the extent (most far from the dense centres).
    rng = np.random.default_rng(5)
    x0, y0, x1, y1 = realistic_beats.EXTENT
    ux, uy = rng.uniform(x0, x1, n_points), rng.uniform(y0, y1, n_points)
    uniform, uniform_timing = _timed(lambda: index.assign(ux, uy), REPEATS)
    uniform_mismatches = int((uniform != assign_exact(polygons, ux, uy)).sum())
    ours_rate = _rate(n_points, assign["wall_s"])
    ours_cpu_rate = _rate(n_points, assign["cpu_s"])
    result: dict[str, Any] = {
        "points": n_points,
        "beats": n_beats,
        "vertices_per_beat": {
            "mean": round(float(vertices.mean()), 1),
            "min": int(vertices.min()),
            "max": int(vertices.max()),
        },
        "points_outside_every_beat": int((exact < 0).sum()),
        "data_generation_s": round(data_s, 3),
        "single_core": SINGLE_CORE_NOTE,
        "index": {
            "build": build,
            "assign": assign,
            "points_per_s": ours_rate,
            "points_per_cpu_s": ours_cpu_rate,
            "stats": index.stats(),
            "mismatches_vs_exact": int((ours != exact).sum()),
            "uniform_points": {
                "assign": uniform_timing,
                "points_per_cpu_s": _rate(n_points, uniform_timing["cpu_s"]),
                "mismatches_vs_exact": uniform_mismatches,
            },
        },
        "exact_reference": {"timing": exact_timing, "points_per_s": _rate(n_points, exact_timing["wall_s"])},
    }
    result["fresh_process"] = _fresh_processes(index, x, y)
    baselines = {"sjoin": _sjoin(polygons, x, y)}
    if postgis:
        baselines["postgis"] = _postgis(polygons, x, y)
    for name, baseline in baselines.items():
        if "assignment" not in baseline:
            result[name] = baseline
            continue
        assignment = baseline.pop("assignment")
        seconds = baseline["timing"].get("wall_s", baseline["timing"].get("join_s", 0.0))
        baseline["points_per_s"] = _rate(n_points, seconds)
        baseline["vs_exact"] = compare(polygons, x, y, exact, assignment)
        baseline["index_speedup"] = round(ours_rate / baseline["points_per_s"], 2)
        if "cpu_s" in baseline["timing"]:
            # CPU time is steadier than wall time on a shared machine (both are single-threaded here).
            baseline["points_per_cpu_s"] = _rate(n_points, baseline["timing"]["cpu_s"])
            baseline["index_speedup_cpu"] = round(ours_cpu_rate / baseline["points_per_cpu_s"], 2)
        baseline["index_speedup_including_build"] = round(seconds / (assign["wall_s"] + build["wall_s"]), 2)
        result[name] = baseline
    result["mismatches"] = (
        result["index"]["mismatches_vs_exact"]
        + uniform_mismatches
        + sum(result[name]["vs_exact"]["mismatches"] for name in baselines if "vs_exact" in result[name])
    )
    sjoin_speedup = result["sjoin"].get("index_speedup_cpu", result["sjoin"].get("index_speedup", 0.0))
    result["targets"] = {
        "points_per_s_per_core": {
            "target": 3_000_000,
            "measured": ours_cpu_rate,
            "by": "CPU time of this single-threaded process (wall time is in index.points_per_s)",
            "met": ours_cpu_rate >= 3_000_000,
        },
        "speedup_vs_sjoin": {
            "target": 2.5,
            "measured": sjoin_speedup,
            "by": "CPU time where measured, else wall time",
            "met": bool(sjoin_speedup >= 2.5),
        },
        "identical_to_exact": {"met": result["mismatches"] == 0},
    }
    fresh = result["fresh_process"]
    if "vs_sjoin" in fresh.get("load", {}):
        result["targets"]["fresh_process_vs_sjoin"] = {
            "target": 2.5,
            "measured": fresh["load"]["vs_sjoin"],
            "by": "wall time from the files to the answer in a new process, the kept index loaded",
            "met": bool(fresh["load"]["vs_sjoin"] >= 2.5),
        }
        result["targets"]["fresh_process_vs_sjoin"]["when_built_instead"] = fresh["build"]["vs_sjoin"]
    result["summary"] = _summary(result)
    return result


def _summary(result: dict[str, Any]) -> list[str]:
    index = result["index"]
    lines = [
        f"{result['points']:,} points x {result['beats']:,} beats "
        f"(~{result['vertices_per_beat']['mean']:.0f} vertices each)",
        f"PolygonIndex: build {index['build']['wall_s']:.2f} s, assign {index['assign']['wall_s']:.3f} s "
        f"= {index['points_per_s'] / 1e6:.2f} M points/s wall, "
        f"{index['points_per_cpu_s'] / 1e6:.2f} M per CPU-second (one core), "
        f"{index['mismatches_vs_exact']} mismatches vs exact",
        f"PolygonIndex on uniform points: "
        f"{index['uniform_points']['points_per_cpu_s'] / 1e6:.2f} M per CPU-second, "
        f"{index['uniform_points']['mismatches_vs_exact']} mismatches vs exact",
    ]
    for name in ("sjoin", "postgis"):
        baseline = result.get(name)
        if baseline is None:
            continue
        if "skipped" in baseline:
            lines.append(f"{name}: skipped ({baseline['skipped']})")
            continue
        vs = baseline["vs_exact"]
        lines.append(
            f"{name}: {baseline['points_per_s'] / 1e6:.2f} M points/s; index is "
            f"{baseline['index_speedup']}x faster"
            + (f" ({baseline['index_speedup_cpu']}x by CPU time)" if "index_speedup_cpu" in baseline else "")
            + f" ({baseline['index_speedup_including_build']}x with the index build); "
            f"{vs['mismatches']} mismatches, {vs['explained_by_boundary_rule']} boundary-rule differences"
        )
    fresh = result.get("fresh_process", {})
    if "vs_sjoin" in fresh.get("load", {}):
        lines.append(
            f"fresh process, end to end: kept index loaded {fresh['load']['end_to_end_s']:.2f} s "
            f"({fresh['load']['vs_sjoin']}x sjoin), built {fresh['build']['end_to_end_s']:.2f} s "
            f"({fresh['build']['vs_sjoin']}x sjoin), sjoin {fresh['sjoin']['end_to_end_s']:.2f} s"
        )
    met = ", ".join(
        f"{key} {'met' if value['met'] else 'NOT met'}" for key, value in result["targets"].items()
    )
    lines.append(f"targets: {met}")
    return lines


if __name__ == "__main__":
    import json

    if len(sys.argv) == 4 and sys.argv[1] == "--fresh" and sys.argv[2] in _FRESH_MODES:
        print(json.dumps(fresh_process_main(sys.argv[2], Path(sys.argv[3]))))
    else:
        print(json.dumps(run(quick="--quick" in sys.argv), indent=2, default=str))
