"""Admin: item categories are configuration (edited, audited); found items, loss reports, handovers and
tasks carry finders' and owners' personal data and change only through the services, so they are
shown read-only and opening one records a read."""

from __future__ import annotations

from django.contrib import admin

from koban.audit.admin import AuditedConfigAdmin, ReadOnlyAdmin
from koban.lostfound.models import FoundItem, Handover, ItemCategory, ItemTask, LossReport


@admin.register(ItemCategory)
class ItemCategoryAdmin(AuditedConfigAdmin):
    list_display = ["code", "labels", "holds_personal_data", "bulky", "sort_order"]


@admin.register(FoundItem)
class FoundItemAdmin(ReadOnlyAdmin):
    box_path = "box"
    personal_fields = FoundItem.PERSONAL_FIELDS
    list_display = ["receipt_number", "box", "category", "state", "handed_in_at", "notice_ends_on"]
    list_filter = ["state", "category"]
    list_select_related = ["box", "category"]
    search_fields = ["receipt_number", "description"]


@admin.register(LossReport)
class LossReportAdmin(ReadOnlyAdmin):
    box_path = "box"
    personal_fields = LossReport.PERSONAL_FIELDS
    list_display = ["__str__", "box", "category", "status", "reported_at"]
    list_filter = ["status", "category"]
    list_select_related = ["box", "category"]


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    box_path = "item__box"
    personal_fields = Handover.PERSONAL_FIELDS
    list_display = ["item", "recipient", "handed_over_at", "checked_by"]
    list_filter = ["recipient"]
    list_select_related = ["item", "checked_by"]


@admin.register(ItemTask)
class ItemTaskAdmin(ReadOnlyAdmin):
    box_path = "item__box"
    list_display = ["item", "kind", "due_on", "done_at"]
    list_select_related = ["item"]
