"""Generating a month's roster from a box's shift plans, with a warning before it leaves the box empty.

``preview_month`` works out the entries and the empty hours without saving anything;
``generate_month_roster`` replaces the month's generated entries with them, but only when there
are no empty hours or the caller accepts them. Swaps, leave and entries added by hand are kept: the
generator works around them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from koban.accounts.models import User
from koban.analytics.algorithms import intervals as iv
from koban.audit.services import record
from koban.lib.dates import check_year_window
from koban.organization.models import PoliceBox
from koban.rosters import cycle
from koban.rosters.models import BoxShiftPlan, DutyRecord, EntryKind, EntrySource, RosterEntry
from koban.rosters.presence import resident_officers
from koban.rosters.reports import BoxGaps, box_zone, gaps_from_intervals, local_day_bounds
from koban.rosters.services import require_roster_manager

KIND_BY_SHIFT = {"duty": EntryKind.DUTY, "day_shift": EntryKind.DAY_SHIFT, "cover": EntryKind.COVER}


@dataclass(frozen=True)
class PlannedEntry:
    """A roster entry the generator would write."""

    officer_id: int | None
    cover_name: str
    start: dt.datetime
    end: dt.datetime
    kind: str
    shift_code: str
    plan_id: int


@dataclass
class MonthPreview:
    """What generating a month would do: the entries, the empty hours, and whether it was saved."""

    box: PoliceBox
    year: int
    month: int
    entries: list[PlannedEntry] = field(default_factory=list)
    gaps: BoxGaps | None = None
    replaced: int = 0
    saved: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def has_gaps(self) -> bool:
        return bool(self.gaps and self.gaps.unstaffed)


def month_days(year: int, month: int) -> tuple[dt.date, dt.date]:
    if not 1 <= month <= 12:
        raise ValidationError({"month": _("The month must be between 1 and 12.")})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("The year must be between 2000 and 2100.")})
    problem = check_year_window(year, timezone.now())
    if problem:
        raise ValidationError({"year": problem})
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _plan_entries(plan: BoxShiftPlan, first: dt.date, last: dt.date, zone: dt.tzinfo) -> list[PlannedEntry]:
    start = max(first, plan.valid_from)
    end = min(last, plan.valid_until) if plan.valid_until else last
    if start > end:
        return []
    pattern = plan.pattern.parsed()
    groups: dict[int, list[int]] = defaultdict(list)
    for member in plan.members.all():
        groups[member.group].append(member.officer_id)
    cover_name = plan.cover_name or (str(plan.cover_person) if plan.cover_person else _("Counter cover"))
    out: list[PlannedEntry] = []
    for duty in cycle.intervals_for(pattern, plan.anchor, start, end, zone):
        kind = KIND_BY_SHIFT[duty.kind]
        if kind == EntryKind.COVER:
            out.append(
                PlannedEntry(plan.cover_person_id, cover_name, duty.start, duty.end, kind, duty.code, plan.pk)
            )
            continue
        for officer_id in groups.get(duty.group, []):
            out.append(PlannedEntry(officer_id, "", duty.start, duty.end, kind, duty.code, plan.pk))
    return out


def _kept_entries(box: PoliceBox, window: iv.Interval, month_start: iv.Interval) -> list[RosterEntry]:
    """Entries that generation leaves alone: not generated, or starting outside the month."""
    overlapping = RosterEntry.objects.filter(box=box).overlapping(window[0], window[1])
    return [
        e
        for e in overlapping
        if e.source != EntrySource.GENERATED or not (month_start[0] <= e.start < month_start[1])
    ]


def _fit_around(
    planned: list[PlannedEntry], kept: list[RosterEntry], leave: dict[int, list[iv.Interval]]
) -> list[PlannedEntry]:
    """Drop planned shifts a swap or a hand-made entry already covers, and cut leave out of the rest."""
    swapped = {(e.replaces_id, e.start) for e in kept if e.source == EntrySource.SWAP}
    busy: dict[int, list[iv.Interval]] = defaultdict(list)
    for e in kept:
        if e.officer_id and e.staffs_box:
            busy[e.officer_id].append((e.start, e.end))
    out: list[PlannedEntry] = []
    for p in planned:
        if p.officer_id is None or p.kind == EntryKind.COVER:
            out.append(p)
            continue
        if (p.officer_id, p.start) in swapped:
            continue
        if any(iv.overlaps((p.start, p.end), b) for b in busy[p.officer_id]):
            continue
        for start, end in iv.subtract([(p.start, p.end)], leave.get(p.officer_id, [])):
            out.append(PlannedEntry(p.officer_id, p.cover_name, start, end, p.kind, p.shift_code, p.plan_id))
    return out


def preview_month(box: PoliceBox, year: int, month: int) -> MonthPreview:
    """Work out the generated entries of a month and the hours the box would be left empty."""
    first, last = month_days(year, month)
    zone = box_zone(box)
    window = local_day_bounds(first, last, zone)
    preview = MonthPreview(box=box, year=year, month=month)
    plans = list(
        BoxShiftPlan.objects.filter(box=box)
        .in_force(first, last)
        .select_related("pattern", "cover_person")
        .prefetch_related("members")
    )
    if not plans:
        preview.problems.append(_("This box has no shift plan for the month."))
    planned: list[PlannedEntry] = []
    # Shifts of the day before that run into the month, if that day was never generated (the
    # previous month's roster does not exist yet): without them a first month would start empty.
    eve = first - dt.timedelta(days=1)
    eve_done = RosterEntry.objects.filter(
        box=box,
        source=EntrySource.GENERATED,
        start__gte=local_day_bounds(eve, eve, zone)[0],
        start__lt=window[0],
    ).exists()
    spill_plans = (
        []
        if eve_done
        else list(
            BoxShiftPlan.objects.filter(box=box)
            .in_force(eve, eve)
            .select_related("pattern", "cover_person")
            .prefetch_related("members")
        )
    )
    for plan in spill_plans:
        try:
            planned.extend(p for p in _plan_entries(plan, eve, eve, zone) if p.end > window[0])
        except cycle.PatternError:
            continue  # reported below if the plan is also in force in the month
    for plan in plans:
        try:
            planned.extend(_plan_entries(plan, first, last, zone))
        except cycle.PatternError as exc:
            preview.problems.append(
                _("Pattern %(code)s is invalid: %(error)s") % {"code": plan.pattern.code, "error": exc}
            )
    wide = (window[0] - dt.timedelta(days=2), window[1] + dt.timedelta(days=2))
    kept = _kept_entries(box, wide, window)
    officers = {p.officer_id for p in planned if p.officer_id} | {e.officer_id for e in kept if e.officer_id}
    leave: dict[int, list[iv.Interval]] = defaultdict(list)
    for officer_id, start, end in (
        RosterEntry.objects.filter(officer_id__in=officers, kind=EntryKind.LEAVE)
        .overlapping(*wide)
        .values_list("officer_id", "start", "end")
    ):
        leave[officer_id].append((start, end))
    preview.entries = _fit_around(planned, kept, leave)
    preview.replaced = RosterEntry.objects.filter(
        box=box, source=EntrySource.GENERATED, start__gte=window[0], start__lt=window[1]
    ).count()
    preview.gaps = _gaps(box, window, preview.entries, kept, leave)
    return preview


def _gaps(
    box: PoliceBox,
    window: iv.Interval,
    planned: list[PlannedEntry],
    kept: list[RosterEntry],
    leave: dict[int, list[iv.Interval]],
) -> BoxGaps:
    rostered: dict[int, list[iv.Interval]] = defaultdict(list)
    cover: list[iv.Interval] = []
    for p in planned:
        if p.kind == EntryKind.COVER:
            cover.append((p.start, p.end))
        elif p.officer_id:
            rostered[p.officer_id].append((p.start, p.end))
    for e in kept:
        if e.kind == EntryKind.COVER:
            cover.append((e.start, e.end))
        elif e.staffs_box and e.officer_id:
            rostered[e.officer_id].append((e.start, e.end))
    actual: dict[int, list[iv.Interval]] = defaultdict(list)
    still_open: dict[int, list[iv.Interval]] = defaultdict(list)
    for duty in DutyRecord.objects.filter(box=box).overlapping(*window):
        (still_open if duty.signed_off_at is None else actual)[duty.officer_id].append(duty.interval())
    staffed: list[iv.Interval] = []
    for officer in set(rostered) | set(actual) | set(still_open):
        staffed.extend(
            iv.effective_duty(
                iv.OfficerDuty(
                    rostered=tuple(rostered[officer]),
                    leave=tuple(leave.get(officer, [])),
                    actual=tuple(actual[officer]),
                    open=tuple(still_open[officer]),
                )
            )
        )
    # A chuzaisho officer at home is on call outside duty hours: the box is not empty then.
    residents = resident_officers([box], *window)[box.pk]
    on_call = [i for o in residents for i in iv.subtract([window], leave.get(o, []))]
    return gaps_from_intervals(box, window, staffed, cover, on_call)


@transaction.atomic
def generate_month_roster(
    actor: User,
    box: PoliceBox,
    year: int,
    month: int,
    *,
    accept_gaps: bool = False,
    dry_run: bool = False,
) -> MonthPreview:
    """Replace the month's generated entries of *box* with fresh ones from its plans.

    Nothing is saved when ``dry_run`` is set, when the box has no plan, or when the new roster would
    leave the box without an officer at some hour and ``accept_gaps`` is not set: the returned
    preview then lists those hours so that the chief can decide.
    """
    require_roster_manager(actor, box)
    # One generation per box at a time: lock the box row.
    PoliceBox.objects.select_for_update().filter(pk=box.pk).first()
    preview = preview_month(box, year, month)
    if dry_run or preview.problems or (preview.has_gaps and not accept_gaps):
        return preview
    first, last = month_days(year, month)
    window = local_day_bounds(first, last, box_zone(box))
    RosterEntry.objects.filter(
        box=box, source=EntrySource.GENERATED, start__gte=window[0], start__lt=window[1]
    ).delete()
    RosterEntry.objects.bulk_create(
        RosterEntry(
            box=box,
            officer_id=p.officer_id,
            cover_name=p.cover_name,
            start=p.start,
            end=p.end,
            kind=p.kind,
            shift_code=p.shift_code,
            source=EntrySource.GENERATED,
            plan_id=p.plan_id,
            created_by=actor,
        )
        for p in preview.entries
    )
    preview.saved = True
    gaps = preview.gaps
    record(
        actor,
        "rosters.roster.generate",
        box,
        after={
            "year": year,
            "month": month,
            "entries": len(preview.entries),
            "replaced": preview.replaced,
            "unstaffed_hours": round(gaps.unstaffed_hours, 2) if gaps else 0,
            "accepted_gaps": bool(accept_gaps and preview.has_gaps),
        },
    )
    return preview
