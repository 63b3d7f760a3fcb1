"""Empty-koban hours: when a box has no officer in it, and whether anyone covered the counter.

"Unstaffed" (empty) means no police officer in the box: none on duty (roster and sign-ons, by
``koban.analytics.algorithms.intervals.effective_duty``), or all of those on duty out on a patrol, a
dispatch or an errand (``koban.rosters.presence``). A chuzaisho outside its duty hours is "on call"
while its resident officer is at home, not empty. Within empty time, "counter covered" is time a
chuzaisho spouse or a counsellor took walk-ins; the rest is "uncovered": only the call-phone at the
entrance. Totals are kept in seconds and shown as hours and minutes, never rounded away.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings

from koban.analytics.algorithms import intervals as iv
from koban.analytics.algorithms.presence import BoxPresence, format_minutes
from koban.organization.models import PoliceBox
from koban.rosters.presence import box_states

HOUR = 3600.0


def box_zone(box: PoliceBox | None = None) -> ZoneInfo:
    """The zone a box's shifts are counted in: the box's own if the model grows one, else TIME_ZONE."""
    name = getattr(box, "time_zone", "") or settings.TIME_ZONE
    return ZoneInfo(name)


def local_day_bounds(first: dt.date, last: dt.date, zone: dt.tzinfo) -> iv.Interval:
    """From local midnight starting *first* to local midnight after *last*, in UTC."""
    start = dt.datetime.combine(first, dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    return start, end


def _seconds(kind: str) -> property:
    return property(lambda self: self.seconds(kind))


def _hours(kind: str) -> property:
    return property(lambda self: self.seconds(kind) / HOUR)


def _text(kind: str) -> property:
    return property(lambda self: format_minutes(self.seconds(kind)))


class GapMeasures(ABC):
    """The measures of empty time, each in seconds, hours and as "H:MM" text, from ``seconds(kind)``.

    Kinds: ``unstaffed`` (nobody in the box), ``covered`` (of which the counter was covered),
    ``uncovered`` (the rest) and ``on_call`` (a chuzaisho officer at home outside duty hours).
    """

    @abstractmethod
    def seconds(self, kind: str) -> float:
        """Seconds of *kind* (one of the kinds above)."""

    unstaffed_seconds = _seconds("unstaffed")
    covered_seconds = _seconds("covered")
    uncovered_seconds = _seconds("uncovered")
    on_call_seconds = _seconds("on_call")
    unstaffed_hours = _hours("unstaffed")
    covered_hours = _hours("covered")
    uncovered_hours = _hours("uncovered")
    unstaffed_text = _text("unstaffed")
    covered_text = _text("covered")
    uncovered_text = _text("uncovered")
    on_call_text = _text("on_call")


@dataclass
class BoxGaps(GapMeasures):
    """Unstaffed time of one box in a window, split into counter-covered and uncovered parts."""

    box: PoliceBox
    window: iv.Interval
    unstaffed: list[iv.Interval] = field(default_factory=list)
    covered: list[iv.Interval] = field(default_factory=list)
    on_call: list[iv.Interval] = field(default_factory=list)

    @property
    def uncovered(self) -> list[iv.Interval]:
        return iv.subtract(self.unstaffed, self.covered)

    def seconds(self, kind: str) -> float:
        intervals: list[iv.Interval] = getattr(self, kind)
        return iv.total_seconds(intervals)

    @property
    def window_hours(self) -> float:
        return (self.window[1] - self.window[0]).total_seconds() / HOUR

    @property
    def staffed_share(self) -> float:
        total = self.window_hours
        return 1.0 - self.unstaffed_hours / total if total else 1.0


def gaps_from_intervals(
    box: PoliceBox,
    window: iv.Interval,
    staffed: Iterable[iv.Interval],
    cover: Iterable[iv.Interval],
    on_call: Iterable[iv.Interval] = (),
) -> BoxGaps:
    """Gaps of a planned roster (generation preview): no one is known to be out yet."""
    staffed = iv.merge(staffed)
    calling = iv.subtract(iv.clip(on_call, window), staffed)
    unstaffed = iv.subtract([window], staffed + calling)
    return BoxGaps(
        box=box, window=window, unstaffed=unstaffed, covered=iv.intersect(unstaffed, cover), on_call=calling
    )


def gaps_from_presence(box: PoliceBox, presence: BoxPresence) -> BoxGaps:
    return BoxGaps(
        box=box,
        window=presence.window,
        unstaffed=presence.empty,
        covered=presence.covered,
        on_call=presence.on_call,
    )


def box_gaps(boxes: Sequence[PoliceBox], start: dt.datetime, end: dt.datetime) -> list[BoxGaps]:
    """Empty, covered and on-call intervals of each box within ``[start, end)``."""
    states = box_states(boxes, start, end)
    return [gaps_from_presence(b, states[b.pk].presence) for b in boxes]


@dataclass
class StationGaps(GapMeasures):
    """Empty-box hours of a station's boxes, added up."""

    station_name: str
    boxes: list[BoxGaps]

    def seconds(self, kind: str) -> float:
        return sum(b.seconds(kind) for b in self.boxes)

    @property
    def boxes_with_gaps(self) -> int:
        return sum(1 for b in self.boxes if b.unstaffed)


def by_station(gaps: Iterable[BoxGaps]) -> list[StationGaps]:
    grouped: dict[int, list[BoxGaps]] = defaultdict(list)
    names: dict[int, str] = {}
    for g in gaps:
        grouped[g.box.station_id].append(g)
        names[g.box.station_id] = str(g.box.station)
    return [StationGaps(names[sid], rows) for sid, rows in grouped.items()]


@dataclass(frozen=True)
class GridCell:
    """One hour of one day: minutes without an officer, and of those, minutes with counter cover."""

    hour: int
    unstaffed_minutes: int
    covered_minutes: int

    @property
    def level(self) -> str:
        """A CSS-friendly shade: staffed, covered (all empty minutes covered), partly, empty."""
        if self.unstaffed_minutes == 0:
            return "staffed"
        if self.covered_minutes >= self.unstaffed_minutes:
            return "covered"
        return "empty" if self.unstaffed_minutes >= 60 else "partly"


def _minutes(seconds: float) -> int:
    """Whole minutes, but a gap of a few seconds is one minute: a short gap must not vanish."""
    return 0 if seconds <= 0 else max(1, round(seconds / 60))


def _seconds_per_cell(intervals: list[iv.Interval], cells: list[iv.Interval]) -> list[float]:
    """Seconds of *intervals* (sorted, disjoint) inside each of *cells* (sorted, disjoint): one sweep."""
    out: list[float] = []
    k = 0
    for c_start, c_end in cells:
        while k < len(intervals) and intervals[k][1] <= c_start:
            k += 1
        total = 0.0
        m = k
        while m < len(intervals) and intervals[m][0] < c_end:
            total += (min(intervals[m][1], c_end) - max(intervals[m][0], c_start)).total_seconds()
            m += 1
        out.append(total)
    return out


def hour_grid(
    gaps: BoxGaps, first: dt.date, last: dt.date, zone: dt.tzinfo
) -> list[tuple[dt.date, list[GridCell]]]:
    """Day × hour-of-day table of unstaffed minutes, in local time (a heat strip per day).

    On a day when clocks change an hour may be missing or counted twice in wall-clock terms; each
    cell is the real time between two local hour marks, so totals stay true.
    """
    days: list[dt.date] = []
    cells: list[iv.Interval] = []
    day = first
    while day <= last:
        days.append(day)
        for hour in range(24):
            local = dt.datetime.combine(day, dt.time(hour))
            start = local.replace(tzinfo=zone).astimezone(dt.UTC)
            end = (local + dt.timedelta(hours=1)).replace(tzinfo=zone).astimezone(dt.UTC)
            cells.append((start, end))
        day += dt.timedelta(days=1)
    unstaffed = _seconds_per_cell(iv.merge(gaps.unstaffed), cells)
    covered = _seconds_per_cell(iv.merge(gaps.covered), cells)
    rows: list[tuple[dt.date, list[GridCell]]] = []
    for d, day in enumerate(days):
        rows.append(
            (
                day,
                [
                    GridCell(hour, _minutes(unstaffed[d * 24 + hour]), _minutes(covered[d * 24 + hour]))
                    for hour in range(24)
                ],
            )
        )
    return rows


def describe_interval(interval: iv.Interval, zone: dt.tzinfo) -> str:
    start, end = (t.astimezone(zone) for t in interval)
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"
