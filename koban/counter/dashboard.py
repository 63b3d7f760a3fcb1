"""Counter matters of the box today: how many, of which kinds, and which still need follow-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from koban.counter.models import Channel, CounterCategory, CounterMatter, Outcome
from koban.lib.dashboard import DashboardSection, register
from koban.organization.models import PoliceBox
from koban.rosters.clock import day_bounds, local_today

PENDING_LIST_LIMIT = 10
PENDING_OUTCOMES = (Outcome.FOLLOW_UP, Outcome.OPEN)


def build_counter_today(box: PoliceBox, user: Any, now: dt.datetime) -> dict[str, Any]:
    """Today's matters by category (SQL counts), call-phone calls, and matters still open.

    The follow-up list shows the oldest open matters (they may be months old, so pages print their
    year) and how many are open in all: four queries, five when the list is full.
    """
    start, end = day_bounds(box, local_today(box, now))
    today = CounterMatter.objects.filter(box=box, received_at__gte=start, received_at__lt=end)
    totals = today.aggregate(
        total=Count("id"),
        call_phone=Count("id", filter=Q(channel=Channel.CALL_PHONE)),
        custody=Count("id", filter=Q(category__custody=True)),
    )
    rows = list(today.values("category_id").annotate(n=Count("id")).order_by("-n", "category_id"))
    categories = CounterCategory.objects.in_bulk([r["category_id"] for r in rows])
    by_category = [{"label": categories[r["category_id"]].label(), "count": r["n"]} for r in rows]
    open_matters = CounterMatter.objects.filter(box=box, outcome__in=PENDING_OUTCOMES)
    pending = list(
        open_matters.select_related("category", "handled_by").order_by("received_at", "id")[
            :PENDING_LIST_LIMIT
        ]
    )
    pending_total = len(pending) if len(pending) < PENDING_LIST_LIMIT else open_matters.count()
    return totals | {
        "by_category": by_category,
        "pending": pending,
        "pending_total": pending_total,
        "pending_more": pending_total - len(pending),
    }


COUNTER_TODAY = register(
    DashboardSection(
        key="counter_today",
        title=_("Counter matters today"),
        order=40,
        build=build_counter_today,
        template="counter/dashboard/counter_today.html",
        pdf_template="counter/dashboard/counter_today_pdf.html",
    )
)
