"""Forms of the household pages; the domain checks live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from koban.households.models import Kind, Outcome, Topic
from koban.lib.forms import Form, apply_errors, coordinate, datetime_field
from koban.voice.models import RequestCategory

__all__ = ["HouseholdForm", "ImportForm", "VisitForm", "WorklistForm", "apply_errors"]


class WorklistForm(Form):
    """How long the officer can walk and how long a visit takes (the page remembers nothing)."""

    budget = forms.IntegerField(label=_("Time available (minutes)"), min_value=15, max_value=600, initial=120)
    per_visit = forms.IntegerField(label=_("Minutes per visit"), min_value=1, max_value=60, initial=10)
    beat = forms.IntegerField(widget=forms.HiddenInput, required=False)


class VisitForm(Form):
    visited_at = datetime_field(_("Visited at"))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    topics = forms.MultipleChoiceField(
        label=_("Topics talked about"),
        choices=Topic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("What was talked about"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    requests = forms.CharField(
        label=_("Requests raised"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    request_category = forms.ModelChoiceField(
        label=_("Hand the request to the requests queue as"),
        queryset=RequestCategory.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("(keep it on the visit only)"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["request_category"].queryset = RequestCategory.objects.active()  # type: ignore[attr-defined]


class HouseholdForm(Form):
    lat = coordinate(_("Latitude"), -90, 90)
    lon = coordinate(_("Longitude"), -180, 180)
    address = forms.CharField(label=_("Address"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.HOUSE)
    building = forms.IntegerField(
        label=_("Building (its number, for an apartment unit)"), required=False, min_value=1
    )
    name = forms.CharField(label=_("Name of the business or office"), max_length=200, required=False)
    can_enter = forms.BooleanField(label=_("Officers can enter"), required=False, initial=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("lon") is None or data.get("lat") is None:
            raise forms.ValidationError(_("Click the map to place the address."))
        return data


class ImportForm(Form):
    file = forms.FileField(label=_("Address list (CSV or GeoJSON)"))
    agency = forms.ChoiceField(label=_("Agency"), choices=())
    commit = forms.BooleanField(label=_("Write to the registry (otherwise a dry run)"), required=False)

    def __init__(self, *args: Any, agencies: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.code, a.name) for a in agencies]  # type: ignore[attr-defined]
