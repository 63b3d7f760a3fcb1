"""Forms of the incident pages: intake, and the notes and times of the status actions."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from koban.incidents.models import CallerRelation, Incident, IncidentCategory, Priority, Source
from koban.lib.forms import Form, longitude_on_map, outside_confirmed_field
from koban.lib.validation import phone_problem


def _check_phone(value: str) -> None:
    problem = phone_problem(value)
    if problem:
        raise forms.ValidationError(problem)


class CallerFields(forms.Form):
    """The caller's name, phone and relation (all optional), shared by intake and correction."""

    caller_name = forms.CharField(label=_("Caller's name"), required=False, max_length=100)
    caller_phone = forms.CharField(
        label=_("Caller's phone"), required=False, max_length=30, validators=[_check_phone]
    )
    caller_relation = forms.ChoiceField(
        label=_("Caller's relation"), required=False, choices=[("", "—"), *CallerRelation.choices]
    )


class IntakeForm(CallerFields, Form):
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
    field_order = [
        "category", "source", "priority", "received_at", "lat", "lon", "address", "description",
        "caller_name", "caller_phone", "caller_relation",
    ]  # fmt: skip
    # A fresh key per form: submitting the same form twice (a double click, a retry) records one incident.
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput, initial=lambda: uuid.uuid4().hex, max_length=100
    )


class NoteForm(Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class CorrectionForm(CallerFields, Form):
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
    field_order = [
        "category", "priority", "lat", "lon", "address", "description",
        "caller_name", "caller_phone", "caller_relation",
    ]  # fmt: skip
    reason = forms.CharField(label=_("Reason for the correction"), required=False, max_length=2000)

    @classmethod
    def for_incident(cls, incident: Incident, with_caller: bool = True) -> CorrectionForm:
        """The form filled with the incident's facts; without the caller fields for a reader who sees
        them masked (a masked value must never be sent back as a correction)."""
        point = incident.location
        form = cls(
            initial={
                "category": incident.category.code,
                "priority": incident.priority,
                "lat": point.y if point else None,
                "lon": point.x if point else None,
                "address": incident.address,
                "description": incident.description,
                "caller_name": incident.caller_name,
                "caller_phone": incident.caller_phone,
                "caller_relation": incident.caller_relation,
            }
        )
        if not with_caller:
            for name in ("caller_name", "caller_phone", "caller_relation"):
                del form.fields[name]
        return form

    def changes(self) -> dict[str, object]:
        """The cleaned values as service arguments; an empty point means "keep the place"."""
        data = dict(self.cleaned_data)
        data.pop("reason", None)
        data.pop("outside_confirmed", None)  # an argument of its own (see the view)
        if data.get("lat") is None and data.get("lon") is None:
            data.pop("lat", None)
            data.pop("lon", None)
        for name in ("caller_name", "caller_phone", "caller_relation"):
            # A form shown without the caller fields (masked reader) leaves the caller as recorded.
            if name not in self.data:
                data.pop(name, None)
        return data
