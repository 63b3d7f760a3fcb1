"""Form fields and helpers shared by the pages of several apps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

DATETIME_WIDGET = {"type": "datetime-local"}


def datetime_field(label: Any, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs=DATETIME_WIDGET, format="%Y-%m-%dT%H:%M"),
    )


def coordinate(label: Any, low: float, high: float) -> forms.FloatField:
    return forms.FloatField(label=label, required=False, min_value=low, max_value=high)


def outside_confirmed_field() -> forms.BooleanField:
    """The box ticked when a page refused a place outside the jurisdiction and the user knows it is right."""
    from django.utils.translation import gettext_lazy as _

    return forms.BooleanField(
        label=_("The place is right: record it as outside the jurisdiction (管轄外)"), required=False
    )


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or on the form when no field matches)."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)
