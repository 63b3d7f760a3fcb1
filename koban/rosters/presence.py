"""Who is actually in the box: the roster and sign-ons, less the time officers are out.

The rule itself is pure (``koban.analytics.algorithms.presence``); this module gathers its input.
Time out of the box comes from *away sources*: the one-tap outings of this app, and the sources the
daily-work apps register from their ``AppConfig.ready`` (patrols, dispatches to incidents), so that
rosters knows nothing of them (they sit above it in the dependency order).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from koban.accounts.access import rosterable_officers
from koban.analytics.algorithms import intervals as iv
from koban.analytics.algorithms.presence import BoxPresence, OfficerPresence, box_presence
from koban.organization.models import PoliceBox
from koban.rosters.models import BoxShiftPlan, EntryKind, Outing, PlanMember, RosterEntry, ShiftPattern
from koban.rosters.queries import _LOOKBACK, cover_intervals, officer_duties


@dataclass(frozen=True)
class Away:
    """An officer out of the box from *start* to *end*, and why (shown on the dashboard)."""

    officer_id: int
    start: dt.datetime
    end: dt.datetime
    reason: str


AwaySource = Callable[[Collection[int], dt.datetime, dt.datetime], Iterable[Away]]
_SOURCES: list[AwaySource] = []


def register_away_source(source: AwaySource) -> None:
    """Add a source of time out of the box (called by other apps from their ``ready``)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def outings_away(officer_ids: Collection[int], start: dt.datetime, end: dt.datetime) -> Iterable[Away]:
    """The one-tap outings ("going out on patrol" … "back in the box")."""
    for outing in Outing.objects.filter(officer_id__in=officer_ids).overlapping(start, end):
        o_start, o_end = outing.interval()
        yield Away(outing.officer_id, o_start, o_end, str(outing.get_kind_display()))


def away_by_officer(
    officer_ids: Collection[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[Away]]:
    """Every known stretch out of the box overlapping ``[start, end)``, per officer."""
    out: dict[int, list[Away]] = defaultdict(list)
    if not officer_ids:
        return out
    for source in [outings_away, *_SOURCES]:
        for away in source(officer_ids, start, end):
            if away.end > start and away.start < end:
                out[away.officer_id].append(away)
    return out


def resident_officers(
    boxes: Sequence[PoliceBox], start: dt.datetime, end: dt.datetime
) -> dict[int, set[int]]:
    """Per box, the officers who live there: members of a chuzaisho plan in force, or for a
    residential box without one, its posted officers."""
    ids = [b.pk for b in boxes]
    out: dict[int, set[int]] = {box_id: set() for box_id in ids}
    plans = BoxShiftPlan.objects.filter(box_id__in=ids, pattern__kind=ShiftPattern.Kind.RESIDENTIAL).in_force(
        start.date(), end.date()
    )
    with_plan = set()
    for box_id, officer_id in PlanMember.objects.filter(plan__in=plans).values_list(
        "plan__box_id", "officer_id"
    ):
        out[box_id].add(officer_id)
        with_plan.add(box_id)
    for box in boxes:
        if box.pk not in with_plan and box.is_residential:
            out[box.pk].update(rosterable_officers(box, own_box_only=True).values_list("pk", flat=True))
    return out


def _leave_of(
    officer_ids: Collection[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[iv.Interval]]:
    rows = (
        RosterEntry.objects.filter(officer_id__in=officer_ids, kind=EntryKind.LEAVE)
        .overlapping(start, end)
        .values_list("officer_id", "start", "end")
    )
    out: dict[int, list[iv.Interval]] = defaultdict(list)
    for officer_id, l_start, l_end in rows:
        out[officer_id].append((l_start, l_end))
    return out


@dataclass(frozen=True)
class BoxState:
    """One box over a window: its presence and, per officer, when they were on duty and away."""

    box: PoliceBox
    presence: BoxPresence
    on_duty: dict[int, list[iv.Interval]]
    away: dict[int, list[Away]]
    residents: frozenset[int]


def box_states(boxes: Sequence[PoliceBox], start: dt.datetime, end: dt.datetime) -> dict[int, BoxState]:
    """Presence of each box within ``[start, end)`` (a bounded number of queries for any number of boxes)."""
    ids = [b.pk for b in boxes]
    duties = officer_duties(ids, start, end)
    residents = resident_officers(boxes, start, end)
    everyone = {o for officers in duties.values() for o in officers} | {
        o for r in residents.values() for o in r
    }
    away = away_by_officer(everyone, start - _LOOKBACK, end)
    leave = _leave_of(everyone, start, end)
    cover = cover_intervals(ids, start, end)
    states: dict[int, BoxState] = {}
    for box in boxes:
        officers = set(duties[box.pk]) | residents[box.pk]
        on_duty = {o: iv.effective_duty(duties[box.pk][o]) if o in duties[box.pk] else [] for o in officers}
        people = [
            OfficerPresence(
                on_duty=tuple(on_duty[o]),
                out=tuple((a.start, a.end) for a in away.get(o, [])),
                leave=tuple(leave.get(o, [])),
                resident=o in residents[box.pk],
            )
            for o in officers
        ]
        states[box.pk] = BoxState(
            box=box,
            presence=box_presence((start, end), people, cover[box.pk]),
            on_duty=on_duty,
            away={o: away.get(o, []) for o in officers},
            residents=frozenset(residents[box.pk]),
        )
    return states


def open_outing(officer_id: int) -> Outing | None:
    """The officer's outing still running (no "back" yet), if any."""
    return Outing.objects.filter(officer_id=officer_id).open().order_by("-started_at").first()


def officers_committed(officer_ids: Collection[int], at: dt.datetime) -> dict[int, list[Away]]:
    """Officers out of the box at *at*, with why (used by dispatch to skip those already busy)."""
    away = away_by_officer(officer_ids, at, at + dt.timedelta(seconds=1))
    return {o: rows for o, rows in away.items() if any(a.start <= at < a.end for a in rows)}
