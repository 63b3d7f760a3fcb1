"""Benchmark: area alerts to millions of subscribers (recipient selection, time to first message, throughput).

Targets (issue 12): with 2,500,000 subscriptions across the country, select the recipients of a city-sized alert
in < 1 s; first message handed to SMTP < 5 s after approval; deliver 100,000 e-mails to a local SMTP sink and
100,000 webhooks to a local receiver, reported in messages/s on 2 cores against a one-message-per-task baseline
of the same run (target for the whole 2.5 million: ≥ 8,000 messages/s); kill a worker in the middle of a send
and check that after a restart every recipient has exactly one delivery.

How: subscriptions are generated with COPY (60 % clustered around ten city centres, 40 % anywhere in Japan;
squares of 0.5–2 km). The recipient selection is the fan-out's spatial query, timed against the same query with
index scans disabled (a sequential scan: the baseline). Deliveries run on real workers (``koban procrastinate
worker``, two processes) against receivers in their own processes (``bench/alert_sinks.py``); the baseline
is the same path with ``KOBAN_ALERT_BATCH_SIZE=1`` (one message per task). Everything the benchmark creates
belongs to the agency ``BENCH-ALERTS`` or carries the name ``bench-alerts`` and is removed at the end.

Sizes: ``--quick`` uses 50,000 subscriptions and 3,000 messages per channel; the environment variables
``BENCH_ALERTS_SUBSCRIPTIONS`` and ``BENCH_ALERTS_MESSAGES`` override either size.
"""

from __future__ import annotations

import io
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FULL_SUBSCRIPTIONS, QUICK_SUBSCRIPTIONS = 2_500_000, 50_000
FULL_MESSAGES, QUICK_MESSAGES = 100_000, 3_000
BASELINE_SHARE = 0.05  # the one-message-per-task baseline sends this share of the messages (at least 200)
WORKERS = 2
AGENCY_CODE = "BENCH-ALERTS"
NAME = "bench-alerts"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
CITIES = [  # lon, lat of ten large cities
    (139.767, 35.681),
    (135.502, 34.693),
    (136.906, 35.170),
    (141.354, 43.062),
    (130.418, 33.590),
    (135.196, 34.690),
    (135.768, 35.011),
    (139.638, 35.443),
    (132.455, 34.385),
    (140.872, 38.268),
]
# Recipients of the throughput runs live on a remote island, away from the national subscriptions.
ISLAND = (153.98, 24.29)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "koban.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        if not os.environ.get("DATABASE_URL"):
            from koban.lib.localdb import default_cluster

            default_cluster().ensure_running(quiet=True)
        django.setup()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _square(lon: float, lat: float, size: float) -> str:
    x2, y2 = lon + size, lat + size
    return f"SRID=4326;MULTIPOLYGON((({lon:.5f} {lat:.5f},{x2:.5f} {lat:.5f},{x2:.5f} {y2:.5f},{lon:.5f} {y2:.5f},{lon:.5f} {lat:.5f})))"


def _rows(n: int, seed: int, *, at: tuple[float, float] | None = None, webhook_url: str = "") -> io.StringIO:
    """Tab-separated rows for COPY into alerts_subscription."""
    rng = random.Random(seed)
    out = io.StringIO()
    channel = "webhook" if webhook_url else "email"
    for i in range(n):
        if at is not None:
            lon, lat = at[0] + rng.uniform(-0.05, 0.05), at[1] + rng.uniform(-0.05, 0.05)
        elif rng.random() < 0.6:
            cx, cy = CITIES[rng.randrange(len(CITIES))]
            lon, lat = rng.gauss(cx, 0.12), rng.gauss(cy, 0.10)
        else:
            lon, lat = rng.uniform(129.5, 145.5), rng.uniform(31.0, 45.0)
        email = "" if webhook_url else f"s{seed}-{i}@bench.koban.invalid"
        secret = "bench-secret" if webhook_url else ""
        geom = _square(lon, lat, rng.uniform(0.005, 0.02))
        out.write(
            f"{channel}\t{email}\t{webhook_url}\t{secret}\t{NAME}\tja\t{{}}\t{geom}\t2026-01-01 00:00+09\t2026-01-01 00:00+09\t\n"
        )
    out.seek(0)
    return out


def _copy(buffer: io.StringIO) -> float:
    from django.db import connection

    start = time.perf_counter()
    with connection.cursor() as cursor:
        copy_sql = (
            "COPY alerts_subscription (channel, email, webhook_url, webhook_secret, name, language, categories, "
            "geom, created_at, confirmed_at, disabled_reason) FROM STDIN"
        )
        with cursor.cursor.copy(copy_sql) as copy:
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)
    return time.perf_counter() - start


def _generate(n: int) -> dict[str, Any]:
    from django.db import connection

    start = time.perf_counter()
    copied = 0.0
    for part, size in enumerate(_chunks(n, 250_000)):
        copied += _copy(_rows(size, seed=part))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE alerts_subscription")
    wall = time.perf_counter() - start
    return {
        "subscriptions": n,
        "wall_s": round(wall, 2),
        "copy_s": round(copied, 2),
        "rows_per_s": round(n / wall),
    }


def _chunks(n: int, size: int) -> list[int]:
    return [min(size, n - i) for i in range(0, n, size)]


def _network() -> tuple[Any, Any]:
    from koban.organization.models import Agency, PoliceBox, PoliceStation

    agency, _ = Agency.objects.get_or_create(code=AGENCY_CODE, defaults={"name": "Benchmark alerts"})
    station, _ = PoliceStation.objects.get_or_create(
        agency=agency,
        code="BA",
        defaults={"name": "Bench station", "location": "SRID=4326;POINT(139.767 35.681)"},
    )
    box, _ = PoliceBox.objects.get_or_create(
        station=station,
        code="BA1",
        defaults={"name": "Bench box", "kind": "koban", "location": "SRID=4326;POINT(139.767 35.681)"},
    )
    return station, box


def _draft(box: Any, centre: tuple[float, float], radius_km: float, place: str) -> Any:
    from koban.alerts import services
    from koban.alerts.services import AreaSpec

    data = {"title": f"Benchmark {place}", "message": "Benchmark alert.", "place": place}
    circle = f"{centre[1]:.5f},{centre[0]:.5f} {radius_km}"
    return services.draft_alert(
        "bench",
        box=box,
        kind="crime_prevention",
        data=data,
        areas=[AreaSpec(place, circles=[circle])],
        large_area_confirmed=True,
    )


def _selection(box: Any) -> dict[str, Any]:
    """The fan-out's spatial query for a city-sized circle (radius 8 km ≈ 200 km²), GiST vs sequential scan."""
    from django.db import connection, transaction

    alert = _draft(box, CITIES[0], 8, "Tokyo")
    sql = (
        "SELECT count(*) FROM alerts_subscription s WHERE s.confirmed_at IS NOT NULL AND s.unsubscribed_at IS NULL "
        "AND s.disabled_at IS NULL AND ST_Intersects(s.geom, (SELECT geom FROM alerts_alert WHERE id = %s)) "
        "AND (cardinality(s.categories) = 0 OR s.categories && ARRAY['Security']::varchar[])"
    )

    def timed(seq: bool) -> tuple[int, float]:
        best, count = float("inf"), 0
        for _ in range(3):
            with transaction.atomic(), connection.cursor() as cursor:
                if seq:
                    cursor.execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off")
                start = time.perf_counter()
                cursor.execute(sql, [alert.pk])
                count = cursor.fetchone()[0]
                best = min(best, time.perf_counter() - start)
        return count, best

    recipients, indexed = timed(False)
    _, scanned = timed(True)
    from koban.alerts import delivery
    from koban.alerts.models import Alert

    Alert.objects.filter(pk=alert.pk).update(state="released")
    alert.refresh_from_db()
    start = time.perf_counter()
    ranges = delivery.fan_out(alert)
    fan_out = time.perf_counter() - start
    alert.deliveries.all().delete()  # timed only: nothing is sent to these
    return {
        "area_km2": round(alert.area_km2, 1),
        "recipients": recipients,
        "select_s": round(indexed, 4),
        "baseline_seq_scan_s": round(scanned, 4),
        "index_speedup": round(scanned / indexed, 1) if indexed else None,
        "fan_out_insert_s": round(fan_out, 3),
        "batches": len(ranges),
        "target_select_s": 1.0,
        "meets_target": indexed < 1.0,
    }


class Receiver:
    def __init__(self, kind: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.stats = Path(tempfile.mkdtemp(prefix="koban-bench-")) / "stats.json"
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(PROJECT_ROOT / "bench" / "alert_sinks.py"),
                kind,
                str(self.port),
                str(self.stats),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"the {kind} receiver did not start")

    def read(self) -> dict[str, Any]:
        try:
            return json.loads(self.stats.read_text())  # type: ignore[no-any-return]
        except (OSError, ValueError):
            return {"count": 0, "distinct": 0, "first": 0.0, "last": 0.0}

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def _workers(
    smtp_port: int, batch_size: int, n: int = WORKERS, concurrency: int = 2, claim_seconds: int = 300
) -> list[subprocess.Popen[bytes]]:
    env = os.environ | {
        "PYTHONPATH": str(PROJECT_ROOT),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "KOBAN_ALERT_BATCH_SIZE": str(batch_size),
        "KOBAN_ALERT_CLAIM_SECONDS": str(claim_seconds),
        "PROCRASTINATE_LOG_LEVEL": "ERROR",
    }
    command = [
        sys.executable,
        "-m",
        "koban.cli",
        "procrastinate",
        "worker",
        "--queues",
        "alerts",
        "--concurrency",
        str(concurrency),
    ]
    return [
        subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(n)
    ]


def _last_worker() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM procrastinate_workers")
        return int(cursor.fetchone()[0])


def _wait_started(workers: list[subprocess.Popen[bytes]], known: int) -> None:
    """Wait until the workers registered (importing Django is slow on a loaded machine)."""
    from django.db import connection

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM procrastinate_workers WHERE id > %s", [known])
            if cursor.fetchone()[0] >= len(workers):
                return
        time.sleep(0.2)


def _stop(workers: list[subprocess.Popen[bytes]], kill: bool = False) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:  # a busy worker finishing its task: stop it (claims keep it safe)
            worker.kill()
            worker.wait(30)


def _sent(alert_id: int) -> int:
    from koban.alerts.models import Delivery

    return Delivery.objects.filter(alert_id=alert_id, state="sent").count()


def _wait_sent(alert_id: int, total: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _sent(alert_id) >= total:
            return True
        time.sleep(0.25)
    return False


def _recipients(n: int, seed: int, webhook_url: str = "") -> None:
    _copy(_rows(n, seed, at=ISLAND, webhook_url=webhook_url))


def _clear_island() -> None:
    from django.db import connection

    island = (
        "SELECT id FROM alerts_subscription WHERE name = %s "
        "AND ST_Intersects(geom, ST_MakeEnvelope(153.8, 24.1, 154.2, 24.5, 4326))"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM alerts_delivery WHERE subscription_id IN ({island})", [NAME])
        cursor.execute(f"DELETE FROM alerts_subscription WHERE id IN ({island})", [NAME])


def _deliver(
    box: Any, channel: str, n: int, batch_size: int, smtp: Receiver, hooks: Receiver
) -> dict[str, Any]:
    """Release an alert to *n* recipients of *channel* on the island and time its delivery by the workers."""
    from koban.alerts import services

    _clear_island()
    _recipients(n, seed=9000 + n + batch_size, webhook_url=hooks.url if channel == "webhook" else "")
    receiver = smtp if channel == "email" else hooks
    before = receiver.read()["count"]
    known = _last_worker()
    workers = _workers(smtp.port, batch_size)
    _wait_started(workers, known)
    alert = _draft(box, ISLAND, 12, f"island {channel} {batch_size}")
    approved_at = time.time()
    services.approve_alert("bench", alert)
    done = _wait_sent(alert.pk, n, timeout=max(120.0, n / 50))
    finished = time.time()
    _stop(workers)
    print(f"  {channel} x {n}, batches of {batch_size}: {finished - approved_at:.1f} s", file=sys.stderr)
    stats = receiver.read()
    received = stats["count"] - before
    wall = finished - approved_at
    return {
        "messages": n,
        "batch_size": batch_size,
        "completed": done,
        "received": received,
        "wall_s": round(wall, 2),
        "messages_per_s": round(n / wall, 1) if done else None,
        "first_message_after_approval_s": round(stats["first"] - approved_at, 3) if before == 0 else None,
    }


def _kill_run(box: Any, n: int, smtp: Receiver, hooks: Receiver) -> dict[str, Any]:
    """Kill both workers in the middle of a send, restart them, and count deliveries per recipient."""
    from django.core.management import call_command
    from django.db.models import Count

    from koban.alerts import services
    from koban.alerts.models import Delivery

    _clear_island()
    _recipients(n, seed=7)
    before = smtp.read()
    known = _last_worker()
    workers = _workers(smtp.port, 200)
    _wait_started(workers, known)
    alert = _draft(box, ISLAND, 12, "island kill")
    services.approve_alert("bench", alert)
    deadline = time.monotonic() + 120
    while _sent(alert.pk) < n * 0.3 and time.monotonic() < deadline:
        time.sleep(0.05)
    _stop(workers, kill=True)
    sent_at_kill = _sent(alert.pk)
    call_command("alerts_resume", stdout=io.StringIO())
    # One worker running one task at a time takes over the dead workers' claims at once (instead of
    # waiting KOBAN_ALERT_CLAIM_SECONDS): with nobody else sending, no live claim can be taken over.
    workers = _workers(smtp.port, 200, n=1, concurrency=1, claim_seconds=0)
    done = _wait_sent(alert.pk, n, timeout=max(120.0, n / 50))
    _stop(workers)
    after = smtp.read()
    per_recipient = Delivery.objects.filter(alert=alert).values("subscription").annotate(n=Count("pk"))
    return {
        "recipients": n,
        "sent_when_killed": sent_at_kill,
        "completed": done,
        "delivery_rows_per_recipient_max": max((r["n"] for r in per_recipient), default=0),
        "recipients_with_a_delivery": per_recipient.count(),
        "messages_received": after["count"] - before["count"],
        "distinct_message_ids_received": after["distinct"] - before["distinct"],
        "handed_over_twice": (after["count"] - before["count"]) - (after["distinct"] - before["distinct"]),
        "exactly_one_each": done
        and per_recipient.count() == n
        and after["distinct"] - before["distinct"] == n,
    }


def _cleanup() -> None:
    from django.db import connection

    from koban.alerts.models import Alert
    from koban.organization.models import Agency, PoliceBox, PoliceStation

    alerts = Alert.objects.filter(agency__code=AGENCY_CODE)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM alerts_delivery WHERE alert_id IN (SELECT a.id FROM alerts_alert a JOIN organization_agency g ON g.id = a.agency_id WHERE g.code = %s)",
            [AGENCY_CODE],
        )
        cursor.execute("DELETE FROM alerts_subscription WHERE name = %s", [NAME])
    from koban.alerts.models import AlertArea, AlertInfo

    AlertInfo.objects.filter(alert__in=alerts).delete()
    AlertArea.objects.filter(alert__in=alerts).delete()
    alerts.filter(references__isnull=False).delete()
    alerts.delete()
    PoliceBox.objects.filter(station__agency__code=AGENCY_CODE).delete()
    PoliceStation.objects.filter(agency__code=AGENCY_CODE).delete()
    Agency.objects.filter(code=AGENCY_CODE).delete()


def _report(results: dict[str, Any], key: str, value: Any) -> None:
    """Keep a section's result and print it at once: a failure later must not lose what was measured."""
    results[key] = value
    print(f"  {key}: {json.dumps(value)}", file=sys.stderr)


def run(quick: bool) -> dict[str, Any]:
    _setup_django()
    subscriptions = int(
        os.environ.get("BENCH_ALERTS_SUBSCRIPTIONS") or (QUICK_SUBSCRIPTIONS if quick else FULL_SUBSCRIPTIONS)
    )
    messages = int(os.environ.get("BENCH_ALERTS_MESSAGES") or (QUICK_MESSAGES if quick else FULL_MESSAGES))
    baseline = max(200, int(messages * BASELINE_SHARE))
    _cleanup()
    smtp, hooks = Receiver("smtp"), Receiver("http")
    try:
        _, box = _network()
        results: dict[str, Any] = {}
        _report(results, "generate", _generate(subscriptions))
        _report(results, "selection", _selection(box))
        email = _deliver(box, "email", messages, 1000, smtp, hooks)
        email_baseline = _deliver(box, "email", baseline, 1, smtp, hooks)
        hook = _deliver(box, "webhook", messages, 1000, smtp, hooks)
        hook_baseline = _deliver(box, "webhook", baseline, 1, smtp, hooks)
        for run_, base in ((email, email_baseline), (hook, hook_baseline)):
            if run_["messages_per_s"] and base["messages_per_s"]:
                run_["speedup_vs_one_per_task"] = round(run_["messages_per_s"] / base["messages_per_s"], 1)
        _report(results, "email", email | {"baseline_one_per_task": email_baseline})
        _report(results, "webhook", hook | {"baseline_one_per_task": hook_baseline})
        results["first_message_after_approval_s"] = email["first_message_after_approval_s"]
        results["target_first_message_s"] = 5.0
        results["target_messages_per_s"] = 8000
        _report(results, "kill_and_restart", _kill_run(box, max(1000, messages // 5), smtp, hooks))
        results["workers"] = WORKERS
        return results
    finally:
        smtp.stop()
        hooks.stop()
        _cleanup()
