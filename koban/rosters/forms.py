"""Forms of the roster pages: generate a month, record leave, hand a shift to another officer."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from koban.accounts.access import rosterable_officers
from koban.accounts.models import User
from koban.lib.forms import Form
from koban.organization.models import PoliceBox
from koban.rosters.models import HandoverPriority, ShiftPattern

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def box_officers(box: PoliceBox, own_box_only: bool = False) -> forms.ModelChoiceField:
    """Police officers of the box's station, or of the box itself (counsellors never staff a box)."""
    qs = rosterable_officers(box, own_box_only)
    return forms.ModelChoiceField(queryset=qs.order_by("box_id", "username"), label=_("Officer"))


class GenerateForm(Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12)
    accept_gaps = forms.BooleanField(
        label=_("Save even though the box will be empty at times"), required=False
    )


class LeaveForm(Form):
    start = forms.DateTimeField(label=_("From"), widget=DATETIME_WIDGET)
    end = forms.DateTimeField(label=_("Until"), widget=DATETIME_WIDGET)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, box: PoliceBox, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields = {"officer": box_officers(box, own_box_only=True), **self.fields}

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The end must be after the start."))
        return data


class SwapForm(Form):
    note = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, box: PoliceBox, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        field = box_officers(box)
        field.label = _("Hand the shift to")
        self.fields = {"to_officer": field, **self.fields}


class ReportForm(Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end date must not be before the start date."))
            elif (end - start).days > 62:
                self.add_error("end", _("Ask for at most two months at a time."))
        return data


class PlanForm(Form):
    """Put a box on a shift pattern; each officer of the box gets a group number (blank: not in it)."""

    pattern = forms.ModelChoiceField(
        queryset=ShiftPattern.objects.filter(active=True), label=_("Shift pattern")
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    anchor = forms.DateField(
        label=_("Cycle anchor"),
        help_text=_("Day on which group 1 starts the cycle."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    cover_name = forms.CharField(
        label=_("Counter cover"),
        max_length=150,
        required=False,
        help_text=_(
            "Who takes walk-ins in the pattern's cover periods (e.g. the resident officer's spouse)."
        ),
    )

    def __init__(self, *args, box: PoliceBox, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.officers = list(rosterable_officers(box, own_box_only=True).order_by("username"))
        for i, officer in enumerate(self.officers):
            self.fields[f"group_{officer.pk}"] = forms.IntegerField(
                label=str(officer), min_value=1, max_value=12, required=False, initial=i % 3 + 1
            )

    def members(self) -> list[tuple[User, int]]:
        """``(officer, group)`` pairs, groups counted from 0 as the services expect."""
        pairs = []
        for officer in self.officers:
            group = self.cleaned_data.get(f"group_{officer.pk}")
            if group:
                pairs.append((officer, group - 1))
        return pairs


class _Span(Form):
    start = forms.DateTimeField(label=_("From"), widget=DATETIME_WIDGET)
    end = forms.DateTimeField(label=_("Until"), widget=DATETIME_WIDGET)

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The end must be after the start."))
        return data


class LeaveRequestForm(_Span):
    note = forms.CharField(label=_("Reason"), max_length=300, required=False)


class CoverForm(_Span):
    cover_name = forms.CharField(label=_("Who covered the counter"), max_length=150)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class MonthForm(Form):
    """A month of a report, as the month picker sends it (``YYYY-MM``)."""

    month = forms.RegexField(
        label=_("Month"),
        regex=r"^(19|20)\d\d-(0[1-9]|1[0-2])$",
        widget=forms.TextInput(attrs={"type": "month"}),
        error_messages={"invalid": _("Give the month as YYYY-MM.")},
    )

    def first_day(self) -> dt.date:
        year, month = (int(x) for x in self.cleaned_data["month"].split("-"))
        return dt.date(year, month, 1)


class HandoverForm(Form):
    """An entry of the handover log: what the next shift must know, how pressing, which pages it concerns."""

    priority = forms.ChoiceField(label=_("Priority"), choices=HandoverPriority.choices, initial="routine")
    text = forms.CharField(
        label=_("For the next shift"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    links = forms.CharField(
        label=_("Links (one page of this site per line)"),
        required=False,
        max_length=1100,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "/incidents/12/"}),
    )

    def link_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("links", "").splitlines() if line.strip()]
