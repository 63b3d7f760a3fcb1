"""Today's lost-property work at the box: tasks due, items received today, open loss reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from koban.lib.dashboard import DashboardSection, register
from koban.lostfound.clocks import State
from koban.lostfound.models import FoundItem, LossReport
from koban.lostfound.queries import open_tasks
from koban.organization.models import PoliceBox
from koban.rosters.clock import day_bounds, local_today

TASK_LIST_LIMIT = 15


def build_lost_found(box: PoliceBox, user: Any, now: dt.datetime) -> dict[str, Any]:
    """Open tasks due today or earlier (overdue first), and today's counts (three queries)."""
    today = local_today(box, now)
    start, end = day_bounds(box, today)
    due = open_tasks(PoliceBox.objects.filter(pk=box.pk)).filter(due_on__lte=today)
    tasks = list(due[:TASK_LIST_LIMIT])
    tasks_total = len(tasks) if len(tasks) < TASK_LIST_LIMIT else due.count()
    items = FoundItem.objects.filter(box=box).aggregate(
        received_today=Count("id", filter=Q(handed_in_at__gte=start, handed_in_at__lt=end)),
        open_items=Count("id", filter=Q(state__in=State.OPEN)),
    )
    return {
        "today": today,
        "tasks": tasks,
        "tasks_total": tasks_total,
        "more": tasks_total - len(tasks),
        "overdue": sum(1 for t in tasks if t.due_on < today),
        "received_today": items["received_today"],
        "open_items": items["open_items"],
        "open_reports": LossReport.objects.filter(box=box).open().count(),
    }


LOST_FOUND = register(
    DashboardSection(
        key="lost_found",
        title=_("Lost and found today"),
        order=50,
        build=build_lost_found,
        template="lostfound/dashboard/lost_found.html",
        pdf_template="lostfound/dashboard/lost_found_pdf.html",
        live=True,  # tasks falling due today
    )
)
