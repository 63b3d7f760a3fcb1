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

from koban.accounts.access import can_be_rostered, can_manage_roster, can_record_duty, is_police_officer
from koban.accounts.models import User
from koban.audit.services import record, snapshot
from koban.organization.models import PoliceBox
from koban.rosters import intervals as iv
from koban.rosters.models import (
    BoxShiftPlan,
    DutyRecord,
    EntryKind,
    EntrySource,
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
) -> DutyRecord:
    """Record *officer* signing on at *box* (and, if known, signing off)."""
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
