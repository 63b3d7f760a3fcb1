"""Benchmark: the national survey report of volunteer groups at national scale.

Japan has about 46,000 groups with 2.5 million members (quick mode: a tenth). Inside one transaction
rolled back at the end (the database is left as it was), 47 agencies with 20 stations each are made,
the generator (``koban.volunteers.generator``, COPY) fills them, and the report is timed for the whole
country, one agency and one station. The baseline, measured in the same run, is the same report on a
small world: one extra agency with 40 groups of the same kind. Ratios against it show how the report
grows with the data (the machines are shared, so only same-run ratios are comparable).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

FULL_GROUPS, FULL_MEMBERS = 46_000, 2_500_000
QUICK_GROUPS, QUICK_MEMBERS = 4_600, 250_000
BASELINE_GROUPS, BASELINE_MEMBERS = 40, 2_200
AGENCIES, STATIONS_PER_AGENCY = 47, 20
REPEATS = 3


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "koban.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        if not os.environ.get("DATABASE_URL"):
            from koban.lib.localdb import default_cluster

            default_cluster().ensure_running(quiet=True)
        django.setup()


def _network(prefix: str, agencies: int, stations: int) -> list[Any]:
    from koban.organization.models import Agency, PoliceStation

    made = []
    for a in range(agencies):
        agency = Agency.objects.create(code=f"{prefix}{a:02d}", name=f"Bench agency {prefix}{a:02d}")
        made += PoliceStation.objects.bulk_create(
            PoliceStation(agency=agency, code=f"{prefix}{a:02d}-{s:02d}", name=f"Station {s}")
            for s in range(stations)
        )
    return made


def _median_s(action: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(quick: bool) -> dict[str, Any]:
    _setup_django()
    from django.db import transaction

    from koban.volunteers import generator
    from koban.volunteers.models import VolunteerGroup
    from koban.volunteers.statistics import survey_report

    groups, members = (QUICK_GROUPS, QUICK_MEMBERS) if quick else (FULL_GROUPS, FULL_MEMBERS)
    today = dt.date(2026, 6, 10)
    years = list(range(today.year - 6, today.year))
    with transaction.atomic():
        started = time.perf_counter()
        national = _network("BN", AGENCIES, STATIONS_PER_AGENCY)
        made = generator.generate(
            national, groups=groups, members=members, today=today, seed=3, tag="bench national"
        )
        generate_s = time.perf_counter() - started
        small = _network("BS", 1, 2)
        generator.generate(
            small, groups=BASELINE_GROUPS, members=BASELINE_MEMBERS, today=today, seed=4, tag="bench small"
        )
        every = VolunteerGroup.objects.filter(agency__code__startswith="BN")
        agency = VolunteerGroup.objects.filter(agency_id=national[0].agency_id)
        station = VolunteerGroup.objects.filter(station=national[0])
        baseline = VolunteerGroup.objects.filter(agency__code__startswith="BS")

        def report(scope: Any) -> Any:
            return survey_report(scope, area="bench", day=today, years=years)

        counted = report(every)
        baseline_s = _median_s(lambda: report(baseline), REPEATS)
        country_s = _median_s(lambda: report(every), REPEATS)
        agency_s = _median_s(lambda: report(agency), REPEATS)
        station_s = _median_s(lambda: report(station), REPEATS)
        transaction.set_rollback(True)
    return {
        "data": {
            "groups": made.groups,
            "members": made.members,
            "vehicles": made.vehicles,
            "patrollers": made.patrollers,
        },
        "generate_s": round(generate_s, 1),
        "generate_members_per_s": round(made.members / generate_s),
        "counted_groups": counted.groups,
        "counted_members": counted.members,
        "report_country_s": round(country_s, 3),
        "report_agency_s": round(agency_s, 3),
        "report_station_s": round(station_s, 3),
        "report_baseline_s": round(baseline_s, 3),
        "ratio_country_vs_baseline": round(country_s / baseline_s, 1),
        "ratio_agency_vs_baseline": round(agency_s / baseline_s, 1),
        "ratio_station_vs_baseline": round(station_s / baseline_s, 1),
        "summary": [
            f"generated {made.groups:,} groups and {made.members:,} members in {generate_s:.1f} s"
            f" ({made.members / generate_s:,.0f} members/s)",
            f"survey report (6-year trend): country {country_s:.2f} s, agency {agency_s:.3f} s,"
            f" station {station_s:.3f} s; baseline ({BASELINE_GROUPS} groups) {baseline_s:.3f} s",
            f"ratios vs baseline: country {country_s / baseline_s:.0f}x for"
            f" {made.groups / BASELINE_GROUPS:.0f}x the groups",
        ],
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(quick="--quick" in sys.argv), indent=2, ensure_ascii=False))
