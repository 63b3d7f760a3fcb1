"""Admin: shift patterns are configuration and editable here; rosters and duty records are shown
read-only, because their changes go through the services (access rules and the audit trail)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from koban.audit.services import record, snapshot
from koban.rosters.models import BoxShiftPlan, DutyRecord, PlanMember, RosterEntry, ShiftPattern


class AuditedConfigAdmin(admin.ModelAdmin):
    """Configuration edited in the admin still leaves an audit row with the fields before and after."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
            super().save_model(request, obj, form, change)
            action = f"{obj._meta.label_lower}.{'update' if change else 'create'}"
            record(request.user, action, obj, before=before, after=snapshot(obj), note="admin")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            record(request.user, f"{obj._meta.label_lower}.delete", obj, before=snapshot(obj), note="admin")
            super().delete_model(request, obj)


@admin.register(ShiftPattern)
class ShiftPatternAdmin(AuditedConfigAdmin):
    list_display = ["code", "__str__", "kind", "active"]
    list_filter = ["kind", "active"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PlanMemberInline(admin.TabularInline):
    model = PlanMember
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BoxShiftPlan)
class BoxShiftPlanAdmin(ReadOnlyAdmin):
    list_display = ["box", "pattern", "valid_from", "valid_until", "anchor"]
    list_filter = ["pattern"]
    inlines = [PlanMemberInline]


@admin.register(RosterEntry)
class RosterEntryAdmin(ReadOnlyAdmin):
    list_display = ["box", "officer", "cover_name", "kind", "shift_code", "start", "end", "source"]
    list_filter = ["kind", "source"]
    date_hierarchy = "start"


@admin.register(DutyRecord)
class DutyRecordAdmin(ReadOnlyAdmin):
    list_display = ["box", "officer", "signed_on_at", "signed_off_at"]
    date_hierarchy = "signed_on_at"
