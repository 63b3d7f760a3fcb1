"""Filters of the found-item and loss-report lists, shared by the pages, the API and the exports."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from koban.accounts.access import boxes_with_names_shown_to
from koban.lib.filters import FilterSet, IdFilter, search_filter
from koban.lostfound.models import FoundItem, FoundItemQuerySet, LossReport, LossReportQuerySet


def _name_boxes(request: Any) -> Any:
    """The boxes whose people the requesting user may search by name (none without a request)."""
    user = getattr(request, "user", None)
    return boxes_with_names_shown_to(user) if user is not None and user.is_authenticated else None


class FoundItemFilter(FilterSet):
    """``q`` (words, receipt number, finder's name where shown), ``state``, ``box``."""

    q = search_filter()
    state = django_filters.ChoiceFilter(choices=FoundItem.Status.choices, label=_("State"))
    box = IdFilter(field_name="box_id", label=_("Box"))

    class Meta(FilterSet.Meta):
        model = FoundItem
        fields: list[str] = []

    def search(self, qs: FoundItemQuerySet, name: str, value: Any) -> FoundItemQuerySet:
        if not value:
            return qs
        return qs.search(value, personal_boxes=_name_boxes(self.request))


class LossReportFilter(FilterSet):
    """``q`` (words, owner's name where shown), ``status``, ``box``."""

    q = search_filter()
    status = django_filters.ChoiceFilter(choices=LossReport.Status.choices, label=_("Status"))
    box = IdFilter(field_name="box_id", label=_("Box"))

    class Meta(FilterSet.Meta):
        model = LossReport
        fields: list[str] = []

    def search(self, qs: LossReportQuerySet, name: str, value: Any) -> LossReportQuerySet:
        if not value:
            return qs
        return qs.search(value, personal_boxes=_name_boxes(self.request))
