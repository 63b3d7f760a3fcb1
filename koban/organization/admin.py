"""Admin pages for agencies, stations and boxes; every save goes through the audited services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from leaflet.admin import LeafletGeoAdmin

from koban.geography.importers.admin_views import CHANGE_LIST_WITH_IMPORT, NetworkAdminMixin
from koban.organization import services
from koban.organization.models import Agency, PoliceBox, PoliceStation


def _changes(form: ModelForm, allowed: set[str]) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form.changed_data if name in allowed}


def _values(form: ModelForm, allowed: set[str]) -> dict[str, Any]:
    return {name: value for name, value in form.cleaned_data.items() if name in allowed}


@admin.register(Agency)
class AgencyAdmin(NetworkAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    search_fields = ["code", "name"]

    def save_model(self, request: HttpRequest, obj: Agency, form: ModelForm, change: bool) -> None:
        if change:
            services.update_agency(request.user, obj, **_changes(form, services.AGENCY_FIELDS))
            return
        obj.pk = services.create_agency(request.user, **_values(form, services.AGENCY_FIELDS)).pk


@admin.register(PoliceStation)
class PoliceStationAdmin(NetworkAdminMixin, LeafletGeoAdmin):
    list_display = ["code", "name", "agency", "phone"]
    list_filter = ["agency"]
    search_fields = ["code", "name", "address"]

    def save_model(self, request: HttpRequest, obj: PoliceStation, form: ModelForm, change: bool) -> None:
        if change:
            changes = _changes(form, services.STATION_FIELDS)
            services.update_station(request.user, obj, **changes)
            return
        fields = _values(form, services.STATION_FIELDS)
        obj.pk = services.create_station(request.user, form.cleaned_data["agency"], **fields).pk


@admin.register(PoliceBox)
class PoliceBoxAdmin(NetworkAdminMixin, LeafletGeoAdmin):
    import_kind = "boxes"
    change_list_template = CHANGE_LIST_WITH_IMPORT
    list_display = ["code", "name", "kind", "station", "status", "staffing_target", "location_to_confirm"]
    list_filter = ["station__agency", "kind", "status", "location_to_confirm", "station"]
    search_fields = ["code", "name", "address"]
    list_select_related = ["station"]
    raw_id_fields = ["merged_into"]

    def save_model(self, request: HttpRequest, obj: PoliceBox, form: ModelForm, change: bool) -> None:
        if change:
            services.update_box(request.user, obj, **_changes(form, services.BOX_FIELDS))
            return
        fields = _values(form, services.BOX_FIELDS - {"station"})
        obj.pk = services.create_box(request.user, form.cleaned_data["station"], **fields).pk
