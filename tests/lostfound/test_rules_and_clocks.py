from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from koban.lostfound.clocks import State, compute_clock, due_state, hand_in_deadline, is_cheap_bulky
from koban.lostfound.rules import LostFoundRules, add_months, parse_rules

JAPAN = LostFoundRules()
D = datetime.date


def test_the_defaults_are_japans_lost_property_act():
    rules = parse_rules({})
    assert (rules.notice_months, rules.finder_claim_months, rules.bulky_disposal_days) == (3, 2, 14)
    assert (rules.reward_min_percent, rules.reward_max_percent) == (Decimal(5), Decimal(20))
    assert (rules.hand_in_days, rules.facility_hand_in_hours) == (7, 24)


def test_a_country_can_change_the_clocks():
    rules = parse_rules({"notice_months": 6, "reward_max_percent": "10"})
    assert rules.notice_months == 6 and rules.reward_max_percent == Decimal(10)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ({"notice_month": 3}, "unknown field(s) notice_month"),
        ({"notice_months": 0}, "notice_months must be a whole number"),
        ({"notice_months": "3"}, "notice_months must be a whole number"),
        ({"reward_max_percent": "lots"}, "reward_max_percent must be a percentage"),
        ({"reward_min_percent": 30}, "must not exceed reward_max_percent"),
    ],
)
def test_it_names_the_wrong_rule(raw, fragment):
    with pytest.raises(ImproperlyConfigured, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        parse_rules(raw)


def test_months_are_added_to_the_end_of_a_short_month():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
    assert add_months(D(2026, 1, 10), 3) == D(2026, 4, 10)


def _clock(**overrides):
    options = {"holds_personal_data": False, "finder_claims_item": True, "cheap_bulky": False, "rules": JAPAN}
    options.update(overrides)
    return compute_clock(D(2026, 1, 10), **options)


def test_the_notice_period_ends_three_months_after_receipt():
    clock = _clock()
    assert clock.notice_ends_on == D(2026, 4, 10)
    assert due_state(State.RECEIVED, clock, D(2026, 1, 11)) == State.IN_NOTICE
    assert due_state(State.IN_NOTICE, clock, D(2026, 4, 10)) == State.IN_NOTICE
    assert due_state(State.IN_NOTICE, clock, D(2026, 4, 11)) == State.FINDER_MAY_CLAIM


def test_the_finders_claim_lapses_two_months_after_the_notice():
    clock = _clock()
    assert clock.finder_claim_ends_on == D(2026, 6, 10)
    assert due_state(State.FINDER_MAY_CLAIM, clock, D(2026, 6, 10)) == State.FINDER_MAY_CLAIM
    assert due_state(State.FINDER_MAY_CLAIM, clock, D(2026, 6, 11)) == State.VESTED


def test_a_personal_data_item_vests_at_the_end_of_the_notice_and_never_goes_to_the_finder():
    clock = _clock(holds_personal_data=True)
    assert clock.finder_claim_ends_on is None
    assert due_state(State.IN_NOTICE, clock, D(2026, 4, 11)) == State.VESTED


def test_an_item_the_finder_waived_vests_at_the_end_of_the_notice():
    assert due_state(State.IN_NOTICE, _clock(finder_claims_item=False), D(2026, 4, 11)) == State.VESTED


def test_cheap_bulky_items_are_disposable_after_fourteen_days():
    assert _clock(cheap_bulky=True).disposable_from == D(2026, 1, 24)
    assert _clock().disposable_from is None
    assert is_cheap_bulky(True, 500, JAPAN) and is_cheap_bulky(True, None, JAPAN)
    assert not is_cheap_bulky(True, 50_000, JAPAN) and not is_cheap_bulky(False, 500, JAPAN)


def test_final_states_do_not_move_with_the_clock():
    assert due_state(State.RETURNED, _clock(), D(2030, 1, 1)) == State.RETURNED


def test_the_hand_in_deadline_is_shorter_in_a_facility():
    found = datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.UTC)
    assert hand_in_deadline(found, in_facility=False, rules=JAPAN) == found + datetime.timedelta(days=7)
    assert hand_in_deadline(found, in_facility=True, rules=JAPAN) == found + datetime.timedelta(hours=24)
