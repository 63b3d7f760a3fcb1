"""Admin pages for areas, beat versions, beats and roads, with the file importers and beat actions.

Areas and beats come from imports (or derivations), so the admin offers no "add" for them; the
maps show their boundaries without editing them. Changes made here are written to the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from leaflet.admin import LeafletGeoAdmin

from koban.accounts.access import can_override_beat_check
from koban.audit.services import record, snapshot
from koban.geography.importers.admin_views import CHANGE_LIST_WITH_IMPORT, NetworkAdminMixin
from koban.geography.jobs import start_version_check
from koban.geography.models import AdminArea, Beat, BeatVersion, RoadSegment
from koban.geography.services import BeatCheckFailedError, VersionReport, activate_version
from koban.lib.geojson import rfc7946_geometry

# The confirmation page lists more: the planner decides on it.
MAX_PROBLEMS_LISTED = 100


class AuditedAdmin(NetworkAdminMixin):
    """Saves changed fields with one audit row; adding is left to the importers."""

    audit_action = ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: models.Model, form: ModelForm, change: bool) -> None:
        if not form.changed_data:
            return
        with transaction.atomic():
            before = snapshot(type(obj)._default_manager.select_for_update().get(pk=obj.pk))
            obj.save(update_fields=form.changed_data)
            record(request.user, self.audit_action, obj, before=before, after=snapshot(obj))


@admin.register(AdminArea)
class AdminAreaAdmin(AuditedAdmin, LeafletGeoAdmin):
    import_kind = "areas"
    change_list_template = CHANGE_LIST_WITH_IMPORT
    audit_action = "admin_area.update"
    modifiable = False
    list_display = ["code", "name", "level", "population", "households", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    readonly_fields = ["level", "code", "source"]


@admin.register(BeatVersion)
class BeatVersionAdmin(AuditedAdmin, admin.ModelAdmin):
    import_kind = "beats"
    labels_import = True
    change_list_template = CHANGE_LIST_WITH_IMPORT
    audit_action = "beat_version.update"
    list_display = ["name", "agency", "status", "created_at", "activated_at", "retired_at"]
    list_filter = ["agency", "status"]
    readonly_fields = ["agency", "status", "source", "created_by", "created_at", "activated_at", "retired_at"]
    actions = ["check_overlaps_and_gaps", "activate"]

    @admin.action(description=gettext_lazy("Check (overlaps, gaps, boxes, dropped beats)"))
    def check_overlaps_and_gaps(
        self, request: HttpRequest, queryset: QuerySet[BeatVersion]
    ) -> HttpResponse | None:
        """Queue the check of each selected version as a background run (a large agency takes a while).

        One version: its run page, which follows the progress and shows the report. Several: a link each.
        """
        started = []
        for version in queryset.select_related("agency"):
            try:
                started.append(start_version_check(request.user, version))
            except PermissionDenied as exc:
                self.message_user(request, f"{version}: {exc}", messages.ERROR)
        if len(started) == 1:
            return HttpResponseRedirect(reverse("web:run", args=[started[0].pk]))
        for run in started:
            self.message_user(
                request,
                format_html(
                    '<a href="{}">{}</a>',
                    reverse("web:run", args=[run.pk]),
                    _("%(title)s: queued") % {"title": run.title},
                ),
            )
        return None

    @admin.action(description=gettext_lazy("Activate (retires the agency's active version)"))
    def activate(self, request: HttpRequest, queryset: QuerySet[BeatVersion]) -> HttpResponse | None:
        """Activate one version; a version that fails its check first gets the confirmation page."""
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one beat version to activate."), messages.ERROR)
            return None
        version = queryset.get()
        confirming = request.POST.get("confirm_override") == "yes"
        reason = request.POST.get("override_reason", "")[:1000] if confirming else ""
        try:
            result = activate_version(request.user, version, override_reason=reason)
        except BeatCheckFailedError as failed:
            if not can_override_beat_check(request.user):  # type: ignore[arg-type]
                self.message_user(request, "; ".join(failed.messages), messages.ERROR)
                return None
            error = _("Give the reason for activating this version anyway.") if confirming else ""
            return self._confirmation(request, version, failed.report, error)
        except (ValidationError, PermissionDenied) as exc:
            text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.message_user(request, text, messages.ERROR)
            return None
        if result.already_active:
            self.message_user(
                request, _("%(version)s is already active; nothing changed.") % {"version": version.name}
            )
        elif result.override_reason:
            self.message_user(
                request,
                _("%(version)s is now active despite its check (%(summary)s); the reason is recorded.")
                % {"version": version.name, "summary": result.report.summary() if result.report else ""},
                messages.WARNING,
            )
        else:
            self.message_user(request, _("%(version)s is now active.") % {"version": version.name})
        return None

    def _confirmation(
        self, request: HttpRequest, version: BeatVersion, report: VersionReport, reason_error: str
    ) -> TemplateResponse:
        beats = [
            {"type": "Feature", "geometry": rfc7946_geometry(b.geom), "properties": {"code": b.code}}
            for b in version.beats.only("code", "geom")
        ]
        shown = [p.describe() for p in report.problems[:MAX_PROBLEMS_LISTED]]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Activate %(version)s despite its check?") % {"version": version.name},
            "version": version,
            "report": report,
            "problems": shown,
            "hidden": len(report.problems) - len(shown),
            "reason_error": reason_error,
            "map_data": {
                "beats": {"type": "FeatureCollection", "features": beats},
                "problems": report.problems_geojson(),
            },
        }
        return TemplateResponse(request, "admin/geography/activate_confirm.html", context)


@admin.register(Beat)
class BeatAdmin(AuditedAdmin, LeafletGeoAdmin):
    audit_action = "beat.update"
    modifiable = False
    list_display = ["code", "name", "box", "version", "population", "area_m2"]
    list_filter = ["version__agency", "version__status", "version"]
    search_fields = ["code", "name", "box__name"]
    list_select_related = ["box", "version"]
    readonly_fields = ["version", "box", "code", "area_m2"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("box", "version")


@admin.register(RoadSegment)
class RoadSegmentAdmin(AuditedAdmin, LeafletGeoAdmin):
    audit_action = "road_segment.update"
    modifiable = False
    list_display = ["name", "kind", "length_m", "source"]
    list_filter = ["kind"]
    search_fields = ["name"]
    readonly_fields = ["length_m", "source"]
