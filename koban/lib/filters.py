"""Filters of the lists, shared by each list's page and its API endpoint (django-filter).

A page builds the app's ``FilterSet`` from ``request.GET`` and shows its errors next to the form; the
API declares the same class as ``filterset_class`` and answers a bad value with a 400 naming the
parameter. So a list filtered on the page and through the API holds the same records.
"""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from koban.lib.forms import Form
from koban.lib.search import MAX_QUERY_LENGTH
from koban.lib.validation import datetime_problem


class FilterSet(django_filters.FilterSet):
    """The base of every list's filters: its form checks input like every form of the pages (control
    characters, integer bounds, representable dates)."""

    class Meta:
        form = Form

    def error_messages(self) -> dict[str, str]:
        """The form's errors as ``{parameter: message}`` for a page to show."""
        return {name: " ".join(str(m) for m in messages) for name, messages in self.errors.items()}


class IdFilter(django_filters.NumberFilter):
    """A record's id (a whole number; ``1.5`` or ``x`` is refused with the parameter named)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        super().__init__(*args, **kwargs)


def search_filter() -> django_filters.CharFilter:
    """The ``q`` parameter: words, a receipt number or a name; the FilterSet's ``search`` method applies it."""
    return django_filters.CharFilter(
        method="search",
        label=_("Search"),
        max_length=MAX_QUERY_LENGTH,
        help_text=_("Words in kana or kanji, a receipt number, or a name where you may see names."),
    )


class AwareDateTimeField(forms.CharField):
    """An ISO 8601 date and time with its offset (``2026-04-01T09:00+09:00``), as the API has always read it."""

    def clean(self, value: Any) -> datetime.datetime | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            moment = parse_datetime(text)
        except ValueError:
            moment = None
        if moment is None:
            raise ValidationError(gettext("Not a date and time (ISO 8601)."), code="invalid")
        if moment.tzinfo is None:
            raise ValidationError(
                gettext("Give the time with its offset, e.g. 2026-04-01T09:00+09:00."), code="invalid"
            )
        problem = datetime_problem(moment)
        if problem:
            raise ValidationError(problem, code="invalid")
        return moment


class AwareDateTimeFilter(django_filters.Filter):
    """Records at or after (``lookup_expr="gte"``) or before (``"lt"``) a moment given with its offset."""

    field_class = AwareDateTimeField
