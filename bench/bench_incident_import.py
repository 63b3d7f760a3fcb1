"""Benchmark: importing historical incidents from CSV with beat assignment.

Targets (docs/performance.md): ≥ 50,000 rows/s with beat assignment in the default mode, into a live
table whose indexes stay in place (officers keep working), and for 1,000,000 incidents in the
``bulk_load`` mode; both against a plain row-by-row ORM import measured in the same run. The
baseline (parse a row, find its beat with one spatial query, ``Incident.objects.create``) is timed on
a smaller sample and its rate extrapolated: at a few hundred rows per second, a million rows would
take most of an hour.

First the big file is loaded in ``bulk_load`` mode (indexes and foreign keys dropped for the load and
restored at the end, all inside the timed import); then a second file goes in by the default mode
into that now large table, indexes and foreign keys in place (rows staged, then one INSERT … SELECT,
keys checked once per distinct key; see ``koban.incidents.importers.loader``). Foreign keys are
checked inside the timed import in both modes.

Set-up: a synthetic agency whose active beats are realistic Voronoi beats with wiggly boundaries
(``bench/realistic_beats.py``; 1,500 beats, 300 in quick mode), one box and station per 10 beats,
and a generated CSV in the ``generic`` layout (points clustered around city centres, a few outside
every beat, every 20th row with response times). Everything runs inside one transaction that is
rolled back at the end, so the database is left as it was.
"""

from __future__ import annotations

import csv
import datetime
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench import realistic_beats

FULL_ROWS = 1_000_000
QUICK_ROWS = 20_000
BASELINE_ROWS = 5_000
QUICK_BASELINE_ROWS = 1_000
CATEGORIES = ("theft", "bicycle_theft", "assault", "traffic_accident", "noise_trouble", "other")


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "koban.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        if not os.environ.get("DATABASE_URL"):
            from koban.lib.localdb import default_cluster

            default_cluster().ensure_running(quiet=True)
        django.setup()


def write_csv(path: Path, rows: int, seed: int = 5) -> None:
    """A generic-layout incident file of *rows* rows over the benchmark's extent."""
    rng = np.random.default_rng(seed)
    lons, lats = realistic_beats.points(rows, seed=seed)
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC).timestamp()
    received = start + rng.uniform(0, 365 * 86400, rows)
    categories = rng.integers(0, len(CATEGORIES), rows)
    response = rng.lognormal(np.log(480), 0.45, rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["received_at", "category", "lon", "lat", "address", "description", "arrived_at"])
        for i in range(rows):
            at = datetime.datetime.fromtimestamp(received[i], datetime.UTC)
            arrived = (
                (at + datetime.timedelta(seconds=float(response[i]))).isoformat(timespec="seconds")
                if i % 20 == 0
                else ""
            )
            out.writerow(
                [
                    at.isoformat(timespec="seconds"),
                    CATEGORIES[categories[i]],
                    f"{lons[i]:.6f}",
                    f"{lats[i]:.6f}",
                    f"町{i % 977}丁目",
                    "synthetic benchmark row",
                    arrived,
                ]
            )


def _network(n_beats: int) -> Any:
    """An agency with stations, boxes and an active version of realistic beats; returns the agency."""
    from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point

    from koban.geography.models import Beat, BeatVersion
    from koban.organization.models import Agency, PoliceBox, PoliceStation

    polygons = realistic_beats.beats(n_beats)
    agency = Agency.objects.create(code="BENCH-INC", name="Incident import benchmark")
    stations = PoliceStation.objects.bulk_create(
        PoliceStation(agency=agency, code=f"S{i}", name=f"Bench station {i}")
        for i in range(n_beats // 10 + 1)
    )
    boxes = []
    for i, polygon in enumerate(polygons):
        if i % 10 == 0:
            centre = polygon.representative_point()
            boxes.append(
                PoliceBox(
                    station=stations[i // 10],
                    code=f"B{i}",
                    name=f"Bench box {i}",
                    location=Point(centre.x, centre.y, srid=4326),
                )
            )
    boxes = PoliceBox.objects.bulk_create(boxes)
    version = BeatVersion.objects.create(agency=agency, name="bench", status=BeatVersion.Status.ACTIVE)
    Beat.objects.bulk_create(
        Beat(
            version=version,
            box=boxes[i // 10],
            code=f"K{i}",
            geom=MultiPolygon(GEOSGeometry(polygon.wkb_hex, srid=4326), srid=4326),
        )
        for i, polygon in enumerate(polygons)
    )
    return agency


def row_by_row(path: Path, agency: Any, limit: int) -> float:
    """The naive import: one spatial query and one INSERT per row (ORM). Returns seconds for *limit* rows."""
    from django.contrib.gis.geos import Point
    from django.db import transaction

    from koban.geography.models import Beat
    from koban.incidents.models import Incident, IncidentCategory, Source, Status

    categories = {c.code: c for c in IncidentCategory.objects.all()}
    started = time.perf_counter()
    with transaction.atomic(), path.open(encoding="utf-8", newline="") as handle:
        for i, row in enumerate(csv.DictReader(handle)):
            if i >= limit:
                break
            point = Point(float(row["lon"]), float(row["lat"]), srid=4326)
            beat = (
                Beat.objects.current()
                .filter(version__agency=agency)
                .containing(point)
                .select_related("box")
                .first()
            )
            category = categories[row["category"]]
            Incident.objects.create(
                agency=agency,
                source=Source.IMPORTED,
                category=category,
                priority=category.default_priority,
                status=Status.CLEARED,
                location=point,
                address=row["address"],
                description=row["description"],
                beat=beat,
                box=beat.box if beat else None,
                station_id=beat.box.station_id if beat else None,
                outside_jurisdiction=beat is None,
                received_at=datetime.datetime.fromisoformat(row["received_at"]),
                arrived_at=datetime.datetime.fromisoformat(row["arrived_at"]) if row["arrived_at"] else None,
            )
    return time.perf_counter() - started


def run(quick: bool) -> dict[str, Any]:
    _setup_django()
    from django.db import transaction

    from koban.incidents.importers.loader import import_incidents_file

    rows = QUICK_ROWS if quick else FULL_ROWS
    baseline_rows = QUICK_BASELINE_ROWS if quick else BASELINE_ROWS
    n_beats = 300 if quick else 1500
    incremental_rows = 5_000 if quick else 50_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "incidents.csv"
        clock = time.perf_counter()
        write_csv(path, rows)
        generate_s = time.perf_counter() - clock
        size_mb = path.stat().st_size / 1e6
        with transaction.atomic():
            clock = time.perf_counter()
            agency = _network(n_beats)
            setup_s = time.perf_counter() - clock
            report = import_incidents_file(
                path, "generic", agency=agency, actor="bench", commit=True, bulk_load=True
            )
            if not report.committed or report.bad_rows:
                raise RuntimeError(f"benchmark import failed: {report.as_dict()}")
            # The default mode (indexes and foreign keys maintained row by row) on a smaller file.
            small = Path(tmp) / "incidents-small.csv"
            write_csv(small, incremental_rows, seed=6)
            incremental = import_incidents_file(small, "generic", agency=agency, actor="bench", commit=True)
            baseline_s = row_by_row(path, agency, baseline_rows)
            transaction.set_rollback(True)
    fast_rate = rows / report.seconds
    slow_rate = baseline_rows / baseline_s
    default_rate = incremental_rows / incremental.seconds
    return {
        "rows": rows,
        "file_mb": round(size_mb, 1),
        "beats": n_beats,
        "generate_csv_s": round(generate_s, 2),
        "network_setup_s": round(setup_s, 2),
        "import_s": round(report.seconds, 2),
        "import_rows_per_s": round(fast_rate),
        "import_stages_s": {k: round(v, 2) for k, v in report.stages.items()},
        "rows_outside_jurisdiction": report.rows_outside,
        "incremental_rows": incremental_rows,
        "incremental_s": round(incremental.seconds, 2),
        "incremental_rows_per_s": round(default_rate),
        "incremental_stages_s": {k: round(v, 2) for k, v in incremental.stages.items()},
        "incremental_foreign_key_checks": incremental.foreign_key_checks,
        "baseline_rows": baseline_rows,
        "baseline_s": round(baseline_s, 2),
        "baseline_rows_per_s": round(slow_rate, 1),
        "baseline_extrapolated_s_for_all_rows": round(rows / slow_rate, 1),
        "speedup": round(fast_rate / slow_rate, 1),
        "default_mode_speedup": round(default_rate / slow_rate, 1),
        "target_rows_per_s": 50_000,
        "meets_target": fast_rate >= 50_000 and default_rate >= 50_000,
        "targets": {
            "default_mode_rows_per_s": {
                "target": 50_000,
                "measured": round(default_rate),
                "by": f"{incremental_rows:,} rows into a table of {rows:,}, indexes and keys in place",
                "met": default_rate >= 50_000,
            },
            "bulk_load_rows_per_s": {
                "target": 50_000,
                "measured": round(fast_rate),
                "met": fast_rate >= 50_000,
            },
        },
        "summary": [
            f"bulk load: {rows:,} rows in {report.seconds:.1f} s = {fast_rate:,.0f} rows/s"
            f" (target 50,000: {'met' if fast_rate >= 50_000 else 'NOT met'};"
            f" {report.rows_outside:,} outside every beat)",
            f"default mode (staged, one INSERT … SELECT, indexes and keys in place): {incremental_rows:,} rows"
            f" in {incremental.seconds:.1f} s = {default_rate:,.0f} rows/s (target 50,000:"
            f" {'met' if default_rate >= 50_000 else 'NOT met'}; keys checked {incremental.foreign_key_checks})",
            f"row-by-row ORM: {baseline_rows:,} rows in {baseline_s:.1f} s = {slow_rate:,.0f} rows/s"
            f" (extrapolated to {rows:,} rows: {rows / slow_rate:,.0f} s)",
            f"speed-up over row-by-row: bulk load {fast_rate / slow_rate:,.1f}x,"
            f" default mode {default_rate / slow_rate:,.1f}x",
        ],
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
