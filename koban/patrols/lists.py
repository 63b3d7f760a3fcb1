"""CSV and Excel export of the patrol list (same filters and scope as the page)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from koban.accounts.access import patrols_visible_to
from koban.audit.exports import export_list
from koban.lib.exports import Column
from koban.patrols.filters import PatrolFilter

PATROL_COLUMNS = (
    Column("started_at", _("Started at"), lambda p: p.started_at),
    Column("ended_at", _("Ended at"), lambda p: p.ended_at),
    Column("box", _("Police box"), lambda p: p.box.name),
    Column("officers", _("Officers"), lambda p: ", ".join(str(o) for o in p.officers.all())),
    Column("kind", _("Kind"), lambda p: p.get_kind_display()),
    Column("duration_minutes", _("Duration (min)"), lambda p: p.duration_minutes),
    Column("distance_m", _("Distance (m)"), lambda p: round(p.distance_m)),
    Column("source", _("Source"), lambda p: p.get_source_display()),
    Column("note", _("Note"), lambda p: p.note),
)


@login_required
def patrols_export(request: HttpRequest) -> HttpResponse:
    scope = (
        patrols_visible_to(request.user)  # type: ignore[arg-type]
        .select_related("box")
        .prefetch_related("officers")
        .order_by("-started_at", "-id")
    )
    rows = PatrolFilter(request.GET, queryset=scope, request=request).qs
    return export_list(request, rows, PATROL_COLUMNS, name="patrols", list_url=reverse("patrols:list"))
