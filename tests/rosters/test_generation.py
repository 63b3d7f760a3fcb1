"""Generating a month, swaps, leave and the on-duty answer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from koban.audit.models import AuditEvent
from koban.rosters.generation import generate_month_roster, preview_month
from koban.rosters.models import EntryKind, EntrySource, RosterEntry
from koban.rosters.queries import is_box_staffed, on_duty_officers
from koban.rosters.services import record_leave, record_swap
from tests.rosters.conftest import tokyo


@pytest.fixture
def march(cast, squad):  # type: ignore[no-untyped-def]
    """March generated before April, as a station would do month by month."""
    return generate_month_roster(cast.chief_north, cast.box_a, 2026, 3)


def test_a_first_month_takes_the_duty_running_in_from_the_day_before(cast, squad):
    result = generate_month_roster(cast.chief_north, cast.box_a, 2026, 4)
    assert result.saved and not result.has_gaps
    eve = RosterEntry.objects.get(box=cast.box_a, kind=EntryKind.DUTY, start=tokyo(2026, 3, 31, 8, 30))
    assert eve.officer == squad.officers[2] and eve.source == EntrySource.GENERATED
    # Generating March later replaces that entry instead of doubling it.
    generate_month_roster(cast.chief_north, cast.box_a, 2026, 3)
    assert (
        RosterEntry.objects.filter(
            box=cast.box_a, kind=EntryKind.DUTY, start=tokyo(2026, 3, 31, 8, 30)
        ).count()
        == 1
    )


def test_first_month_warns_about_the_hours_before_its_first_duty(cast, squad):
    squad.plan.valid_from = dt.date(2026, 3, 1)
    squad.plan.save()
    result = generate_month_roster(cast.chief_north, cast.box_a, 2026, 3)
    assert not result.saved
    assert result.gaps.unstaffed == [(tokyo(2026, 3, 1, 0, 0), tokyo(2026, 3, 1, 8, 30))]


def test_full_three_group_roster_leaves_no_empty_hour(cast, squad, march):
    result = generate_month_roster(cast.chief_north, cast.box_a, 2026, 4)
    assert result.saved and not result.has_gaps
    # 30 days of 24-hour duty plus the 7th-cycle day shifts.
    duties = RosterEntry.objects.filter(box=cast.box_a, kind=EntryKind.DUTY, start__gte=tokyo(2026, 4, 1))
    assert duties.count() == 30
    assert RosterEntry.objects.filter(box=cast.box_a, kind=EntryKind.DAY_SHIFT).exists()
    assert AuditEvent.objects.filter(action="rosters.roster.generate").count() == 2  # March and April


def test_on_duty_officers_follow_the_roster(cast, squad, march):
    generate_month_roster(cast.chief_north, cast.box_a, 2026, 4)
    # Group 0 (officer_a) is on duty on 4 April from 08:30 to 08:30 on 5 April; no day shifts then.
    assert on_duty_officers([cast.box_a.id], tokyo(2026, 4, 4, 12, 0)) == {cast.box_a.id: [cast.officer_a]}
    assert on_duty_officers([cast.box_a.id], tokyo(2026, 4, 5, 8, 29))[cast.box_a.id] == [cast.officer_a]
    assert on_duty_officers([cast.box_a.id], tokyo(2026, 4, 5, 8, 30))[cast.box_a.id] == [squad.officers[1]]
    assert on_duty_officers([cast.box_b.id], tokyo(2026, 4, 4, 12, 0)) == {cast.box_b.id: []}


def test_missing_group_warns_and_saves_nothing_unless_accepted(cast, squad, march):
    squad.plan.members.filter(group=2).delete()
    preview = generate_month_roster(cast.chief_north, cast.box_a, 2026, 4)
    assert not preview.saved and preview.has_gaps
    assert not RosterEntry.objects.filter(box=cast.box_a, start__gte=tokyo(2026, 4, 1)).exists()
    # Every third day the 24-hour duty is missing, minus day shifts of the other groups.
    assert 200 < preview.gaps.unstaffed_hours < 240
    saved = generate_month_roster(cast.chief_north, cast.box_a, 2026, 4, accept_gaps=True)
    assert saved.saved and RosterEntry.objects.filter(box=cast.box_a).exists()


def test_dry_run_saves_nothing(cast, squad):
    preview = generate_month_roster(cast.chief_north, cast.box_a, 2026, 4, dry_run=True)
    assert not preview.saved and preview.entries
    assert not RosterEntry.objects.exists()


def test_regeneration_replaces_generated_entries_and_keeps_swaps(cast, squad, march):
    generate_month_roster(cast.chief_north, cast.box_a, 2026, 4)
    entry = RosterEntry.objects.get(box=cast.box_a, officer=cast.officer_a, start=tokyo(2026, 4, 4, 8, 30))
    # Officer 2 is on leave that day, which blocks a swap to them.
    record_leave(cast.chief_north, cast.box_a, squad.officers[1], tokyo(2026, 4, 4), tokyo(2026, 4, 5))
    with pytest.raises(ValidationError) as err:
        record_swap(cast.chief_north, entry, squad.officers[1])
    assert "to_officer" in err.value.message_dict
    record_swap(cast.chief_north, entry, squad.officers[2], note="family matter")
    assert on_duty_officers([cast.box_a.id], tokyo(2026, 4, 4, 12))[cast.box_a.id] == [squad.officers[2]]
    again = generate_month_roster(cast.chief_north, cast.box_a, 2026, 4)
    assert again.saved
    at_noon = (
        RosterEntry.objects.filter(box=cast.box_a)
        .staffing()
        .overlapping(tokyo(2026, 4, 4, 12), tokyo(2026, 4, 4, 12, 1))
    )
    assert [(e.officer, e.source) for e in at_noon] == [(squad.officers[2], EntrySource.SWAP)]


def test_leave_cuts_duty_and_shows_as_an_empty_koban(cast, squad, march):
    generate_month_roster(cast.chief_north, cast.box_a, 2026, 4)
    record_leave(cast.chief_north, cast.box_a, cast.officer_a, tokyo(2026, 4, 4, 12), tokyo(2026, 4, 4, 18))
    assert not is_box_staffed(cast.box_a, tokyo(2026, 4, 4, 13))
    assert is_box_staffed(cast.box_a, tokyo(2026, 4, 4, 19))
    pieces = RosterEntry.objects.filter(
        officer=cast.officer_a, start__gte=tokyo(2026, 4, 4), start__lte=tokyo(2026, 4, 5)
    ).staffing()
    assert sorted((e.start, e.end) for e in pieces)[:2] == [
        (tokyo(2026, 4, 4, 8, 30), tokyo(2026, 4, 4, 12)),
        (tokyo(2026, 4, 4, 18), tokyo(2026, 4, 5, 8, 30)),
    ]
    preview = preview_month(cast.box_a, 2026, 4)
    assert preview.gaps.unstaffed_hours == pytest.approx(6.0)


def test_overlapping_leave_is_refused(cast, squad):
    record_leave(cast.chief_north, cast.box_a, cast.officer_a, tokyo(2026, 4, 1, 12), tokyo(2026, 4, 3, 12))
    with pytest.raises(ValidationError) as err:
        record_leave(cast.chief_north, cast.box_a, cast.officer_a, tokyo(2026, 4, 2), tokyo(2026, 4, 4))
    assert "start" in err.value.message_dict


def test_leave_ending_before_it_starts_names_the_end(cast, squad):
    with pytest.raises(ValidationError) as err:
        record_leave(cast.chief_north, cast.box_a, cast.officer_a, tokyo(2026, 4, 3), tokyo(2026, 4, 1))
    assert "end" in err.value.message_dict
    assert not RosterEntry.objects.exists()


def test_officers_and_counsellors_cannot_generate_rosters(cast, squad):
    for user in (cast.officer_a, cast.counsellor_a):
        with pytest.raises(PermissionDenied):
            generate_month_roster(user, cast.box_a, 2026, 4)
    with pytest.raises(PermissionDenied):
        generate_month_roster(cast.chief_north, cast.box_c, 2026, 4)


def test_hour_grid_marks_the_empty_hours_of_a_hand_built_case(cast, squad, march):
    from koban.rosters.reports import box_gaps, box_zone, hour_grid, local_day_bounds

    generate_month_roster(cast.chief_north, cast.box_a, 2026, 4)
    record_leave(
        cast.chief_north, cast.box_a, cast.officer_a, tokyo(2026, 4, 4, 12, 30), tokyo(2026, 4, 4, 15)
    )
    day = dt.date(2026, 4, 4)
    [gaps] = box_gaps([cast.box_a], *local_day_bounds(day, day, box_zone()))
    assert gaps.unstaffed == [(tokyo(2026, 4, 4, 12, 30), tokyo(2026, 4, 4, 15))]
    [(_, cells)] = hour_grid(gaps, day, day, box_zone())
    assert [c.unstaffed_minutes for c in cells[11:16]] == [0, 30, 60, 60, 0]
    assert [c.level for c in cells[11:16]] == ["staffed", "partly", "empty", "empty", "staffed"]


def test_eight_hour_posts_abroad_have_no_gap_across_the_clock_change(cast, settings):
    from zoneinfo import ZoneInfo

    from koban.accounts.models import Role
    from koban.rosters.models import ShiftPattern
    from koban.rosters.services import create_plan
    from tests.factories import make_user

    settings.TIME_ZONE = "Europe/London"
    crew = [cast.officer_a] + [
        make_user(Role.BOX_OFFICER, f"pc{n}", agency=cast.agency, station=cast.north, box=cast.box_a)
        for n in range(3)
    ]
    create_plan(
        cast.chief_north,
        cast.box_a,
        ShiftPattern.objects.get(code="three-8h-shifts"),
        anchor=dt.date(2026, 3, 1),
        valid_from=dt.date(2026, 2, 1),
        members=[(o, g) for g, o in enumerate(crew)],
    )
    result = generate_month_roster(cast.chief_north, cast.box_a, 2026, 3)
    assert result.saved and not result.has_gaps
    london = ZoneInfo("Europe/London")
    night = RosterEntry.objects.get(box=cast.box_a, start=dt.datetime(2026, 3, 28, 22, tzinfo=london))
    assert night.end - night.start == dt.timedelta(hours=7)
