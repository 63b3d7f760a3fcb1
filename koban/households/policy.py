"""How often each household and business is to be visited: the visit policy of the deployment.

In theory every home is visited twice a year; in practice once a year is what boxes manage, businesses
and public offices more often, and homes where someone needs help (in an evacuation, say) most often.
Each deployment sets the numbers through ``KOBAN_VISIT_POLICY`` (a JSON object of visits per year:
``{"home": 1, "business": 2, "needs_care": 4}``); ``parse_policy`` checks them at start-up and names the
field that is wrong.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, fields
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

# Visits per year are counted over a calendar year of 365 days; an interval is rounded to whole days.
DAYS_PER_YEAR = 365
_LIMITS = (1, 52)  # from once a year to once a week


@dataclass(frozen=True)
class VisitPolicy:
    """Visits per year, by kind of address. A needs-care home follows the stricter of its two rates."""

    home: int = 1
    business: int = 2
    needs_care: int = 4

    def interval(self, *, business: bool, needs_care: bool) -> datetime.timedelta:
        """The longest time an address of this kind may go without being reached."""
        per_year = self.business if business else self.home
        if needs_care:
            per_year = max(per_year, self.needs_care)
        return datetime.timedelta(days=DAYS_PER_YEAR // per_year)

    def due_condition(self, at: datetime.datetime) -> Q:
        """A filter on households: never reached, or last reached longer ago than their interval."""
        from koban.households.models import BUSINESS_KINDS

        never = Q(last_contact_at__isnull=True)
        for business in (False, True):
            for needs_care in (False, True):
                kind = Q(kind__in=BUSINESS_KINDS) if business else ~Q(kind__in=BUSINESS_KINDS)
                cutoff = at - self.interval(business=business, needs_care=needs_care)
                never |= kind & Q(needs_care=needs_care, last_contact_at__lte=cutoff)
        return never

    def due_at(
        self, last_contact: datetime.datetime | None, *, business: bool, needs_care: bool
    ) -> datetime.datetime | None:
        """When an address falls due (None: it is due since it was registered, never reached)."""
        if last_contact is None:
            return None
        return last_contact + self.interval(business=business, needs_care=needs_care)


def parse_policy(raw: Any) -> VisitPolicy:
    """Build the policy from a JSON object of visits per year; raise ImproperlyConfigured naming a field."""
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ImproperlyConfigured("KOBAN_VISIT_POLICY must be a JSON object")
    known = {f.name for f in fields(VisitPolicy)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ImproperlyConfigured(
            f"KOBAN_VISIT_POLICY has unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    low, high = _LIMITS
    for name, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ImproperlyConfigured(
                f"KOBAN_VISIT_POLICY.{name} must be a whole number of visits per year from {low} to {high}, "
                f"not {value!r}"
            )
    return VisitPolicy(**raw)


def get_policy() -> VisitPolicy:
    """The visit policy of this deployment (from settings; once a year for homes when unset)."""
    from django.conf import settings

    return parse_policy(getattr(settings, "KOBAN_VISIT_POLICY", None))
