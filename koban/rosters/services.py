"""Changing rosters: shift plans, swaps, leave and sign-on/sign-off records.

Every function checks access through ``koban.accounts.access``, validates its input (errors name the
field), writes in one transaction and leaves an audit row. Month generation lives in
``koban.rosters.generation``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from koban.accounts.access import (
    can_be_rostered,
    can_decide_leave,
    can_manage_roster,
    can_record_cover,
    can_record_duty,
    can_record_outing,
    can_request_leave,
    can_withdraw_leave,
    is_police_officer,
)
from koban.accounts.models import User
from koban.analytics.algorithms import intervals as iv
from koban.audit.services import record, snapshot
from koban.organization.models import PoliceBox
from koban.rosters.models import (
    BoxShiftPlan,
    CrewAssignment,
    DutyRecord,
    EntryKind,
    EntrySource,
    LeaveRequest,
    Outing,
    PatrolCar,
    PlanMember,
    RosterEntry,
    ShiftPattern,
)

# Clocks of phones and terminals drift; a sign-on a few minutes "in the future" is not an error.
CLOCK_SKEW = dt.timedelta(minutes=5)
MAX_LEAVE = dt.timedelta(days=366)


def require_roster_manager(user: User, box: PoliceBox) -> None:
    if not can_manage_roster(user, box):
        raise PermissionDenied(_("Only the station chief or HQ may change the roster of this box."))


def _check_interval(
    start: dt.datetime | None, end: dt.datetime | None, start_field: str, end_field: str
) -> None:
    if start is None:
        raise ValidationError({start_field: _("This field is required.")})
    if end is None:
        raise ValidationError({end_field: _("This field is required.")})
    if timezone.is_naive(start):
        raise ValidationError({start_field: _("Give the time with its time zone.")})
    if timezone.is_naive(end):
        raise ValidationError({end_field: _("Give the time with its time zone.")})
    if end <= start:
        raise ValidationError({end_field: _("The end must be after the start.")})


# -- Plans ------------------------------------------------------------------------------------------


@transaction.atomic
def create_plan(
    actor: User,
    box: PoliceBox,
    pattern: ShiftPattern,
    *,
    anchor: dt.date,
    valid_from: dt.date,
    members: Iterable[tuple[User, int]],
    cover_name: str = "",
    cover_person: User | None = None,
) -> BoxShiftPlan:
    """Put *box* on *pattern* from *valid_from*; the plan in force before it ends the day before.

    *members* are ``(officer, group)`` pairs with groups numbered from 0.
    """
    require_roster_manager(actor, box)
    if not pattern.active:
        raise ValidationError({"pattern": _("This shift pattern is no longer in use.")})
    parsed = pattern.parsed()
    pairs = list(members)
    seen: set[int] = set()
    for officer, group in pairs:
        if not 0 <= group < parsed.groups:
            raise ValidationError(
                {
                    "members": _("Group %(group)s does not exist in this pattern (it has %(n)s groups).")
                    % {"group": group + 1, "n": parsed.groups}
                }
            )
        if not is_police_officer(officer):
            raise ValidationError({"members": _("%(who)s is not a police officer.") % {"who": officer}})
        if not can_be_rostered(officer, box, own_box_only=True):
            raise ValidationError({"members": _("%(who)s is not posted to this box.") % {"who": officer}})
        if officer.pk in seen:
            raise ValidationError({"members": _("%(who)s is listed twice.") % {"who": officer}})
        seen.add(officer.pk)
    if BoxShiftPlan.objects.filter(box=box, valid_from=valid_from).exists():
        raise ValidationError({"valid_from": _("This box already has a plan starting on that day.")})
    for previous in BoxShiftPlan.objects.select_for_update().filter(
        box=box, valid_from__lt=valid_from, valid_until__isnull=True
    ):
        before = snapshot(previous)
        previous.valid_until = valid_from - dt.timedelta(days=1)
        previous.save(update_fields=["valid_until"])
        record(actor, "rosters.plan.end", previous, before=before, after=snapshot(previous))
    later = BoxShiftPlan.objects.filter(box=box, valid_from__gt=valid_from).order_by("valid_from").first()
    plan = BoxShiftPlan.objects.create(
        box=box,
        pattern=pattern,
        anchor=anchor,
        valid_from=valid_from,
        valid_until=later.valid_from - dt.timedelta(days=1) if later else None,
        cover_name=cover_name,
        cover_person=cover_person,
    )
    PlanMember.objects.bulk_create(PlanMember(plan=plan, officer=o, group=g) for o, g in pairs)
    after = snapshot(plan)
    after["members"] = [[o.pk, g] for o, g in pairs]
    record(actor, "rosters.plan.create", plan, after=after)
    return plan


# -- Swaps and leave --------------------------------------------------------------------------------


def _officer_busy(officer: User, start: dt.datetime, end: dt.datetime, exclude: int | None = None) -> bool:
    qs = (
        RosterEntry.objects.filter(officer=officer)
        .overlapping(start, end)
        .filter(kind__in=[EntryKind.DUTY, EntryKind.DAY_SHIFT, EntryKind.LEAVE])
    )
    if exclude:
        qs = qs.exclude(pk=exclude)
    return qs.exists()


@transaction.atomic
def record_swap(actor: User, entry: RosterEntry, to_officer: User, note: str = "") -> RosterEntry:
    """Hand a rostered duty of one officer to another (交代); the entry remembers whom it replaced.

    A two-way exchange is two swaps. The new officer must be free (no duty, day shift or leave
    overlapping the shift).
    """
    entry = RosterEntry.objects.select_for_update().select_related("box").get(pk=entry.pk)
    require_roster_manager(actor, entry.box)
    if not entry.staffs_box:
        raise ValidationError({"entry": _("Only duties and day shifts can be swapped.")})
    if not is_police_officer(to_officer):
        raise ValidationError({"to_officer": _("%(who)s is not a police officer.") % {"who": to_officer}})
    if not can_be_rostered(to_officer, entry.box):
        raise ValidationError(
            {"to_officer": _("%(who)s is not posted at this station.") % {"who": to_officer}}
        )
    if to_officer.pk == entry.officer_id:
        raise ValidationError({"to_officer": _("The shift is already this officer's.")})
    if _officer_busy(to_officer, entry.start, entry.end, exclude=entry.pk):
        raise ValidationError(
            {
                "to_officer": _("%(who)s is already on duty or on leave during this shift.")
                % {"who": to_officer}
            }
        )
    before = snapshot(entry)
    entry.replaces_id = entry.replaces_id or entry.officer_id
    entry.officer = to_officer
    entry.source = EntrySource.SWAP
    entry.note = note[:300]
    entry.save(update_fields=["replaces", "officer", "source", "note"])
    record(actor, "rosters.entry.swap", entry, before=before, after=snapshot(entry))
    return entry


def _cut_out(actor: User, entry: RosterEntry, hole: iv.Interval, reason: str) -> None:
    """Remove *hole* from a staffing entry: delete it, shorten it or split it in two."""
    before = snapshot(entry)
    pieces = iv.subtract([(entry.start, entry.end)], [hole])
    if not pieces:
        record(actor, "rosters.entry.delete", entry, before=before, note=reason)
        entry.delete()
        return
    entry.start, entry.end = pieces[0]
    entry.save(update_fields=["start", "end"])
    record(actor, "rosters.entry.shorten", entry, before=before, after=snapshot(entry), note=reason)
    for start, end in pieces[1:]:
        extra = RosterEntry.objects.create(
            box=entry.box,
            officer=entry.officer,
            start=start,
            end=end,
            kind=entry.kind,
            shift_code=entry.shift_code,
            source=entry.source,
            plan=entry.plan,
            replaces=entry.replaces,
            note=entry.note,
            created_by=actor,
        )
        record(actor, "rosters.entry.split", extra, after=snapshot(extra), note=reason)


@transaction.atomic
def record_leave(
    actor: User,
    box: PoliceBox,
    officer: User,
    start: dt.datetime,
    end: dt.datetime,
    note: str = "",
) -> RosterEntry:
    """Record *officer* on leave; the duties it overlaps are cut out of the roster (at every box)."""
    require_roster_manager(actor, box)
    return _write_leave(actor, box, officer, start, end, note)


def _write_leave(
    actor: User, box: PoliceBox, officer: User, start: dt.datetime, end: dt.datetime, note: str
) -> RosterEntry:
    _check_interval(start, end, "start", "end")
    if end - start > MAX_LEAVE:
        raise ValidationError({"end": _("Leave longer than a year cannot be recorded at once.")})
    if officer.box_id != box.pk:
        raise ValidationError({"officer": _("%(who)s is not posted to this box.") % {"who": officer}})
    # Lock the officer's row so that two leave requests for the same person queue up.
    User.objects.select_for_update().filter(pk=officer.pk).first()
    if RosterEntry.objects.filter(officer=officer, kind=EntryKind.LEAVE).overlapping(start, end).exists():
        raise ValidationError(
            {"start": _("This leave overlaps leave already recorded for %(who)s.") % {"who": officer}}
        )
    leave = RosterEntry.objects.create(
        box=box,
        officer=officer,
        start=start,
        end=end,
        kind=EntryKind.LEAVE,
        source=EntrySource.MANUAL,
        note=note[:300],
        created_by=actor,
    )
    record(actor, "rosters.leave.create", leave, after=snapshot(leave))
    for entry in (
        RosterEntry.objects.select_for_update().filter(officer=officer).staffing().overlapping(start, end)
    ):
        _cut_out(actor, entry, (start, end), reason=_("Leave"))
    return leave


@transaction.atomic
def record_manual_entry(
    actor: User,
    box: PoliceBox,
    officer: User,
    start: dt.datetime,
    end: dt.datetime,
    kind: str = EntryKind.DUTY,
    note: str = "",
) -> RosterEntry:
    """Add a duty or day shift by hand (an extra officer for a festival, a call-in)."""
    require_roster_manager(actor, box)
    _check_interval(start, end, "start", "end")
    if kind not in (EntryKind.DUTY, EntryKind.DAY_SHIFT):
        raise ValidationError({"kind": _("Only duties and day shifts can be added by hand.")})
    if not is_police_officer(officer):
        raise ValidationError({"officer": _("%(who)s is not a police officer.") % {"who": officer}})
    if not can_be_rostered(officer, box):
        raise ValidationError({"officer": _("%(who)s is not posted at this station.") % {"who": officer}})
    if _officer_busy(officer, start, end):
        raise ValidationError(
            {"officer": _("%(who)s is already on duty or on leave then.") % {"who": officer}}
        )
    entry = RosterEntry.objects.create(
        box=box,
        officer=officer,
        start=start,
        end=end,
        kind=kind,
        source=EntrySource.MANUAL,
        note=note[:300],
        created_by=actor,
    )
    record(actor, "rosters.entry.create", entry, after=snapshot(entry))
    return entry


# -- Who actually is on duty ------------------------------------------------------------------------


@transaction.atomic
def record_actual_duty(
    actor: User,
    box: PoliceBox,
    officer: User,
    signed_on_at: dt.datetime,
    signed_off_at: dt.datetime | None = None,
    note: str = "",
    *,
    shift: RosterEntry | None = None,
) -> DutyRecord:
    """Record *officer* signing on at *box* (and, if known, signing off).

    *shift* is the rostered shift the officer signs on for: an open record then ends with the shift
    (unless signed off earlier), not after the open-record limit.
    """
    if not can_record_duty(actor, box, officer):
        raise PermissionDenied(_("You may not record duty for this officer at this box."))
    if not is_police_officer(officer):
        raise ValidationError({"officer": _("%(who)s is not a police officer.") % {"who": officer}})
    if not can_be_rostered(officer, box):
        raise ValidationError({"officer": _("%(who)s is not posted at this station.") % {"who": officer}})
    now = timezone.now()
    if signed_on_at is None or timezone.is_naive(signed_on_at):
        raise ValidationError({"signed_on_at": _("Give the time with its time zone.")})
    if signed_on_at > now + CLOCK_SKEW:
        raise ValidationError({"signed_on_at": _("The sign-on cannot be in the future.")})
    if signed_off_at is not None:
        _check_interval(signed_on_at, signed_off_at, "signed_on_at", "signed_off_at")
        if signed_off_at > now + CLOCK_SKEW:
            raise ValidationError({"signed_off_at": _("The sign-off cannot be in the future.")})
    User.objects.select_for_update().filter(pk=officer.pk).first()
    end = signed_off_at or signed_on_at + DutyRecord.OPEN_RECORD_LIMIT
    if DutyRecord.objects.filter(officer=officer).overlapping(signed_on_at, end).exists():
        raise ValidationError(
            {"signed_on_at": _("%(who)s is already signed on at that time.") % {"who": officer}}
        )
    duty = DutyRecord.objects.create(
        box=box,
        officer=officer,
        signed_on_at=signed_on_at,
        signed_off_at=signed_off_at,
        roster_entry=shift,
        expected_off_at=shift.end if shift else None,
        note=note[:300],
        recorded_by=actor,
    )
    record(actor, "rosters.duty.sign_on", duty, after=snapshot(duty))
    return duty


@transaction.atomic
def sign_off(actor: User, duty: DutyRecord, signed_off_at: dt.datetime) -> DutyRecord:
    """Close an open duty record."""
    duty = DutyRecord.objects.select_for_update().select_related("box", "officer").get(pk=duty.pk)
    if not can_record_duty(actor, duty.box, duty.officer):
        raise PermissionDenied(_("You may not record duty for this officer at this box."))
    if duty.signed_off_at is not None:
        raise ValidationError({"signed_off_at": _("This duty is already signed off.")})
    _check_interval(duty.signed_on_at, signed_off_at, "signed_on_at", "signed_off_at")
    if signed_off_at > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"signed_off_at": _("The sign-off cannot be in the future.")})
    before = snapshot(duty)
    duty.signed_off_at = signed_off_at
    duty.save(update_fields=["signed_off_at"])
    record(actor, "rosters.duty.sign_off", duty, before=before, after=snapshot(duty))
    return duty


# -- One tap: sign on, go out, come back --------------------------------------------------------------


def shift_for_sign_on(officer: User, box: PoliceBox, at: dt.datetime) -> RosterEntry | None:
    """The rostered duty or day shift of *officer* at *box* that a sign-on at *at* belongs to."""
    return (
        RosterEntry.objects.filter(officer=officer, box=box, end__gt=at, start__lte=at + iv.EARLY_SIGN_ON)
        .staffing()
        .order_by("start")
        .first()
    )


def sign_on(
    actor: User,
    box: PoliceBox,
    officer: User,
    at: dt.datetime,
    *,
    confirm_outside_shift: bool = False,
    note: str = "",
) -> DutyRecord:
    """Sign *officer* on at *box* now, for the shift the roster has for them (pre-filled).

    Without a rostered shift at that time (a call-out, overtime, a mistake) the officer is asked to
    confirm: the error names ``confirm_outside_shift``.
    """
    shift = shift_for_sign_on(officer, box, at)
    if shift is None and not confirm_outside_shift:
        raise ValidationError(
            {
                "confirm_outside_shift": _(
                    "%(who)s has no shift rostered at this box now. Confirm to sign on outside the roster."
                )
                % {"who": officer}
            },
            code="outside_shift",
        )
    return record_actual_duty(actor, box, officer, at, note=note, shift=shift)


def open_duty(officer: User) -> DutyRecord | None:
    """The officer's duty record still without a sign-off, if any."""
    return (
        DutyRecord.objects.filter(officer=officer, signed_off_at__isnull=True)
        .order_by("-signed_on_at")
        .first()
    )


@transaction.atomic
def go_out(actor: User, box: PoliceBox, officer: User, at: dt.datetime, kind: str, note: str = "") -> Outing:
    """*officer* leaves *box* (patrol, visit, call, errand): the box may now stand empty."""
    if not can_record_outing(actor, box, officer):
        raise PermissionDenied(_("You may not record this officer going out from this box."))
    if kind not in Outing.Kind.values:
        raise ValidationError({"kind": _("Choose what the officer goes out for.")})
    if at is None or timezone.is_naive(at):
        raise ValidationError({"started_at": _("Give the time with its time zone.")})
    if at > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"started_at": _("The time cannot be in the future.")})
    User.objects.select_for_update().filter(pk=officer.pk).first()
    if Outing.objects.filter(officer=officer).open().exists():
        raise ValidationError({"officer": _("%(who)s is already out of the box.") % {"who": officer}})
    outing = Outing.objects.create(
        box=box, officer=officer, kind=kind, started_at=at, note=note[:300], recorded_by=actor
    )
    record(actor, "rosters.outing.start", outing, after=snapshot(outing))
    return outing


@transaction.atomic
def come_back(actor: User, outing: Outing, at: dt.datetime) -> Outing:
    """The officer is back in the box."""
    outing = Outing.objects.select_for_update().select_related("box", "officer").get(pk=outing.pk)
    if not can_record_outing(actor, outing.box, outing.officer):
        raise PermissionDenied(_("You may not record this officer going out from this box."))
    if outing.ended_at is not None:
        raise ValidationError({"ended_at": _("This officer is already back.")})
    if at is None or timezone.is_naive(at):
        raise ValidationError({"ended_at": _("Give the time with its time zone.")})
    if at <= outing.started_at:
        raise ValidationError({"ended_at": _("The end must be after the start.")})
    if at > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"ended_at": _("The time cannot be in the future.")})
    before = snapshot(outing)
    outing.ended_at = at
    outing.save(update_fields=["ended_at"])
    record(actor, "rosters.outing.end", outing, before=before, after=snapshot(outing))
    return outing


# -- Leave requests and counter cover -----------------------------------------------------------------


@transaction.atomic
def request_leave(
    actor: User, box: PoliceBox, start: dt.datetime, end: dt.datetime, note: str = ""
) -> LeaveRequest:
    """The officer asks for leave; nothing changes on the roster until a chief approves it."""
    if not can_request_leave(actor, box):
        raise PermissionDenied(_("Only an officer of this box may ask for leave here."))
    _check_interval(start, end, "start", "end")
    if end - start > MAX_LEAVE:
        raise ValidationError({"end": _("Leave longer than a year cannot be recorded at once.")})
    User.objects.select_for_update().filter(pk=actor.pk).first()
    waiting = LeaveRequest.objects.filter(officer=actor, status=LeaveRequest.Status.PENDING)
    recorded = RosterEntry.objects.filter(officer=actor, kind=EntryKind.LEAVE)
    if waiting.overlapping(start, end).exists() or recorded.overlapping(start, end).exists():
        raise ValidationError({"start": _("This overlaps leave you already asked for or have.")})
    leave = LeaveRequest.objects.create(
        box=box, officer=actor, start=start, end=end, note=note[:300], requested_at=timezone.now()
    )
    record(actor, "rosters.leave_request.create", leave, after=snapshot(leave))
    return leave


def _lock_pending(leave: LeaveRequest) -> LeaveRequest:
    leave = LeaveRequest.objects.select_for_update().select_related("box", "officer").get(pk=leave.pk)
    if leave.status != LeaveRequest.Status.PENDING:
        raise ValidationError({"status": _("This request was already decided or withdrawn.")})
    return leave


@transaction.atomic
def decide_leave(actor: User, leave: LeaveRequest, *, approve: bool, note: str = "") -> LeaveRequest:
    """The chief approves (the leave is recorded and the duties it overlaps cut) or refuses."""
    leave = _lock_pending(leave)
    if not can_decide_leave(actor, leave):
        raise PermissionDenied(_("Only the station chief or HQ may decide leave at this box."))
    before = snapshot(leave)
    if approve:
        leave.leave_entry = _write_leave(actor, leave.box, leave.officer, leave.start, leave.end, leave.note)
    leave.status = LeaveRequest.Status.APPROVED if approve else LeaveRequest.Status.REFUSED
    leave.decided_by, leave.decided_at, leave.decision_note = actor, timezone.now(), note[:300]
    leave.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "leave_entry"])
    action = "rosters.leave_request.approve" if approve else "rosters.leave_request.refuse"
    record(actor, action, leave, before=before, after=snapshot(leave))
    return leave


@transaction.atomic
def withdraw_leave(actor: User, leave: LeaveRequest) -> LeaveRequest:
    """The officer withdraws a request not yet decided."""
    leave = _lock_pending(leave)
    if not can_withdraw_leave(actor, leave):
        raise PermissionDenied(_("Only the officer who asked may withdraw this request."))
    before = snapshot(leave)
    leave.status = LeaveRequest.Status.WITHDRAWN
    leave.save(update_fields=["status"])
    record(actor, "rosters.leave_request.withdraw", leave, before=before, after=snapshot(leave))
    return leave


MAX_COVER = dt.timedelta(hours=24)


@transaction.atomic
def record_cover(
    actor: User,
    box: PoliceBox,
    start: dt.datetime,
    end: dt.datetime,
    cover_name: str,
    note: str = "",
) -> RosterEntry:
    """Enter by hand who took walk-ins at the counter (a chuzaisho spouse, a counsellor) and when.

    Counter cover never counts as police staffing; it splits empty-box time into covered and not.
    """
    if not can_record_cover(actor, box):
        raise PermissionDenied(_("You may not enter counter cover at this box."))
    _check_interval(start, end, "start", "end")
    if end - start > MAX_COVER:
        raise ValidationError({"end": _("Enter counter cover one day at a time.")})
    if not cover_name.strip():
        raise ValidationError({"cover_name": _("Say who covered the counter.")})
    if RosterEntry.objects.filter(box=box).cover().overlapping(start, end).exists():
        raise ValidationError({"start": _("Counter cover is already recorded for part of this time.")})
    entry = RosterEntry.objects.create(
        box=box,
        cover_name=cover_name.strip()[:150],
        start=start,
        end=end,
        kind=EntryKind.COVER,
        source=EntrySource.MANUAL,
        note=note[:300],
        created_by=actor,
    )
    record(actor, "rosters.cover.create", entry, after=snapshot(entry))
    return entry


# -- Patrol car crews -----------------------------------------------------------------------------


@transaction.atomic
def assign_crew(
    actor: User, car: PatrolCar, officers: Iterable[User], start: dt.datetime, end: dt.datetime
) -> list[CrewAssignment]:
    """Put *officers* in *car* from *start* to *end* (one shift): dispatch then sends them as one unit.

    The crew must be officers who may staff the car's box (its station's box officers), and nobody
    may ride in two cars at once.
    """
    require_roster_manager(actor, car.box)
    _check_interval(start, end, "start", "end")
    if not car.active:
        raise ValidationError({"car": _("This patrol car is out of service.")})
    crew = list(dict.fromkeys(officers))
    if not crew:
        raise ValidationError({"officers": _("Name at least one officer.")})
    for officer in crew:
        if not can_be_rostered(officer, car.box):
            raise ValidationError(
                {"officers": _("%(who)s cannot ride in a car of this station.") % {"who": officer}}
            )
    User.objects.select_for_update().filter(pk__in=[o.pk for o in crew]).order_by("pk").first()
    clash = (
        CrewAssignment.objects.filter(officer__in=crew, start__lt=end, end__gt=start)
        .select_related("officer", "car")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "officers": _("%(who)s already rides in %(car)s then.")
                % {"who": clash.officer, "car": clash.car}
            }
        )
    rows = [
        CrewAssignment.objects.create(car=car, officer=o, start=start, end=end, assigned_by=actor)
        for o in crew
    ]
    record(
        actor,
        "rosters.crew.assign",
        car,
        after={"officers": [o.pk for o in crew], "start": start.isoformat(), "end": end.isoformat()},
        note=", ".join(str(o) for o in crew),
    )
    return rows


@transaction.atomic
def remove_crew(actor: User, assignment: CrewAssignment) -> None:
    """Take one officer out of a car's crew (a change of plan before or during the shift)."""
    require_roster_manager(actor, assignment.car.box)
    before = snapshot(assignment)
    car = assignment.car
    assignment.delete()
    record(actor, "rosters.crew.remove", car, before=before)
