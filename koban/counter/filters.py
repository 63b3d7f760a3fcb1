"""Filters of the counter-matter list, shared by the page, the API and the exports."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from koban.counter.models import CounterMatter, CounterMatterQuerySet, Outcome
from koban.lib.filters import AwareDateTimeFilter, FilterSet, IdFilter, search_filter


class CounterMatterFilter(FilterSet):
    """``q`` (words), ``box``, ``category`` (code), ``outcome``, ``since``/``until`` (moments with offset)."""

    q = search_filter()
    box = IdFilter(field_name="box_id", label=_("Box"))
    category = django_filters.CharFilter(field_name="category__code", label=_("Category"), max_length=40)
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices, label=_("Outcome"))
    since = AwareDateTimeFilter(field_name="received_at", lookup_expr="gte", label=_("Received at or after"))
    until = AwareDateTimeFilter(field_name="received_at", lookup_expr="lt", label=_("Received before"))

    class Meta(FilterSet.Meta):
        model = CounterMatter
        fields: list[str] = []

    def search(self, qs: CounterMatterQuerySet, name: str, value: Any) -> CounterMatterQuerySet:
        return qs.search(value) if value else qs
