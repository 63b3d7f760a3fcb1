"""Admin: shift patterns are configuration and editable here; rosters and duty records are shown
read-only, because their changes go through the services (access rules and the audit trail)."""

from __future__ import annotations

from django.contrib import admin

from koban.audit.admin import AuditedConfigAdmin, ReadOnlyAdmin, ReadOnlyInline
from koban.rosters.models import BoxShiftPlan, DutyRecord, PlanMember, RosterEntry, ShiftPattern


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
