"""Benchmark: how well a city's beats agree with the police's own jurisdictions (Kashiwa).

The measure is the share of the police's labelled thefts (2022 bicycle thefts of 柏市) that land in
the box the police name, when the city is set up by the tutorial's commands only
(``docs/tutorials/real-city.md``). Target (issue: a real city): ≥ 90 %; the ceiling with town-level
positions is about 95 %. The baseline, in the same run, is the earlier documented path: beats from
the nearest box per town (``derive_beats`` without ``--from-labels``), on the same boxes and towns.

Everything runs in one transaction that is rolled back, so the database is left as it was. Needs the
shared data (``../shared/data``); without it the result says so.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

from bench.bench_incident_import import _setup_django

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
POLICE = DATA / "chiba-police-bicycle-theft-2022" / "chiba_2022zitensyatou_original_sjis.csv"


class _RollbackError(Exception):
    pass


def _agreement(call: Any, labels: bool) -> float:
    from koban.geography.models import BeatVersion
    from koban.incidents.counts import count_incidents
    from koban.incidents.models import Incident

    derive = ["derive_beats", "--agency", "bench-chiba", "--user", "bench-planner", "--activate"]
    if labels:
        derive += ["--from-labels", str(POLICE)]
    call(*derive, "--override-reason", "benchmark")
    version = BeatVersion.objects.get(agency__code="bench-chiba", status="active")
    call("replace_incidents", "--agency", "bench-chiba", "--commit")
    counts = count_incidents(Incident.objects.filter(agency__code="bench-chiba"), "box")
    assert counts.agreement is not None, version
    return counts.agreement


def run(quick: bool) -> dict[str, Any]:
    if not POLICE.exists():
        return {"skipped": f"shared data not found at {DATA}"}
    _setup_django()
    from django.core.management import call_command
    from django.db import transaction

    from koban.accounts.models import User

    def call(*args: str) -> None:
        call_command(*args, stdout=StringIO(), stderr=StringIO())

    results: dict[str, Any] = {}
    try:
        with transaction.atomic():
            User.objects.create_superuser("bench-planner", "bench@example.invalid", None)
            call(
                "setup_network",
                "--agency",
                "bench-chiba",
                "--name",
                "千葉県警察",
                "--station",
                "k=柏警察署",
                "--commit",
            )
            call(
                "import_areas",
                str(DATA / "estat-census2020-basic-unit-blocks" / "B002005212020DDSWC12217_kashiwa.zip"),
                "--preset",
                "estat-towns",
                "--commit",
            )
            call(
                "station_area", "--agency", "bench-chiba", "--station", "k", "--towns", "12217-*", "--commit"
            )
            call(
                "import_boxes",
                str(DATA / "japan-police-osm-2014" / "police.geojson"),
                "--agency",
                "bench-chiba",
                "--osm",
                "--inside-only",
                "--commit",
            )
            # The thefts need beats to be placed: derive by labels first (this opens the two boxes
            # only the labels know, so both paths below share the same boxes).
            call(
                "derive_beats",
                "--agency",
                "bench-chiba",
                "--user",
                "bench-planner",
                "--from-labels",
                str(POLICE),
                "--activate",
            )
            call(
                "import_incidents",
                str(POLICE),
                "--format",
                "chiba",
                "--agency",
                "bench-chiba",
                "--municipality",
                "12217",
                "--commit",
            )
            results["baseline_nearest_box_agreement"] = round(_agreement(call, labels=False), 4)
            results["labels_agreement"] = round(_agreement(call, labels=True), 4)
            raise _RollbackError
    except _RollbackError:
        pass
    results["ratio_labels_vs_nearest_box"] = round(
        results["labels_agreement"] / results["baseline_nearest_box_agreement"], 3
    )
    results["target_agreement"] = 0.90
    results["meets_target"] = results["labels_agreement"] >= 0.90
    return results
