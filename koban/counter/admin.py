"""Admin: counter categories are configuration; matters are shown read-only (the services audit them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from koban.audit.services import record, snapshot
from koban.counter.models import CounterCategory, CounterMatter


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


@admin.register(CounterCategory)
class CounterCategoryAdmin(AuditedConfigAdmin):
    list_display = ["code", "__str__", "custody", "active", "sort_order"]
    list_editable = ["active", "sort_order"]


@admin.register(CounterMatter)
class CounterMatterAdmin(admin.ModelAdmin):
    list_display = ["received_at", "box", "category", "channel", "outcome", "handled_by"]
    list_filter = ["category", "channel", "outcome"]
    date_hierarchy = "received_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
