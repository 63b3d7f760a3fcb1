"""Admin of the partner registry: organizations, contact people, agreements and meetings are kept by HQ
and the station chiefs they work with, each save audited; rows and choices are limited by
``koban.accounts.access``. Contacts are personal data: opening one records a read. Logins of partner
staff are linked to their organization by user administrators."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from koban.accounts.access import (
    can_administer_users,
    partners_manageable_by,
    registry_stations_for,
    users_administered_by,
)
from koban.audit.admin import AuditedConfigAdmin, PersonalReadAdminMixin
from koban.organization.models import Agency, PoliceBox
from koban.partners.models import Agreement, NetworkMeeting, Partner, PartnerAccount, PartnerContact


class PartnerRegistryAdmin(PersonalReadAdminMixin, AuditedConfigAdmin):
    """Rows limited to the partners the user keeps (reached from the row through ``path``)."""

    path = "partner"
    scope: Callable[[Any], QuerySet[Any]] = staticmethod(partners_manageable_by)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).filter(**{f"{self.path}__in": type(self).scope(request.user)})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        stations = registry_stations_for(request.user)  # type: ignore[arg-type]
        if db_field.name == "partner":
            kwargs["queryset"] = partners_manageable_by(request.user)  # type: ignore[arg-type]
        elif db_field.name == "station":
            kwargs["queryset"] = stations
        elif db_field.name == "agency":
            kwargs["queryset"] = Agency.objects.filter(pk__in=stations.values("agency_id"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        stations = registry_stations_for(request.user)  # type: ignore[arg-type]
        if db_field.name == "stations":
            kwargs["queryset"] = stations
        elif db_field.name == "boxes":
            kwargs["queryset"] = PoliceBox.objects.filter(station__in=stations)
        elif db_field.name == "partners":
            kwargs["queryset"] = partners_manageable_by(request.user)  # type: ignore[arg-type]
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Partner)
class PartnerAdmin(PartnerRegistryAdmin, GISModelAdmin):
    path = "pk"
    list_display = ["name", "kind", "agency", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    filter_horizontal = ["stations", "boxes"]


@admin.register(PartnerContact)
class PartnerContactAdmin(PartnerRegistryAdmin):
    personal_fields = PartnerContact.PERSONAL_FIELDS
    list_display = ["partner", "title", "primary"]


@admin.register(Agreement)
class AgreementAdmin(PartnerRegistryAdmin):
    list_display = ["title", "partner", "kind", "signed_on", "ends_on"]
    list_filter = ["kind"]


@admin.register(NetworkMeeting)
class NetworkMeetingAdmin(PartnerRegistryAdmin):
    path = "station"
    scope = staticmethod(registry_stations_for)
    list_display = ["held_on", "title", "station"]
    filter_horizontal = ["partners"]


@admin.register(PartnerAccount)
class PartnerAccountAdmin(AuditedConfigAdmin):
    list_display = ["user", "partner"]
    raw_id_fields = ["user"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).filter(user__in=users_administered_by(request.user))  # type: ignore[arg-type]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_administer_users(request.user) and super().has_module_permission(request)  # type: ignore[arg-type]
