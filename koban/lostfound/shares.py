"""Who is owed what when a found item leaves the police: the reward split and the unclaimed item.

Pure rules of Japan's Lost Property Act, no database:

- The owner pays a reward of 5–20 % of the item's price (§28(1)); when the item was sold under the
  Act, the price is the sale proceeds. When a facility occupier (施設占有者: a station, a shop, a train
  company) took the item from the finder and brought it in, the owner pays half of that reward to the
  finder and half to the facility (§28(2)). Each may claim or waive its own half.
- When the owner does not appear within the notice period, the finder acquires the item; a finder who
  waived it leaves it to the facility, if the facility claimed it (§32(1)); with neither, it vests in the
  prefecture.
- Items that are personal data (phones, cards, IDs) never pass to a finder or facility (§35); an item
  that only *carries* personal data (a wallet holding a driving licence) passes without those contents.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FINDER = "finder"
FACILITY = "facility"

# What of an unclaimed item passes to whoever acquires it.
WHOLE = "whole"
WITHOUT_PERSONAL_DATA = "without_personal_data"
NOTHING = "nothing"


@dataclass(frozen=True)
class RewardShares:
    """The reward in yen: in all, and the parts owed to the finder and to the facility."""

    total: int
    finder: int
    facility: int


def reward_price(value_estimate: int | None, cash_amount: int | None, sale_proceeds: int | None) -> int:
    """The price the reward is a percentage of: the sale proceeds if the item was sold, else the cash
    it held plus the estimated value of the rest."""
    if sale_proceeds is not None:
        return sale_proceeds
    return (value_estimate or 0) + (cash_amount or 0)


def _yen(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def reward_shares(
    price: int,
    percent: Decimal,
    *,
    via_facility: bool,
    finder_claims: bool,
    facility_claims: bool,
) -> RewardShares:
    """The reward of *percent* % of *price*, split as the Act says (half each through a facility).

    A party that waived its part gets nothing and its half is not passed to the other: the owner simply
    owes less (the Act gives each party its own claim to half).
    """
    full = Decimal(price) * percent / Decimal(100)
    if not via_facility:
        finder = _yen(full) if finder_claims else 0
        return RewardShares(total=finder, finder=finder, facility=0)
    half = full / 2
    finder = _yen(half) if finder_claims else 0
    facility = _yen(half) if facility_claims else 0
    return RewardShares(total=finder + facility, finder=finder, facility=facility)


def unclaimed_acquirer(*, finder_claims: bool, facility_claims: bool, via_facility: bool) -> str | None:
    """Who acquires an item its owner did not claim: the finder, else the facility, else nobody
    (``None``: it vests in the prefecture)."""
    if finder_claims:
        return FINDER
    if via_facility and facility_claims:
        return FACILITY
    return None


def unclaimed_outcome(*, all_personal_data: bool, personal_data_inside: bool) -> str:
    """What of an unclaimed item passes to its acquirer: nothing for a personal-data item, the item
    without its personal-data contents for one that carries them, otherwise the whole item."""
    if all_personal_data:
        return NOTHING
    if personal_data_inside:
        return WITHOUT_PERSONAL_DATA
    return WHOLE
