"""CSV and Excel exports of the found-item and loss-report lists (same filters and scope as the pages)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from koban.accounts.access import boxes_with_names_shown_to, items_visible_to, reports_visible_to
from koban.audit.exports import export_list
from koban.lib.exports import Column
from koban.lostfound.filters import FoundItemFilter, LossReportFilter

ITEM_COLUMNS = (
    Column("receipt_number", _("Receipt number"), lambda i: i.receipt_number),
    Column("box", _("Police box"), lambda i: i.box.name),
    Column("category", _("Category"), lambda i: i.category.label()),
    Column("description", _("Description"), lambda i: i.description),
    Column("found_at", _("Found at"), lambda i: i.found_at),
    Column("found_place", _("Place found"), lambda i: i.found_place),
    Column("handed_in_at", _("Handed in at"), lambda i: i.handed_in_at),
    Column("state", _("State"), lambda i: i.get_state_display()),
    Column("notice_ends_on", _("Notice ends on"), lambda i: i.notice_ends_on),
    Column("storage_location", _("Storage location"), lambda i: i.storage_location),
    Column("finder_name", _("Finder's name"), lambda i: i.finder_name, personal=True),
    Column("finder_contact", _("Finder's contact"), lambda i: i.finder_contact, personal=True),
)

REPORT_COLUMNS = (
    Column("report", _("Report"), str),
    Column("box", _("Police box"), lambda r: r.box.name),
    Column("category", _("Category"), lambda r: r.category.label()),
    Column("description", _("Description"), lambda r: r.description),
    Column("reported_at", _("Reported at"), lambda r: r.reported_at),
    Column("lost_from", _("Lost from"), lambda r: r.lost_from),
    Column("lost_to", _("Lost by"), lambda r: r.lost_to),
    Column("lost_place", _("Place lost"), lambda r: r.lost_place),
    Column("status", _("Status"), lambda r: r.get_status_display()),
    Column("owner_name", _("Owner's name"), lambda r: r.owner_name, personal=True),
    Column("owner_contact", _("Owner's contact"), lambda r: r.owner_contact, personal=True),
)


def _people_of_boxes(request: HttpRequest) -> Any:
    """Whether a row's finder or owner may be exported: rows of the boxes whose people the user sees."""
    box_ids = set(boxes_with_names_shown_to(request.user).values_list("pk", flat=True))  # type: ignore[arg-type]
    return (lambda row: row.box_id in box_ids) if box_ids else None


@login_required
def items_export(request: HttpRequest) -> HttpResponse:
    scope = items_visible_to(request.user).with_related().order_by("-handed_in_at", "-id")  # type: ignore[arg-type]
    rows = FoundItemFilter(request.GET, queryset=scope, request=request).qs
    return export_list(
        request,
        rows,
        ITEM_COLUMNS,
        name="found-items",
        list_url=reverse("lostfound:items"),
        shows_people=_people_of_boxes(request),
    )


@login_required
def reports_export(request: HttpRequest) -> HttpResponse:
    scope = reports_visible_to(request.user).select_related("box", "category").order_by("-reported_at", "-id")  # type: ignore[arg-type]
    params = request.GET.copy()
    params.setdefault("status", "open")  # as the page opens
    rows = LossReportFilter(params, queryset=scope, request=request).qs
    return export_list(
        request,
        rows,
        REPORT_COLUMNS,
        name="loss-reports",
        list_url=reverse("lostfound:reports"),
        shows_people=_people_of_boxes(request),
    )
