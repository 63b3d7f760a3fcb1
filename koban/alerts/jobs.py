"""Procrastinate tasks of alert delivery: fan-out after approval, one task per batch, retries, recovery.

Tasks only call ``koban.alerts.delivery``; every state lives in the ``Delivery`` rows, so a task may run
twice, late or after a crash without sending a message twice.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.urls import get_resolver
from procrastinate.contrib.django import app

from koban.alerts import delivery
from koban.alerts.models import Alert

QUEUE = "alerts"


def on_app_ready(app: Any) -> None:
    """Load the URL configuration when a worker starts, not when the first alert e-mail needs its links.

    Building the links of the first message (``reverse``) imports every app's views: several seconds on a
    busy machine, paid after approval instead of before (the target is the first message within 5 s).
    """
    get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect of importing the URLconf


def _queue_batches(alert_id: int, ranges: list[tuple[int, int]]) -> None:
    for lo, hi in ranges:
        send_batch.defer(alert_id=alert_id, lo=lo, hi=hi)


@app.task(queue=QUEUE, name="koban.alerts.fan_out")
def fan_out_alert(alert_id: int) -> None:
    """Record the deliveries of a released alert and queue one task per batch of recipients."""
    try:
        alert = Alert.objects.prefetch_related("infos").get(pk=alert_id)
        _queue_batches(alert_id, delivery.fan_out(alert))
    finally:
        connection.close()


def _schedule(alert_id: int, lo: int, hi: int, when: datetime.datetime) -> None:
    send_batch.configure(schedule_at=when).defer(alert_id=alert_id, lo=lo, hi=hi)


@app.task(queue=QUEUE, name="koban.alerts.send_batch")
def send_batch(alert_id: int, lo: int, hi: int) -> None:
    """Send one batch; schedule it again for what waits (retries with backoff, quiet hours)."""
    try:
        result = delivery.send_batch(alert_id, lo, hi)
        if result.next_try is not None:
            _schedule(alert_id, lo, hi, result.next_try)
    finally:
        connection.close()


def queue_unfinished() -> int:
    """Queue again the batches with due or abandoned deliveries; returns how many were queued."""
    queued = 0
    for alert_id, lo, hi in delivery.unfinished():
        send_batch.defer(alert_id=alert_id, lo=lo, hi=hi)
        queued += 1
    return queued


@app.periodic(cron="*/5 * * * *")
@app.task(queue=QUEUE, name="koban.alerts.resume", queueing_lock="koban.alerts.resume")
def resume_deliveries(timestamp: int) -> None:
    """Every 5 minutes: pick up what a killed worker left (its claims expire) and what waited."""
    try:
        queue_unfinished()
    finally:
        connection.close()
