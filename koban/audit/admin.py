"""The two admin bases every app uses, and the read-only view of the audit trail.

The admin is not a second way to change the records of daily work. Every app's admin is one of:
- ``ReadOnlyAdmin`` for records that carry personal data or are written by services (found items,
  loss reports, handovers, patrols, cards, counter matters, rosters…): viewable, never added,
  changed or deleted here;
- ``AuditedConfigAdmin`` for configuration rows (categories, shift patterns): editable, and every
  save or deletion leaves an audit row with the fields before and after;
- an admin whose ``save_model`` calls the app's services (organization, accounts).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from koban.accounts.access import audit_events_visible_to, boxes_visible_to
from koban.audit.models import AuditEvent
from koban.audit.services import record, record_read, snapshot


class PersonalReadAdminMixin(admin.ModelAdmin):
    """Opening one row whose ``personal_fields`` are set records a read of those fields in the audit trail.

    Change lists show no personal fields, so they need no read row.
    """

    personal_fields: tuple[str, ...] = ()

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if self.personal_fields and response.status_code == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                record_read(request.user, [obj], self.personal_fields, request=request)
        return response


class ReadOnlyAdmin(PersonalReadAdminMixin):
    """Shows rows without offering to add, change or delete them.

    With ``personal_fields`` set, opening one row records a read of those fields (see
    ``PersonalReadAdminMixin``). With ``box_path`` set (the lookup from the row to its box), the rows are
    limited to the boxes the user may see.
    """

    box_path: str = ""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        rows = super().get_queryset(request)
        if self.box_path:
            rows = rows.filter(**{f"{self.box_path}__in": boxes_visible_to(request.user)})  # type: ignore[arg-type]
        return rows

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """An inline list shown with its parent, read-only like ``ReadOnlyAdmin``."""

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedConfigAdmin(admin.ModelAdmin):
    """Configuration edited in the admin still leaves an audit row with the fields before and after."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            manager = type(obj)._default_manager
            before = snapshot(manager.select_for_update().get(pk=obj.pk)) if change else None
            super().save_model(request, obj, form, change)
            action = f"{obj._meta.label_lower}.{'update' if change else 'create'}"
            record(request.user, action, obj, before=before, after=snapshot(obj), note="admin")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            record(request.user, f"{obj._meta.label_lower}.delete", obj, before=snapshot(obj), note="admin")
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        # The bulk "delete selected" action: one audit row per deleted row, like single deletions.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return audit_events_visible_to(request.user)  # type: ignore[arg-type]

    list_display = ["at", "actor_name", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "object_repr", "object_id"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
