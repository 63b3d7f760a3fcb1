"""Forms of the incident pages: intake, and the notes and times of the status actions."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from koban.incidents.models import Incident, IncidentCategory, Priority, Source
from koban.lib.forms import Form, longitude_on_map, outside_confirmed_field


class IntakeForm(Form):
    """A call or report: the place as a point (picked on the map or typed) and/or an address."""

    category = forms.ModelChoiceField(
        label=_("Category"), queryset=IncidentCategory.objects.active(), to_field_name="code"
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=[c for c in Source.choices if c[0] != Source.IMPORTED]
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=[("", _("Category default")), *Priority.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    received_at = forms.DateTimeField(label=_("Received at"), initial=timezone.now)
    lat = forms.FloatField(label=_("Latitude"), required=False)
    lon = forms.FloatField(label=_("Longitude"), required=False)
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    outside_confirmed = outside_confirmed_field()
    # A fresh key per form: submitting the same form twice (a double click, a retry) records one incident.
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput, initial=lambda: uuid.uuid4().hex, max_length=100
    )


class NoteForm(Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class CorrectionForm(Form):
    """The facts of an incident as recorded, to correct; only the fields that differ are changed."""

    category = forms.ModelChoiceField(
        label=_("Category"), queryset=IncidentCategory.objects.active(), to_field_name="code"
    )
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    lat = forms.FloatField(label=_("Latitude"), required=False)
    lon = longitude_on_map(_("Longitude"))
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    outside_confirmed = outside_confirmed_field()
    reason = forms.CharField(label=_("Reason for the correction"), required=False, max_length=2000)

    @classmethod
    def for_incident(cls, incident: Incident) -> CorrectionForm:
        point = incident.location
        return cls(
            initial={
                "category": incident.category.code,
                "priority": incident.priority,
                "lat": point.y if point else None,
                "lon": point.x if point else None,
                "address": incident.address,
                "description": incident.description,
            }
        )

    def changes(self) -> dict[str, object]:
        """The cleaned values as service arguments; an empty point means "keep the place"."""
        data = dict(self.cleaned_data)
        data.pop("reason", None)
        data.pop("outside_confirmed", None)  # an argument of its own (see the view)
        if data.get("lat") is None and data.get("lon") is None:
            data.pop("lat", None)
            data.pop("lon", None)
        return data
