"""Patrols as time out of the box: an officer on a recorded patrol is not in the box."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator

from django.utils.translation import gettext as _

from koban.patrols.models import Patrol
from koban.rosters.presence import Away


def patrols_away(officer_ids: Collection[int], start: dt.datetime, end: dt.datetime) -> Iterator[Away]:
    """Each officer's recorded patrols overlapping ``[start, end)``."""
    rows = Patrol.officers.through.objects.filter(
        user_id__in=officer_ids, patrol__started_at__lt=end, patrol__ended_at__gt=start
    ).values_list("user_id", "patrol__started_at", "patrol__ended_at")
    for officer_id, p_start, p_end in rows:
        yield Away(officer_id, p_start, p_end, _("On patrol"))
