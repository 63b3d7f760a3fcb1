"""Shift-pattern cycle arithmetic: which group works which shift on which day, as duty intervals.

No Django here: a pattern definition (plain JSON-ready data), an anchor date and a time zone go in,
timezone-aware intervals come out, so the rules can be tested on their own.

A pattern definition looks like this (the Japanese koban 3-group cycle)::

    {
      "groups": 3,
      "group_offset_days": 1,
      "shifts": {
        "T": {"kind": "duty", "start": "08:30", "minutes": 1440, "labels": {"ja": "当番", "en": "Duty"}},
        "H": {"kind": "off", "labels": {"ja": "非番", "en": "Off after duty"}},
        "K": {"kind": "off", "labels": {"ja": "公休", "en": "Day off"}},
        "N": {"kind": "day_shift", "start": "08:30", "minutes": 525, "labels": {...}}
      },
      "cycle": [["T"], ["H"], ["K"]],
      "nth_cycle": {"n": 7, "replace": "K", "with": "N"}
    }

- ``cycle`` lists, per day of the cycle, the shift codes worked that day (several codes on one day
  are allowed: a chuzaisho officer's day shift and the spouse's evening cover).
- Group ``g`` runs the cycle ``g * group_offset_days`` days behind group 0, whose day 0 is the
  anchor date.
- ``nth_cycle`` turns one code into another on every n-th repetition of the cycle (the day off that
  becomes a 日勤 every 7th cycle).
- ``week_aligned: true`` ties a 7-day cycle to the calendar week (day 0 = Monday), whatever the anchor.

Times are wall-clock times in the box's zone: a shift that starts at 22:00 and lasts 480 minutes ends
at 06:00 local time, even on a night when clocks change, so that it meets the next shift without a
gap or an overlap. Local times that do not exist (inside a spring-forward gap) are read with the
offset in force before the change, as ``zoneinfo`` does for ``fold=0``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Shift kinds a pattern may use. Only ``duty`` and ``day_shift`` staff a box with police officers;
#: ``cover`` is a civilian (a chuzaisho spouse or a counsellor) taking walk-ins; ``off`` is rest.
SHIFT_KINDS = ("duty", "day_shift", "cover", "off")
STAFFING_KINDS = frozenset({"duty", "day_shift"})
MAX_SHIFT_MINUTES = 48 * 60
MAX_GROUPS = 12
MAX_CYCLE_DAYS = 366


class PatternError(ValueError):
    """A pattern definition that cannot be used; ``path`` names the offending part (``shifts.T.start``)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Shift:
    """One kind of working (or resting) day in a pattern: its code, kind, start and length."""

    code: str
    kind: str
    start: dt.time | None
    minutes: int
    labels: Mapping[str, str]

    @property
    def staffs_box(self) -> bool:
        return self.kind in STAFFING_KINDS

    def label(self, language: str = "en") -> str:
        return self.labels.get(language) or self.labels.get("en") or self.code


@dataclass(frozen=True)
class NthCycle:
    """On every ``n``-th repetition of the cycle, code ``replace`` is worked as code ``with_``."""

    n: int
    replace: str
    with_: str


@dataclass(frozen=True)
class Pattern:
    """A parsed, validated shift pattern."""

    shifts: Mapping[str, Shift]
    cycle: tuple[tuple[str, ...], ...]
    groups: int
    group_offset_days: int
    week_aligned: bool
    nth_cycle: NthCycle | None

    @property
    def cycle_days(self) -> int:
        return len(self.cycle)


@dataclass(frozen=True)
class DutyInterval:
    """A shift worked by one group, starting on ``day`` (local date), from ``start`` to ``end`` (UTC)."""

    group: int
    day: dt.date
    code: str
    kind: str
    start: dt.datetime
    end: dt.datetime


def get_zone(name: str) -> ZoneInfo:
    """Return the IANA zone *name*; raise PatternError for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PatternError("time_zone", f"unknown time zone {name!r}") from exc


def _parse_time(path: str, value: Any) -> dt.time:
    if not isinstance(value, str):
        raise PatternError(path, "must be a time written HH:MM")
    try:
        hours, minutes = value.split(":")
        return dt.time(int(hours), int(minutes))
    except ValueError as exc:
        raise PatternError(path, f"{value!r} is not a time written HH:MM (00:00–23:59)") from exc


def _parse_int(path: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PatternError(path, "must be a whole number")
    if not low <= value <= high:
        raise PatternError(path, f"must be between {low} and {high}, not {value}")
    return value


def _parse_shift(code: str, raw: Any) -> Shift:
    path = f"shifts.{code}"
    if not isinstance(raw, Mapping):
        raise PatternError(path, "must be an object")
    kind = raw.get("kind")
    if kind not in SHIFT_KINDS:
        raise PatternError(f"{path}.kind", f"must be one of {', '.join(SHIFT_KINDS)}")
    labels = raw.get("labels", {})
    if not isinstance(labels, Mapping) or not all(isinstance(v, str) for v in labels.values()):
        raise PatternError(f"{path}.labels", "must map language codes to names")
    if kind == "off":
        return Shift(code=code, kind=kind, start=None, minutes=0, labels=dict(labels))
    start = _parse_time(f"{path}.start", raw.get("start"))
    minutes = _parse_int(f"{path}.minutes", raw.get("minutes"), 1, MAX_SHIFT_MINUTES)
    return Shift(code=code, kind=kind, start=start, minutes=minutes, labels=dict(labels))


def parse_pattern(definition: Any) -> Pattern:
    """Validate a pattern definition and return it parsed; raise PatternError naming the bad part."""
    if not isinstance(definition, Mapping):
        raise PatternError("definition", "must be an object")
    raw_shifts = definition.get("shifts")
    if not isinstance(raw_shifts, Mapping) or not raw_shifts:
        raise PatternError("shifts", "must name at least one shift")
    shifts = {str(code): _parse_shift(str(code), raw) for code, raw in raw_shifts.items()}
    raw_cycle = definition.get("cycle")
    if not isinstance(raw_cycle, list) or not 1 <= len(raw_cycle) <= MAX_CYCLE_DAYS:
        raise PatternError("cycle", f"must list 1 to {MAX_CYCLE_DAYS} days")
    cycle: list[tuple[str, ...]] = []
    for i, day in enumerate(raw_cycle):
        codes = [day] if isinstance(day, str) else day
        if not isinstance(codes, list) or not codes:
            raise PatternError(f"cycle[{i}]", "must be a shift code or a list of shift codes")
        for code in codes:
            if code not in shifts:
                raise PatternError(f"cycle[{i}]", f"unknown shift code {code!r}")
        cycle.append(tuple(codes))
    groups = _parse_int("groups", definition.get("groups", 1), 1, MAX_GROUPS)
    offset = _parse_int("group_offset_days", definition.get("group_offset_days", 0), 0, MAX_CYCLE_DAYS)
    week_aligned = bool(definition.get("week_aligned", False))
    if week_aligned and len(cycle) != 7:
        raise PatternError("cycle", "a week-aligned cycle must list exactly 7 days (Monday first)")
    nth = _parse_nth(definition.get("nth_cycle"), shifts)
    return Pattern(
        shifts=shifts,
        cycle=tuple(cycle),
        groups=groups,
        group_offset_days=offset,
        week_aligned=week_aligned,
        nth_cycle=nth,
    )


def _parse_nth(raw: Any, shifts: Mapping[str, Shift]) -> NthCycle | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise PatternError("nth_cycle", "must be an object with n, replace and with")
    n = _parse_int("nth_cycle.n", raw.get("n"), 2, 1000)
    for key in ("replace", "with"):
        if raw.get(key) not in shifts:
            raise PatternError(f"nth_cycle.{key}", f"unknown shift code {raw.get(key)!r}")
    return NthCycle(n=n, replace=str(raw["replace"]), with_=str(raw["with"]))


def codes_on(pattern: Pattern, group: int, anchor: dt.date, day: dt.date) -> tuple[str, ...]:
    """Shift codes *group* works on *day*, for a plan whose group 0 starts the cycle on *anchor*."""
    if not 0 <= group < pattern.groups:
        raise PatternError("group", f"must be between 0 and {pattern.groups - 1}")
    if pattern.week_aligned:
        position, repetition = day.weekday(), 0
    else:
        offset = (day - anchor).days - group * pattern.group_offset_days
        repetition, position = divmod(offset, pattern.cycle_days)
    codes = pattern.cycle[position]
    rule = pattern.nth_cycle
    if rule and (repetition + 1) % rule.n == 0:
        codes = tuple(rule.with_ if c == rule.replace else c for c in codes)
    return codes


def _days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def shift_interval(shift: Shift, day: dt.date, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """Start and end (UTC) of *shift* worked from *day*, counted in wall-clock time in *zone*."""
    if shift.start is None:
        raise PatternError(f"shifts.{shift.code}", "a day off has no working hours")
    local_start = dt.datetime.combine(day, shift.start)
    local_end = local_start + dt.timedelta(minutes=shift.minutes)
    return (
        local_start.replace(tzinfo=zone).astimezone(dt.UTC),
        local_end.replace(tzinfo=zone).astimezone(dt.UTC),
    )


def intervals_for(
    pattern: Pattern,
    anchor: dt.date,
    first_day: dt.date,
    last_day: dt.date,
    zone: dt.tzinfo | str,
    groups: Iterator[int] | list[int] | None = None,
) -> list[DutyInterval]:
    """Every worked shift (not days off) of the given groups starting between the two dates inclusive."""
    tz = get_zone(zone) if isinstance(zone, str) else zone
    wanted = list(range(pattern.groups)) if groups is None else list(groups)
    out: list[DutyInterval] = []
    for day in _days(first_day, last_day):
        for group in wanted:
            for code in codes_on(pattern, group, anchor, day):
                shift = pattern.shifts[code]
                if shift.kind == "off":
                    continue
                start, end = shift_interval(shift, day, tz)
                out.append(DutyInterval(group, day, code, shift.kind, start, end))
    out.sort(key=lambda d: (d.start, d.group, d.code))
    return out
