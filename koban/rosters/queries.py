"""Read questions other apps ask about box staffing: who is on duty, is the box staffed.

Dispatch suggestions (incidents) and the dashboard call ``on_duty_officers``; keep its signature.
The rule for "on duty" is ``koban.analytics.algorithms.intervals.effective_duty``: sign-on/sign-off records where
present, else the roster less leave. Counter cover (a spouse or counsellor) never counts as staffing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.utils import timezone

from koban.accounts.models import User
from koban.analytics.algorithms.intervals import Interval, OfficerDuty, contains, effective_duty, merge
from koban.organization.models import PoliceBox
from koban.rosters.models import CrewAssignment, DutyRecord, EntryKind, PatrolCar, RosterEntry

# Longest shift a pattern may define (48 h) plus a margin: entries starting earlier cannot cover "at".
_LOOKBACK = dt.timedelta(hours=50)


def officer_duties(
    box_ids: Iterable[int], start: dt.datetime, end: dt.datetime
) -> dict[int, dict[int, OfficerDuty]]:
    """Per box, per officer: rostered shifts, leave and actual records overlapping ``[start, end)``.

    Leave is taken from every box (an officer on leave is on leave everywhere); shifts and records
    only from the box itself.
    """
    ids = list(box_ids)
    rostered: dict[int, dict[int, list[Interval]]] = defaultdict(lambda: defaultdict(list))
    actual: dict[int, dict[int, list[Interval]]] = defaultdict(lambda: defaultdict(list))
    still_open: dict[int, dict[int, list[Interval]]] = defaultdict(lambda: defaultdict(list))
    officers_by_box: dict[int, set[int]] = defaultdict(set)
    entries = (
        RosterEntry.objects.filter(box_id__in=ids, officer__isnull=False)
        .staffing()
        .overlapping(start - _LOOKBACK, end + _LOOKBACK)
        .values_list("box_id", "officer_id", "start", "end")
    )
    for box_id, officer_id, e_start, e_end in entries:
        rostered[box_id][officer_id].append((e_start, e_end))
        officers_by_box[box_id].add(officer_id)
    records = DutyRecord.objects.filter(box_id__in=ids).overlapping(start - _LOOKBACK, end + _LOOKBACK)
    for record in records:
        kept = still_open if record.signed_off_at is None else actual
        kept[record.box_id][record.officer_id].append(record.interval())
        officers_by_box[record.box_id].add(record.officer_id)
    all_officers = {o for officers in officers_by_box.values() for o in officers}
    leave: dict[int, list[Interval]] = defaultdict(list)
    leave_rows = (
        RosterEntry.objects.filter(officer_id__in=all_officers, kind=EntryKind.LEAVE)
        .overlapping(start - _LOOKBACK, end + _LOOKBACK)
        .values_list("officer_id", "start", "end")
    )
    for officer_id, l_start, l_end in leave_rows:
        leave[officer_id].append((l_start, l_end))
    return {
        box_id: {
            officer: OfficerDuty(
                rostered=tuple(rostered[box_id][officer]),
                leave=tuple(leave[officer]),
                actual=tuple(actual[box_id][officer]),
                open=tuple(still_open[box_id][officer]),
            )
            for officer in officers_by_box.get(box_id, set())
        }
        for box_id in ids
    }


def staffed_intervals(
    box_ids: Iterable[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[Interval]]:
    """Per box, the merged intervals in which at least one officer was on duty (not clipped)."""
    duties = officer_duties(box_ids, start, end)
    return {
        box_id: merge(i for duty in officers.values() for i in effective_duty(duty))
        for box_id, officers in duties.items()
    }


def cover_intervals(
    box_ids: Iterable[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[Interval]]:
    """Per box, merged intervals of counter cover (spouse or counsellor taking walk-ins)."""
    ids = list(box_ids)
    out: dict[int, list[Interval]] = {box_id: [] for box_id in ids}
    rows = (
        RosterEntry.objects.filter(box_id__in=ids)
        .cover()
        .overlapping(start, end)
        .values_list("box_id", "start", "end")
    )
    for box_id, c_start, c_end in rows:
        out[box_id].append((c_start, c_end))
    return {box_id: merge(intervals) for box_id, intervals in out.items()}


def on_duty_officers(box_ids: Iterable[int], at: dt.datetime) -> dict[int, list[User]]:
    """Officers on duty at *at*, per box id (every requested box is a key, possibly with ``[]``).

    From actual sign-on/sign-off records where present, else the roster less leave. *at* must be
    timezone-aware. Officers are ordered by username.
    """
    if timezone.is_naive(at):
        raise ValueError("on_duty_officers needs a timezone-aware moment")
    ids = list(dict.fromkeys(box_ids))
    duties = officer_duties(ids, at, at + dt.timedelta(seconds=1))
    on_duty = {
        box_id: [officer for officer, duty in officers.items() if contains(effective_duty(duty), at)]
        for box_id, officers in duties.items()
    }
    wanted = {officer for officers in on_duty.values() for officer in officers}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=wanted, is_active=True)}
    return {
        box_id: sorted((users[o] for o in officers if o in users), key=lambda u: u.get_username())
        for box_id, officers in on_duty.items()
    }


def is_box_staffed(box: PoliceBox | int, at: dt.datetime | None = None) -> bool:
    """Whether at least one officer is on duty at *box* at *at* (default: now)."""
    box_id = box if isinstance(box, int) else box.pk
    return bool(on_duty_officers([box_id], at or timezone.now())[box_id])


def crews_at(box_ids: Iterable[int], at: dt.datetime) -> dict[PatrolCar, list[int]]:
    """The cars in service kept at these boxes that have a crew at *at*, with the crew's officer ids."""
    rows = (
        CrewAssignment.objects.at(at)
        .filter(car__box_id__in=list(box_ids), car__active=True)
        .select_related("car", "car__box")
        .order_by("car__call_sign", "officer_id")
    )
    out: dict[PatrolCar, list[int]] = defaultdict(list)
    for row in rows:
        out[row.car].append(row.officer_id)
    return dict(out)
