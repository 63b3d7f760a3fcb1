"""Admin: shift patterns are configuration and editable here; rosters and duty records are shown
read-only, because their changes go through the services (access rules and the audit trail)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from koban.accounts.access import boxes_rosterable_by
from koban.audit.admin import AuditedConfigAdmin, ReadOnlyAdmin, ReadOnlyInline
from koban.rosters.models import (
    BoxShiftPlan,
    CrewAssignment,
    DutyRecord,
    PatrolCar,
    PlanMember,
    RosterEntry,
    ShiftPattern,
)


@admin.register(ShiftPattern)
class ShiftPatternAdmin(AuditedConfigAdmin):
    list_display = ["code", "__str__", "kind", "active"]
    list_filter = ["kind", "active"]


class PlanMemberInline(ReadOnlyInline):
    model = PlanMember


@admin.register(BoxShiftPlan)
class BoxShiftPlanAdmin(ReadOnlyAdmin):
    box_path = "box"
    list_display = ["box", "pattern", "valid_from", "valid_until", "anchor"]
    list_filter = ["pattern"]
    inlines = [PlanMemberInline]


@admin.register(RosterEntry)
class RosterEntryAdmin(ReadOnlyAdmin):
    box_path = "box"
    list_display = ["box", "officer", "cover_name", "kind", "shift_code", "start", "end", "source"]
    list_filter = ["kind", "source"]
    date_hierarchy = "start"


@admin.register(DutyRecord)
class DutyRecordAdmin(ReadOnlyAdmin):
    box_path = "box"
    list_display = ["box", "officer", "signed_on_at", "signed_off_at"]
    date_hierarchy = "signed_on_at"


class CrewInline(ReadOnlyInline):
    model = CrewAssignment
    fields = ["officer", "start", "end", "assigned_by"]
    ordering = ["-start"]


@admin.register(PatrolCar)
class PatrolCarAdmin(AuditedConfigAdmin):
    """Cars are configuration (call sign, box, kind); crews are assigned through the service
    (``rosters.services.assign_crew``: the API and the demo) and only shown here."""

    list_display = ["call_sign", "box", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["call_sign"]
    inlines = [CrewInline]

    # The cars of the boxes whose rosters the user keeps, like the crews they may assign.
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).filter(box__in=boxes_rosterable_by(request.user))  # type: ignore[arg-type]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "box":
            kwargs["queryset"] = boxes_rosterable_by(request.user)  # type: ignore[arg-type]
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(CrewAssignment)
class CrewAssignmentAdmin(ReadOnlyAdmin):
    box_path = "car__box"
    list_display = ["car", "officer", "start", "end"]
    date_hierarchy = "start"
