"""Where a found item stands on the statutory clocks: pure date arithmetic, no database.

Periods are counted the Japanese way (初日不算入): a 3-month notice posted on 10 January runs from
11 January and ends on 10 April; from 11 April the finder may claim, and the 2-month claim window ends
on 10 June. The numbers come from ``LostFoundRules``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from koban.lostfound.rules import LostFoundRules, add_months


class State:
    """The life of a found item; the first three are open, the last four are final."""

    RECEIVED = "received"
    IN_NOTICE = "in_notice"
    FINDER_MAY_CLAIM = "finder_may_claim"
    RETURNED = "returned_to_owner"
    HANDED_TO_FINDER = "handed_to_finder"
    VESTED = "vested"
    DISPOSED = "disposed"

    OPEN = (RECEIVED, IN_NOTICE, FINDER_MAY_CLAIM)
    WITH_OWNER_RIGHTS = (RECEIVED, IN_NOTICE)


@dataclass(frozen=True)
class Clock:
    """The dates that decide an item's state, computed once at receipt."""

    notice_ends_on: datetime.date
    finder_claim_ends_on: datetime.date | None
    disposable_from: datetime.date | None


def compute_clock(
    received_on: datetime.date,
    *,
    holds_personal_data: bool,
    finder_claims_item: bool,
    cheap_bulky: bool,
    rules: LostFoundRules,
) -> Clock:
    """Return the item's deadlines.

    The finder never gets a claim window for personal-data items or when they waived the item; cheap
    bulky items become disposable ``bulky_disposal_days`` after receipt.
    """
    notice_ends = add_months(received_on, rules.notice_months)
    finder_may_take = finder_claims_item and not holds_personal_data
    return Clock(
        notice_ends_on=notice_ends,
        finder_claim_ends_on=add_months(notice_ends, rules.finder_claim_months) if finder_may_take else None,
        disposable_from=received_on + datetime.timedelta(days=rules.bulky_disposal_days)
        if cheap_bulky
        else None,
    )


def due_state(state: str, clock: Clock, today: datetime.date) -> str:
    """The state the item should be in on *today*; final states never change by the clock."""
    if state not in State.OPEN:
        return state
    if today <= clock.notice_ends_on:
        return State.IN_NOTICE
    if clock.finder_claim_ends_on is None or today > clock.finder_claim_ends_on:
        return State.VESTED
    return State.FINDER_MAY_CLAIM


def is_cheap_bulky(bulky_category: bool, value_estimate: int | None, rules: LostFoundRules) -> bool:
    """Whether an item may be disposed of early: a bulky category and a low (or no) estimated value."""
    return bulky_category and (value_estimate is None or value_estimate <= rules.cheap_value_limit)


def hand_in_deadline(
    found_at: datetime.datetime, *, in_facility: bool, rules: LostFoundRules
) -> datetime.datetime:
    """The latest time the finder should have handed the item in (7 days, or 24 h in a facility)."""
    if in_facility:
        return found_at + datetime.timedelta(hours=rules.facility_hand_in_hours)
    return found_at + datetime.timedelta(days=rules.hand_in_days)
