"""Local days and the morning handover: the dashboard counts "today" in the box's time zone."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from koban.organization.models import PoliceBox
from koban.rosters.reports import box_zone

# Koban shifts (当番) start at 08:30; the daily briefing is read out at that handover.
HANDOVER_TIME = dt.time(8, 30)


def local_now(box: PoliceBox, now: dt.datetime) -> dt.datetime:
    return timezone.localtime(now, box_zone(box))


def local_today(box: PoliceBox, now: dt.datetime) -> dt.date:
    return local_now(box, now).date()


def day_bounds(box: PoliceBox, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight of *day* and of the next day, as aware datetimes."""
    zone = box_zone(box)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)


def handover_at(box: PoliceBox, now: dt.datetime) -> dt.datetime:
    """The shift handover (08:30) of the box's local day of *now*: the moment the briefing is read."""
    return dt.datetime.combine(local_today(box, now), HANDOVER_TIME, tzinfo=box_zone(box))
