"""Roster pages: on duty now, a box's month grid, generating a month, leave, swaps, empty-box report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from koban.accounts.access import (
    access_roster_box,
    access_roster_entry,
    boxes_visible_to,
    can_manage_roster,
    roster_boxes_visible_to,
    rosterable_officers,
    stations_visible_to,
)
from koban.accounts.models import User
from koban.organization.models import PoliceBox
from koban.rosters import generation, services
from koban.rosters.forms import GenerateForm, LeaveForm, PlanForm, ReportForm, SwapForm
from koban.rosters.models import BoxShiftPlan, EntryKind, RosterEntry
from koban.rosters.queries import on_duty_officers
from koban.rosters.reports import (
    box_gaps,
    box_zone,
    by_station,
    describe_interval,
    hour_grid,
    local_day_bounds,
)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Every visible box with the officers on duty now and a link to its roster."""
    boxes = list(roster_boxes_visible_to(_user(request)).operating().with_station())
    now = timezone.now()
    duty = on_duty_officers([b.pk for b in boxes], now)
    today = timezone.localdate()
    rows = [{"box": b, "officers": duty[b.pk]} for b in boxes]
    return render(
        request,
        "rosters/index.html",
        {"rows": rows, "now": now, "year": today.year, "month": today.month},
    )


@dataclass
class GridRow:
    label: str
    person: User | None
    cells: list[list[dict[str, Any]]] = field(default_factory=list)


def _shift_labels(box: PoliceBox) -> dict[tuple[int, str], str]:
    labels: dict[tuple[int, str], str] = {}
    lang = (get_language() or "en").split("-")[0]
    for plan in BoxShiftPlan.objects.filter(box=box).select_related("pattern"):
        try:
            shifts = plan.pattern.parsed().shifts
        except ValueError:
            continue
        for code, shift in shifts.items():
            labels[(plan.pk, code)] = shift.label(lang)
    return labels


def month_grid(box: PoliceBox, year: int, month: int) -> tuple[list[dt.date], list[GridRow]]:
    """Officers (and counter cover) × days of the month, each cell the shifts starting that day."""
    first, last = generation.month_days(year, month)
    zone = box_zone(box)
    window = local_day_bounds(first, last, zone)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    labels = _shift_labels(box)
    entries = list(RosterEntry.objects.filter(box=box).overlapping(*window).select_related("officer"))
    members = rosterable_officers(box, own_box_only=True)
    people: dict[int | None, GridRow] = {u.pk: GridRow(str(u), u) for u in members.order_by("username")}
    index = {d: i for i, d in enumerate(days)}
    for row in people.values():
        row.cells = [[] for _ in days]
    cover = GridRow(_("Counter cover"), None, [[] for _ in days])
    for e in entries:
        if e.kind == EntryKind.COVER:
            row = cover
        else:
            row = people.setdefault(e.officer_id, GridRow(str(e.officer), e.officer, [[] for _ in days]))
        start_day = e.start.astimezone(zone).date()
        end_day = (e.end - dt.timedelta(seconds=1)).astimezone(zone).date()
        span = [start_day] if e.kind != EntryKind.LEAVE else [d for d in days if start_day <= d <= end_day]
        text = labels.get((e.plan_id or 0, e.shift_code)) or e.get_kind_display()
        for day in span:
            if day in index:
                row.cells[index[day]].append({"entry": e, "text": text})
    rows = list(people.values())
    if any(cover.cells):
        rows.append(cover)
    return days, rows


def _month_context(box: PoliceBox, year: int, month: int, user: User) -> dict[str, Any]:
    days, rows = month_grid(box, year, month)
    zone = box_zone(box)
    window = local_day_bounds(days[0], days[-1], zone)
    [gaps] = box_gaps([box], *window)
    day_hours = [
        round(sum(c.unstaffed_minutes for c in cells) / 60, 1)
        for _, cells in hour_grid(gaps, days[0], days[-1], zone)
    ]
    prev_month = days[0] - dt.timedelta(days=1)
    next_month = days[-1] + dt.timedelta(days=1)
    return {
        "box": box,
        "year": year,
        "month": month,
        "days": days,
        "rows": rows,
        "gaps": gaps,
        "gap_texts": [describe_interval(i, zone) for i in gaps.unstaffed][:60],
        "day_hours": day_hours,
        "prev": prev_month,
        "next": next_month,
        "can_manage": can_manage_roster(user, box),
        "generate_form": GenerateForm(initial={"year": year, "month": month}),
        "plan": BoxShiftPlan.objects.filter(box=box)
        .in_force(days[0], days[-1])
        .select_related("pattern")
        .first(),
    }


@login_required
def month_view(request: HttpRequest, box_id: int, year: int, month: int) -> HttpResponse:
    box = access_roster_box(_user(request), box_id)
    try:
        context = _month_context(box, year, month, _user(request))
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=404)
    return render(request, "rosters/month.html", context)


@login_required
@require_POST
def generate_view(request: HttpRequest, box_id: int) -> HttpResponse:
    """Preview first: if the new roster leaves empty hours, show them and ask for confirmation."""
    box = access_roster_box(_user(request), box_id)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid year and month."))
        today = timezone.localdate()
        return redirect("rosters:month", box.pk, today.year, today.month)
    year, month = form.cleaned_data["year"], form.cleaned_data["month"]
    preview = generation.generate_month_roster(
        _user(request), box, year, month, accept_gaps=form.cleaned_data["accept_gaps"]
    )
    if preview.saved:
        messages.success(request, _("The roster was generated: %(n)s entries.") % {"n": len(preview.entries)})
        return redirect("rosters:month", box.pk, year, month)
    zone = box_zone(box)
    return render(
        request,
        "rosters/generate_preview.html",
        {
            "box": box,
            "year": year,
            "month": month,
            "preview": preview,
            "gap_texts": [describe_interval(i, zone) for i in preview.gaps.unstaffed] if preview.gaps else [],
            "form": GenerateForm(initial={"year": year, "month": month, "accept_gaps": True}),
        },
    )


@login_required
def leave_view(request: HttpRequest, box_id: int) -> HttpResponse:
    box = access_roster_box(_user(request), box_id)
    services.require_roster_manager(_user(request), box)
    form = LeaveForm(request.POST or None, box=box)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            leave = services.record_leave(_user(request), box, d["officer"], d["start"], d["end"], d["note"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Leave recorded for %(who)s.") % {"who": d["officer"]})
            local = timezone.localtime(leave.start)
            return redirect("rosters:month", box.pk, local.year, local.month)
    return render(request, "rosters/leave_form.html", {"box": box, "form": form})


@login_required
def plan_view(request: HttpRequest, box_id: int) -> HttpResponse:
    """Put the box on a shift pattern from a date, with its officers in groups."""
    box = access_roster_box(_user(request), box_id)
    services.require_roster_manager(_user(request), box)
    today = timezone.localdate()
    first = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    form = PlanForm(request.POST or None, box=box, initial={"valid_from": first, "anchor": first})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            plan = services.create_plan(
                _user(request),
                box,
                d["pattern"],
                anchor=d["anchor"],
                valid_from=d["valid_from"],
                members=form.members(),
                cover_name=d["cover_name"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(box)s follows %(pattern)s from %(day)s.")
                % {"box": box, "pattern": plan.pattern, "day": plan.valid_from},
            )
            return redirect("rosters:month", box.pk, plan.valid_from.year, plan.valid_from.month)
    plans = BoxShiftPlan.objects.filter(box=box).select_related("pattern").order_by("-valid_from")
    return render(request, "rosters/plan_form.html", {"box": box, "form": form, "plans": plans})


@login_required
def swap_view(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = _user(request)
    entry = access_roster_entry(user, entry_id)
    services.require_roster_manager(user, entry.box)
    form = SwapForm(request.POST or None, box=entry.box)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_swap(user, entry, form.cleaned_data["to_officer"], form.cleaned_data["note"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The shift was handed over."))
            local = timezone.localtime(entry.start)
            return redirect("rosters:month", entry.box_id, local.year, local.month)
    return render(request, "rosters/swap_form.html", {"entry": entry, "box": entry.box, "form": form})


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def empty_report(request: HttpRequest) -> HttpResponse:
    """Empty-box hours per box and station over a date range, with an hour-by-day heat strip per box."""
    user = _user(request)
    today = timezone.localdate()
    form = ReportForm(request.GET or {"start": today - dt.timedelta(days=6), "end": today})
    stations = stations_visible_to(user)
    station_id = request.GET.get("station", "")
    boxes = boxes_visible_to(user).operating().with_station()
    if station_id.isdigit():
        boxes = boxes.filter(station_id=int(station_id))
    context: dict[str, Any] = {"form": form, "stations": stations, "station_id": station_id}
    if form.is_valid():
        first, last = form.cleaned_data["start"], form.cleaned_data["end"]
        zone = box_zone()
        gaps = box_gaps(list(boxes), *local_day_bounds(first, last, zone))
        context.update(
            {
                "boxes": [{"gaps": g, "grid": hour_grid(g, first, last, zone)} for g in gaps],
                "stations_summary": by_station(gaps),
                "hours": range(24),
                "minutes_note": _("min without an officer / of which covered"),
            }
        )
    return render(request, "rosters/empty_report.html", context)
