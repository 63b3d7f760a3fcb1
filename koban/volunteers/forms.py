"""Forms of the volunteer pages; domain checks (certification, membership, times) live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from koban.lib.forms import Form, apply_errors, coordinate, datetime_field, longitude_on_map
from koban.lib.widgets import ChipsSelectMultiple
from koban.organization.models import PoliceBox
from koban.volunteers.models import (
    ActivityObservation,
    ActivityType,
    PatrolVehicle,
    VolunteerGroup,
    VolunteerMember,
)

__all__ = ["ActivityForm", "apply_errors"]


class MemberChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ActivityForm(Form):
    """A patrol or watch: group, type, times, who took part, the route (drawn or uploaded), one observation."""

    group = forms.ModelChoiceField(label=_("Volunteer group"), queryset=VolunteerGroup.objects.none())
    kind = forms.ChoiceField(label=_("Activity type"), choices=ActivityType.choices)
    started_at = datetime_field(_("Started at"))
    ended_at = datetime_field(_("Ended at"))
    participants = MemberChoice(
        label=_("Participants"), queryset=VolunteerMember.objects.none(), widget=ChipsSelectMultiple()
    )
    vehicle = forms.ModelChoiceField(
        label=_("Vehicle"), queryset=PatrolVehicle.objects.none(), required=False
    )
    joint_box = forms.ModelChoiceField(
        label=_("Joint patrol with the box"), queryset=PoliceBox.objects.none(), required=False
    )
    track = forms.FileField(label=_("GPS track (GPX or GeoJSON file)"), required=False)
    route = forms.CharField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    observation_kind = forms.ChoiceField(
        label=_("Something seen"),
        choices=[("", _("Nothing to report")), *ActivityObservation.Kind.choices],
        required=False,
    )
    observation_note = forms.CharField(
        label=_("What was seen"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    observation_lat = coordinate(_("Latitude"), -90, 90)
    observation_lon = longitude_on_map(_("Longitude"))

    def __init__(self, *args: Any, groups: Any, group: VolunteerGroup | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]
        if group is not None:
            today_members = group.members.filter(left_on__isnull=True).order_by("name")
            self.fields["participants"].queryset = today_members  # type: ignore[attr-defined]
            self.fields["vehicle"].queryset = group.vehicles.all()  # type: ignore[attr-defined]
            boxes = PoliceBox.objects.filter(station_id=group.station_id).order_by("code")
            self.fields["joint_box"].queryset = boxes  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("track") and data.get("route"):
            raise forms.ValidationError(_("Upload a track or draw the route, not both."))
        if data.get("observation_kind") and not (data.get("observation_note") or "").strip():
            self.add_error("observation_note", _("Describe what was seen."))
        return data
