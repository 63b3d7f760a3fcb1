"""Dashboard section "volunteer activity in my beat": the last week's volunteer patrols and watches that
crossed the box's beat (or were joint patrols with the box), what they reported, and blue-light papers of
the box's groups that expire soon."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from koban.accounts.access import activities_visible_to, groups_visible_to
from koban.geography.models import Beat
from koban.lib.dashboard import DashboardSection, register
from koban.organization.models import PoliceBox
from koban.volunteers import reminders
from koban.volunteers.models import ActivityObservation, VolunteerGroup

DAYS = 7
LIST_LIMIT = 10


def build_volunteer_activity(box: PoliceBox, user: Any, now: dt.datetime) -> dict[str, Any] | None:
    """Volunteer activity of the last week in *box*'s beat, as *user* may see it."""
    # The beat's outline as a subquery: the section adds two queries to the dashboard, not three.
    beat = Beat.objects.current().filter(box=box).values("geom")[:1]
    place = Q(joint_box=box) | Q(group__box=box) | Q(route__intersects=Subquery(beat))
    recent = (
        activities_visible_to(user)
        .between(now - dt.timedelta(days=DAYS), now)
        .filter(place)
        .select_related("group")
        .annotate(
            suspicious=Count(
                "observations", filter=Q(observations__kind=ActivityObservation.Kind.SUSPICIOUS)
            ),
            hazards=Count("observations", filter=Q(observations__kind=ActivityObservation.Kind.HAZARD)),
        )
        .order_by("-started_at")
    )
    items = list(recent[: LIST_LIMIT + 1])
    count = len(items) if len(items) <= LIST_LIMIT else recent.count()
    # Reminders only for the box's groups; most boxes have none, which costs one query.
    group_ids = list(groups_visible_to(user).filter(box=box).values_list("pk", flat=True))
    due = (
        reminders.due_for(VolunteerGroup.objects.filter(pk__in=group_ids), timezone.localdate(now))
        if group_ids
        else []
    )
    return {"count": count, "items": items[:LIST_LIMIT], "reminders": due, "days": DAYS}


VOLUNTEER_ACTIVITY = register(
    DashboardSection(
        key="volunteer_activity",
        title=_("Volunteer activity in my beat"),
        order=95,
        build=build_volunteer_activity,
        template="volunteers/dashboard/volunteer_activity.html",
        pdf_template="volunteers/dashboard/volunteer_activity_pdf.html",
        refresh_seconds=600,
    )
)
