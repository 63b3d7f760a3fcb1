"""Form fields and helpers shared by the pages of several apps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator

from koban.lib.validation import (
    BIGINT_RANGE,
    TEXT_MAX_LENGTH,
    check_date,
    check_datetime,
    control_character_problem,
)

DATETIME_WIDGET = {"type": "datetime-local"}


def datetime_field(label: Any, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs=DATETIME_WIDGET, format="%Y-%m-%dT%H:%M"),
    )


def coordinate(label: Any, low: float, high: float) -> forms.FloatField:
    return forms.FloatField(label=label, required=False, min_value=low, max_value=high)


def longitude_on_map(label: Any, required: bool = False) -> forms.FloatField:
    """A longitude with the map picker under it; declare the latitude (same name with ``lat``) just before."""
    from koban.lib.widgets import MapPickerInput

    return forms.FloatField(
        label=label, required=required, min_value=-180, max_value=180, widget=MapPickerInput()
    )


def outside_confirmed_field() -> forms.BooleanField:
    """The box ticked when a page refused a place outside the jurisdiction and the user knows it is right."""
    from django.utils.translation import gettext_lazy as _

    return forms.BooleanField(
        label=_("The place is right: record it as outside the jurisdiction (管轄外)"), required=False
    )


class CheckedInputMixin:
    """Form mixin: every field meets the storage limits of ``koban.lib.validation`` by default.

    Text is checked for control characters before any field parses it (a ModelChoiceField would otherwise
    look a NUL byte up in the database); single-line inputs also refuse line breaks. Integer fields without
    bounds get the bigint range; date-time and date fields refuse what PostgreSQL or RFC 3339 cannot hold.
    """

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            check_field(field)

    def _clean_fields(self) -> None:
        # Django's loop (forms.BaseForm._clean_fields), with the character check first.
        for name, bound in self._bound_items():  # type: ignore[attr-defined]
            multiline = isinstance(bound.field.widget, forms.Textarea)
            problem = None if bound.field.disabled else control_character_problem(bound.data, multiline)
            if problem:
                self.add_error(name, problem)  # type: ignore[attr-defined]
                continue
            try:
                self.cleaned_data[name] = bound.field._clean_bound_field(bound)  # type: ignore[attr-defined]
                if hasattr(self, f"clean_{name}"):
                    self.cleaned_data[name] = getattr(self, f"clean_{name}")()  # type: ignore[attr-defined]
            except ValidationError as exc:
                self.add_error(name, exc)  # type: ignore[attr-defined]


def check_field(field: forms.Field) -> None:
    """Add the storage limits to a form field that does not declare its own."""
    if isinstance(field, forms.IntegerField):
        low, high = BIGINT_RANGE
        if field.max_value is None:
            field.max_value = high
            field.validators.append(MaxValueValidator(high))
        if field.min_value is None:
            field.min_value = low
            field.validators.append(MinValueValidator(low))
    elif isinstance(field, forms.CharField) and field.max_length is None:
        # Hidden inputs carry data written by the page's scripts (a drawn route), not typed text.
        if not isinstance(field.widget, forms.HiddenInput):
            field.max_length = TEXT_MAX_LENGTH
            field.validators.append(MaxLengthValidator(TEXT_MAX_LENGTH))
            field.widget.attrs.setdefault("maxlength", str(TEXT_MAX_LENGTH))
    elif isinstance(field, forms.DateTimeField):
        field.validators.append(check_datetime)
    elif isinstance(field, forms.DateField):
        field.validators.append(check_date)


class Form(CheckedInputMixin, forms.Form):
    """The base of every form of the pages."""


class ModelForm(CheckedInputMixin, forms.ModelForm):  # type: ignore[type-arg]
    """The base of every model form of the pages."""


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
