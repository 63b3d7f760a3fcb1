"""The Lost Property Act's split of the reward and of an unclaimed item (pure rules, no database)."""

from __future__ import annotations

from decimal import Decimal

from koban.lostfound import shares


def test_the_reward_is_a_percentage_of_the_cash_and_value_or_of_the_sale_proceeds() -> None:
    assert shares.reward_price(value_estimate=5000, cash_amount=20000, sale_proceeds=None) == 25000
    assert shares.reward_price(value_estimate=None, cash_amount=None, sale_proceeds=None) == 0
    # Once sold, the proceeds are the price (§28(1)), whatever the item was estimated at.
    assert shares.reward_price(value_estimate=5000, cash_amount=None, sale_proceeds=1200) == 1200


def test_without_a_facility_the_finder_gets_the_whole_reward() -> None:
    owed = shares.reward_shares(
        30000, Decimal("10"), via_facility=False, finder_claims=True, facility_claims=True
    )
    assert owed == shares.RewardShares(total=3000, finder=3000, facility=0)
    waived = shares.reward_shares(
        30000, Decimal("10"), via_facility=False, finder_claims=False, facility_claims=False
    )
    assert waived.total == 0


def test_through_a_facility_finder_and_facility_get_half_each() -> None:
    owed = shares.reward_shares(
        30000, Decimal("10"), via_facility=True, finder_claims=True, facility_claims=True
    )
    assert owed == shares.RewardShares(total=3000, finder=1500, facility=1500)
    # A party that waived gets nothing, and its half does not pass to the other (§28(2)).
    only_facility = shares.reward_shares(
        30000, Decimal("10"), via_facility=True, finder_claims=False, facility_claims=True
    )
    assert only_facility == shares.RewardShares(total=1500, finder=0, facility=1500)
    # Whole yen, rounded half up: 5 % of 1,001 yen is 50.05, half of it 25.025.
    odd = shares.reward_shares(
        1001, Decimal("5"), via_facility=True, finder_claims=True, facility_claims=True
    )
    assert (odd.finder, odd.facility) == (25, 25)


def test_an_unclaimed_item_goes_to_the_finder_else_the_facility_else_nobody() -> None:
    assert shares.unclaimed_acquirer(finder_claims=True, facility_claims=True, via_facility=True) == "finder"
    assert (
        shares.unclaimed_acquirer(finder_claims=False, facility_claims=True, via_facility=True) == "facility"
    )
    assert shares.unclaimed_acquirer(finder_claims=False, facility_claims=True, via_facility=False) is None
    assert shares.unclaimed_acquirer(finder_claims=False, facility_claims=False, via_facility=True) is None


def test_personal_data_never_passes_and_its_contents_are_kept_back() -> None:
    phone = shares.unclaimed_outcome(all_personal_data=True, personal_data_inside=False)
    wallet_with_licence = shares.unclaimed_outcome(all_personal_data=False, personal_data_inside=True)
    umbrella = shares.unclaimed_outcome(all_personal_data=False, personal_data_inside=False)
    assert (phone, wallet_with_licence, umbrella) == ("nothing", "without_personal_data", "whole")
