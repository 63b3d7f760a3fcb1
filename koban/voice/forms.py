"""The public request form and the officers' forms (state change, action item, result)."""

from __future__ import annotations

import json
from typing import Any

import shapely
import shapely.geometry
from django import forms
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from shapely.errors import ShapelyError

from koban.accounts.access import action_owners
from koban.lib.forms import Form, coordinate, datetime_field
from koban.lib.geo import check_geometry_coordinates
from koban.organization.models import PoliceBox
from koban.voice.models import ActionKind, RequestCategory, Status
from koban.voice.services import DESCRIPTION_MAX

HONEYPOT = "website"


class CategoryChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return obj.label()  # type: ignore[no-any-return]


class PublicRequestForm(Form):
    """What a resident fills in; everything about themselves is optional."""

    category = CategoryChoice(label=_("What is it about?"), queryset=RequestCategory.objects.active())
    description = forms.CharField(
        label=_("Tell us more"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": DESCRIPTION_MAX}),
    )
    lat = coordinate(_("Latitude"), -90, 90)
    lon = coordinate(_("Longitude"), -180, 180)
    address = forms.CharField(label=_("Address or landmark (optional)"), max_length=300, required=False)
    occurred_at = datetime_field(_("When did you see it? (optional)"), required=False)
    reporter_name = forms.CharField(label=_("Your name (optional)"), max_length=200, required=False)
    reporter_email = forms.EmailField(
        label=_("Your e-mail (optional: we tell you what happens)"), max_length=254, required=False
    )
    reporter_phone = forms.CharField(label=_("Your phone (optional)"), max_length=40, required=False)
    hide_name = forms.BooleanField(label=_("Do not show my name publicly"), required=False, initial=True)
    # Left empty by people; filled by form-filling robots, whose posts are then dropped.
    website = forms.CharField(label=_("Leave this field empty"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("lon") is None or data.get("lat") is None:
            self.add_error("lon", _("Mark the place on the map."))
        return data


class StatusForm(Form):
    status = forms.ChoiceField(label=_("New state"), choices=Status.choices)
    note = forms.CharField(
        label=_("Note to the reporter (public)"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(
        label=_("Reason for not acting"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ActionForm(Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActionKind.choices)
    title = forms.CharField(label=_("What will be done"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=PoliceBox.objects.none(), required=False)
    starts_on = forms.DateField(
        label=_("Starts on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    weeks = forms.IntegerField(label=_("Weeks (patrol focus)"), required=False, min_value=1, max_value=52)
    geom = forms.CharField(
        label=_("Street or area (GeoJSON, drawn on the map)"), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, box: PoliceBox, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = action_owners(box)  # type: ignore[attr-defined]

    def clean_geom(self) -> GEOSGeometry | None:
        text = (self.cleaned_data.get("geom") or "").strip()
        if not text:
            return None
        if len(text) > 200_000:
            raise ValidationError(_("The drawn shape is too large."))
        try:
            data = json.loads(text)
            drawn = shapely.geometry.shape(data.get("geometry", data) if isinstance(data, dict) else data)
            # Coordinates are checked before GEOS sees them: GEOS can crash on absurd ones.
            check_geometry_coordinates(drawn)
            return GEOSGeometry(memoryview(shapely.to_wkb(drawn)), srid=4326)
        except (ValueError, GEOSException, ShapelyError, TypeError, AttributeError, KeyError, IndexError):
            raise ValidationError(_("Draw a street (line) or an area (polygon) on the map.")) from None


class CompleteForm(Form):
    result = forms.CharField(
        label=_("Result"), max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    close_requests = forms.BooleanField(
        label=_("Mark its requests as done and tell the reporters"), required=False, initial=True
    )
