"""Benchmark: the box dashboard of a busy koban ("the state of my area").

Target (docs/performance.md): the dashboard of a box with 10,000 incidents in its beat renders in
< 200 ms, with a bounded number of queries. Measured through Django's test client (URL routing,
middleware, sessions, access checks, every section and the template), warm, median of N requests.

Set-up, inside one transaction rolled back at the end (the database is left as it was): an agency
with one station and two boxes. The busy box's beat (about 1.1 km × 1.1 km, an urban koban) holds
10,000 incidents over the last year (1,000 in quick mode), about 1,000 street segments, three
patrols a day, a rotating roster of nine officers, about twenty counter matters a day, found items
and loss reports at a box's usual rates. The quiet box has the same beat shape and streets and
nothing else: its dashboard is the baseline, measured in the same run, together with the plain box
page. Each section's own build time is reported too, to show where the time goes. Street coverage is
cached until the next patrol (``koban.web.dashboard.patrols``); the first render after a new patrol,
which recomputes it, is reported on its own.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

FULL_INCIDENTS = 10_000
QUICK_INCIDENTS = 1_000
FULL_REPEATS = 25
QUICK_REPEATS = 7
TARGET_MS = 200.0
# An urban koban beat in Tokyo: about 0.011° × 0.010° ≈ 1.0 km × 1.1 km at 35.7°N.
LON0, LAT0, WIDTH, HEIGHT = 139.70, 35.69, 0.011, 0.010
STREETS = 22  # streets each way: segments of ~50 m, about a thousand of them
ANALYZED_TABLES = (
    "incidents_incident",
    "geography_roadsegment",
    "patrols_patrol",
    "rosters_rosterentry",
    "counter_countermatter",
    "lostfound_founditem",
    "lostfound_itemtask",
    "lostfound_lossreport",
)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "koban.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        if not os.environ.get("DATABASE_URL"):
            from koban.lib.localdb import default_cluster

            default_cluster().ensure_running(quiet=True)
        django.setup()


def _square(lon: float, lat: float) -> Any:
    from django.contrib.gis.geos import MultiPolygon, Polygon

    ring = ((lon, lat), (lon + WIDTH, lat), (lon + WIDTH, lat + HEIGHT), (lon, lat + HEIGHT), (lon, lat))
    return MultiPolygon(Polygon(ring), srid=4326)


def _streets(lon: float, lat: float) -> int:
    """A street grid over the beat at *lon*, *lat*: each street cut into segments at every junction."""
    from django.contrib.gis.geos import LineString

    from koban.geography.models import RoadSegment
    from koban.lib.geo import distance_m

    xs = [lon + WIDTH * (i + 0.5) / STREETS for i in range(STREETS)]
    ys = [lat + HEIGHT * (j + 0.5) / STREETS for j in range(STREETS)]
    rows = []
    for i, x in enumerate(xs):
        for j in range(STREETS - 1):
            a, b = (x, ys[j]), (x, ys[j + 1])
            rows.append(
                RoadSegment(
                    name=f"{i + 1}番通り", geom=LineString(a, b, srid=4326), length_m=distance_m(*a, *b)
                )
            )
    for j, y in enumerate(ys):
        for i in range(STREETS - 1):
            a, b = (xs[i], y), (xs[i + 1], y)
            rows.append(
                RoadSegment(
                    name=f"{j + 1}丁目通り", geom=LineString(a, b, srid=4326), length_m=distance_m(*a, *b)
                )
            )
    RoadSegment.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _network() -> dict[str, Any]:
    from django.contrib.gis.geos import Point

    from koban.accounts.models import Role, User
    from koban.geography.models import Beat, BeatVersion
    from koban.organization.models import Agency, PoliceBox, PoliceStation

    agency = Agency.objects.create(code="BENCH-DASH", name="Dashboard benchmark")
    station = PoliceStation.objects.create(
        agency=agency, code="S", name="ベンチ警察署", location=Point(LON0, LAT0, srid=4326)
    )
    busy = PoliceBox.objects.create(
        station=station,
        code="BUSY",
        name="駅前交番",
        location=Point(LON0 + WIDTH / 2, LAT0 + HEIGHT / 2, srid=4326),
    )
    quiet_lon = LON0 + 2 * WIDTH
    quiet = PoliceBox.objects.create(
        station=station,
        code="QUIET",
        name="静か交番",
        location=Point(quiet_lon + WIDTH / 2, LAT0 + HEIGHT / 2, srid=4326),
    )
    version = BeatVersion.objects.create(agency=agency, name="bench", status=BeatVersion.Status.ACTIVE)
    Beat.objects.create(version=version, box=busy, code="BUSY-1", geom=_square(LON0, LAT0))
    Beat.objects.create(version=version, box=quiet, code="QUIET-1", geom=_square(quiet_lon, LAT0))
    segments = _streets(LON0, LAT0) + _streets(quiet_lon, LAT0)
    officers = [
        User.objects.create(
            username=f"bench-dash-{i}", role=Role.BOX_OFFICER, agency=agency, station=station, box=busy
        )
        for i in range(9)
    ]
    quiet_officer = User.objects.create(
        username="bench-dash-quiet", role=Role.BOX_OFFICER, agency=agency, station=station, box=quiet
    )
    return {
        "busy": busy,
        "quiet": quiet,
        "officers": officers,
        "quiet_officer": quiet_officer,
        "segments": segments,
    }


def _incidents(box: Any, now: dt.datetime, count: int, rng: random.Random) -> None:
    from django.contrib.gis.geos import Point

    from koban.geography.models import Beat
    from koban.incidents.models import Incident, IncidentCategory, Status

    beat = Beat.objects.get(box=box)
    categories = list(IncidentCategory.objects.all())
    rows = []
    for _ in range(count):
        received = now - dt.timedelta(seconds=rng.uniform(60, 365 * 86400))
        category = rng.choice(categories)
        recent = received > now - dt.timedelta(days=2)
        closed = rng.random() < (0.6 if recent else 0.995)
        response = rng.lognormvariate(6.1, 0.45)  # median about 7.5 minutes
        rows.append(
            Incident(
                agency=box.station.agency,
                category=category,
                priority=category.default_priority,
                status=Status.CLEARED if closed else Status.RECEIVED,
                location=Point(LON0 + rng.uniform(0, WIDTH), LAT0 + rng.uniform(0, HEIGHT), srid=4326),
                beat=beat,
                box=box,
                station=box.station,
                received_at=received,
                dispatched_at=received + dt.timedelta(seconds=response / 3) if closed else None,
                arrived_at=received + dt.timedelta(seconds=response) if closed else None,
                cleared_at=received + dt.timedelta(seconds=response + 1800) if closed else None,
            )
        )
    Incident.objects.bulk_create(rows, batch_size=5000)


def _roster(box: Any, officers: list[Any], now: dt.datetime) -> int:
    """Three groups of three on 24-hour duties from 08:30, for 20 days back and 20 days ahead."""
    from django.utils import timezone

    from koban.rosters.models import EntryKind, RosterEntry

    first = timezone.localtime(now).replace(hour=8, minute=30, second=0, microsecond=0) - dt.timedelta(
        days=20
    )
    rows = [
        RosterEntry(
            box=box,
            officer=officer,
            start=first + dt.timedelta(days=d),
            end=first + dt.timedelta(days=d + 1),
            kind=EntryKind.DUTY,
            shift_code="duty",
        )
        for d in range(40)
        for officer in officers[(d % 3) * 3 : (d % 3) * 3 + 3]
    ]
    RosterEntry.objects.bulk_create(rows)
    return len(rows)


def _patrols(box: Any, officers: list[Any], now: dt.datetime, days: int, rng: random.Random) -> int:
    """Three foot patrols a day, each along a few streets of the grid."""
    from django.contrib.gis.geos import LineString, MultiLineString

    from koban.patrols.models import Patrol

    rows = []
    for d in range(days):
        for k in range(3):
            start = now - dt.timedelta(days=d, hours=3 + 7 * k)
            x = LON0 + WIDTH * (rng.randrange(STREETS) + 0.5) / STREETS
            y = LAT0 + HEIGHT * (rng.randrange(STREETS) + 0.5) / STREETS
            points = [(x, LAT0 + HEIGHT * 0.02), (x, y), (LON0 + WIDTH * 0.98, y)]
            route = MultiLineString(LineString(points, srid=4326), srid=4326)
            rows.append(
                Patrol(
                    box=box,
                    started_at=start,
                    ended_at=start + dt.timedelta(minutes=50),
                    route=route,
                    source=Patrol.Source.DRAWN,
                    distance_m=1500.0,
                )
            )
    created = Patrol.objects.bulk_create(rows, batch_size=2000)
    through = Patrol.officers.through
    through.objects.bulk_create(
        through(patrol_id=p.pk, user_id=officers[i % len(officers)].pk) for i, p in enumerate(created)
    )
    return len(created)


def _counter(box: Any, officers: list[Any], now: dt.datetime, days: int, rng: random.Random) -> int:
    from koban.counter.models import CounterCategory, CounterMatter, Outcome

    categories = list(CounterCategory.objects.all())
    rows = [
        CounterMatter(
            box=box,
            received_at=now - dt.timedelta(seconds=rng.uniform(60, days * 86400)),
            category=rng.choice(categories),
            summary="道案内",
            outcome=Outcome.FOLLOW_UP if rng.random() < 0.02 else Outcome.RESOLVED,
            handled_by=rng.choice(officers),
        )
        for _ in range(days * 20)
    ]
    CounterMatter.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _lost_property(box: Any, officers: list[Any], now: dt.datetime, days: int, rng: random.Random) -> int:
    """About eight found items a day (most returned or closed), open tasks for the recent ones."""
    from django.utils import timezone

    from koban.lostfound.clocks import State
    from koban.lostfound.models import FoundItem, ItemCategory, ItemTask, LossReport

    categories = list(ItemCategory.objects.all())
    items = []
    for seq in range(days * 8):
        handed = now - dt.timedelta(seconds=rng.uniform(60, days * 86400))
        day = timezone.localtime(handed).date()
        state = State.RECEIVED if handed > now - dt.timedelta(days=90) else State.RETURNED
        items.append(
            FoundItem(
                box=box,
                receipt_year=day.year,
                receipt_seq=seq + 1,
                receipt_number=f"BUSY-{day.year}-{seq + 1:05d}",
                found_at=handed - dt.timedelta(hours=1),
                found_place="駅前",
                handed_in_at=handed,
                category=rng.choice(categories),
                description="財布",
                state=state,
                state_changed_on=day,
                notice_ends_on=day + dt.timedelta(days=90),
                created_by=rng.choice(officers),
            )
        )
    items = FoundItem.objects.bulk_create(items, batch_size=5000)
    today = timezone.localdate(now)
    ItemTask.objects.bulk_create(
        ItemTask(
            item=item,
            kind=ItemTask.Kind.NOTIFY_FINDER,
            due_on=today - dt.timedelta(days=i % 3),
            created_on=today,
        )
        for i, item in enumerate(items[:60])
    )
    LossReport.objects.bulk_create(
        LossReport(
            box=box,
            reported_at=now - dt.timedelta(days=i % days),
            owner_name="持ち主",
            owner_contact="000",
            lost_from=now - dt.timedelta(days=i % days + 1),
            lost_to=now - dt.timedelta(days=i % days),
            category=rng.choice(categories),
            description="鍵",
        )
        for i in range(days * 2)
    )
    return len(items)


def _median_ms(call: Callable[[], Any], repeats: int, warm: int = 3) -> tuple[float, list[float]]:
    for _ in range(warm):
        call()
    times = []
    for _ in range(repeats):
        clock = time.perf_counter()
        call()
        times.append((time.perf_counter() - clock) * 1000)
    return statistics.median(times), times


def _get(client: Any, url: str) -> Any:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")
    return response


def _queries(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _get(client, url)
    return len(captured.captured_queries)


def _section_ms(box: Any, user: Any, repeats: int) -> dict[str, float]:
    from django.utils import timezone
    from koban.web.dashboard.registry import all_sections

    out = {}
    for section in all_sections():
        median, _times = _median_ms(lambda s=section: s.build(box, user, timezone.now()), repeats, warm=1)
        out[section.key] = round(median, 1)
    return out


def run(quick: bool) -> dict[str, Any]:
    _setup_django()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection, transaction
    from django.test import Client, override_settings
    from django.utils import timezone

    n_incidents = QUICK_INCIDENTS if quick else FULL_INCIDENTS
    repeats = QUICK_REPEATS if quick else FULL_REPEATS
    days = 365 if not quick else 60
    rng = random.Random(11)
    now = timezone.now()
    with transaction.atomic(), override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        clock = time.perf_counter()
        net = _network()
        busy, quiet, officers = net["busy"], net["quiet"], net["officers"]
        _incidents(busy, now, n_incidents, rng)
        counts = {
            "incidents": n_incidents,
            "street_segments_per_beat": net["segments"] // 2,
            "roster_entries": _roster(busy, officers, now),
            "patrols": _patrols(busy, officers, now, days, rng),
            "counter_matters": _counter(busy, officers, now, days, rng),
            "found_items": _lost_property(busy, officers, now, days, rng),
        }
        # A live database has planner statistics for these tables; rows inserted in this (never
        # committed) transaction would otherwise be planned for as if the tables were empty.
        with connection.cursor() as cursor:
            for table in ANALYZED_TABLES:
                cursor.execute(f"ANALYZE {table}")
        setup_s = time.perf_counter() - clock

        busy_client, quiet_client = Client(), Client()
        busy_client.force_login(officers[0])
        quiet_client.force_login(net["quiet_officer"])
        busy_url = f"/boxes/{busy.pk}/dashboard/"
        quiet_url = f"/boxes/{quiet.pk}/dashboard/"
        box_url = f"/boxes/{busy.pk}/"
        busy_ms, busy_times = _median_ms(lambda: _get(busy_client, busy_url), repeats)
        quiet_ms, _ = _median_ms(lambda: _get(quiet_client, quiet_url), repeats)
        box_ms, _ = _median_ms(lambda: _get(busy_client, box_url), repeats)
        points_ms, _ = _median_ms(
            lambda: _get(busy_client, f"/boxes/{busy.pk}/dashboard/incidents.geojson?days=30"), repeats
        )
        pdf_ms, _ = _median_ms(lambda: _get(busy_client, f"/boxes/{busy.pk}/briefing.pdf?lang=ja"), 3, warm=1)
        busy_queries = _queries(busy_client, busy_url)
        quiet_queries = _queries(quiet_client, quiet_url)
        cold_ms, _ = _median_ms(lambda: (cache.clear(), _get(busy_client, busy_url)), 3, warm=0)
        sections = _section_ms(busy, officers[0], max(3, repeats // 3))
        transaction.set_rollback(True)
    return {
        "data": counts,
        "setup_s": round(setup_s, 1),
        "repeats": repeats,
        "dashboard_ms": round(busy_ms, 1),
        "dashboard_p_max_ms": round(max(busy_times), 1),
        "dashboard_queries": busy_queries,
        "dashboard_after_new_patrol_ms": round(cold_ms, 1),
        "empty_beat_dashboard_ms": round(quiet_ms, 1),
        "empty_beat_dashboard_queries": quiet_queries,
        "box_page_ms": round(box_ms, 1),
        "ratio_vs_empty_beat": round(busy_ms / quiet_ms, 2),
        "ratio_vs_box_page": round(busy_ms / box_ms, 2),
        "incident_points_30d_ms": round(points_ms, 1),
        "briefing_pdf_ms": round(pdf_ms, 1),
        "section_build_ms": sections,
        "target_ms": TARGET_MS,
        "meets_target": busy_ms < TARGET_MS,
        "summary": [
            f"dashboard, {n_incidents:,} incidents in the beat: {busy_ms:.1f} ms median of {repeats}"
            f" ({busy_queries} queries; target < {TARGET_MS:.0f} ms)",
            f"first render after a new patrol (coverage recomputed, not cached): {cold_ms:.0f} ms",
            f"same dashboard, empty beat: {quiet_ms:.1f} ms ({quiet_queries} queries) -> ratio {busy_ms / quiet_ms:.2f}",
            f"plain box page: {box_ms:.1f} ms -> ratio {busy_ms / box_ms:.2f}",
            f"map points (30 days): {points_ms:.1f} ms; briefing PDF (ja): {pdf_ms:.0f} ms",
            "sections (ms): " + ", ".join(f"{k} {v}" for k, v in sections.items()),
        ],
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(quick="--quick" in sys.argv), indent=2, ensure_ascii=False))
