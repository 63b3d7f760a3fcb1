"""Who is actually in the box (空き交番): presence of a box over time, from intervals only.

No Django here. The roster and the sign-on records say when each officer is on duty
(``intervals.effective_duty``); the work the system records says when they are out of the box (on a
patrol, dispatched to an incident, on a visit). An officer on duty is *in the box* while on duty and not
out; a box is *staffed* while at least one of its officers is in it.

A chuzaisho (residential box) follows its own rule: its officer lives there, so outside the duty
hours the box is *on call* (not empty) as long as a resident officer is neither on leave nor out. When
nobody is in or on call the box is *empty*; the part of that time in which a family member or a
counsellor took walk-ins is *covered* (counter cover, never police staffing), the rest *uncovered*
(only the call-phone at the entrance).

Every result is a list of sorted, disjoint half-open intervals within the asked window, so totals are
exact to the second: reports decide how to show them, nothing is rounded here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from koban.analytics.algorithms import intervals as iv
from koban.analytics.algorithms.intervals import Interval


@dataclass(frozen=True)
class OfficerPresence:
    """One officer of a box over a window.

    ``on_duty``: when the officer is on duty at this box (roster and sign-ons, leave removed).
    ``out``: when the officer is away from the box (patrol, dispatch, visit), wherever it was.
    ``leave``: approved leave (for a resident officer: not on call either).
    ``resident``: the officer lives at the box (chuzaisho) and is on call outside duty.
    """

    on_duty: tuple[Interval, ...] = ()
    out: tuple[Interval, ...] = ()
    leave: tuple[Interval, ...] = ()
    resident: bool = False

    def in_box(self) -> list[Interval]:
        """On duty and not out."""
        return iv.subtract(self.on_duty, self.out)

    def on_call(self, window: Interval) -> list[Interval]:
        """For a resident officer: at home within *window*, i.e. neither on leave nor out."""
        if not self.resident:
            return []
        return iv.subtract([window], list(self.leave) + list(self.out))


@dataclass(frozen=True)
class BoxPresence:
    """The state of one box over ``window``; the four state lists partition the window.

    ``staffed`` ∪ ``on_call`` ∪ ``covered`` ∪ ``uncovered`` = window, pairwise disjoint; ``empty`` is
    ``covered`` ∪ ``uncovered``.
    """

    window: Interval
    staffed: list[Interval] = field(default_factory=list)
    on_call: list[Interval] = field(default_factory=list)
    empty: list[Interval] = field(default_factory=list)
    covered: list[Interval] = field(default_factory=list)

    @property
    def uncovered(self) -> list[Interval]:
        return iv.subtract(self.empty, self.covered)

    def seconds(self, state: str) -> float:
        """Exact seconds spent in *state* (``staffed``, ``on_call``, ``empty``, ``covered``, ``uncovered``)."""
        return iv.total_seconds(getattr(self, state))

    @property
    def window_seconds(self) -> float:
        return (self.window[1] - self.window[0]).total_seconds()

    def state_at(self, moment: object) -> str:
        """``staffed``, ``on_call``, ``covered`` or ``empty`` at *moment* (a datetime in the window)."""
        for state in ("staffed", "on_call", "covered"):
            if iv.contains(getattr(self, state), moment):  # type: ignore[arg-type]
                return state
        return "empty"


def box_presence(
    window: Interval, officers: Iterable[OfficerPresence], cover: Sequence[Interval] = ()
) -> BoxPresence:
    """The presence of a box over *window* from its officers and its recorded counter cover.

    >>> import datetime as dt
    >>> t = lambda h: dt.datetime(2026, 6, 10, h, tzinfo=dt.UTC)
    >>> a = OfficerPresence(on_duty=((t(8), t(16)),), out=((t(10), t(12)),))
    >>> b = OfficerPresence(on_duty=((t(8), t(16)),), out=((t(11), t(13)),))
    >>> p = box_presence((t(8), t(16)), [a, b])
    >>> [(s.hour, e.hour) for s, e in p.empty]
    [(11, 12)]
    """
    people = list(officers)
    staffed = iv.clip(iv.merge(i for o in people for i in o.in_box()), window)
    home = iv.merge(i for o in people for i in o.on_call(window))
    on_call = iv.subtract(iv.clip(home, window), staffed)
    empty = iv.subtract([window], staffed + on_call)
    covered = iv.intersect(empty, cover)
    return BoxPresence(window=window, staffed=staffed, on_call=on_call, empty=empty, covered=covered)


def split_by_period(intervals: Iterable[Interval], periods: Sequence[Interval]) -> list[float]:
    """Seconds of *intervals* inside each of *periods* (e.g. the months or days of a report)."""
    merged = iv.merge(intervals)
    return [iv.total_seconds(iv.clip(merged, period)) for period in periods]


def format_minutes(seconds: float) -> str:
    """Hours and minutes, ``H:MM``; a gap shorter than a minute shows as ``0:01``, never as nothing.

    >>> format_minutes(0), format_minutes(20), format_minutes(3 * 3600 + 7 * 60 + 59)
    ('0:00', '0:01', '3:08')
    """
    if seconds <= 0:
        return "0:00"
    minutes = max(1, round(seconds / 60))
    return f"{minutes // 60}:{minutes % 60:02d}"
