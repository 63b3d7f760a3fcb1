"""Durations as officers read them: response times as m:ss, ages as days, hours and minutes."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _


def minutes_seconds(seconds: float | None) -> str:
    """496 → "8:16"; None → "—"."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def age(delta: dt.timedelta) -> str:
    """How long ago, to the minute: "45 min", "3 h 05 min", "2 d 4 h"."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}
