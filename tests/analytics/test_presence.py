"""Presence of a box (空き交番) as a pure function over intervals: who is in, on call, or nobody."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from koban.analytics.algorithms import intervals as iv
from koban.analytics.algorithms.presence import (
    BoxPresence,
    OfficerPresence,
    box_presence,
    format_minutes,
    split_by_period,
)

BASE = dt.datetime(2026, 6, 10, 0, 0, tzinfo=dt.UTC)


def t(hours: float) -> dt.datetime:
    return BASE + dt.timedelta(hours=hours)


def span(a: float, b: float) -> iv.Interval:
    return (t(a), t(b))


DAY = span(0, 24)


def test_an_officer_on_duty_and_in_the_box_staffs_it() -> None:
    p = box_presence(span(8, 16), [OfficerPresence(on_duty=(span(8, 16),))])
    assert p.staffed == [span(8, 16)]
    assert p.empty == [] and p.on_call == []


def test_the_box_is_empty_while_all_its_officers_are_out() -> None:
    a = OfficerPresence(on_duty=(span(8, 16),), out=(span(9, 11),))
    b = OfficerPresence(on_duty=(span(8, 16),), out=(span(10, 12),))
    p = box_presence(span(8, 16), [a, b])
    assert p.empty == [span(10, 11)]
    assert p.staffed == [span(8, 10), span(11, 16)]
    assert p.seconds("empty") == 3600


def test_one_officer_staying_in_keeps_the_box_staffed() -> None:
    a = OfficerPresence(on_duty=(span(8, 16),), out=(span(9, 15),))
    b = OfficerPresence(on_duty=(span(8, 16),))
    assert box_presence(span(8, 16), [a, b]).empty == []


def test_out_outside_duty_changes_nothing_for_a_koban() -> None:
    a = OfficerPresence(on_duty=(span(8, 16),), out=(span(17, 18),))
    p = box_presence(span(0, 24), [a])
    assert p.empty == [span(0, 8), span(16, 24)]


def test_koban_without_officers_is_empty_all_window() -> None:
    p = box_presence(DAY, [])
    assert p.empty == [DAY] and p.uncovered == [DAY]


def test_counter_cover_splits_empty_time_but_never_staffs_the_box() -> None:
    a = OfficerPresence(on_duty=(span(8, 16),), out=(span(10, 12),))
    p = box_presence(span(8, 16), [a], cover=[span(11, 13)])
    assert p.empty == [span(10, 12)]
    assert p.covered == [span(11, 12)]
    assert p.uncovered == [span(10, 11)]
    assert p.staffed == [span(8, 10), span(12, 16)]


def test_chuzaisho_is_on_call_outside_duty_hours_not_empty() -> None:
    resident = OfficerPresence(on_duty=(span(8.5, 17.25),), resident=True)
    p = box_presence(DAY, [resident])
    assert p.staffed == [span(8.5, 17.25)]
    assert p.on_call == [span(0, 8.5), span(17.25, 24)]
    assert p.empty == []


def test_chuzaisho_is_empty_while_its_officer_is_out_or_on_leave() -> None:
    resident = OfficerPresence(
        on_duty=(span(8.5, 17.25),),
        out=(span(10, 11), span(20, 21)),
        leave=(span(22, 24),),
        resident=True,
    )
    p = box_presence(DAY, [resident], cover=[span(20, 20.5)])
    assert p.empty == [span(10, 11), span(20, 21), span(22, 24)]
    assert p.covered == [span(20, 20.5)]
    assert p.on_call == [span(0, 8.5), span(17.25, 20), span(21, 22)]


def test_non_resident_officer_is_never_on_call() -> None:
    p = box_presence(DAY, [OfficerPresence(on_duty=(span(8, 9),))])
    assert p.on_call == []


def test_intervals_outside_the_window_are_clipped() -> None:
    a = OfficerPresence(on_duty=(span(-5, 30),), out=(span(-2, 1),))
    p = box_presence(DAY, [a], cover=[span(-3, 0.5)])
    assert p.staffed == [span(1, 24)]
    assert p.empty == [span(0, 1)]
    assert p.covered == [span(0, 0.5)]


def test_state_at_a_moment() -> None:
    resident = OfficerPresence(on_duty=(span(9, 17),), out=(span(12, 13),), resident=True)
    p = box_presence(DAY, [resident], cover=[span(12, 12.5)])
    assert p.state_at(t(10)) == "staffed"
    assert p.state_at(t(12.25)) == "covered"
    assert p.state_at(t(12.75)) == "empty"
    assert p.state_at(t(20)) == "on_call"


def test_seconds_are_not_rounded() -> None:
    a = OfficerPresence(on_duty=(span(0, 24),), out=((t(10), t(10) + dt.timedelta(seconds=130)),))
    p = box_presence(DAY, [a])
    assert p.seconds("empty") == 130


def test_split_by_period_adds_up() -> None:
    gaps = [span(23, 25), span(47.5, 48)]
    days = [span(0, 24), span(24, 48)]
    assert split_by_period(gaps, days) == [3600, 3600 + 1800]


def test_format_minutes_keeps_short_gaps_visible() -> None:
    assert format_minutes(0) == "0:00"
    assert format_minutes(1) == "0:01"
    assert format_minutes(59 * 60) == "0:59"
    assert format_minutes(25 * 3600 + 60) == "25:01"


hours = st.integers(min_value=0, max_value=48)
intervals = st.lists(st.tuples(hours, hours).map(lambda p: span(min(p), max(p))), max_size=5)
officers = st.lists(
    st.builds(
        lambda duty, out, leave, resident: OfficerPresence(tuple(duty), tuple(out), tuple(leave), resident),
        intervals,
        intervals,
        intervals,
        st.booleans(),
    ),
    max_size=4,
)


def _states_partition(p: BoxPresence) -> bool:
    parts = [p.staffed, p.on_call, p.covered, p.uncovered]
    total = sum(iv.total_seconds(x) for x in parts)
    union = iv.merge(i for x in parts for i in x)
    return total == p.window_seconds and union == [p.window]


@settings(max_examples=200, deadline=None)
@given(officers, intervals)
def test_states_partition_the_window(people: list[OfficerPresence], cover: list[iv.Interval]) -> None:
    p = box_presence(span(6, 42), people, cover)
    assert _states_partition(p)
    # Nobody on duty and in the box at a moment when the box is called empty.
    for officer in people:
        assert iv.intersect(officer.in_box(), p.empty) == []


@settings(max_examples=100, deadline=None)
@given(officers, intervals)
def test_going_out_never_makes_a_box_less_empty(
    people: list[OfficerPresence], extra: list[iv.Interval]
) -> None:
    before = box_presence(span(0, 48), people)
    more_out = [OfficerPresence(o.on_duty, o.out + tuple(extra), o.leave, o.resident) for o in people]
    after = box_presence(span(0, 48), more_out)
    assert before.seconds("empty") <= after.seconds("empty")


def test_docstring_examples_run() -> None:
    import doctest

    from koban.analytics.algorithms import presence

    failures, tried = doctest.testmod(presence, raise_on_error=False)
    assert tried >= 2 and failures == 0
