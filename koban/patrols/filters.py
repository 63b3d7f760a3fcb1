"""Filters of the patrol list, shared by the page, the API and the exports."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from koban.lib.filters import FilterSet, IdFilter, search_filter
from koban.lib.search import search_text, words_of
from koban.patrols.models import Patrol, PatrolQuerySet


class PatrolFilter(FilterSet):
    """``q`` (words in the patrol's note), ``box``, ``kind``, ``source``, ``since``/``until`` (days started)."""

    q = search_filter()
    box = IdFilter(field_name="box_id", label=_("Box"))
    kind = django_filters.ChoiceFilter(choices=Patrol.Kind.choices, label=_("Kind"))
    source = django_filters.ChoiceFilter(choices=Patrol.Source.choices, label=_("Source"))
    since = django_filters.DateFilter(method="started_since", label=_("Started on or after this day"))
    until = django_filters.DateFilter(method="started_until", label=_("Started on or before this day"))

    class Meta(FilterSet.Meta):
        model = Patrol
        fields: list[str] = []

    def search(self, qs: PatrolQuerySet, name: str, value: Any) -> PatrolQuerySet:
        # A box writes a few patrols a day: the notes are compared without an index of their own.
        return search_text(qs, ("note",), words_of(value)) if value else qs  # type: ignore[return-value]

    def started_since(self, qs: PatrolQuerySet, name: str, value: datetime.date) -> PatrolQuerySet:
        return qs.filter(started_at__gte=_start_of(value))

    def started_until(self, qs: PatrolQuerySet, name: str, value: datetime.date) -> PatrolQuerySet:
        return qs.filter(started_at__lt=_start_of(value + datetime.timedelta(days=1)))


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
