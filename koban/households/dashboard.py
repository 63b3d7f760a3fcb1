"""The box dashboard's "visits due" section (registered here; rendered by koban.web).

Figures only (how many households are due, overdue, never reached, needing care, behind a locked
entrance; how many were reached this month): no address is shown, so the section suits everyone who
opens the box's dashboard. Officers who visit the box get a link to their worklist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from koban.accounts.access import can_add_household
from koban.households.models import CONTACT_OUTCOMES, Household
from koban.households.policy import get_policy
from koban.lib.dashboard import DashboardSection, register
from koban.organization.models import PoliceBox

# Households due longer than this count as long overdue.
LONG_OVERDUE = dt.timedelta(days=90)


def build_visits_due(box: PoliceBox, user: Any, now: dt.datetime) -> dict[str, Any] | None:
    """Counts of the box's due households in one query (and one to know whether to link the worklist)."""
    policy = get_policy()
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    this_month = Q(visits__visited_at__gte=month_start, visits__visited_at__lte=now) & Q(
        visits__outcome__in=CONTACT_OUTCOMES
    )
    registry = Household.objects.of_box(box).placed().visitable().order_by()
    # Every count is of distinct households, so joining the visits does not inflate them.
    counts = registry.aggregate(
        reached_this_month=Count("pk", filter=this_month, distinct=True),
        households=Count("pk", distinct=True),
        due=Count("pk", filter=policy.due_condition(now), distinct=True),
        long_overdue=Count("pk", filter=policy.due_condition(now - LONG_OVERDUE), distinct=True),
        never=Count("pk", filter=Q(last_contact_at__isnull=True), distinct=True),
        needs_care=Count("pk", filter=policy.due_condition(now) & Q(needs_care=True), distinct=True),
        locked=Count("pk", filter=Q(can_enter=False) | Q(building__can_enter=False), distinct=True),
    )
    if not counts["households"]:
        return None
    return {"counts": counts, "worklist": can_add_household(user, box), "box": box}


VISITS_DUE = register(
    DashboardSection(
        key="visits_due",
        title=_("Visits due"),
        order=85,
        build=build_visits_due,
        template="households/dashboard/visits_due.html",
        pdf_template="households/dashboard/visits_due_pdf.html",
        refresh_seconds=600,
    )
)
