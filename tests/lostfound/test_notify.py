"""E-mail to owners and finders through Django's SMTP backend to a real (local) SMTP server.

The owner hears when an officer confirms a match (a Procrastinate job queued after the commit); the
finder hears once when their claim period opens (the daily job). Both in the recipient's language.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from procrastinate.contrib.django.models import ProcrastinateJob

from koban.audit.models import AuditEvent
from koban.lostfound import notify, services
from koban.lostfound.jobs import lostfound_daily, mail_owner
from koban.lostfound.models import LossReport
from tests import clock
from tests.alerts.servers import smtp
from tests.lostfound.helpers import at, category, receive

__all__ = ["smtp"]
pytestmark = pytest.mark.django_db
D = datetime.date


def _report(cast, email="owner@example.jp", language="en"):  # type: ignore[no-untyped-def]
    handed = at("2026-01-10")
    return services.report_loss(
        cast.officer_b,
        cast.box_b,
        category=category("wallet"),
        description="くろい さいふ",
        owner_name="Owner Person",
        owner_contact="080-0000-1111",
        owner_email=email,
        owner_language=language,
        lost_from=handed - datetime.timedelta(hours=6),
        lost_to=handed - datetime.timedelta(hours=2),
        now=handed,
    )


def _body(message) -> str:  # type: ignore[no-untyped-def]
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


def test_confirming_a_match_queues_the_owner_mail_which_arrives_with_receipt_and_office(
    cast, smtp, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    cast.box_a.station.phone = "03-1234-0110"
    cast.box_a.station.save()
    wallet = receive(cast.officer_a, cast.box_a, description="黒い財布")
    report = _report(cast)
    with django_capture_on_commit_callbacks(execute=True):
        notify.confirm_match(cast.officer_b, report, wallet, now=at("2026-01-11"))
    queued = ProcrastinateJob.objects.filter(task_name="koban.lostfound.mail_owner")
    assert [job.args for job in queued] == [{"report_id": report.pk}]
    mail_owner(report_id=report.pk)  # what the worker runs
    mail_owner(report_id=report.pk)  # a retry after success sends nothing
    (message,) = smtp.to("owner@example.jp")
    assert wallet.receipt_number in message["Subject"]
    body = _body(message)
    assert wallet.receipt_number in body and "North Station (03-1234-0110)" in body
    assert "Bring an identity document" in body
    report.refresh_from_db()
    assert report.matched_item == wallet and report.owner_notified_at is not None
    assert AuditEvent.objects.filter(action="lostfound.confirm_match", object_id=str(report.pk)).exists()


def test_the_owner_mail_is_in_the_owners_language(cast, smtp):  # type: ignore[no-untyped-def]
    wallet = receive(cast.officer_a, cast.box_a, description="黒い財布")
    report = _report(cast, email="taro@example.jp", language="ja")
    notify.confirm_match(cast.officer_b, report, wallet, now=at("2026-01-11"))
    assert notify.send_owner_mail(report.pk)
    (message,) = smtp.to("taro@example.jp")
    assert "受理番号: " + wallet.receipt_number in _body(message)


def test_a_match_needs_an_open_report_and_an_item_the_owner_may_still_collect(cast):  # type: ignore[no-untyped-def]
    wallet = receive(cast.officer_a, cast.box_a)
    report = _report(cast)
    services.advance_clocks(D(2026, 4, 11))
    wallet.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        notify.confirm_match(cast.officer_b, report, wallet)
    assert "item" in caught.value.message_dict
    assert LossReport.objects.get(pk=report.pk).matched_item is None


def test_owner_and_finder_addresses_are_masked_outside_the_box(client, cast):  # type: ignore[no-untyped-def]
    report = _report(cast, email="owner@example.jp")
    client.force_login(cast.officer_a)  # same station, another box
    owner = client.get(f"/api/v1/lost-found/reports/{report.pk}/").json()["owner"]
    assert owner["email"] == "o***" and owner["masked"]
    client.force_login(cast.officer_b)
    assert (
        client.get(f"/api/v1/lost-found/reports/{report.pk}/").json()["owner"]["email"] == "owner@example.jp"
    )


def test_a_bad_address_is_refused_with_the_field_named(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        receive(cast.officer_a, cast.box_a, finder_email="not an address", finder_language="fr")
    assert {"finder_email", "finder_language"} <= set(caught.value.message_dict)


def _acquired_item(cast, **fields):  # type: ignore[no-untyped-def]
    """An item whose notice ended without the owner, so that its finder may collect it today."""
    handed = clock.now() - datetime.timedelta(days=100)
    return receive(
        cast.officer_a,
        cast.box_a,
        handed_in_at=handed,
        now=handed + datetime.timedelta(minutes=5),
        finder_claims_item=True,
        **fields,
    )


def test_the_daily_job_mails_each_finder_once_when_their_claim_period_opens(cast, smtp):  # type: ignore[no-untyped-def]
    item = _acquired_item(cast, finder_email="finder@example.jp", finder_language="en")
    _acquired_item(cast)  # no address: nothing to send
    _acquired_item(cast, code="phone", finder_email="phone@example.jp")  # personal data: never the finder's
    lostfound_daily(timestamp=0)
    lostfound_daily(timestamp=0)  # run twice: nothing sent twice
    assert [m["To"] for m in smtp.messages] == ["finder@example.jp"]
    (message,) = smtp.messages
    assert item.receipt_number in message["Subject"] and item.receipt_number in _body(message)
    item.refresh_from_db()
    assert item.finder_notified_at is not None and item.state == "finder_may_claim"
    assert AuditEvent.objects.filter(action="lostfound.mail_finder", object_id=str(item.pk)).count() == 1


def test_a_mail_server_that_is_down_leaves_the_finder_to_the_next_run(cast, smtp, settings):  # type: ignore[no-untyped-def]
    from tests.alerts.servers import free_port

    item = _acquired_item(cast, finder_email="finder@example.jp")
    services.advance_clocks(clock.local_today())
    settings.EMAIL_PORT = free_port()  # nobody listens there
    assert notify.notify_finders() == {"sent": 0, "failed": 1}
    item.refresh_from_db()
    assert item.finder_notified_at is None
    settings.EMAIL_PORT = smtp.port
    assert notify.notify_finders() == {"sent": 1, "failed": 0}
