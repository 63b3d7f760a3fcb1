"""Filters of the audit trail page and of the unusual-reading report."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from koban.lib.forms import Form


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(0)))


class TrailFilterForm(Form):
    """Who did what to which kind of record, when; every field optional."""

    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Action"), required=False)
    kind = forms.ChoiceField(label=_("Kind of record"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_("Text"), required=False, max_length=200)

    def __init__(self, *args: Any, actions: list[str], kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["action"].choices = everything + [(a, a) for a in actions]  # type: ignore[attr-defined]
        self.fields["kind"].choices = everything + [(k, k) for k in kinds]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def window(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """The chosen days as a half-open interval of aware datetimes (the end day included)."""
        start, end = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        return (
            _day_start(start) if start else None,
            _day_start(end + datetime.timedelta(days=1)) if end else None,
        )


class UnusualReadingForm(Form):
    """The window and the sensitivity of the unusual-reading report."""

    days = forms.IntegerField(label=_("Window (days)"), min_value=1, max_value=366, initial=7)
    k = forms.FloatField(
        label=_("Sensitivity (robust deviations)"),
        min_value=1.0,
        max_value=20.0,
        initial=3.5,
        help_text=_(
            "A reader is listed when their count lies this many robust deviations above the peers' median."
        ),
    )
    min_count = forms.IntegerField(label=_("Minimum records read"), min_value=1, max_value=100000, initial=10)
    # Reading of one kind of record alone: many visit cards read by one user stands out even when
    # their reading of other records is ordinary.
    kind = forms.ChoiceField(
        label=_("Records"),
        required=False,
        choices=[("", _("All personal records")), ("visitcards.visitcard", _("Visit cards"))],
    )
