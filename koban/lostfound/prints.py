"""Printed ledgers of lost property: the found-property ledger (遺失物件台帳) and the loss-report
register (遺失届受理簿) of a box or a station for a period, A4 landscape, headers on every page.

The ledgers read what the list pages read (station-wide, ``items_visible_to``/``reports_visible_to``);
finders' and owners' names are printed only for the boxes whose records the reader works on and masked
elsewhere, like on the pages, and every unmasked name printed leaves a read row in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from koban.accounts.access import (
    access_box,
    access_station,
    can_see_finder_details,
    home_box_id,
    items_visible_to,
    reports_visible_to,
    stations_visible_to,
)
from koban.accounts.models import User
from koban.audit.reads import note_read
from koban.lib.pdf import (
    PrintInputError,
    bad_print_input,
    pdf_response,
    print_language,
    query_period,
    render_pdf,
)
from koban.lostfound.models import FoundItem, LossReport
from koban.lostfound.queries import mask
from koban.organization.models import PoliceBox, PoliceStation
from koban.rosters.reports import box_zone, local_day_bounds

# A ledger beyond this many rows takes too long to lay out in one request: ask for a shorter period.
MAX_LEDGER_ROWS = 3000


@dataclass
class LedgerScope:
    """The box or station a ledger covers, and how it is named on the page and in the file name."""

    box: PoliceBox | None
    station: PoliceStation

    @property
    def name(self) -> str:
        return self.box.name if self.box else self.station.name

    @property
    def code(self) -> str:
        return self.box.code if self.box else self.station.code

    def narrow(self, records: QuerySet[Any]) -> QuerySet[Any]:
        if self.box:
            return records.filter(box=self.box)
        return records.filter(box__station=self.station)


def ledger_scope(request: HttpRequest) -> LedgerScope:
    """``?box=ID`` or ``?station=ID``; ``Http404`` for ones not visible.

    Without either: the reader's own box, else their station if they see only one (a station chief).
    """
    user: User = request.user  # type: ignore[assignment]
    box_id, station_id = request.GET.get("box", "").strip(), request.GET.get("station", "").strip()
    if not box_id and not station_id:
        box_id = str(home_box_id(user) or "")
        stations = list(stations_visible_to(user)[:2])
        if not box_id and len(stations) == 1:
            station_id = str(stations[0].pk)
    if station_id and not box_id:
        return LedgerScope(None, access_station(user, station_id))
    if not box_id:
        raise PrintInputError(_("box: choose a police box or a police station."))
    box = access_box(user, box_id)
    return LedgerScope(box, box.station)


class FinderNames:
    """Names as the reader may see them: whole for the boxes they work on, masked elsewhere."""

    def __init__(self, user: User) -> None:
        self.user = user
        self._allowed: dict[int, bool] = {}

    def allowed(self, box: PoliceBox) -> bool:
        if box.pk not in self._allowed:
            self._allowed[box.pk] = can_see_finder_details(self.user, box)
        return self._allowed[box.pk]

    def show(self, box: PoliceBox, value: str, *, contact: bool = False) -> str:
        if self.allowed(box):
            return value
        return mask(value, keep_start=0, keep_end=2) if contact else mask(value)


def _outcome(item: FoundItem) -> str:
    """How the item left the box (or where it stands), without the recipient's name."""
    handover = getattr(item, "handover", None)
    if handover is not None:
        when = timezone.localtime(handover.handed_over_at).strftime("%Y-%m-%d")
        return f"{handover.get_recipient_display()} {when}"
    if item.disposal_note:
        return item.disposal_note
    return ""


def _custody(item: FoundItem) -> str:
    if item.custody_station_id and item.custody_station:
        return _("%(station)s (station custody)") % {"station": item.custody_station.name}
    return item.storage_location


def _period_window(scope: LedgerScope, first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return local_day_bounds(first, last, box_zone(scope.box))


def _default_period() -> tuple[dt.date, dt.date]:
    """From the first of this month to today."""
    today = timezone.localdate()
    return today.replace(day=1), today


def _too_long(count: int) -> PrintInputError:
    return PrintInputError(
        _("from: %(count)d entries in this period; a ledger prints at most %(max)d, choose a shorter period.")
        % {"count": count, "max": MAX_LEDGER_ROWS}
    )


def item_rows(user: User, scope: LedgerScope, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """The found-property ledger's rows: items handed in during the period, in receipt order."""
    start, end = _period_window(scope, first, last)
    items = scope.narrow(items_visible_to(user)).filter(handed_in_at__gte=start, handed_in_at__lt=end)
    if (count := items.count()) > MAX_LEDGER_ROWS:
        raise _too_long(count)
    items = items.select_related("box", "box__station", "category", "handover", "custody_station")
    names = FinderNames(user)
    rows = []
    shown: list[FoundItem] = []
    for item in items.order_by("handed_in_at", "receipt_seq", "id"):
        if item.finder_name and names.allowed(item.box):
            shown.append(item)
        rows.append(
            {
                "item": item,
                "category": item.category.label(translation.get_language()),
                "finder": names.show(item.box, item.finder_name),
                "custody": _custody(item),
                "outcome": _outcome(item),
            }
        )
    note_read(shown, ["finder_name"])
    return rows


def report_rows(user: User, scope: LedgerScope, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """The loss-report register's rows: reports taken during the period, in the order taken."""
    start, end = _period_window(scope, first, last)
    reports = scope.narrow(reports_visible_to(user)).filter(reported_at__gte=start, reported_at__lt=end)
    if (count := reports.count()) > MAX_LEDGER_ROWS:
        raise _too_long(count)
    names = FinderNames(user)
    rows = []
    shown: list[LossReport] = []
    for report in reports.select_related("box", "category").order_by("reported_at", "id"):
        if names.allowed(report.box):
            shown.append(report)
        rows.append(
            {
                "report": report,
                "category": report.category.label(translation.get_language()),
                "owner": names.show(report.box, report.owner_name),
                "contact": names.show(report.box, report.owner_contact, contact=True),
            }
        )
    note_read(shown, LossReport.PERSONAL_FIELDS)
    return rows


def _ledger(request: HttpRequest, kind: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        scope = ledger_scope(request)
        language = print_language(request)
        first, last = query_period(request, _default_period())
        zone = box_zone(scope.box)
        with translation.override(language), timezone.override(zone):
            rows = (item_rows if kind == "items" else report_rows)(user, scope, first, last)
    except PrintInputError as exc:
        return bad_print_input(exc)
    context = {
        "scope": scope,
        "first": first,
        "last": last,
        "rows": rows,
        "printed_at": timezone.localtime(timezone=zone),
        "printed_by": user,
    }
    pdf = render_pdf(f"lostfound/print/{kind}_ledger.html", context, language, zone)
    name = "found-items" if kind == "items" else "loss-reports"
    return pdf_response(pdf, f"{name}-{scope.code}-{first:%Y%m%d}-{last:%Y%m%d}-{language}.pdf")


@login_required
def items_ledger_pdf(request: HttpRequest) -> HttpResponse:
    """The found-property ledger (``?box=`` or ``?station=``, ``?from=&to=``, ``?lang=``) as PDF."""
    return _ledger(request, "items")


@login_required
def reports_ledger_pdf(request: HttpRequest) -> HttpResponse:
    """The loss-report register (same parameters as the found-property ledger) as PDF."""
    return _ledger(request, "reports")
