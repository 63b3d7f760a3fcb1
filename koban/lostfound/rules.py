"""The statutory clocks of lost property, as configuration that each deployment can change.

Japan's Lost Property Act (遺失物法) and Civil Code §240 give the defaults: the police post a public
notice for 3 months; if the owner does not appear the finder acquires the item, but must collect it
within 2 more months or it vests in the prefecture; the finder's reward is 5–20 % of the value; items
holding personal data (phones, cards, IDs) never go to the finder; cheap bulky items may be sold or
disposed of after 2 weeks; a finder must hand in within 7 days (24 hours when found in a facility).

Other countries change the numbers through the ``KOBAN_LOST_FOUND_RULES`` setting (a JSON object with
any of the fields below); ``parse_rules`` checks them and names the field that is wrong.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class LostFoundRules:
    """The clocks and limits that move a found item from receipt to its final owner."""

    notice_months: int = 3
    finder_claim_months: int = 2
    reward_min_percent: Decimal = Decimal("5")
    reward_max_percent: Decimal = Decimal("20")
    bulky_disposal_days: int = 14
    # An item of a bulky category is "cheap" (disposable early) at or below this estimated value.
    cheap_value_limit: int = 10000
    hand_in_days: int = 7
    facility_hand_in_hours: int = 24
    # Days ahead in which a lapsing finder's claim is put on the box's list as a reminder.
    claim_reminder_days: int = 14


_INT_FIELDS = {
    "notice_months": (1, 120),
    "finder_claim_months": (0, 120),
    "bulky_disposal_days": (1, 3650),
    "cheap_value_limit": (0, 10**12),
    "hand_in_days": (1, 365),
    "facility_hand_in_hours": (1, 24 * 365),
    "claim_reminder_days": (0, 365),
}
_PERCENT_FIELDS = ("reward_min_percent", "reward_max_percent")


def parse_rules(raw: dict[str, Any] | None) -> LostFoundRules:
    """Build the rules from a JSON object, checking each field; raise ImproperlyConfigured naming it."""
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ImproperlyConfigured("KOBAN_LOST_FOUND_RULES must be a JSON object")
    known = {f.name for f in fields(LostFoundRules)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ImproperlyConfigured(
            f"KOBAN_LOST_FOUND_RULES has unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    values: dict[str, Any] = {}
    for name, (low, high) in _INT_FIELDS.items():
        if name in raw:
            value = raw[name]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ImproperlyConfigured(
                    f"KOBAN_LOST_FOUND_RULES.{name} must be a whole number from {low} to {high}, not {value!r}"
                )
            values[name] = value
    for name in _PERCENT_FIELDS:
        if name in raw:
            try:
                percent = Decimal(str(raw[name]))
            except InvalidOperation:
                percent = Decimal("NaN")
            if not percent.is_finite() or not Decimal(0) <= percent <= Decimal(100):
                raise ImproperlyConfigured(
                    f"KOBAN_LOST_FOUND_RULES.{name} must be a percentage from 0 to 100, not {raw[name]!r}"
                )
            values[name] = percent
    rules = LostFoundRules(**values)
    if rules.reward_min_percent > rules.reward_max_percent:
        raise ImproperlyConfigured(
            "KOBAN_LOST_FOUND_RULES.reward_min_percent must not exceed reward_max_percent"
        )
    return rules


def get_rules() -> LostFoundRules:
    """The rules of this deployment (from settings; Japan's when unset)."""
    from django.conf import settings

    return parse_rules(getattr(settings, "KOBAN_LOST_FOUND_RULES", None))


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day *months* later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
