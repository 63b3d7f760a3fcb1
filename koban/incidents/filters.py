"""Filters of the incident list, shared by the page, the API, the figures and the exports."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from koban.incidents.models import Incident, IncidentQuerySet, Status
from koban.lib.filters import FilterSet, IdFilter, search_filter


class StatusesField(forms.CharField):
    """``open`` or comma-separated statuses (``received,dispatched``); an unknown one is named."""

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value)
        statuses = [s for s in (text or "").split(",") if s]
        unknown = [s for s in statuses if s != "open" and s not in Status.values]
        if unknown:
            raise ValidationError(
                gettext("Unknown status: %(statuses)s.") % {"statuses": ", ".join(unknown)}, code="invalid"
            )
        return statuses


class StatusesFilter(django_filters.Filter):
    field_class = StatusesField

    def filter(self, qs: IncidentQuerySet, value: list[str]) -> IncidentQuerySet:
        if not value:
            return qs
        if value == ["open"]:
            return qs.open()
        return qs.filter(status__in=value)


class IncidentFilter(FilterSet):
    """``q`` (words in the description or address, a number), ``box``, ``station``, ``status`` (``open``
    or a comma list), ``category`` (code), ``outside`` (outside every beat), ``unplaced`` (address matched no town), ``from``/``to`` (days)."""

    q = search_filter()
    box = IdFilter(field_name="box_id", label=_("Box"))
    station = IdFilter(field_name="station_id", label=_("Station"))
    status = StatusesFilter(label=_("Status"), max_length=200)
    category = django_filters.CharFilter(field_name="category__code", label=_("Category"), max_length=40)
    outside = django_filters.CharFilter(method="outside_only", label=_("Outside every beat"), max_length=10)
    unplaced = django_filters.CharFilter(
        method="unplaced_only", label=_("Only addresses not placed"), max_length=10
    )

    class Meta(FilterSet.Meta):
        model = Incident
        fields: list[str] = []

    def search(self, qs: IncidentQuerySet, name: str, value: Any) -> IncidentQuerySet:
        return qs.search(value) if value else qs

    def outside_only(self, qs: IncidentQuerySet, name: str, value: Any) -> IncidentQuerySet:
        return qs.filter(outside_jurisdiction=True) if value in ("1", "true", "on") else qs

    def unplaced_only(self, qs: IncidentQuerySet, name: str, value: Any) -> IncidentQuerySet:
        return qs.unplaced() if value in ("1", "true", "on") else qs

    def received_from(self, qs: IncidentQuerySet, name: str, value: Any) -> IncidentQuerySet:
        return qs.received_between(_start_of(value), None)

    def received_to(self, qs: IncidentQuerySet, name: str, value: Any) -> IncidentQuerySet:
        return qs.received_between(None, _start_of(value + datetime.timedelta(days=1)))


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# "from" and "to" are Python keywords: declared here rather than as class attributes.
IncidentFilter.base_filters["from"] = django_filters.DateFilter(
    method="received_from", label=_("Received on or after this day")
)
IncidentFilter.base_filters["to"] = django_filters.DateFilter(
    method="received_to", label=_("Received on or before this day")
)


def filtered_incidents(params: Any, qs: IncidentQuerySet, errors: dict[str, str]) -> IncidentQuerySet:
    """*qs* narrowed by the list filters in *params*; the message of each refused parameter goes into *errors*."""
    filters = IncidentFilter(params, queryset=qs)
    errors.update(filters.error_messages())
    return filters.qs  # type: ignore[no-any-return]
