"""Admin: counter categories are configuration; matters are shown read-only (the services audit them)."""

from __future__ import annotations

from django.contrib import admin

from koban.audit.admin import AuditedConfigAdmin, ReadOnlyAdmin
from koban.counter.models import CounterCategory, CounterMatter


@admin.register(CounterCategory)
class CounterCategoryAdmin(AuditedConfigAdmin):
    list_display = ["code", "__str__", "custody", "active", "sort_order"]
    list_editable = ["active", "sort_order"]


@admin.register(CounterMatter)
class CounterMatterAdmin(ReadOnlyAdmin):
    box_path = "box"
    personal_fields = CounterMatter.PERSONAL_FIELDS
    list_display = ["received_at", "box", "category", "channel", "outcome", "handled_by"]
    list_filter = ["category", "channel", "outcome"]
    list_select_related = ["box", "category", "handled_by"]
    date_hierarchy = "received_at"
