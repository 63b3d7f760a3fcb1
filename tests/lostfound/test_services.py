from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from koban.audit.models import AuditEvent
from koban.lostfound import services
from koban.lostfound.clocks import State
from koban.lostfound.models import FoundItem, Handover, ItemTask, LossReport
from tests.lostfound.helpers import at, category, receive

D = datetime.date
pytestmark = pytest.mark.django_db


def _handover(cast, item, **fields):
    fields.setdefault("recipient", Handover.Recipient.OWNER)
    fields.setdefault("recipient_name", "佐藤花子")
    fields.setdefault("id_document", Handover.Document.DRIVING_LICENCE)
    fields.setdefault("id_number_last_digits", "1234")
    fields.setdefault("handed_over_at", item.handed_in_at + datetime.timedelta(days=1))
    fields.setdefault("now", fields["handed_over_at"])
    return services.hand_over(cast.officer_a, item, **fields)


def test_receipt_numbers_run_per_box_and_year(cast):
    first = receive(cast.officer_a, cast.box_a, "2026-01-10")
    second = receive(cast.officer_a, cast.box_a, "2026-01-11")
    other_box = receive(cast.chief_north, cast.box_b, "2026-01-11")
    next_year = receive(cast.officer_a, cast.box_a, "2027-01-02")
    assert [first.receipt_number, second.receipt_number] == ["N-A-2026-00001", "N-A-2026-00002"]
    assert other_box.receipt_number == "N-B-2026-00001"
    assert next_year.receipt_number == "N-A-2027-00001"
    assert first.state == State.RECEIVED and first.notice_ends_on == D(2026, 4, 10)


def test_it_rejects_handing_in_before_finding_and_writes_nothing(cast):
    with pytest.raises(ValidationError) as caught:
        receive(
            cast.officer_a,
            cast.box_a,
            found_at=at("2026-01-10", "12:00"),
            handed_in_at=at("2026-01-10", "11:00"),
        )
    assert "handed_in_at" in caught.value.message_dict
    assert not FoundItem.objects.exists() and not AuditEvent.objects.exists()


def test_it_rejects_a_receipt_in_the_future(cast):
    with pytest.raises(ValidationError) as caught:
        receive(cast.officer_a, cast.box_a, now=at("2026-01-09"))
    assert "handed_in_at" in caught.value.message_dict


def test_it_rejects_absurd_coordinates_with_the_field_named(cast):
    with pytest.raises(ValidationError) as caught:
        receive(cast.officer_a, cast.box_a, found_lon=139.7, found_lat=1e300)
    assert "latitude" in caught.value.message_dict["found_point"][0]


def test_a_late_hand_in_is_flagged_and_the_finder_loses_the_rights(cast):
    late = receive(
        cast.officer_a,
        cast.box_a,
        found_at=at("2026-01-01"),
        finder_claims_reward=True,
        finder_claims_item=True,
    )
    assert late.late_hand_in and not late.finder_claims_reward and not late.finder_claims_item
    facility = receive(
        cast.officer_a,
        cast.box_a,
        found_at=at("2026-01-09", "09:00"),
        found_in_facility=True,
        finder_claims_item=True,
    )
    assert facility.late_hand_in  # 25 hours in a station is past the 24-hour deadline


def test_the_reward_must_be_within_five_to_twenty_percent(cast):
    item = receive(cast.officer_a, cast.box_a, finder_claims_reward=True)
    for wrong in (Decimal("4.99"), Decimal("20.01"), None):
        with pytest.raises(ValidationError) as caught:
            _handover(cast, item, reward_percent=wrong)
        assert "reward_percent" in caught.value.message_dict
    assert not Handover.objects.exists()
    _handover(cast, item, reward_percent=Decimal("10"))
    item.refresh_from_db()
    assert item.state == State.RETURNED


def test_a_personal_data_item_is_never_released_to_the_finder(cast):
    phone = receive(cast.officer_a, cast.box_a, code="phone", finder_claims_item=True)
    assert phone.finder_claim_ends_on is None
    services.advance_clocks(D(2026, 4, 11))
    phone.refresh_from_db()
    assert phone.state == State.VESTED
    # Even if someone forced the state, the handover refuses.
    FoundItem.objects.filter(pk=phone.pk).update(state=State.FINDER_MAY_CLAIM)
    phone.refresh_from_db()
    with pytest.raises(ValidationError, match="never released to the finder"):
        _handover(cast, phone, recipient=Handover.Recipient.FINDER, handed_over_at=at("2026-04-12"))
    assert list(phone.tasks.values_list("kind", flat=True)) == [ItemTask.Kind.SEND_PERSONAL_DATA]


def test_the_finder_collects_in_the_claim_window_only(cast):
    item = receive(cast.officer_a, cast.box_a, finder_claims_item=True)
    with pytest.raises(ValidationError, match="claim window"):
        _handover(cast, item, recipient=Handover.Recipient.FINDER)
    services.advance_clocks(D(2026, 4, 11))
    item.refresh_from_db()
    assert item.state == State.FINDER_MAY_CLAIM and item.state_changed_on == D(2026, 4, 11)
    with pytest.raises(ValidationError, match="notice runs"):
        _handover(cast, item, handed_over_at=at("2026-04-12"))  # the owner is too late
    _handover(cast, item, recipient=Handover.Recipient.FINDER, handed_over_at=at("2026-04-12"))
    item.refresh_from_db()
    assert item.state == State.HANDED_TO_FINDER
    assert not item.tasks.filter(done_at__isnull=True).exists()  # the "notify finder" task was closed


def test_the_daily_job_moves_items_and_is_idempotent(cast):
    wallet = receive(cast.officer_a, cast.box_a, finder_claims_item=True)
    umbrella = receive(cast.officer_a, cast.box_a, code="umbrella", value_estimate=500)
    first = services.advance_clocks(D(2026, 1, 24))
    assert first == {"in_notice": 2, "tasks_listed": 1}
    events = AuditEvent.objects.count()
    assert services.advance_clocks(D(2026, 1, 24)) == {"tasks_listed": 0}
    assert AuditEvent.objects.count() == events
    assert list(umbrella.tasks.values_list("kind", flat=True)) == [ItemTask.Kind.DISPOSE_BULKY]
    # Catching up months later: straight to the claim window, with the reminder, then vested.
    services.advance_clocks(D(2026, 6, 1))
    wallet.refresh_from_db()
    assert wallet.state == State.FINDER_MAY_CLAIM
    assert set(wallet.tasks.values_list("kind", flat=True)) == {"notify_finder", "claim_lapsing"}
    services.advance_clocks(D(2026, 6, 11))
    wallet.refresh_from_db()
    assert wallet.state == State.VESTED and wallet.state_changed_on == D(2026, 6, 11)
    open_kinds = set(wallet.tasks.filter(done_at__isnull=True).values_list("kind", flat=True))
    assert open_kinds == {ItemTask.Kind.SEND_TO_PREFECTURE}


def test_a_cheap_bulky_item_may_be_disposed_of_after_fourteen_days_only(cast):
    umbrella = receive(cast.officer_a, cast.box_a, code="umbrella", value_estimate=500)
    with pytest.raises(ValidationError):
        services.dispose_item(cast.officer_a, umbrella, note="sold", today=D(2026, 1, 23))
    services.dispose_item(cast.officer_a, umbrella, note="sold at auction", today=D(2026, 1, 24))
    umbrella.refresh_from_db()
    assert umbrella.state == State.DISPOSED
    expensive = receive(cast.officer_a, cast.box_a, code="bicycle", value_estimate=80_000)
    assert expensive.disposable_from is None


def test_every_write_is_audited_with_before_and_after(cast):
    item = receive(cast.officer_a, cast.box_a, finder_claims_reward=True)
    report = services.report_loss(
        cast.officer_a,
        cast.box_a,
        category=category("wallet"),
        description="黒い財布",
        owner_name="佐藤花子",
        owner_contact="03-0000-0000",
        lost_from=at("2026-01-10", "07:00"),
        lost_to=at("2026-01-10", "09:30"),
        reported_at=at("2026-01-10", "12:00"),
        now=at("2026-01-10", "12:00"),
    )
    _handover(cast, item, reward_percent=Decimal("5"), loss_report=report)
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "actor_name"))
    assert actions == [
        ("lostfound.receive_item", "officer_a"),
        ("lostfound.report_loss", "officer_a"),
        ("lostfound.hand_over", "officer_a"),
        ("lostfound.item_state", "officer_a"),
        ("lostfound.close_report", "officer_a"),
    ]
    state_change = AuditEvent.objects.get(action="lostfound.item_state")
    assert state_change.before["state"] == "received" and state_change.after["state"] == "returned_to_owner"
    report.refresh_from_db()
    assert report.status == LossReport.Status.FOUND


def test_a_loss_window_ending_before_it_starts_is_rejected(cast):
    with pytest.raises(ValidationError) as caught:
        services.report_loss(
            cast.officer_a,
            cast.box_a,
            category=category("keys"),
            description="鍵",
            owner_name="x",
            owner_contact="y",
            lost_from=at("2026-01-10", "09:00"),
            lost_to=at("2026-01-10", "08:00"),
        )
    assert "lost_to" in caught.value.message_dict


def test_a_deployment_can_change_the_notice_period_by_setting(cast, settings):
    settings.KOBAN_LOST_FOUND_RULES = {"notice_months": 6, "finder_claim_months": 1}
    item = receive(cast.officer_a, cast.box_a, finder_claims_item=True)
    assert item.notice_ends_on == D(2026, 7, 10) and item.finder_claim_ends_on == D(2026, 8, 10)
