"""Admin for logins: role, posting and sign-in rights change through the audited account services.

Administrators see the users of their agency (superusers everyone); users are deactivated, never
deleted, so that the audit trail and the records of daily work keep their author. Django's groups
and per-user permissions are not offered: Koban's permissions follow from role and posting.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from koban.accounts import access, services
from koban.accounts.models import User
from koban.organization.models import Agency, PoliceBox

# Koban's permissions follow from role and posting (koban.accounts.access), not from Django's groups.
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "station", "box", "is_active"]
    list_filter = ["role", "station", "is_active"]
    list_select_related = ["station", "box"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("Posting"),
            {"fields": ("role", "display_name", "badge_number", "agency", "station", "box", "language")},
        ),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.can_administer_users(request.user)  # type: ignore[arg-type]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.can_administer_users(request.user)  # type: ignore[arg-type]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access.can_administer_users(request.user)  # type: ignore[arg-type]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.can_administer_users(request.user)  # type: ignore[arg-type]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return access.users_administered_by(request.user)  # type: ignore[arg-type]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(self.readonly_fields)
        if not access.can_grant_superuser(request.user):  # type: ignore[arg-type]
            fields.append("is_superuser")
        return fields

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # Postings are offered within what the administrator sees.
        stations = access.stations_visible_to(request.user)  # type: ignore[arg-type]
        if db_field.name == "agency":
            kwargs["queryset"] = Agency.objects.filter(pk__in=stations.values("agency_id"))
            if access.can_grant_superuser(request.user):  # type: ignore[arg-type]
                kwargs["queryset"] = Agency.objects.all()
        elif db_field.name == "station":
            kwargs["queryset"] = stations
        elif db_field.name == "box":
            kwargs["queryset"] = PoliceBox.objects.filter(station__in=stations)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return _with_posting_check(form)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:
            services.create_user(request.user, obj)
            return
        changes = {
            name: form.cleaned_data[name] for name in form.changed_data if name in services.USER_FIELDS
        }
        # The form has already set the new values on *obj*; the service compares with the database.
        services.update_user(request.user, obj, **changes)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # No groups or per-user permissions are edited here (see the module docstring).
        return


def _with_posting_check(form_class: Any) -> Any:
    """The admin form, refusing an inconsistent posting with an error on the field."""

    class PostingCheckedForm(form_class):  # type: ignore[misc, valid-type]
        def clean(self) -> dict[str, Any]:
            data = super().clean()
            if "role" not in self.fields:  # the "add" form has only username and password
                return data
            try:
                services.check_posting(
                    data.get("role", ""),
                    data.get("agency"),
                    data.get("station"),
                    data.get("box"),
                    complete=bool({"role", "station", "box"} & set(self.changed_data)),
                )
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    self.add_error(name if name in self.fields else None, errors)
            return data

    return PostingCheckedForm
