"""Dispatches as time out of the box: an officer sent to an incident is out until it is closed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from koban.incidents.models import Dispatch, IncidentEvent
from koban.rosters.presence import Away

# A dispatch still open after this long is taken as over: a forgotten "cleared" must not keep the
# officer (and the box) marked out for ever.
OPEN_DISPATCH_LIMIT = dt.timedelta(hours=12)


def dispatches_away(officer_ids: Collection[int], start: dt.datetime, end: dt.datetime) -> Iterator[Away]:
    """From dispatch until the incident was cleared or cancelled (at most ``OPEN_DISPATCH_LIMIT``)."""
    cancelled = IncidentEvent.objects.filter(
        incident_id=OuterRef("dispatch__incident_id"), action="cancelled"
    ).order_by("-at")
    rows = (
        Dispatch.officers.through.objects.filter(
            user_id__in=officer_ids,
            dispatch__dispatched_at__lt=end,
            dispatch__dispatched_at__gt=start - OPEN_DISPATCH_LIMIT,
        )
        .annotate(cancelled_at=Subquery(cancelled.values("at")[:1]))
        .values_list(  # type: ignore[misc]
            "user_id",
            "dispatch__dispatched_at",
            "dispatch__incident__cleared_at",
            "cancelled_at",
            "dispatch__incident_id",
        )
    )
    for officer_id, sent, cleared, cancelled_at, incident_id in rows:
        limit = sent + OPEN_DISPATCH_LIMIT
        closed = min(t for t in (cleared, cancelled_at, limit) if t is not None)
        if closed > sent:
            yield Away(officer_id, sent, closed, _("Incident #%(id)s") % {"id": incident_id})
