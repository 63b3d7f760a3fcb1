"""The demo steps of rosters and the counter log, run on the test cast."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest

from koban.accounts.models import Role
from koban.counter import demo as counter_demo
from koban.counter.models import CounterMatter
from koban.demo.context import DemoContext
from koban.rosters import demo as rosters_demo
from koban.rosters.models import BoxShiftPlan, EntryKind, HandoverEntry, RosterEntry
from koban.rosters.reports import box_gaps, box_zone, local_day_bounds
from tests import clock
from tests.clock import TOKYO
from tests.factories import make_user


# The suite's instant (run at several dates by `make test`), and two instants that once broke it:
# 23:33 JST on a month's first day (a late sign-on when the demo's records begin showed the box empty
# for minutes) and 00:33 (an open record on a double duty hid the officer's next rostered shift).
@pytest.mark.parametrize(
    "moment",
    [
        pytest.param(None, id="suite-instant", marks=pytest.mark.dates),
        pytest.param(dt.datetime(2026, 12, 1, 23, 33, tzinfo=TOKYO), id="late-sign-on"),
        pytest.param(dt.datetime(2026, 12, 1, 0, 33, tzinfo=TOKYO), id="double-duty"),
    ],
)
def test_demo_steps_fill_rosters_and_a_year_of_counter_matters(cast, moment, time_machine):
    if moment is not None:
        time_machine.move_to(moment, tick=False)
    now = clock.now()
    for n in range(2):
        make_user(Role.BOX_OFFICER, f"a{n}", agency=cast.agency, station=cast.north, box=cast.box_a)
    for n in range(4):
        make_user(Role.BOX_OFFICER, f"c{n}", agency=cast.agency, station=cast.south, box=cast.box_c)
    base = DemoContext(seed=7, agency=cast.agency, now=now, stdout=io.StringIO())

    summary = rosters_demo.populate(base.for_step("rosters"))
    assert "Ekimae Koban" in summary  # the koban of three officers gets the sick day
    plans = {p.box_id: p.pattern.code for p in BoxShiftPlan.objects.all()}
    assert plans == {
        cast.box_a.id: "koban-3-group",
        cast.box_b.id: "chuzaisho",
        cast.box_c.id: "koban-3-group",
    }
    assert RosterEntry.objects.filter(kind=EntryKind.LEAVE, box=cast.box_a).count() == 1
    assert RosterEntry.objects.filter(box=cast.box_b, kind=EntryKind.COVER).exists()
    today = now.astimezone(box_zone()).date()
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    gaps = {
        g.box.pk: g for g in box_gaps([cast.box_a, cast.box_c], *local_day_bounds(first, today, box_zone()))
    }
    # The sick day only (less any day shift of another group that fell in it).
    assert 0 < gaps[cast.box_a.id].unstaffed_hours <= 14
    assert gaps[cast.box_c.id].unstaffed_hours == 0
    # The handover log: two entries a box at yesterday's 08:20, acknowledged; this morning's still waiting.
    entries = HandoverEntry.objects.filter(box__in=[cast.box_a, cast.box_c])
    yesterday = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(8, 20), tzinfo=box_zone())
    assert entries.filter(written_at=yesterday, acknowledgements__isnull=False).distinct().count() == 4
    this_morning = entries.exclude(written_at=yesterday)
    assert all(e.written_at <= now and not e.acknowledgements.exists() for e in this_morning)

    counter_summary = counter_demo.populate(base.for_step("counter"))
    assert "counter matters" in counter_summary
    mix = Counter(CounterMatter.objects.values_list("category__code", flat=True))
    assert mix.most_common(1)[0][0] == "directions"
    assert not CounterMatter.objects.filter(received_at__gt=now).exists()
    assert not CounterMatter.objects.filter(box=cast.box_c, handled_by__box=cast.box_a).exists()
