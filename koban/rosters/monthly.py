"""The station chief's monthly empty-box report (空き交番の月報): per box and station, in H:MM.

Built on the presence rule (``koban.rosters.presence``): time with an officer in the box, a chuzaisho
on call, and empty time split into counter-covered and uncovered. Minutes are never rounded away.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from koban.accounts.access import boxes_visible_to, stations_visible_to
from koban.accounts.models import User
from koban.analytics.algorithms.presence import format_minutes
from koban.rosters.forms import MonthForm
from koban.rosters.reports import BoxGaps, box_gaps, box_zone, by_station, local_day_bounds


def month_bounds(first: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the month of *first*."""
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def month_gaps(user: User, first: dt.date, station_id: str = "") -> list[BoxGaps]:
    """Empty-box figures of every operating box *user* sees (optionally of one station) for a month."""
    boxes = boxes_visible_to(user).operating().with_station().order_by("station__name", "code")
    if station_id.isdigit():
        boxes = boxes.filter(station_id=int(station_id))
    start, end = local_day_bounds(*month_bounds(first), box_zone())
    return box_gaps(list(boxes), start, end)


def _csv(gaps: list[BoxGaps], month: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="empty-box-{month}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 Japanese correctly only with a BOM
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Police station"),
            _("Police box"),
            _("Empty (h:mm)"),
            _("of which counter cover"),
            _("uncovered"),
            _("On call (chuzaisho)"),
            _("Empty minutes"),
        ]
    )
    for g in gaps:
        writer.writerow(
            [
                g.box.station.name,
                g.box.name,
                g.unstaffed_text,
                g.covered_text,
                g.uncovered_text,
                g.on_call_text,
                f"{g.unstaffed_seconds / 60:.1f}",
            ]
        )
    return response


@login_required
def monthly_report(request: HttpRequest) -> HttpResponse:
    """The month's empty-box hours per box and station (``?month=YYYY-MM&station=``; ``format=csv``)."""
    user: User = request.user  # type: ignore[assignment]
    today = timezone.localdate()
    form = MonthForm(request.GET or {"month": f"{today:%Y-%m}"})
    station_id = request.GET.get("station", "")
    context: dict[str, Any] = {"form": form, "stations": stations_visible_to(user), "station_id": station_id}
    if form.is_valid():
        gaps = month_gaps(user, form.first_day(), station_id)
        if request.GET.get("format") == "csv":
            return _csv(gaps, form.cleaned_data["month"])
        stations = by_station(gaps)
        context.update(
            {
                "boxes": gaps,
                "stations_summary": stations,
                "total_text": format_minutes(sum(s.unstaffed_seconds for s in stations)),
                "month": form.cleaned_data["month"],
            }
        )
    return render(request, "rosters/monthly_report.html", context)
