"""Delivery: targeting by area and category, real SMTP, one delivery per recipient and channel whatever
runs twice, retries with backoff, permanent failures, bounces, quiet hours, signed webhooks."""

from __future__ import annotations

import datetime
from email.header import decode_header, make_header

import pytest
from django.core.management import call_command

from koban.alerts import delivery
from koban.alerts.messages import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from koban.alerts.models import Alert, Channel, Delivery, Subscription
from koban.alerts.subscriptions import register_webhook
from tests import clock
from tests.alerts.helpers import released, subscriber
from tests.factories import square
from tests.personas import LAT, LON

pytestmark = pytest.mark.django_db


def _send_all(alert: Alert) -> list[delivery.BatchResult]:
    return [delivery.send_batch(alert.pk, lo, hi) for lo, hi in delivery.fan_out(alert)]


def test_targeting_selects_active_subscribers_whose_areas_intersect(cast) -> None:  # type: ignore[no-untyped-def]
    inside = subscriber("inside@example.jp")
    overlapping = subscriber("edge@example.jp", square(LON + 0.009, LAT, 0.01))  # half in beat A, half in B
    subscriber("far@example.jp", square(LON + 0.05, LAT + 0.05, 0.01))
    subscriber("unconfirmed@example.jp", confirmed=False)
    gone = subscriber("gone@example.jp")
    gone.unsubscribed_at = clock.now()
    gone.save()
    subscriber("fire-only@example.jp", categories=["Fire"])
    security = subscriber("security@example.jp", categories=["Security", "Fire"])
    alert = released(cast)
    assert set(Subscription.objects.targeted_by(alert)) == {inside, overlapping, security}
    ranges = delivery.fan_out(alert)
    assert len(ranges) == 1
    assert set(Delivery.objects.values_list("subscription__email", flat=True)) == {
        "inside@example.jp",
        "edge@example.jp",
        "security@example.jp",
    }
    delivery.fan_out(alert)  # a second fan-out (a retried task) adds nothing
    assert Delivery.objects.count() == 3


def test_batches_split_the_recipients(cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.KOBAN_ALERT_BATCH_SIZE = 2
    for n in range(5):
        subscriber(f"r{n}@example.jp")
    ranges = delivery.fan_out(released(cast))
    assert len(ranges) == 3
    assert sum(Delivery.objects.filter(pk__gte=lo, pk__lte=hi).count() for lo, hi in ranges) == 5


def test_a_subscriber_gets_the_alert_through_a_real_smtp_server(cast, smtp) -> None:  # type: ignore[no-untyped-def]
    subscriber("taro@example.jp", language="ja")
    subscriber("jane@example.jp", language="en")
    alert = released(cast)
    (result,) = _send_all(alert)
    assert result.sent == 2 and result.failed == 0
    (japanese,) = smtp.to("taro@example.jp")
    (english,) = smtp.to("jane@example.jp")
    assert english["Subject"] == "Suspicious person near Ekimae 2-chome park"
    assert str(make_header(decode_header(japanese["Subject"]))) == alert.info_in("ja").headline
    body = english.get_payload(decode=True).decode()
    assert "about 175 cm tall" in body and f"/alerts/public/{alert.pk}/" in body
    assert english["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert english["List-Unsubscribe"].strip().startswith("<http://127.0.0.1:8000/alerts/unsubscribe/")
    assert english["Message-ID"].startswith(f"<alert-{alert.pk}.")
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.SENT}


def test_running_a_batch_again_sends_nothing_twice(cast, smtp) -> None:  # type: ignore[no-untyped-def]
    for n in range(3):
        subscriber(f"r{n}@example.jp")
    alert = released(cast)
    ((lo, hi),) = delivery.fan_out(alert)
    delivery.send_batch(alert.pk, lo, hi)
    again = delivery.send_batch(alert.pk, lo, hi)
    assert again.sent == 0
    assert len(smtp.messages) == 3
    assert len({m["Message-ID"] for m in smtp.messages}) == 3


def test_rows_held_by_a_worker_that_died_are_sent_once_after_the_claim_expires(
    cast, smtp, time_machine
) -> None:  # type: ignore[no-untyped-def]
    subscriber("a@example.jp")
    subscriber("b@example.jp")
    alert = released(cast)
    ((lo, hi),) = delivery.fan_out(alert)
    # A worker claimed the batch and was killed before sending anything.
    assert len(delivery.claim(alert.pk, lo, hi, clock.now())) == 2
    assert delivery.send_batch(alert.pk, lo, hi).sent == 0  # a live claim is not taken over
    time_machine.move_to(clock.now() + datetime.timedelta(minutes=6))
    assert delivery.send_batch(alert.pk, lo, hi).sent == 2
    assert delivery.send_batch(alert.pk, lo, hi).sent == 0
    assert sorted(m["To"] for m in smtp.messages) == ["a@example.jp", "b@example.jp"]


def test_an_unreachable_smtp_server_is_retried_with_backoff_then_fails_for_good(
    cast, settings, time_machine
) -> None:  # type: ignore[no-untyped-def]
    from tests.alerts.servers import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.KOBAN_ALERT_MAX_ATTEMPTS = 3
    subscriber("a@example.jp")
    alert = released(cast)
    ((lo, hi),) = delivery.fan_out(alert)
    start = clock.now()
    waits = []
    for _ in range(3):
        result = delivery.send_batch(alert.pk, lo, hi)
        row = Delivery.objects.get()
        if result.next_try:
            waits.append(round((row.not_before - clock.now()).total_seconds()))
            assert result.next_try == row.not_before
            assert (
                delivery.send_batch(alert.pk, lo, hi).sent + delivery.send_batch(alert.pk, lo, hi).retrying
                == 0
            )
            time_machine.move_to(row.not_before + datetime.timedelta(seconds=1))
    assert waits == [60, 120]
    row = Delivery.objects.get()
    assert (
        row.state == Delivery.State.FAILED
        and row.attempts == 3
        and "SMTP server unavailable" in row.last_error
    )
    assert clock.now() - start > datetime.timedelta(minutes=3)


def test_a_recipient_refused_by_the_smtp_server_is_marked_bounced(cast, smtp) -> None:  # type: ignore[no-untyped-def]
    smtp.refuse.add("nobody@example.jp")
    subscriber("nobody@example.jp")
    subscriber("somebody@example.jp")
    alert = released(cast)
    (result,) = _send_all(alert)
    assert result.sent == 1 and result.failed == 1
    assert Delivery.objects.get(subscription__email="nobody@example.jp").state == Delivery.State.BOUNCED
    bounced = Subscription.objects.get(email="nobody@example.jp")
    assert bounced.bounced_at is not None and bounced.disabled_at is not None
    assert not Subscription.objects.active().filter(pk=bounced.pk).exists()


DSN = """From: MAILER-DAEMON@mx.example.jp
To: koban@localhost
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain

The mail could not be delivered.
--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.jp

Final-Recipient: rfc822; Full@Example.jp
Action: failed
Status: 5.2.2

Final-Recipient: rfc822; later@example.jp
Action: delayed
Status: 4.2.2
--b1--
"""


def test_bounce_reports_mark_addresses(cast, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    full = subscriber("full@example.jp")
    later = subscriber("later@example.jp")
    listed = subscriber("listed@example.jp")
    report = tmp_path / "bounce.eml"
    report.write_text(DSN)
    call_command("alerts_bounces", str(report))
    assert "full@example.jp" in capsys.readouterr().out
    full.refresh_from_db()
    assert full.bounced_at is None  # a dry run
    call_command("alerts_bounces", str(report), "--commit")
    full.refresh_from_db()
    later.refresh_from_db()
    assert full.bounced_at is not None and later.bounced_at is None
    plain = tmp_path / "list.txt"
    plain.write_text("# addresses that bounced\nlisted@example.jp\nnot an address\n")
    call_command("alerts_bounces", str(plain), "--commit")
    listed.refresh_from_db()
    assert listed.bounced_at is not None
    assert "line 3" in capsys.readouterr().err


def test_quiet_hours_hold_ordinary_alerts_but_not_urgent_ones(cast, smtp, time_machine) -> None:  # type: ignore[no-untyped-def]
    # 10:00 in Tokyo: inside 09:00–12:00 and inside 22:00–11:00 (across midnight).
    time_machine.move_to(clock.tokyo(2026, 6, 10, 10, 0), tick=False)
    morning = subscriber("morning@example.jp", quiet_start=datetime.time(9), quiet_end=datetime.time(12))
    night = subscriber("night@example.jp", quiet_start=datetime.time(22), quiet_end=datetime.time(11))
    subscriber("awake@example.jp", quiet_start=datetime.time(12), quiet_end=datetime.time(18))
    assert morning.in_quiet_hours(datetime.time(10)) and night.in_quiet_hours(datetime.time(10))
    notice = released(
        cast,
        kind=Alert.FormKind.CRIME_PREVENTION,
        data={"title": "Lock your bicycle", "message": "Thefts at the station."},
    )
    urgent = released(cast)
    (result,) = _send_all(notice)
    assert result.sent == 1 and [m["To"] for m in smtp.messages] == ["awake@example.jp"]
    held = {
        d.subscription.email: d.not_before for d in Delivery.objects.filter(alert=notice, state="pending")
    }
    assert held == {
        "morning@example.jp": clock.tokyo(2026, 6, 10, 12, 0),
        "night@example.jp": clock.tokyo(2026, 6, 10, 11, 0),
    }
    assert result.next_try == clock.tokyo(2026, 6, 10, 11, 0)
    (urgent_result,) = _send_all(urgent)
    assert urgent_result.sent == 3


def test_webhooks_are_signed_with_hmac_sha256(cast, hooks) -> None:  # type: ignore[no-untyped-def]
    hook = register_webhook(
        cast.planner, name="City disaster office", url=hooks.url("/ok"), boxes=[cast.box_a]
    )
    alert = released(cast)
    (result,) = _send_all(alert)
    assert result.sent == 1
    (call,) = hooks.calls
    assert call.body == alert.cap_xml.encode()
    assert call.headers["Content-Type"].startswith("application/cap+xml")
    assert verify_signature(
        hook.webhook_secret, call.headers[TIMESTAMP_HEADER], call.body, call.headers[SIGNATURE_HEADER]
    )
    assert not verify_signature(
        "another secret", call.headers[TIMESTAMP_HEADER], call.body, call.headers[SIGNATURE_HEADER]
    )
    assert not verify_signature(
        hook.webhook_secret, call.headers[TIMESTAMP_HEADER], call.body + b" ", call.headers[SIGNATURE_HEADER]
    )
    assert call.headers[DELIVERY_HEADER] == str(Delivery.objects.get().pk)


def test_webhooks_that_fail_or_time_out_are_retried_then_the_endpoint_is_disabled(
    cast, hooks, settings, time_machine
) -> None:  # type: ignore[no-untyped-def]
    settings.KOBAN_ALERT_MAX_ATTEMPTS = 2
    failing = register_webhook(cast.planner, name="Broken", url=hooks.url("/fail"), boxes=[cast.box_a])
    slow = register_webhook(cast.planner, name="Slow", url=hooks.url("/slow"), boxes=[cast.box_a])
    gone = register_webhook(cast.planner, name="Removed", url=hooks.url("/gone"), boxes=[cast.box_a])
    alert = released(cast)
    ((lo, hi),) = delivery.fan_out(alert)
    first = delivery.send_batch(alert.pk, lo, hi)
    assert first.retrying == 2 and first.failed == 1  # 410 Gone is final at once
    errors = dict(Delivery.objects.values_list("subscription__name", "last_error"))
    assert errors == {"Broken": "answered 500", "Slow": "timed out", "Removed": "answered 410"}
    time_machine.move_to(first.next_try + datetime.timedelta(seconds=10))
    second = delivery.send_batch(alert.pk, lo, hi)
    assert second.failed == 2 and second.next_try is None
    assert len(hooks.to("/fail")) == 2 and len(hooks.to("/gone")) == 1
    for hook in (failing, slow, gone):
        hook.refresh_from_db()
        assert hook.disabled_at is not None
    assert "webhook failed 2 times" in Subscription.objects.get(pk=failing.pk).disabled_reason
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.FAILED}


def test_webhook_subscriptions_receive_tests_but_residents_do_not(cast, hooks) -> None:  # type: ignore[no-untyped-def]
    register_webhook(cast.planner, name="City", url=hooks.url("/ok"), boxes=[cast.box_a])
    subscriber("resident@example.jp")
    alert = released(cast, status="Test")
    delivery.fan_out(alert)
    assert list(Delivery.objects.values_list("channel", flat=True)) == [Channel.WEBHOOK]
