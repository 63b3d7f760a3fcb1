"""The delivery on the task queue: approval queues the fan-out, workers send the batches, and a worker
killed in the middle of a send leaves every recipient with exactly one delivery after a restart."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection

from koban.alerts import services
from koban.alerts.models import Delivery
from tests.alerts.helpers import draft, subscriber
from tests.alerts.servers import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
CONNECTIONS, CONCURRENCY = 2, 2  # per task; tasks per worker


def run_worker_until_idle() -> None:
    """What `koban procrastinate worker` does, until the queue is empty (in a thread of its own)."""
    from procrastinate.contrib.django import app

    def work() -> None:
        with app.replace_connector(app.connector.get_worker_connector()):  # type: ignore[attr-defined]
            app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False, queues=["alerts"])

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=120)


@pytest.mark.django_db(transaction=True)
def test_approval_queues_the_delivery_and_a_worker_sends_it(cast, smtp) -> None:  # type: ignore[no-untyped-def]
    for n in range(5):
        subscriber(f"r{n}@example.jp")
    services.approve_alert(cast.chief_north, draft(cast))  # queues the fan-out once committed
    run_worker_until_idle()
    assert sorted(m["To"] for m in smtp.messages) == [f"r{n}@example.jp" for n in range(5)]
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.SENT}


class SlowSink(SmtpSink):
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        await asyncio.sleep(0.03)
        return await super().handle_DATA(server, session, envelope)


def _database_url() -> str:
    s = connection.settings_dict
    host = quote(str(s["HOST"] or ""), safe="")
    return f"postgis://{quote(s['USER'] or '')}:{quote(s['PASSWORD'] or '')}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


def _koban(sink: SmtpSink, *args: str, claim_seconds: int = 300) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "DATABASE_URL": _database_url(),
        "PYTHONPATH": str(ROOT),
        "EMAIL_HOST": sink.host,
        "EMAIL_PORT": str(sink.port),
        "KOBAN_ALERT_BATCH_SIZE": "20",
        "KOBAN_ALERT_CLAIM_SECONDS": str(claim_seconds),
        "KOBAN_ALERT_SMTP_CONNECTIONS": str(CONNECTIONS),
    }
    command = [sys.executable, "-m", "koban.cli", *args]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait(condition: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_leaves_exactly_one_delivery_per_recipient(cast) -> None:  # type: ignore[no-untyped-def]
    sink = SlowSink()
    from aiosmtpd.controller import Controller

    from tests.alerts.servers import free_port

    sink.port = free_port()
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    try:
        recipients = [subscriber(f"r{n:03d}@example.jp") for n in range(80)]
        alert = services.approve_alert(cast.chief_north, draft(cast))
        worker = _koban(
            sink, "procrastinate", "worker", "--queues", "alerts", "--concurrency", str(CONCURRENCY)
        )
        assert _wait(lambda: len(sink.messages) >= 25, 60), (
            worker.stderr.read() if worker.poll() is not None else ""
        )
        worker.send_signal(signal.SIGKILL)  # no clean shutdown: claims and the job stay behind
        worker.wait()
        killed_at = len(sink.messages)
        assert Delivery.objects.exclude(state=Delivery.State.SENT).exists(), (
            "the kill came too late to test anything"
        )
        # Restart: claims of the dead worker are taken over (0 s here instead of KOBAN_ALERT_CLAIM_SECONDS).
        resume = _koban(sink, "alerts_resume", claim_seconds=0)
        assert resume.wait(60) == 0
        restarted = _koban(sink, "procrastinate", "worker", "--queues", "alerts", "--wait", claim_seconds=0)
        try:
            done = _wait(lambda: not Delivery.objects.exclude(state=Delivery.State.SENT).exists(), 90)
        finally:
            restarted.terminate()
            restarted.wait(30)
        assert done, Counter(Delivery.objects.values_list("state", flat=True))
    finally:
        controller.stop()
    rows = Counter(Delivery.objects.filter(alert=alert).values_list("subscription_id", flat=True))
    assert sorted(rows) == sorted(r.pk for r in recipients) and set(rows.values()) == {1}
    ids_by_recipient: dict[str, set[str]] = {}
    for message in sink.messages:
        ids_by_recipient.setdefault(message["To"], set()).add(message["Message-ID"])
    assert sorted(ids_by_recipient) == sorted(r.email for r in recipients)
    assert all(len(ids) == 1 for ids in ids_by_recipient.values()), "a recipient got two different messages"
    # At most the messages accepted but not yet marked at the kill (within the claimed rows of each running
    # task: one batch of 20 here) were handed over a second time, with the same Message-ID.
    handed_twice = len(sink.messages) - len(recipients)
    assert 0 <= handed_twice <= 20 * CONCURRENCY, (killed_at, handed_twice)
