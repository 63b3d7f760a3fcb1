"""The printed month roster (勤務表): officers × days with shift codes, a legend and hours per officer.

One A4 landscape page per box; a station's printout has one page per box of the station the reader
may see. Leave and swap notes are personal and never printed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from koban.accounts.access import access_roster_box, access_station, roster_boxes_visible_to
from koban.accounts.models import User
from koban.lib.pdf import (
    PrintInputError,
    bad_print_input,
    parse_month,
    pdf_response,
    print_language,
    render_pdf,
)
from koban.organization.models import PoliceBox
from koban.rosters import generation
from koban.rosters.models import BoxShiftPlan, EntryKind, RosterEntry
from koban.rosters.reports import box_gaps, box_zone, hour_grid, local_day_bounds
from koban.rosters.views import GridRow, month_grid


def _kind_codes() -> dict[str, str]:
    """One- or two-character codes for entries without a pattern code (hand-made duty, leave, cover)."""
    return {
        EntryKind.DUTY: pgettext("roster code", "D"),
        EntryKind.DAY_SHIFT: pgettext("roster code", "S"),
        EntryKind.LEAVE: pgettext("roster code", "L"),
        EntryKind.COVER: pgettext("roster code", "C"),
    }


@dataclass
class PrintRow:
    """One person's line of the printed roster."""

    label: str
    codes: list[str]
    hours: float = 0.0
    duty_days: int = 0
    leave_days: int = 0


@dataclass
class BoxRoster:
    """What one box's page shows."""

    box: PoliceBox
    days: list[dt.date]
    rows: list[PrintRow]
    on_duty_per_day: list[int]
    empty_hours_per_day: list[float]
    legend: list[dict[str, str]] = field(default_factory=list)

    @property
    def total_hours(self) -> float:
        return round(sum(r.hours for r in self.rows), 1)


def _hours(entry: RosterEntry) -> float:
    return (entry.end - entry.start).total_seconds() / 3600


def _print_row(row: GridRow, codes: dict[str, str]) -> PrintRow:
    """Codes per day and totals; a shift counts whole on the day it starts (a duty of the 31st too),
    as on a paper roster: the grid has no cell for the previous month's last night."""
    printed = PrintRow(label=row.label, codes=[])
    counted: set[int] = set()
    for cell in row.cells:
        printed.codes.append(" ".join(item["entry"].shift_code or codes[item["entry"].kind] for item in cell))
        kinds = {item["entry"].kind for item in cell}
        printed.leave_days += EntryKind.LEAVE in kinds
        printed.duty_days += any(k != EntryKind.LEAVE for k in kinds)
        for item in cell:
            entry = item["entry"]
            if entry.kind != EntryKind.LEAVE and entry.pk not in counted:
                counted.add(entry.pk)
                printed.hours += _hours(entry)
    printed.hours = round(printed.hours, 1)
    return printed


def _legend(box: PoliceBox, first: dt.date, last: dt.date, language: str) -> list[dict[str, str]]:
    """The codes of the box's shift pattern(s) in force in the month, then the codes of other entries."""
    legend: list[dict[str, str]] = []
    seen: set[str] = set()
    for plan in BoxShiftPlan.objects.filter(box=box).in_force(first, last).select_related("pattern"):
        try:
            shifts = plan.pattern.parsed().shifts
        except ValueError:
            continue  # a pattern that no longer parses made no entries worth explaining
        for code, shift in shifts.items():
            if code in seen or not shift.staffs_box:
                continue
            seen.add(code)
            hours = f"{shift.minutes / 60:g} h"
            when = f"{shift.start:%H:%M}, {hours}" if shift.start else hours
            legend.append({"code": code, "label": shift.label(language), "when": when})
    kinds = dict(EntryKind.choices)
    for kind, code in _kind_codes().items():
        legend.append({"code": code, "label": str(kinds[kind]), "when": ""})
    legend.append({"code": "", "label": _("blank: off duty (rest day or day after a duty)"), "when": ""})
    return legend


def box_roster(box: PoliceBox, year: int, month: int, language: str) -> BoxRoster:
    """The printed roster of *box* for the month (times in the box's zone)."""
    days, grid_rows = month_grid(box, year, month)
    zone = box_zone(box)
    window = local_day_bounds(days[0], days[-1], zone)
    codes = _kind_codes()
    rows = [_print_row(r, codes) for r in grid_rows]
    on_duty = [
        sum(any(item["entry"].staffs_box for item in r.cells[i]) for r in grid_rows if r.person)
        for i in range(len(days))
    ]
    [gaps] = box_gaps([box], *window)
    empty = [
        round(sum(c.unstaffed_minutes for c in cells) / 60, 1)
        for _day, cells in hour_grid(gaps, days[0], days[-1], zone)
    ]
    return BoxRoster(box, days, rows, on_duty, empty, _legend(box, days[0], days[-1], language))


def _month(request: HttpRequest) -> tuple[int, int]:
    value = request.GET.get("month", "")
    if not value.strip():
        today = timezone.localdate()
        return today.year, today.month
    year, month = parse_month("month", value)
    try:
        generation.month_days(year, month)
    except ValidationError as exc:
        raise PrintInputError("month: " + " ".join(exc.messages)) from None
    return year, month


def _render(
    request: HttpRequest, boxes: list[PoliceBox], title_place: str, year: int, month: int, language: str
) -> bytes:
    zone = box_zone(boxes[0] if boxes else None)
    context: dict[str, Any] = {"place": title_place, "year": year, "month": month}
    context["printed_at"], context["printed_by"] = timezone.localtime(timezone=zone), request.user
    # Built inside the language so that kind names and shift labels come out in it.
    with translation.override(language):
        context["rosters"] = [box_roster(b, year, month, language) for b in boxes]
    return render_pdf("rosters/print/month.html", context, language, zone)


@login_required
def box_month_pdf(request: HttpRequest, box_id: int) -> HttpResponse:
    """The month roster of one box as an A4 landscape PDF (``?month=YYYY-MM``, default this month)."""
    box = access_roster_box(request.user, box_id)  # type: ignore[arg-type]
    try:
        language = print_language(request)
        year, month = _month(request)
    except PrintInputError as exc:
        return bad_print_input(exc)
    pdf = _render(request, [box], box.name, year, month, language)
    return pdf_response(pdf, f"roster-{box.code}-{year:04d}{month:02d}-{language}.pdf")


@login_required
def station_month_pdf(request: HttpRequest, station_id: int) -> HttpResponse:
    """The month rosters of a station's boxes (those the reader may see), one page per box."""
    user: User = request.user  # type: ignore[assignment]
    station = access_station(user, station_id)
    try:
        language = print_language(request)
        year, month = _month(request)
    except PrintInputError as exc:
        return bad_print_input(exc)
    boxes = list(
        roster_boxes_visible_to(user).filter(station=station).operating().with_station().order_by("code")
    )
    pdf = _render(request, boxes, station.name, year, month, language)
    return pdf_response(pdf, f"roster-{station.code}-{year:04d}{month:02d}-{language}.pdf")
