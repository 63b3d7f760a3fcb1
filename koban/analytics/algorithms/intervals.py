"""Half-open time intervals ``[start, end)``: union, difference, intersection and the duty rule.

No Django here. The duty rule (``effective_duty``) decides who was actually on duty from the roster
and the sign-on/sign-off records; both the "on duty now" query and the empty-koban report use it, so
the two always agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

Interval = tuple[dt.datetime, dt.datetime]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union of *intervals* (touching ones are joined; empty ones dropped)."""
    out: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def subtract(base: Iterable[Interval], cut: Iterable[Interval]) -> list[Interval]:
    """Parts of *base* not covered by *cut*."""
    cuts = merge(cut)
    out: list[Interval] = []
    for start, end in merge(base):
        cursor = start
        for c_start, c_end in cuts:
            if c_end <= cursor or c_start >= end:
                continue
            if c_start > cursor:
                out.append((cursor, c_start))
            cursor = max(cursor, c_end)
            if cursor >= end:
                break
        if cursor < end:
            out.append((cursor, end))
    return out


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """Parts covered by both *a* and *b*."""
    left, right = merge(a), merge(b)
    out: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i][0], right[j][0])
        end = min(left[i][1], right[j][1])
        if start < end:
            out.append((start, end))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return out


def clip(intervals: Iterable[Interval], window: Interval) -> list[Interval]:
    return intersect(intervals, [window])


def total_seconds(intervals: Iterable[Interval]) -> float:
    return sum((end - start).total_seconds() for start, end in merge(intervals))


def overlaps(a: Interval, b: Interval) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def contains(intervals: Iterable[Interval], moment: dt.datetime) -> bool:
    return any(start <= moment < end for start, end in intervals)


# An officer signing on this much before a rostered shift starts is signing on for that shift.
EARLY_SIGN_ON = dt.timedelta(hours=1)


@dataclass(frozen=True)
class OfficerDuty:
    """What is known about one officer in a window: rostered shifts, leave and actual sign-ons.

    ``actual`` are closed records (signed on and off); ``open`` are records still without a
    sign-off, each counted up to its limit (``DutyRecord.OPEN_RECORD_LIMIT``).
    """

    rostered: tuple[Interval, ...] = ()
    leave: tuple[Interval, ...] = ()
    actual: tuple[Interval, ...] = ()
    open: tuple[Interval, ...] = ()


def _signed_on_for(shift: Interval, record: Interval) -> bool:
    """Whether an open *record* was signed on for *shift* (during it, or shortly before it began)."""
    return shift[0] - EARLY_SIGN_ON <= record[0] < shift[1]


def effective_duty(duty: OfficerDuty) -> list[Interval]:
    """When the officer was on duty: actual records where present, else the roster minus leave.

    A rostered shift that has any closed sign-on record overlapping it is replaced by the records (so
    an early sign-off or a late sign-on shows); an open record replaces only the shift it was signed
    on for, because its end is not known yet: the officer's next shift (say a double duty after a
    swap) still counts as rostered. A rostered shift without records counts as planned, less any
    leave. Sign-on records always count, also outside the roster (call-outs, overtime).
    """
    planned = [
        shift
        for shift in duty.rostered
        if not any(overlaps(shift, a) for a in duty.actual)
        and not any(_signed_on_for(shift, o) for o in duty.open)
    ]
    return merge(subtract(planned, duty.leave) + list(duty.actual) + list(duty.open))


def effective_by_officer(duties: Mapping[int, OfficerDuty]) -> dict[int, list[Interval]]:
    return {officer: effective_duty(duty) for officer, duty in duties.items()}
