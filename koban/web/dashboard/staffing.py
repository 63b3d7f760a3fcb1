"""Who is on duty at the box now, who comes on next, and whether the box stands empty."""

from __future__ import annotations

import datetime as dt
from typing import Any

from koban.organization.models import PoliceBox
from koban.rosters.models import RosterEntry
from koban.rosters.queries import cover_intervals, on_duty_officers
from koban.web.dashboard.clock import local_today

# Look this far ahead for the next shift; a box without a roster for a week has none to show.
NEXT_SHIFT_HORIZON = dt.timedelta(days=7)


def next_shift(box: PoliceBox, now: dt.datetime) -> dict[str, Any] | None:
    """The next rostered staffing shift starting after *now*: its start, end and officers (one query)."""
    entries = list(
        RosterEntry.objects.filter(
            box=box, officer__isnull=False, start__gt=now, start__lt=now + NEXT_SHIFT_HORIZON
        )
        .staffing()
        .select_related("officer")
        .order_by("start", "officer__username")[:20]
    )
    if not entries:
        return None
    first = entries[0].start
    same = [e for e in entries if e.start == first]
    return {
        "start": first,
        "end": max(e.end for e in same),
        "officers": [e.officer for e in same],
        "shift_code": same[0].shift_code,
        "kind": same[0].get_kind_display(),
    }


def build_on_duty(box: PoliceBox, user: Any, now: dt.datetime) -> dict[str, Any]:
    officers = on_duty_officers([box.pk], now)[box.pk]
    cover = cover_intervals([box.pk], now, now + dt.timedelta(seconds=1))[box.pk]
    return {
        "officers": officers,
        "empty": not officers,
        "counter_covered": any(start <= now < end for start, end in cover),
        "next": next_shift(box, now),
        "today": local_today(box, now),
    }
