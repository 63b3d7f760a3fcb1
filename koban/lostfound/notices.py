"""The public notice of found property (遺失物の公告): no login, public-safe facts only.

The Lost Property Act has the police publish what was handed in so that owners can find it, and
prefectural police run such searches online. Shown: the kind of item, its features (left out for
items that may hold personal data: phones, cards, IDs), the day it was found, the area (the
receiving box and station, never the exact place or the finder) and the office to contact with the
receipt number. Nothing else of the record leaves the police.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from koban.accounts.access import items_on_public_notice
from koban.lib.forms import Form
from koban.lib.paging import page_of
from koban.lostfound.models import ItemCategory

PAGE_SIZE = 30
# The notice runs three months; an owner searching looks back at most this far.
LOOK_BACK = dt.timedelta(days=100)


class NoticeSearchForm(Form):
    """What an owner types: words (kana or kanji), a kind of item, and since when."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=ItemCategory.objects.all(), required=False
    )
    since = forms.DateField(
        label=_("Found since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def public_row(item: Any) -> dict[str, Any]:
    """The facts of one item the public may see."""
    private = item.category.holds_personal_data
    return {
        "receipt_number": item.receipt_number,
        "category": item.category.label(),
        "features": "" if private else item.description[:200],
        "found_on": timezone.localtime(item.found_at).date(),
        "area": item.box.name,
        "office": item.contact_office,
    }


def notice_list(request: HttpRequest) -> HttpResponse:
    """Found items of the agency still waiting for their owner, searchable by anyone."""
    form = NoticeSearchForm(request.GET or None)
    items = (
        items_on_public_notice()
        .filter(found_at__gte=timezone.now() - LOOK_BACK)
        .select_related("category", "box", "box__station", "custody_station")
        .order_by("-found_at", "-id")
    )
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        if d["q"].strip():
            # Words search only the features that are published: a name written on a licence must not
            # be findable, not even as a hit without text. Receipt numbers are found for every item.
            # Owners name the kind in their own language too ("umbrella", "さいふ").
            items = items.search(d["q"], personal_features=False, by_kind=True)
        if d["category"]:
            items = items.filter(category=d["category"])
        if d["since"]:
            items = items.filter(found_at__date__gte=d["since"])
    page = page_of(items, PAGE_SIZE, request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "lostfound/notices.html",
        {
            "form": form,
            "page": page,
            "rows": [public_row(i) for i in page.object_list],
            "query_rest": params.urlencode(),
        },
    )
