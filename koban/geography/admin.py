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
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from leaflet.admin import LeafletGeoAdmin

from koban.audit.services import record, snapshot
from koban.geography.importers.admin_views import CHANGE_LIST_WITH_IMPORT, NetworkAdminMixin
from koban.geography.models import AdminArea, Beat, BeatVersion, RoadSegment
from koban.geography.services import activate_version, check_version

MAX_PROBLEMS_SHOWN = 20


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
    change_list_template = CHANGE_LIST_WITH_IMPORT
    audit_action = "beat_version.update"
    list_display = ["name", "agency", "status", "created_at", "activated_at", "retired_at"]
    list_filter = ["agency", "status"]
    readonly_fields = ["agency", "status", "source", "created_by", "created_at", "activated_at", "retired_at"]
    actions = ["check_overlaps_and_gaps", "activate"]

    @admin.action(description=gettext_lazy("Check for overlaps and gaps"))
    def check_overlaps_and_gaps(self, request: HttpRequest, queryset: QuerySet[BeatVersion]) -> None:
        for version in queryset.select_related("agency"):
            report = check_version(version)
            if not report.problems:
                self.message_user(request, _("%(version)s: no overlaps or gaps.") % {"version": version})
                continue
            self.message_user(
                request,
                _("%(version)s: %(overlaps)s overlap(s), %(gaps)s gap(s).")
                % {"version": version, "overlaps": len(report.overlaps), "gaps": len(report.gaps)},
                messages.WARNING,
            )
            for problem in report.problems[:MAX_PROBLEMS_SHOWN]:
                self.message_user(request, problem.describe(), messages.WARNING)

    @admin.action(description=gettext_lazy("Activate (retires the agency's active version)"))
    def activate(self, request: HttpRequest, queryset: QuerySet[BeatVersion]) -> None:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one beat version to activate."), messages.ERROR)
            return
        version = queryset.get()
        try:
            activate_version(request.user, version)
        except (ValidationError, PermissionDenied) as exc:
            text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.message_user(request, text, messages.ERROR)
            return
        self.message_user(request, _("%(version)s is now active.") % {"version": version.name})


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
