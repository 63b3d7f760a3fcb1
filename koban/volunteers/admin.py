"""Admin of the volunteer registry: groups, members, blue-light certificates, patrollers and vehicles are
edited by those who keep the registry (station chiefs, HQ; certification by HQ), each save audited; the
rows and the choices offered are limited by ``koban.accounts.access``. Activity and observations are
written by the volunteers' pages and shown read-only; members and observations are personal data and
opening one records a read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from koban.accounts.access import (
    activities_visible_to,
    groups_certifiable_by,
    groups_manageable_by,
    registry_stations_for,
    volunteer_observations_visible_to,
)
from koban.audit.admin import AuditedConfigAdmin, PersonalReadAdminMixin, ReadOnlyAdmin
from koban.organization.models import PoliceBox
from koban.volunteers.models import (
    ActivityObservation,
    BlueLightCertification,
    CertifiedPatroller,
    PatrolVehicle,
    VolunteerActivity,
    VolunteerGroup,
    VolunteerMember,
)


def _certifiable(user: Any) -> QuerySet[VolunteerGroup]:
    """Groups whose blue-light papers *user* keeps: HQ certifies (``can_certify_blue_light``)."""
    return groups_certifiable_by(user)


class RegistryAdmin(PersonalReadAdminMixin, AuditedConfigAdmin):
    """Rows limited to what the user keeps (``scope`` of the user, reached through ``path``)."""

    scope: Callable[[Any], QuerySet[Any]] = staticmethod(groups_manageable_by)
    path = "group"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        rows = super().get_queryset(request)
        return rows.filter(**{f"{self.path}__in": type(self).scope(request.user)})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        stations = registry_stations_for(request.user)  # type: ignore[arg-type]
        if db_field.name == "group":
            kwargs["queryset"] = type(self).scope(request.user)
        elif db_field.name == "station":
            kwargs["queryset"] = stations
        elif db_field.name == "box":
            kwargs["queryset"] = PoliceBox.objects.filter(station__in=stations)
        elif db_field.name == "member":
            kwargs["queryset"] = VolunteerMember.objects.filter(group__in=type(self).scope(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(VolunteerGroup)
class VolunteerGroupAdmin(RegistryAdmin, GISModelAdmin):
    path = "pk"
    list_display = ["name", "station", "box", "composition", "days_per_month", "founded_on", "dissolved_on"]
    list_filter = ["composition", "station"]
    search_fields = ["name"]
    exclude = ["agency"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.agency_id = obj.station.agency_id  # a group belongs to the agency of its station
        super().save_model(request, obj, form, change)


@admin.register(VolunteerMember)
class VolunteerMemberAdmin(RegistryAdmin):
    personal_fields = VolunteerMember.PERSONAL_FIELDS
    list_display = ["__str__", "group", "role", "age_band", "joined_on", "left_on"]
    list_filter = ["role", "age_band"]
    raw_id_fields = ["user"]


@admin.register(BlueLightCertification)
class CertificationAdmin(RegistryAdmin):
    scope = staticmethod(_certifiable)
    list_display = ["number", "group", "certified_on", "expires_on", "revoked_on"]


@admin.register(CertifiedPatroller)
class PatrollerAdmin(RegistryAdmin):
    scope = staticmethod(_certifiable)
    path = "member__group"
    list_display = ["card_number", "member", "trained_on", "expires_on"]


@admin.register(PatrolVehicle)
class VehicleAdmin(RegistryAdmin):
    scope = staticmethod(_certifiable)
    list_display = ["plate", "group", "registered_on", "expires_on"]


@admin.register(VolunteerActivity)
class ActivityAdmin(ReadOnlyAdmin, GISModelAdmin):
    modifiable = False
    list_display = ["__str__", "kind", "distance_m", "joint_box"]
    list_filter = ["kind"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).filter(pk__in=activities_visible_to(request.user).values("pk"))  # type: ignore[arg-type]


@admin.register(ActivityObservation)
class ObservationAdmin(ReadOnlyAdmin, GISModelAdmin):
    modifiable = False
    personal_fields = ActivityObservation.PERSONAL_FIELDS
    list_display = ["__str__", "kind", "activity", "forwarded_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        visible = volunteer_observations_visible_to(request.user).values("pk")  # type: ignore[arg-type]
        return super().get_queryset(request).filter(pk__in=visible)
