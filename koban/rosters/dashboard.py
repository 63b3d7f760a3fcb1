"""Who is in the box now, who is out and why, who comes on next, and the one-tap duty buttons."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from koban.accounts.access import (
    acknowledges_handover_at,
    can_acknowledge_handover,
    can_read_handover,
    can_record_duty,
    is_police_officer,
)
from koban.analytics.algorithms.intervals import contains
from koban.lib.dashboard import DashboardSection, register
from koban.organization.models import PoliceBox
from koban.rosters.clock import local_today
from koban.rosters.models import HandoverEntry, Outing, RosterEntry
from koban.rosters.presence import box_states, open_outing
from koban.rosters.services import open_duty, shift_for_sign_on

# Handover entries older than this have been dealt with or are in the log; the dashboard shows newer ones.
HANDOVER_DAYS = 7
HANDOVER_LIST_LIMIT = 8
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


def my_duty(box: PoliceBox, user: Any, now: dt.datetime) -> dict[str, Any] | None:
    """The buttons the signed-in officer needs at this box: sign on/off, going out/back."""
    if not is_police_officer(user) or not can_record_duty(user, box, user):
        return None
    duty = open_duty(user)
    return {
        "duty": duty if duty and duty.box_id == box.pk else None,
        "duty_elsewhere": duty if duty and duty.box_id != box.pk else None,
        "shift": shift_for_sign_on(user, box, now),
        "outing": open_outing(user.pk),
        "outing_kinds": Outing.Kind.choices,
    }


def build_on_duty(box: PoliceBox, user: Any, now: dt.datetime) -> dict[str, Any]:
    state = box_states([box], now, now + dt.timedelta(seconds=1))[box.pk]
    presence = state.presence
    status = presence.state_at(now)
    on_duty_ids = [o for o, spans in state.on_duty.items() if contains(spans, now)]
    users = {
        u.pk: u
        for u in get_user_model().objects.filter(pk__in=set(on_duty_ids) | state.residents, is_active=True)
    }
    rows = []
    for officer_id in sorted(on_duty_ids, key=lambda o: users[o].get_username() if o in users else ""):
        if officer_id not in users:
            continue
        away = next((a for a in state.away.get(officer_id, []) if a.start <= now < a.end), None)
        rows.append({"officer": users[officer_id], "away": away.reason if away else ""})
    return {
        "officers": [r["officer"] for r in rows],
        "rows": rows,
        "status": status,
        "empty": status in ("empty", "covered"),
        "on_call": status == "on_call",
        "residents": [users[o] for o in sorted(state.residents) if o in users],
        "counter_covered": status == "covered",
        "all_out": bool(rows) and all(r["away"] for r in rows),
        "next": next_shift(box, now),
        "today": local_today(box, now),
        "me": my_duty(box, user, now),
    }


ON_DUTY = register(
    DashboardSection(
        key="on_duty",
        title=_("On duty"),
        order=10,
        build=build_on_duty,
        template="rosters/dashboard/on_duty.html",
        pdf_template="rosters/dashboard/on_duty_pdf.html",
    )
)


def build_handover(box: PoliceBox, user: Any, now: dt.datetime) -> dict[str, Any] | None:
    """Handover entries of the last week still waiting for *user* (urgent first), at most three queries.

    An officer of the box sees what they have not acknowledged yet (and did not write); the chief sees
    the entries nobody has acknowledged. Left out for everyone who does not keep the box's log.
    """
    if not can_read_handover(user, box):
        return None
    recent = HandoverEntry.objects.of_box(box).since(now - dt.timedelta(days=HANDOVER_DAYS))
    officer = acknowledges_handover_at(user, box)
    waiting = recent.unacknowledged_by(user) if officer else recent.filter(acknowledgements__isnull=True)
    entries = list(waiting.by_priority().select_related("written_by")[:HANDOVER_LIST_LIMIT])
    total = len(entries) if len(entries) < HANDOVER_LIST_LIMIT else waiting.count()
    for entry in entries:
        entry.may_acknowledge = can_acknowledge_handover(user, entry)  # type: ignore[attr-defined]
    return {"entries": entries, "total": total, "more": total - len(entries), "box": box, "officer": officer}


HANDOVER = register(
    DashboardSection(
        key="handover",
        title=pgettext_lazy("shift handover", "Handover"),
        order=15,
        build=build_handover,
        template="rosters/dashboard/handover.html",
        pdf_template="rosters/dashboard/handover_pdf.html",
        live=True,
    )
)
