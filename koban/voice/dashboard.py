"""The box dashboard's "open requests" and "actions due" sections (registered here; rendered by koban.web).

The builders read only what the sections show, in a fixed number of queries; they show no reporter's
contact details, so they are fit for everyone who may open the box's dashboard (HQ included).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from koban.lib.dashboard import DashboardSection, register
from koban.organization.models import PoliceBox
from koban.voice.models import OPEN_STATES, Action, ActionKind, Moderation, Request, Status

LIST_LIMIT = 8
# Rows read for the actions section; a box with more open items than this sees the first ones.
LIMIT_ROWS = 100
DUE_AHEAD = dt.timedelta(days=7)


def build_open_requests(box: PoliceBox, user: Any, now: dt.datetime) -> dict[str, Any]:
    """Open requests of the box by state, the oldest waiting first, and how many await moderation."""
    requests = Request.objects.of_box(box)
    counts = requests.aggregate(
        received=Count("id", filter=Q(status=Status.RECEIVED)),
        under_review=Count("id", filter=Q(status=Status.UNDER_REVIEW)),
        action_planned=Count("id", filter=Q(status=Status.ACTION_PLANNED)),
        moderation=Count("id", filter=Q(moderation=Moderation.PENDING, status__in=OPEN_STATES)),
    )
    oldest = list(requests.open().select_related("category").order_by("requested_at", "id")[:LIST_LIMIT])
    total = counts["received"] + counts["under_review"] + counts["action_planned"]
    return {"counts": counts, "total": total, "oldest": oldest, "more": total - len(oldest)}


def build_actions_due(box: PoliceBox, user: Any, now: dt.datetime) -> dict[str, Any]:
    """Open action items of the box due within a week (overdue first), and the patrol focus in force.

    One query: the open items that are due soon or are a patrol focus running today, split here.
    """
    today = timezone.localtime(now).date()
    soon = Q(due_on__lte=today + DUE_AHEAD)
    running = Q(kind=ActionKind.PATROL_FOCUS, starts_on__lte=today, ends_on__gte=today)
    rows = list(
        Action.objects.of_box(box)
        .open()
        .filter(soon | running)
        .select_related("owner")
        .order_by("due_on", "id")[:LIMIT_ROWS]
    )
    due = [a for a in rows if a.due_on <= today + DUE_AHEAD]
    focus = [
        a
        for a in rows
        if a.kind == ActionKind.PATROL_FOCUS
        and a.starts_on
        and a.ends_on
        and a.starts_on <= today <= a.ends_on
    ]
    return {
        "today": today,
        "due": due[:LIST_LIMIT],
        "total": len(due),
        "more": max(0, len(due) - LIST_LIMIT),
        "overdue": sum(1 for a in due if a.due_on < today),
        "focus": focus[:LIST_LIMIT],
    }


OPEN_REQUESTS = register(
    DashboardSection(
        key="open_requests",
        title=_("Open requests"),
        order=80,
        build=build_open_requests,
        template="voice/dashboard/open_requests.html",
        pdf_template="voice/dashboard/open_requests_pdf.html",
        refresh_seconds=300,
    )
)
ACTIONS_DUE = register(
    DashboardSection(
        key="actions_due",
        title=_("Actions due"),
        order=90,
        build=build_actions_due,
        template="voice/dashboard/actions_due.html",
        pdf_template="voice/dashboard/actions_due_pdf.html",
        live=True,  # action items falling due
    )
)
