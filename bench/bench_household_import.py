"""Benchmark: importing an address list of 1,000,000 households with beat assignment.

Target (issue: household visits): ≥ 50,000 rows/s, against a row-by-row import measured in the same run
(the service an officer uses on the map, ``add_household``: one spatial query to place the point, a
duplicate check, one INSERT and one audit row per address) on a smaller sample, its rate extrapolated.

Set-up: the synthetic agency of ``bench_incident_import`` (realistic Voronoi beats with wiggly
boundaries, 1,500 beats, 300 in quick mode, one box per 10 beats) and a generated CSV of addresses
clustered around city centres (a few outside every beat, one row in 50 a unit of an apartment building
given earlier in the file, one in 20 a business). Everything runs in one transaction that is rolled
back at the end, so the database is left as it was.
"""

from __future__ import annotations

import contextlib
import csv
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import realistic_beats
from bench.bench_incident_import import _network, _setup_django

FULL_ROWS = 1_000_000
QUICK_ROWS = 20_000
BASELINE_ROWS = 2_000
QUICK_BASELINE_ROWS = 300


def write_csv(path: Path, rows: int, seed: int = 21) -> None:
    """An address list of *rows* rows: houses, businesses, apartment buildings and their units."""
    lons, lats = realistic_beats.points(rows, seed=seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["address", "lon", "lat", "kind", "name", "building"])
        building = ""
        for i in range(rows):
            town, block, lot = i // 10_000, (i // 100) % 100, i % 100
            address = f"ベンチ町{town}丁目{block}番{lot}号"
            kind, name, parent = "", "", ""
            if i % 50 == 0:
                kind, building = "apartment_building", address
            elif i % 50 == 1:
                kind, parent, address = "apartment_unit", building, f"{building} {i % 1000}号室"
            elif i % 20 == 7:
                kind, name = "business", f"商店{i}"
            out.writerow([address, f"{lons[i]:.6f}", f"{lats[i]:.6f}", kind, name, parent])


def row_by_row(path: Path, limit: int) -> float:
    """The officer's path, one address at a time (``add_household``). Returns seconds for *limit* rows."""
    from django.contrib.gis.geos import Point
    from django.core.exceptions import ValidationError

    from koban.households.services import add_household

    started = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        for i, row in enumerate(csv.DictReader(handle)):
            if i >= limit:
                break
            # A place outside every beat is refused by the officer's form: it counts as one row done.
            with contextlib.suppress(ValidationError):
                add_household(
                    "bench",
                    point=Point(float(row["lon"]), float(row["lat"]), srid=4326),
                    address=f"baseline {row['address']}",
                    kind=row["kind"] if row["kind"] in ("business",) else "house",
                    name=row["name"],
                )
    return time.perf_counter() - started


def run(quick: bool) -> dict[str, Any]:
    _setup_django()
    from django.db import transaction

    from koban.households.importer import HouseholdImportOptions, import_households

    rows = QUICK_ROWS if quick else FULL_ROWS
    baseline_rows = QUICK_BASELINE_ROWS if quick else BASELINE_ROWS
    n_beats = 300 if quick else 1500
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "households.csv"
        clock = time.perf_counter()
        write_csv(path, rows)
        generate_s = time.perf_counter() - clock
        size_mb = path.stat().st_size / 1e6
        with transaction.atomic():
            agency = _network(n_beats)
            from koban.geography.assign import clear_cache

            clear_cache()  # the index is built inside the timed import, as on a first import
            clock = time.perf_counter()
            report = import_households(
                path, HouseholdImportOptions(agency_code=agency.code), commit=True, actor="bench"
            )
            import_s = time.perf_counter() - clock
            if not report.committed:
                raise RuntimeError(f"benchmark import failed: {[i.describe() for i in report.errors[:5]]}")
            baseline_s = row_by_row(path, baseline_rows)
            transaction.set_rollback(True)
    fast_rate = rows / import_s
    slow_rate = baseline_rows / baseline_s
    return {
        "rows": rows,
        "file_mb": round(size_mb, 1),
        "beats": n_beats,
        "generate_csv_s": round(generate_s, 2),
        "import_s": round(import_s, 2),
        "import_rows_per_s": round(fast_rate),
        "import_stages_s": report.extra.get("stages_s"),
        "created": report.created,
        "unplaced": report.extra.get("unplaced"),
        "baseline_rows": baseline_rows,
        "baseline_s": round(baseline_s, 2),
        "baseline_rows_per_s": round(slow_rate, 1),
        "speedup": round(fast_rate / slow_rate, 1),
        "target_rows_per_s": 50_000,
        "meets_target": fast_rate >= 50_000,
        "summary": [
            f"COPY import with bulk beat assignment: {rows:,} rows in {import_s:.1f} s = {fast_rate:,.0f} rows/s"
            f" (target 50,000; {report.extra.get('unplaced', 0):,} in no beat)",
            f"row-by-row (add_household): {baseline_rows:,} rows in {baseline_s:.1f} s = {slow_rate:,.0f} rows/s",
            f"speed-up: {fast_rate / slow_rate:,.1f}x",
        ],
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
