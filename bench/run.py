"""Run Koban's benchmarks and write their results as JSON: ``koban bench [--quick] [NAME ...]``.

Each ``bench/bench_<name>.py`` exposes ``run(quick: bool) -> dict`` returning JSON-ready results,
including ratios against a baseline measured in the same run (the machines are shared and noisy, so
only same-run ratios are comparable). Results go to ``bench/results/<name>.json`` together with the
machine and library versions and a UTC timestamp.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
_LIBRARIES = ("numpy", "scipy", "shapely", "geopandas", "pyproj", "Django", "psycopg")


def discover() -> list[str]:
    """Names of the benchmarks, from the ``bench_<name>.py`` modules beside this file."""
    return sorted(path.stem.removeprefix("bench_") for path in BENCH_DIR.glob("bench_*.py"))


def machine_info() -> dict[str, Any]:
    """What the numbers were measured on."""
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        # The machines are shared: a load above the core count means the wall times are inflated.
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "libraries": {},
    }
    for name in _LIBRARIES:
        try:
            info["libraries"][name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            info["libraries"][name] = None
    try:
        import shapely

        info["libraries"]["geos"] = shapely.geos_version_string
    except ImportError:
        pass
    return info


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def run_one(name: str, quick: bool) -> dict[str, Any]:
    """Run one benchmark module and wrap its results with machine info and timing."""
    module = importlib.import_module(f"bench.bench_{name}")
    started = datetime.now(UTC)
    load_at_start = [round(load, 2) for load in os.getloadavg()]
    clock = time.perf_counter()
    results = module.run(quick=quick)
    return {
        "load_average_at_start": load_at_start,
        "benchmark": name,
        "quick": quick,
        "started_at": started.isoformat(timespec="seconds"),
        "duration_s": round(time.perf_counter() - clock, 3),
        "machine": machine_info(),
        "results": results,
    }


def summary_lines(record: dict[str, Any]) -> list[str]:
    """A readable summary: the module's own ``summary`` lines if it gives some, else the top-level numbers."""
    results = record["results"]
    lines = [f"== {record['benchmark']} ({'quick' if record['quick'] else 'full'}, {record['duration_s']} s)"]
    if isinstance(results.get("summary"), list):
        lines.extend(f"   {line}" for line in results["summary"])
    else:
        lines.extend(
            f"   {key}: {value}" for key, value in results.items() if isinstance(value, int | float | str)
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the selected (default: all) benchmarks; exit status 1 if any failed, 2 on a bad name."""
    parser = argparse.ArgumentParser(prog="koban bench", description="Run Koban's benchmarks.")
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--output-dir", type=Path, default=RESULTS_DIR, help="where to write <name>.json")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    available = discover()
    if args.list:
        print("\n".join(available))
        return 0
    unknown = sorted(set(args.names) - set(available))
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}", file=sys.stderr
        )
        return 2
    args.output_dir.mkdir(parents=True, exist_ok=True)
    failed = []
    for name in args.names or available:
        try:
            record = run_one(name, args.quick)
        except Exception:
            traceback.print_exc()
            print(f"benchmark {name} failed", file=sys.stderr)
            failed.append(name)
            continue
        path = args.output_dir / f"{name}.json"
        path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
        print("\n".join(summary_lines(record)))
        print(f"   -> {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
