"""Admin pages for agencies, stations and boxes; every save goes through the audited services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from leaflet.admin import LeafletGeoAdmin

from koban.accounts.access import network_records_managed_by
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


class BoxActionForm(ActionForm):
    """The bulk actions' one argument: the station to move boxes to, or the box to merge them into."""

    station = forms.ModelChoiceField(
        queryset=PoliceStation.objects.all(), required=False, label=gettext_lazy("Station")
    )
    into = forms.IntegerField(
        required=False,
        min_value=1,
        label=gettext_lazy("Merge into box (id)"),
        help_text=gettext_lazy("Empty: the selected box opened first."),
    )


@admin.register(PoliceBox)
class PoliceBoxAdmin(NetworkAdminMixin, LeafletGeoAdmin):
    import_kind = "boxes"
    change_list_template = CHANGE_LIST_WITH_IMPORT
    action_form = BoxActionForm
    actions = ["merge_duplicates", "close_outside_the_area", "move_to_station"]
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

    def _run(self, request: HttpRequest, action: Any) -> None:
        """Run one bulk change through the services; a refusal is shown, nothing is half-done."""
        try:
            message = action()
        except (ValidationError, PermissionDenied) as exc:
            text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.message_user(request, text, messages.ERROR)
            return
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Merge the selected duplicate boxes"))
    def merge_duplicates(self, request: HttpRequest, queryset: QuerySet[PoliceBox]) -> None:
        boxes = list(queryset.select_related("station").order_by("pk"))
        wanted = request.POST.get("into")
        into = (
            self.get_queryset(request).filter(pk=int(wanted)).select_related("station").first()
            if wanted and wanted.isdigit()
            else boxes[0]
        )
        if into is None:
            self.message_user(request, _("No box %(id)s to merge into.") % {"id": wanted}, messages.ERROR)
            return
        self._run(
            request,
            lambda: (
                _("%(n)d boxes merged into %(box)s.")
                % {"n": services.merge_boxes(request.user, boxes, into), "box": into.name}
            ),
        )

    @admin.action(description=gettext_lazy("Close the selected boxes that lie outside their agency's area"))
    def close_outside_the_area(self, request: HttpRequest, queryset: QuerySet[PoliceBox]) -> None:
        boxes = list(queryset.select_related("station__agency"))
        self._run(
            request,
            lambda: (
                _("%(n)d of %(total)d boxes lay outside their agency's area and are closed.")
                % {"n": len(services.close_boxes_outside(request.user, boxes)), "total": len(boxes)}
            ),
        )

    @admin.action(description=gettext_lazy("Move the selected boxes to the chosen station"))
    def move_to_station(self, request: HttpRequest, queryset: QuerySet[PoliceBox]) -> None:
        wanted = request.POST.get("station")
        stations = network_records_managed_by(request.user, PoliceStation.objects.all())  # type: ignore[arg-type]
        station = stations.filter(pk=int(wanted)).first() if wanted and wanted.isdigit() else None
        if station is None:
            self.message_user(request, _("Choose the station to move the boxes to."), messages.ERROR)
            return
        boxes = list(queryset.select_related("station__agency"))
        self._run(
            request,
            lambda: (
                _("%(n)d boxes moved to %(station)s.")
                % {"n": services.reassign_station(request.user, boxes, station), "station": station.name}
            ),
        )
