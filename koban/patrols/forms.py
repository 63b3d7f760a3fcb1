"""Forms of the patrol pages; domain checks live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from koban.accounts.access import patrol_officers
from koban.accounts.models import User
from koban.lib.forms import Form, apply_errors, coordinate, datetime_field, outside_confirmed_field
from koban.lib.widgets import ChipsSelectMultiple
from koban.organization.models import PoliceBox
from koban.patrols.models import Observation, Patrol

__all__ = ["CardForm", "ObservationForm", "PatrolForm", "StopForm", "apply_errors"]


class OfficerChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.box.name if obj.box_id else obj.get_role_display()})"


class PatrolForm(Form):
    box = forms.ModelChoiceField(label=_("Police box"), queryset=PoliceBox.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Patrol.Kind.choices)
    officers = OfficerChoice(
        label=_("Officers (one or two)"), queryset=User.objects.none(), widget=ChipsSelectMultiple()
    )
    started_at = datetime_field(_("Started at"), required=False)
    ended_at = datetime_field(_("Ended at"), required=False)
    gpx = forms.FileField(label=_("GPS track (GPX file)"), required=False)
    route = forms.CharField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    outside_confirmed = outside_confirmed_field()

    def __init__(self, *args: Any, boxes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["box"].queryset = boxes  # type: ignore[attr-defined]
        self.fields["officers"].queryset = (  # type: ignore[attr-defined]
            patrol_officers(boxes).select_related("box").order_by("station", "box", "username")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_gpx, has_route = bool(data.get("gpx")), bool(data.get("route"))
        if has_gpx == has_route:
            raise forms.ValidationError(_("Upload a GPX file or draw the route on the map (one of the two)."))
        if has_route and not (data.get("started_at") and data.get("ended_at")):
            raise forms.ValidationError(_("A drawn route needs the start and end times."))
        return data


class StopForm(Form):
    lat = coordinate(_("Latitude"), -90, 90)
    lon = coordinate(_("Longitude"), -180, 180)
    arrived_at = datetime_field(_("Arrived at"))
    left_at = datetime_field(_("Left at"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    outside_confirmed = outside_confirmed_field()


class ObservationForm(Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Observation.Kind.choices)
    lat = coordinate(_("Latitude"), -90, 90)
    lon = coordinate(_("Longitude"), -180, 180)
    observed_at = datetime_field(_("Observed at"))
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))
    outside_confirmed = outside_confirmed_field()


class CardForm(Form):
    address = forms.CharField(label=_("Address"), max_length=300)
    lat = coordinate(_("Latitude"), -90, 90)
    lon = coordinate(_("Longitude"), -180, 180)
    left_at = datetime_field(_("Left at"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    outside_confirmed = outside_confirmed_field()
