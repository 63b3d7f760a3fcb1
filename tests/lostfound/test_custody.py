"""Keeping a found item: storage history, the personal-data flag per item, the sale and its proceeds,
and the facility's share at the handover. Each verb is one audited transaction."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from koban.audit.models import AuditEvent
from koban.lostfound import custody, services
from koban.lostfound.clocks import State
from koban.lostfound.models import FoundItem, Handover, ItemTask, StorageMove
from tests.lostfound.helpers import at, receive

D = datetime.date
pytestmark = pytest.mark.django_db


def _hand(cast, item, **fields):  # type: ignore[no-untyped-def]
    fields.setdefault("recipient", Handover.Recipient.OWNER)
    fields.setdefault("recipient_name", "佐藤花子")
    fields.setdefault("id_document", Handover.Document.DRIVING_LICENCE)
    fields.setdefault("id_number_last_digits", "1234")
    fields.setdefault("handed_over_at", item.handed_in_at + datetime.timedelta(days=1))
    fields.setdefault("now", fields["handed_over_at"])
    return services.hand_over(cast.officer_a, item, **fields)


def test_storage_changes_keep_a_history_with_who_and_when(cast):
    item = receive(cast.officer_a, cast.box_a, storage_location="交番 棚1")
    custody.move_storage(
        cast.officer_a, item, storage_location="交番 金庫", note="現金あり", at=at("2026-01-11")
    )
    services.transfer_to_station(cast.officer_a, item, storage_location="署 会計課 金庫", at=at("2026-01-12"))
    moves = list(
        StorageMove.objects.filter(item=item).values_list("location", "station__code", "moved_by_label")
    )
    assert moves == [
        ("交番 棚1", None, "officer_a"),
        ("交番 金庫", None, "officer_a"),
        ("署 会計課 金庫", "N", "officer_a"),
    ]
    item.refresh_from_db()
    assert item.storage_location == "署 会計課 金庫"
    audit = AuditEvent.objects.filter(action="lostfound.move_storage", object_id=str(item.pk)).get()
    assert audit.before["storage_location"] == "交番 棚1" and audit.after["storage_location"] == "交番 金庫"


def test_a_storage_change_is_refused_with_the_field_named_and_nothing_written(cast):
    item = receive(cast.officer_a, cast.box_a, storage_location="棚1")
    for location, field in (
        ("", "storage_location"),
        ("棚1", "storage_location"),
        ("x" * 201, "storage_location"),
    ):
        with pytest.raises(ValidationError) as caught:
            custody.move_storage(cast.officer_a, item, storage_location=location)
        assert field in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        custody.move_storage(cast.officer_a, item, storage_location="棚2", at=at("2026-01-09"))
    assert "at" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        custody.move_storage(cast.officer_b, item, storage_location="棚2")
    assert StorageMove.objects.filter(item=item).count() == 1


def test_a_wallet_holding_a_licence_goes_to_the_finder_without_the_licence(cast):
    wallet = receive(cast.officer_a, cast.box_a, finder_claims_item=True)
    with pytest.raises(ValidationError) as caught:
        custody.mark_personal_data(cast.officer_a, wallet, inside=True)
    assert "personal_data_note" in caught.value.message_dict
    custody.mark_personal_data(cast.officer_a, wallet, inside=True, personal_data_note="運転免許証")
    wallet.refresh_from_db()
    # The wallet itself still passes: its claim window stays.
    assert wallet.finder_claim_ends_on == D(2026, 6, 10)
    services.advance_clocks(D(2026, 4, 11))
    wallet.refresh_from_db()
    handover = _hand(cast, wallet, recipient=Handover.Recipient.FINDER, handed_over_at=at("2026-04-12"))
    assert handover.withheld == "運転免許証"
    assert AuditEvent.objects.filter(action="lostfound.mark_personal_data", object_id=str(wallet.pk)).exists()


def test_an_unclaimed_wallet_with_a_licence_is_sent_on_for_its_personal_data(cast):
    wallet = receive(cast.officer_a, cast.box_a, personal_data_inside=True, personal_data_note="保険証")
    services.advance_clocks(D(2026, 4, 11))
    assert list(wallet.tasks.values_list("kind", flat=True)) == [ItemTask.Kind.SEND_PERSONAL_DATA]


def test_a_facility_find_splits_the_reward_half_and_half(cast):
    item = receive(
        cast.officer_a,
        cast.box_a,
        found_in_facility=True,
        facility_name="東駅 駅務室",
        facility_claims_reward=True,
        finder_claims_reward=True,
        cash_amount=30000,
        found_at=at("2026-01-10", "08:00"),
    )
    handover = _hand(cast, item, reward_percent=Decimal("10"))
    assert (handover.finder_reward, handover.facility_reward) == (1500, 1500)


def test_a_facility_claims_the_reward_even_when_the_finder_waived(cast):
    item = receive(
        cast.officer_a,
        cast.box_a,
        found_in_facility=True,
        facility_name="東駅",
        facility_claims_reward=True,
        cash_amount=10000,
        found_at=at("2026-01-10", "08:00"),
    )
    with pytest.raises(ValidationError) as caught:
        _hand(cast, item)
    assert "reward_percent" in caught.value.message_dict
    handover = _hand(cast, item, reward_percent=Decimal("20"))
    assert (handover.finder_reward, handover.facility_reward) == (0, 1000)


def test_the_facility_acquires_the_item_the_finder_waived(cast):
    item = receive(
        cast.officer_a,
        cast.box_a,
        found_in_facility=True,
        facility_name="東駅",
        facility_claims_item=True,
        found_at=at("2026-01-10", "08:00"),
    )
    assert item.finder_claim_ends_on == D(2026, 6, 10)
    services.advance_clocks(D(2026, 4, 11))
    item.refresh_from_db()
    with pytest.raises(ValidationError, match="goes to the facility"):
        _hand(cast, item, recipient=Handover.Recipient.FINDER, handed_over_at=at("2026-04-12"))
    _hand(cast, item, recipient=Handover.Recipient.FACILITY, handed_over_at=at("2026-04-12"))
    item.refresh_from_db()
    assert item.state == State.HANDED_TO_FINDER


def test_facility_rights_need_a_facility_find_and_a_name(cast):
    with pytest.raises(ValidationError) as caught:
        receive(cast.officer_a, cast.box_a, facility_name="東駅", facility_claims_reward=True)
    assert "facility_name" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        receive(
            cast.officer_a,
            cast.box_a,
            found_in_facility=True,
            facility_claims_item=True,
            found_at=at("2026-01-10", "08:00"),
        )
    assert "facility_name" in caught.value.message_dict
    assert not FoundItem.objects.exists()


def test_a_cheap_bulky_item_is_sold_after_two_weeks_and_the_proceeds_stand_in(cast):
    umbrella = receive(
        cast.officer_a, cast.box_a, code="umbrella", value_estimate=500, finder_claims_reward=True
    )
    with pytest.raises(ValidationError) as caught:
        custody.sell_item(cast.officer_a, umbrella, proceeds=300, today=D(2026, 1, 20))
    assert "state" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        custody.sell_item(cast.counsellor_a, umbrella, proceeds=300, today=D(2026, 1, 24))
    services.advance_clocks(D(2026, 1, 24))  # lists the "may be sold" task
    custody.sell_item(cast.officer_a, umbrella, proceeds=300, today=D(2026, 1, 24))
    umbrella.refresh_from_db()
    assert (umbrella.sold_on, umbrella.sale_proceeds, umbrella.state) == (
        D(2026, 1, 24),
        300,
        State.IN_NOTICE,
    )
    assert not umbrella.tasks.filter(done_at__isnull=True).exists()
    with pytest.raises(ValidationError):
        custody.sell_item(cast.officer_a, umbrella, proceeds=300, today=D(2026, 1, 25))  # not twice
    # The owner collects the proceeds; the reward is a share of them.
    handover = _hand(cast, umbrella, reward_percent=Decimal("10"), handed_over_at=at("2026-01-26"))
    assert handover.finder_reward == 30


def test_a_perishable_item_may_be_sold_at_once_with_a_reason(cast):
    fruit = receive(cast.officer_a, cast.box_a, code="other", description="果物の箱")
    with pytest.raises(ValidationError) as caught:
        custody.sell_item(cast.officer_a, fruit, proceeds=800, perishable=True, today=D(2026, 1, 10))
    assert "note" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        custody.sell_item(
            cast.officer_a, fruit, proceeds=0, perishable=True, note="腐敗", today=D(2026, 1, 10)
        )
    assert "proceeds" in caught.value.message_dict
    custody.sell_item(
        cast.officer_a, fruit, proceeds=800, perishable=True, note="腐敗のおそれ", today=D(2026, 1, 10)
    )
    assert AuditEvent.objects.filter(action="lostfound.sell_item", object_id=str(fruit.pk)).count() == 1


def test_selling_a_vested_item_ends_its_record_and_personal_data_is_never_sold(cast):
    wallet = receive(cast.officer_a, cast.box_a)
    phone = receive(cast.officer_a, cast.box_a, code="phone")
    services.advance_clocks(D(2026, 4, 11))
    custody.sell_item(cast.officer_a, wallet, proceeds=2000, today=D(2026, 4, 20))
    wallet.refresh_from_db()
    assert wallet.state == State.DISPOSED and wallet.sale_proceeds == 2000
    with pytest.raises(ValidationError):
        custody.sell_item(cast.officer_a, phone, proceeds=2000, today=D(2026, 4, 20))
