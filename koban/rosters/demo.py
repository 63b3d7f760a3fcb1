"""Demo rosters: a shift plan for every box, the previous and current month generated, some swaps,
some leave (one small koban left empty for a sick day), sign-on records for the last few days, and a
few days of the shift handover log (the last morning's entries still waiting to be acknowledged).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import cast

from django.db.models import Q
from django.utils.translation import gettext as _

from koban.accounts.models import Role, User
from koban.demo.context import DemoContext
from koban.organization.models import PoliceBox
from koban.rosters.generation import generate_month_roster
from koban.rosters.handover import acknowledge_handover, write_handover
from koban.rosters.models import DutyRecord, EntryKind, HandoverPriority, PatrolCar, RosterEntry, ShiftPattern
from koban.rosters.queries import on_duty_officers
from koban.rosters.reports import box_zone
from koban.rosters.services import assign_crew, create_plan, record_leave, record_swap


def _actor(context: DemoContext) -> User:
    planner = User.objects.filter(agency=context.agency, role=Role.HQ_PLANNER, is_active=True).first()
    if planner is not None:
        return planner
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if admin is None:
        raise RuntimeError("the demo rosters need an HQ planner or an administrator")
    return admin


def populate(context: DemoContext) -> str:
    rng = context.rng
    actor = _actor(context)
    zone = box_zone()
    today = context.now.astimezone(zone).date()
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    patterns = {p.code: p for p in ShiftPattern.objects.filter(code__in=["koban-3-group", "chuzaisho"])}
    boxes = list(
        PoliceBox.objects.filter(station__agency=context.agency)
        .operating()
        .with_station()
        .order_by("station__code", "code")
    )
    officers: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(box__in=boxes, role=Role.BOX_OFFICER, is_active=True).order_by(
        "username"
    ):
        officers[user.box_id].append(user)  # type: ignore[index]
    planned = [b for b in boxes if officers[b.pk]]
    for box in planned:
        staff = officers[box.pk]
        if box.is_residential:
            create_plan(
                actor,
                box,
                patterns["chuzaisho"],
                anchor=last_month,
                valid_from=last_month - dt.timedelta(days=1),
                members=[(o, 0) for o in staff],
                cover_name=_("Family of %(officer)s") % {"officer": staff[0]},
            )
        else:
            create_plan(
                actor,
                box,
                patterns["koban-3-group"],
                anchor=last_month - dt.timedelta(days=rng.randint(0, 20)),
                valid_from=last_month - dt.timedelta(days=1),
                members=[(o, i % 3) for i, o in enumerate(staff)],
            )
    for box in planned:
        generate_month_roster(actor, box, last_month.year, last_month.month, accept_gaps=True)
    koban = [b for b in planned if not b.is_residential]
    swaps = _swaps(actor, koban, officers, last_month, this_month, rng)
    empty_box = _sick_day(actor, koban, officers, last_month, rng)
    leaves = _planned_leave(actor, koban, officers, today, rng)
    for box in planned:
        generate_month_roster(actor, box, this_month.year, this_month.month, accept_gaps=True)
    records = _sign_ons(actor, koban[:5], context.now, rng)
    cars = _patrol_cars(actor, koban, context.now)
    handovers = _handover_log([b for b in koban if len(officers[b.pk]) > 1][:5], officers, context.now, rng)
    entries = RosterEntry.objects.filter(box__in=planned).count()
    where = empty_box.name if empty_box else "—"
    return _(
        "%(plans)d shift plans, %(entries)d roster entries, %(swaps)d swaps, %(leaves)d leave periods, "
        "%(records)d sign-on records, %(handovers)d handover entries, %(cars)d patrol cars with a crew; "
        "a sick day leaves %(where)s empty"
    ) % {
        "handovers": handovers,
        "cars": cars,
        "plans": len(planned),
        "entries": entries,
        "swaps": swaps,
        "leaves": leaves + (1 if empty_box else 0),
        "records": records,
        "where": where,
    }


def _swaps(actor, koban, officers, first, until, rng) -> int:  # type: ignore[no-untyped-def]
    """In koban with a spare officer, hand a few duties of last month to a colleague who is free."""
    done = 0
    for box in koban:
        staff = officers[box.pk]
        if len(staff) < 4:
            continue
        duties = list(
            RosterEntry.objects.filter(
                box=box, kind=EntryKind.DUTY, start__date__gte=first, start__date__lt=until
            )
        )
        for entry in rng.sample(duties, k=min(2, len(duties))):
            for colleague in rng.sample(staff, k=len(staff)):
                busy = (
                    RosterEntry.objects.filter(officer=colleague).overlapping(entry.start, entry.end).exists()
                )
                if colleague.pk == entry.officer_id or busy:
                    continue
                record_swap(actor, entry, colleague, note=_("Family matter"))
                done += 1
                break
    return done


def _sick_day(actor, koban, officers, first, rng):  # type: ignore[no-untyped-def]
    """A koban of three officers loses its duty officer for a day last month: the box stands empty."""
    small = [b for b in koban if len(officers[b.pk]) == 3]
    if not small:
        return None
    box = rng.choice(small)
    duties = list(
        RosterEntry.objects.filter(
            box=box, kind=EntryKind.DUTY, start__date__gte=first + dt.timedelta(days=3)
        )
    )
    if not duties:
        return None
    entry = rng.choice(duties[:20])
    start = entry.start + dt.timedelta(hours=rng.randint(2, 6))
    record_leave(
        actor, box, entry.officer, start, start + dt.timedelta(hours=rng.randint(8, 14)), note=_("Sick")
    )
    return box


def _planned_leave(actor, koban, officers, today, rng) -> int:  # type: ignore[no-untyped-def]
    """Annual leave in the coming days for an officer of some larger koban (a colleague shares the group).

    Always after today, also at a month's end (then it may fall in next month, whose roster is not
    generated yet): leave that is already over would contradict the sign-on records of the last days.
    """
    done = 0
    zone = box_zone()
    for box in koban:
        if len(officers[box.pk]) < 5 or rng.random() < 0.5:
            continue
        officer = rng.choice(officers[box.pk])
        day = today + dt.timedelta(days=rng.randint(2, 10))
        start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
        if (
            RosterEntry.objects.filter(officer=officer, kind=EntryKind.LEAVE)
            .overlapping(start, start + dt.timedelta(days=2))
            .exists()
        ):
            continue
        record_leave(actor, box, officer, start, start + dt.timedelta(days=2), note=_("Annual leave"))
        done += 1
    return done


def _sign_ons(actor, boxes, now, rng) -> int:  # type: ignore[no-untyped-def]
    """Sign-on/sign-off records for the past three days of a few koban, a little off the roster times.

    Every shift overlapping the three days gets a record, so the officer on duty when the records
    begin has one too. An officer signs on late only while a recorded colleague is still there: a
    record replaces the rostered shift, so a late sign-on nobody covers would show the box empty.
    """
    rows = []
    since = now - dt.timedelta(days=3)
    entries = RosterEntry.objects.filter(
        Q(kind=EntryKind.DUTY) | Q(kind=EntryKind.DAY_SHIFT),
        box__in=boxes,
        officer__isnull=False,
        end__gt=since,
        start__lt=now,
    ).order_by("start")
    covered_until: dict[int, dt.datetime] = {}
    for entry in entries:
        on = entry.start + dt.timedelta(minutes=rng.randint(-10, 5))
        if on > covered_until.get(entry.box_id, entry.start):
            on = entry.start  # nobody recorded is there to wait for a late colleague
        off = entry.end + dt.timedelta(minutes=rng.randint(0, 45))
        covered_until[entry.box_id] = max(off, covered_until.get(entry.box_id, off))
        rows.append(
            DutyRecord(
                box_id=entry.box_id,
                officer_id=cast(int, entry.officer_id),
                signed_on_at=on,
                signed_off_at=off if off <= now else None,
                recorded_by=actor,
            )
        )
    DutyRecord.objects.bulk_create(rows)
    return len(rows)


def _handover_notes() -> list[tuple[str, str]]:
    """What one shift typically hands to the next: (priority, text)."""
    return [
        (
            HandoverPriority.URGENT,
            _("The owner of the lost wallet calls back this morning; the item is in the safe."),
        ),
        (
            HandoverPriority.IMPORTANT,
            _("Residents reported a suspicious car near the school; watch it on patrol."),
        ),
        (HandoverPriority.ROUTINE, _("The bicycle shed key is back at the desk.")),
        (HandoverPriority.ROUTINE, _("The liaison council meets on Friday at 19:00 in the community hall.")),
        (
            HandoverPriority.IMPORTANT,
            _("An elderly resident wandered off twice this week; check on the family."),
        ),
    ]


def _handover_log(boxes, officers, now, rng) -> int:  # type: ignore[no-untyped-def]
    """Two handovers per box (yesterday's and this morning's 08:30); yesterday's are acknowledged."""
    notes = _handover_notes()
    zone = box_zone()
    today = now.astimezone(zone).date()
    written = 0
    for box in boxes:
        outgoing, incoming = officers[box.pk][0], officers[box.pk][1]
        for days_ago in (1, 0):
            at = dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(8, 20), tzinfo=zone)
            if at > now:
                continue
            for priority, text in rng.sample(notes, 2):
                entry = write_handover(outgoing, box, text, at, priority=priority)
                written += 1
                if days_ago:
                    acknowledge_handover(incoming, entry, at + dt.timedelta(minutes=15))
    return written


def _patrol_cars(actor: User, koban: list[PoliceBox], now: dt.datetime) -> int:
    """A patrol car at the first koban of each station, manned now by two officers on duty at the
    station's koban (the first on duty at each of its first two staffed koban; both from one koban
    when the station has only one staffed). Cars of stations with fewer than two officers on duty
    stay in the garage: they are listed but not suggested."""
    by_station: dict[int, list[PoliceBox]] = defaultdict(list)
    for box in koban:
        by_station[box.station_id].append(box)
    on_duty = on_duty_officers([b.pk for b in koban], now)
    manned = 0
    for boxes in by_station.values():
        home = boxes[0]
        car = PatrolCar.objects.create(
            call_sign=_("%(station)s PC 1") % {"station": home.station.name},
            box=home,
            kind=PatrolCar.Kind.PATROL_CAR,
        )
        staffed = [on_duty[b.pk] for b in boxes if on_duty[b.pk]]
        crew = (
            [people[0] for people in staffed[:2]]
            if len(staffed) >= 2
            else (staffed[0][:2] if staffed else [])
        )
        if len(crew) < 2:
            continue
        assign_crew(actor, car, crew, now - dt.timedelta(hours=2), now + dt.timedelta(hours=6))
        manned += 1
    return manned
