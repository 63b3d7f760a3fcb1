"""CSV and Excel export of the incident list (same filters and scope as the page).

What a caller said is in the description, often with names and numbers: it is exported to the users
who may read the incident, and the export leaves a read row in the audit trail.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from koban.accounts.access import incidents_visible_to
from koban.audit.exports import export_list
from koban.incidents.filters import IncidentFilter
from koban.lib.exports import Column

INCIDENT_COLUMNS = (
    Column("id", _("Number"), lambda i: i.pk),
    Column("received_at", _("Received at"), lambda i: i.received_at),
    Column("source", _("Source"), lambda i: i.get_source_display()),
    Column("category", _("Category"), lambda i: str(i.category)),
    Column("priority", _("Priority"), lambda i: i.get_priority_display()),
    Column("status", _("Status"), lambda i: i.get_status_display()),
    Column("address", _("Address"), lambda i: i.address),
    Column("station", _("Police station"), lambda i: i.station.name if i.station else ""),
    Column("box", _("Police box"), lambda i: i.box.name if i.box else ""),
    Column("dispatched_at", _("Dispatched at"), lambda i: i.dispatched_at),
    Column("arrived_at", _("Arrived at"), lambda i: i.arrived_at),
    Column("cleared_at", _("Cleared at"), lambda i: i.cleared_at),
    Column("description", _("Description"), lambda i: i.description, personal=True),
)


@login_required
def incidents_export(request: HttpRequest) -> HttpResponse:
    scope = incidents_visible_to(request.user).with_relations().order_by("-received_at", "-id")  # type: ignore[arg-type]
    rows = IncidentFilter(request.GET, queryset=scope, request=request).qs
    return export_list(
        request,
        rows,
        INCIDENT_COLUMNS,
        name="incidents",
        list_url=reverse("incidents:list"),
        # Whoever may read an incident reads what the caller said.
        shows_people=lambda incident: True,
    )
