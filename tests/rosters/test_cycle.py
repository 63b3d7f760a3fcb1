"""Cycle arithmetic of the shift patterns, without the database."""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
from zoneinfo import ZoneInfo

import pytest

from koban.rosters import cycle

SEED = importlib.import_module("koban.rosters.migrations.0002_seed_patterns")
PATTERNS = {p["code"]: cycle.parse_pattern(p["definition"]) for p in SEED.PATTERNS}
ANCHOR = dt.date(2026, 4, 1)
TOKYO = ZoneInfo("Asia/Tokyo")


def test_three_group_cycle_is_duty_off_after_duty_day_off():
    pattern = PATTERNS["koban-3-group"]
    days = [cycle.codes_on(pattern, 0, ANCHOR, ANCHOR + dt.timedelta(days=i)) for i in range(6)]
    assert days == [("T",), ("H",), ("K",), ("T",), ("H",), ("K",)]


def test_exactly_one_group_is_on_24_hour_duty_every_day():
    pattern = PATTERNS["koban-3-group"]
    for i in range(-10, 60):
        day = ANCHOR + dt.timedelta(days=i)
        on_duty = [g for g in range(3) if cycle.codes_on(pattern, g, ANCHOR, day) == ("T",)]
        assert len(on_duty) == 1, day


def test_every_seventh_cycle_the_day_off_becomes_a_day_shift():
    pattern = PATTERNS["koban-3-group"]
    offs = [cycle.codes_on(pattern, 0, ANCHOR, ANCHOR + dt.timedelta(days=3 * c + 2)) for c in range(14)]
    assert offs == [("K",)] * 6 + [("N",)] + [("K",)] * 6 + [("N",)]


def test_duty_runs_24_hours_from_0830_tokyo_time():
    pattern = PATTERNS["koban-3-group"]
    duties = cycle.intervals_for(pattern, ANCHOR, ANCHOR, ANCHOR, TOKYO, groups=[0])
    assert [(d.code, d.start, d.end) for d in duties] == [
        ("T", dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC), dt.datetime(2026, 4, 1, 23, 30, tzinfo=dt.UTC))
    ]


def test_day_shift_runs_0830_to_1715():
    pattern = PATTERNS["koban-3-group"]
    day = ANCHOR + dt.timedelta(days=20)  # group 0's 7th cycle, day off → 日勤
    [shift] = cycle.intervals_for(pattern, ANCHOR, day, day, TOKYO, groups=[0])
    assert shift.code == "N" and shift.kind == "day_shift"
    assert shift.start.astimezone(TOKYO).time() == dt.time(8, 30)
    assert shift.end.astimezone(TOKYO).time() == dt.time(17, 15)


def test_eight_hour_shifts_cover_each_day_without_gaps_or_overlaps():
    pattern = PATTERNS["three-8h-shifts"]
    duties = cycle.intervals_for(pattern, ANCHOR, ANCHOR, ANCHOR + dt.timedelta(days=15), TOKYO)
    for before, after in itertools.pairwise(duties):
        assert before.end == after.start
    assert {d.code for d in duties} == {"E", "L", "X"}


def test_night_shift_meets_early_shift_across_the_spring_clock_change():
    # Europe/London moves from 01:00 GMT to 02:00 BST on 29 March 2026.
    london = ZoneInfo("Europe/London")
    pattern = PATTERNS["three-8h-shifts"]
    duties = cycle.intervals_for(pattern, ANCHOR, dt.date(2026, 3, 28), dt.date(2026, 3, 29), london)
    night = next(d for d in duties if d.code == "X" and d.day == dt.date(2026, 3, 28))
    early = next(d for d in duties if d.code == "E" and d.day == dt.date(2026, 3, 29))
    assert night.end == early.start
    assert night.end - night.start == dt.timedelta(hours=7)
    assert early.start.astimezone(london).time() == dt.time(6, 0)


def test_night_shift_lasts_nine_hours_when_clocks_go_back():
    london = ZoneInfo("Europe/London")
    pattern = PATTERNS["three-8h-shifts"]
    duties = cycle.intervals_for(pattern, ANCHOR, dt.date(2026, 10, 24), dt.date(2026, 10, 25), london)
    night = next(d for d in duties if d.code == "X" and d.day == dt.date(2026, 10, 24))
    assert night.end - night.start == dt.timedelta(hours=9)


def test_tokyo_has_no_clock_change():
    pattern = PATTERNS["three-8h-shifts"]
    duties = cycle.intervals_for(pattern, ANCHOR, dt.date(2026, 3, 1), dt.date(2026, 11, 30), TOKYO)
    assert {d.end - d.start for d in duties} == {dt.timedelta(hours=8)}


def test_chuzaisho_works_weekdays_with_family_cover_in_the_evening():
    pattern = PATTERNS["chuzaisho"]
    monday, saturday, sunday = dt.date(2026, 4, 6), dt.date(2026, 4, 11), dt.date(2026, 4, 12)
    assert cycle.codes_on(pattern, 0, ANCHOR, monday) == ("N", "C")
    assert cycle.codes_on(pattern, 0, ANCHOR, saturday) == ("S",)
    assert cycle.codes_on(pattern, 0, ANCHOR, sunday) == ("K",)
    kinds = {d.kind for d in cycle.intervals_for(pattern, ANCHOR, monday, sunday, TOKYO)}
    assert kinds == {"day_shift", "cover"}


def test_four_group_pattern_has_duty_and_day_shift_every_day():
    pattern = PATTERNS["mpd-4-group"]
    for i in range(12):
        day = ANCHOR + dt.timedelta(days=i)
        codes = sorted(c for g in range(4) for c in cycle.codes_on(pattern, g, ANCHOR, day))
        assert codes == ["H", "K", "N", "T"]


@pytest.mark.parametrize(
    ("definition", "path"),
    [
        ({"shifts": {}, "cycle": []}, "shifts"),
        (
            {"shifts": {"T": {"kind": "duty", "start": "25:00", "minutes": 60}}, "cycle": ["T"]},
            "shifts.T.start",
        ),
        (
            {"shifts": {"T": {"kind": "duty", "start": "08:30", "minutes": 0}}, "cycle": ["T"]},
            "shifts.T.minutes",
        ),
        (
            {"shifts": {"T": {"kind": "nap", "start": "08:30", "minutes": 60}}, "cycle": ["T"]},
            "shifts.T.kind",
        ),
        ({"shifts": {"T": {"kind": "off"}}, "cycle": ["X"]}, "cycle[0]"),
        ({"shifts": {"T": {"kind": "off"}}, "cycle": ["T"], "week_aligned": True}, "cycle"),
        (
            {
                "shifts": {"T": {"kind": "off"}},
                "cycle": ["T"],
                "nth_cycle": {"n": 7, "replace": "T", "with": "Q"},
            },
            "nth_cycle.with",
        ),
        ({"shifts": {"T": {"kind": "off"}}, "cycle": ["T"], "groups": 0}, "groups"),
    ],
)
def test_bad_definitions_name_the_bad_part(definition, path):
    with pytest.raises(cycle.PatternError) as err:
        cycle.parse_pattern(definition)
    assert err.value.path == path
