"""Delivery of a released alert: choose the recipients, record one delivery each, send in batches.

1. ``fan_out`` inserts one ``Delivery`` per (alert, subscription, channel) with one INSERT … SELECT: the
   subscriptions whose areas intersect the alert's (GiST index), that are confirmed and active and chose one of
   its categories. ``ON CONFLICT DO NOTHING`` makes running it again harmless. Subscribers in their quiet hours
   get ``not_before`` = the end of them, unless the alert is urgent (CAP urgency Immediate).
2. The rows are cut into id ranges of ``KOBAN_ALERT_BATCH_SIZE``; a task sends each range.
3. ``send_batch`` claims the due rows of its range (``pending`` → ``sending``, committed) before handing any
   message over, and marks each ``sent`` right after its hand-over. A second run of the same range, a retry
   or a worker started after a crash skips what is ``sent`` and what another live worker holds; a row held
   by a worker that died is taken again after ``KOBAN_ALERT_CLAIM_SECONDS``, with the same Message-ID.
4. A failed message is tried again after ``KOBAN_ALERT_RETRY_SECONDS`` × 2^(tries-1); after
   ``KOBAN_ALERT_MAX_ATTEMPTS`` tries it fails for good, and a webhook endpoint that failed for good is
   disabled. An address the SMTP server refuses permanently (5xx) is marked bounced at once.
"""

from __future__ import annotations

import datetime
import smtplib
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.core.mail import get_connection
from django.db import connection
from django.utils import timezone

from koban.alerts.messages import EmailText, alert_email, email_text, webhook_headers
from koban.alerts.models import Alert, Channel, Delivery, Status, Subscription

_FAN_OUT = """
INSERT INTO alerts_delivery (alert_id, subscription_id, channel, state, attempts, not_before, last_error)
SELECT %(alert)s, s.id, s.channel, 'pending', 0,
  CASE
    WHEN %(urgent)s OR s.quiet_start IS NULL OR s.quiet_end IS NULL OR s.quiet_start = s.quiet_end THEN NULL
    WHEN s.quiet_start < s.quiet_end AND %(t)s::time >= s.quiet_start AND %(t)s::time < s.quiet_end
      THEN (%(d)s::date + s.quiet_end) AT TIME ZONE %(tz)s
    WHEN s.quiet_start > s.quiet_end AND %(t)s::time >= s.quiet_start
      THEN (%(d)s::date + 1 + s.quiet_end) AT TIME ZONE %(tz)s
    WHEN s.quiet_start > s.quiet_end AND %(t)s::time < s.quiet_end
      THEN (%(d)s::date + s.quiet_end) AT TIME ZONE %(tz)s
  END,
  ''
FROM alerts_subscription s
WHERE s.confirmed_at IS NOT NULL AND s.unsubscribed_at IS NULL AND s.disabled_at IS NULL
  AND ST_Intersects(s.geom, (SELECT geom FROM alerts_alert WHERE id = %(alert)s))
  AND (cardinality(s.categories) = 0 OR s.categories && %(categories)s::varchar[])
  AND (s.channel = 'webhook' OR %(to_residents)s)
ON CONFLICT (alert_id, subscription_id, channel) DO NOTHING
"""

_RANGES = """
SELECT min(id), max(id) FROM (
  SELECT id, (row_number() OVER (ORDER BY id) - 1) / %(size)s AS batch
  FROM alerts_delivery WHERE alert_id = %(alert)s AND state IN ('pending', 'sending')
) numbered GROUP BY batch ORDER BY 1
"""

_CLAIM = """
UPDATE alerts_delivery SET state = 'sending', attempts = attempts + 1, claimed_at = %(now)s
WHERE id IN (
  SELECT id FROM alerts_delivery
  WHERE alert_id = %(alert)s AND id BETWEEN %(lo)s AND %(hi)s
    AND ((state = 'pending' AND (not_before IS NULL OR not_before <= %(now)s))
         OR (state = 'sending' AND claimed_at < %(stale)s))
  ORDER BY id LIMIT %(limit)s
  FOR UPDATE SKIP LOCKED
)
RETURNING id, subscription_id, channel, attempts
"""
# Rows claimed at a time inside a batch: a claim is held only while its messages are sent, far shorter
# than KOBAN_ALERT_CLAIM_SECONDS, and two tasks on the same range share it instead of waiting.
CLAIM_CHUNK = 100


def fan_out(alert: Alert, now: datetime.datetime | None = None) -> list[tuple[int, int]]:
    """Record the deliveries of a released *alert* and return the id ranges to send, one per task."""
    if alert.state != Alert.State.RELEASED or alert.geom is None:
        return []
    local = (now or timezone.now()).astimezone(ZoneInfo(settings.TIME_ZONE))
    params: dict[str, Any] = {
        "alert": alert.pk,
        "urgent": alert.is_urgent,
        "t": local.time().replace(microsecond=0),
        "d": local.date(),
        "tz": settings.TIME_ZONE,
        "categories": alert.categories,
        # Residents receive real alerts only; partner systems also receive tests and exercises.
        "to_residents": alert.status == Status.ACTUAL,
    }
    with connection.cursor() as cursor:
        cursor.execute(_FAN_OUT, params)
    return batch_ranges(alert.pk)


def batch_ranges(alert_id: int) -> list[tuple[int, int]]:
    """Id ranges of the unfinished deliveries of an alert, ``KOBAN_ALERT_BATCH_SIZE`` rows each."""
    with connection.cursor() as cursor:
        cursor.execute(_RANGES, {"alert": alert_id, "size": settings.KOBAN_ALERT_BATCH_SIZE})
        return [(lo, hi) for lo, hi in cursor.fetchall()]


@dataclass
class Claimed:
    id: int
    subscription_id: int
    channel: str
    attempts: int


@dataclass
class BatchResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    next_try: datetime.datetime | None = None
    errors: list[str] = field(default_factory=list)


def claim(alert_id: int, lo: int, hi: int, now: datetime.datetime, limit: int = CLAIM_CHUNK) -> list[Claimed]:
    """Take up to *limit* due rows of a range for this worker; committed before anything is sent."""
    stale = now - datetime.timedelta(seconds=settings.KOBAN_ALERT_CLAIM_SECONDS)
    params: dict[str, Any] = {
        "alert": alert_id,
        "lo": lo,
        "hi": hi,
        "now": now,
        "stale": stale,
        "limit": limit,
    }
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM, params)
        return [Claimed(*row) for row in cursor.fetchall()]


def _mark_sent(delivery_id: int) -> None:
    Delivery.objects.filter(pk=delivery_id).update(
        state=Delivery.State.SENT, sent_at=timezone.now(), last_error=""
    )


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff: the base delay, doubled after each failed try."""
    return datetime.timedelta(seconds=settings.KOBAN_ALERT_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


def _mark_failed(
    item: Claimed, error: str, result: BatchResult, *, permanent: bool = False, bounced: bool = False
) -> None:
    now = timezone.now()
    error = error[:500]
    result.errors.append(error)
    if bounced:
        Delivery.objects.filter(pk=item.id).update(state=Delivery.State.BOUNCED, last_error=error)
        Subscription.objects.filter(pk=item.subscription_id).update(
            bounced_at=now, disabled_at=now, disabled_reason="bounced"
        )
        result.failed += 1
    elif permanent or item.attempts >= settings.KOBAN_ALERT_MAX_ATTEMPTS:
        Delivery.objects.filter(pk=item.id).update(state=Delivery.State.FAILED, last_error=error)
        if item.channel == Channel.WEBHOOK:
            Subscription.objects.filter(pk=item.subscription_id, disabled_at__isnull=True).update(
                disabled_at=now, disabled_reason=f"webhook failed {item.attempts} times: {error}"[:300]
            )
        result.failed += 1
    else:
        not_before = now + retry_delay(item.attempts)
        Delivery.objects.filter(pk=item.id).update(
            state=Delivery.State.PENDING, not_before=not_before, last_error=error
        )
        result.retrying += 1
        result.next_try = min(filter(None, [result.next_try, not_before]))


@dataclass(frozen=True)
class Outcome:
    """What happened to one message: delivered, or the error and whether it is final (or a bounce)."""

    delivered: bool
    error: str = ""
    permanent: bool = False
    bounced: bool = False


class SmtpPool:
    """One SMTP connection per sending thread, opened on first use and closed together at the end."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()

    def connection(self) -> Any:
        smtp = getattr(self._local, "smtp", None)
        if smtp is None:
            smtp = get_connection(fail_silently=False)
            smtp.open()
            self._local.smtp = smtp
            with self._lock:
                self._all.append(smtp)
        return smtp

    def reset(self) -> None:
        smtp = getattr(self._local, "smtp", None)
        self._local.smtp = None
        if smtp is not None:
            smtp.close()

    def close(self) -> None:
        for smtp in self._all:
            smtp.close()


def _send_one_email(pool: SmtpPool, message: Any) -> Outcome:
    try:
        pool.connection().send_messages([message])
    except smtplib.SMTPRecipientsRefused as exc:
        code = next(iter(exc.recipients.values()))[0] if exc.recipients else 550
        return Outcome(False, f"refused: {exc.recipients}"[:300], bounced=code >= 500)
    except (OSError, smtplib.SMTPException) as exc:
        pool.reset()  # a broken connection is opened again for the next message
        return Outcome(False, f"SMTP server unavailable: {exc}"[:300])
    return Outcome(True)


def _settle(futures: dict[Any, Claimed], result: BatchResult) -> None:
    """Record each message's outcome as soon as it is known (so a crash loses at most the ones in flight)."""
    for future in as_completed(futures):
        item, outcome = futures[future], future.result()
        if outcome.delivered:
            _mark_sent(item.id)
            result.sent += 1
        else:
            _mark_failed(item, outcome.error, result, permanent=outcome.permanent, bounced=outcome.bounced)


def _send_emails(alert: Alert, items: list[Claimed], result: BatchResult) -> None:
    rows = Subscription.objects.filter(pk__in=[i.subscription_id for i in items]).values_list(
        "pk", "email", "language"
    )
    recipients = {pk: (address, language) for pk, address, language in rows}
    texts: dict[str, EmailText] = {}
    pool = SmtpPool()
    try:
        with ThreadPoolExecutor(max_workers=settings.KOBAN_ALERT_SMTP_CONNECTIONS) as threads:
            futures = {}
            for item in items:
                address, language = recipients[item.subscription_id]
                text = texts.get(language) or texts.setdefault(language, email_text(alert, language))
                message = alert_email(alert.pk, text, item.subscription_id, address)
                futures[threads.submit(_send_one_email, pool, message)] = item
            _settle(futures, result)
    finally:
        pool.close()


def _post(session: requests.Session, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """The outcome of one webhook call."""
    try:
        response = session.post(
            url, data=body, headers=headers, timeout=settings.KOBAN_WEBHOOK_TIMEOUT_SECONDS
        )
    except requests.Timeout:
        return Outcome(False, "timed out")
    except requests.RequestException as exc:
        return Outcome(False, f"connection failed: {type(exc).__name__}")
    if 200 <= response.status_code < 300:
        return Outcome(True)
    # 410 Gone: the partner removed the hook. Other answers are retried: they may be a passing fault.
    return Outcome(False, f"answered {response.status_code}", permanent=response.status_code == 410)


def _send_webhooks(alert: Alert, items: list[Claimed], result: BatchResult) -> None:
    rows = Subscription.objects.filter(pk__in=[i.subscription_id for i in items]).values_list(
        "pk", "webhook_url", "webhook_secret"
    )
    hooks = {pk: (url, secret) for pk, url, secret in rows}
    body = alert.cap_xml.encode("utf-8")
    timestamp = str(int(time.time()))
    threads = settings.KOBAN_WEBHOOK_THREADS
    with requests.Session() as session, ThreadPoolExecutor(max_workers=threads) as pool:
        adapter = requests.adapters.HTTPAdapter(pool_connections=threads, pool_maxsize=threads)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        futures = {}
        for item in items:
            url, secret = hooks[item.subscription_id]
            headers = webhook_headers(secret, timestamp, body, item.id)
            futures[pool.submit(_post, session, url, body, headers)] = item
        _settle(futures, result)


def _pending_next_try(alert_id: int, lo: int, hi: int) -> datetime.datetime | None:
    rows = Delivery.objects.filter(alert_id=alert_id, pk__gte=lo, pk__lte=hi, state=Delivery.State.PENDING)
    return rows.order_by("not_before").values_list("not_before", flat=True).first()


def send_batch(alert_id: int, lo: int, hi: int) -> BatchResult:
    """Send the due deliveries with ids in [lo, hi]; what waits (retries, quiet hours) gives ``next_try``."""
    result = BatchResult()
    alert = Alert.objects.prefetch_related("infos").get(pk=alert_id)
    while items := claim(alert_id, lo, hi, timezone.now()):
        emails = [i for i in items if i.channel == Channel.EMAIL]
        hooks = [i for i in items if i.channel == Channel.WEBHOOK]
        if emails:
            _send_emails(alert, emails, result)
        if hooks:
            _send_webhooks(alert, hooks, result)
    waiting = _pending_next_try(alert_id, lo, hi)
    result.next_try = min(filter(None, [result.next_try, waiting]), default=None)
    return result


def unfinished(now: datetime.datetime | None = None) -> Iterator[tuple[int, int, int]]:
    """(alert, lo, hi) ranges with due or abandoned deliveries: what a restarted worker picks up."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.KOBAN_ALERT_CLAIM_SECONDS)
    alerts = (
        (
            Delivery.objects.filter(state=Delivery.State.PENDING, not_before__isnull=True)
            | Delivery.objects.filter(state=Delivery.State.PENDING, not_before__lte=now)
            | Delivery.objects.filter(state=Delivery.State.SENDING, claimed_at__lt=stale)
        )
        .values_list("alert_id", flat=True)
        .distinct()
    )
    for alert_id in alerts:
        for lo, hi in batch_ranges(alert_id):
            yield alert_id, lo, hi
