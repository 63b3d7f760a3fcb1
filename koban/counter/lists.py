"""The searchable, paged list of counter matters and its CSV/Excel export (older than the log's 7 days)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from koban.accounts.access import counter_boxes_visible_to, matters_visible_to
from koban.audit.exports import export_list
from koban.audit.reads import note_read
from koban.counter.filters import CounterMatterFilter
from koban.counter.models import CounterCategory, CounterMatter, CounterMatterQuerySet, Outcome
from koban.lib.exports import Column
from koban.lib.paging import page_of

PAGE_SIZE = 50

MATTER_COLUMNS = (
    Column("received_at", _("Received at"), lambda m: m.received_at),
    Column("box", _("Police box"), lambda m: m.box.name),
    Column("channel", _("Channel"), lambda m: m.get_channel_display()),
    Column("category", _("Category"), lambda m: m.category.label()),
    Column("summary", _("Summary"), lambda m: m.summary),
    Column("outcome", _("Outcome"), lambda m: m.get_outcome_display()),
    Column("outcome_note", _("Outcome details"), lambda m: m.outcome_note),
    Column("handled_by", _("Handled by"), lambda m: m.handled_by.get_full_name() or m.handled_by.username),
    Column("person_description", _("Person in custody"), lambda m: m.person_description, personal=True),
    Column("handed_over_to", _("Handed over to"), lambda m: m.handed_over_to, personal=True),
    Column("handed_over_at", _("Handed over at"), lambda m: m.handed_over_at),
)


def _matters(request: HttpRequest) -> tuple[CounterMatterFilter, CounterMatterQuerySet]:
    scope = matters_visible_to(request.user).with_related().order_by("-received_at", "-id")  # type: ignore[arg-type]
    filters = CounterMatterFilter(request.GET, queryset=scope, request=request)
    return filters, filters.qs


@login_required
def matter_list(request: HttpRequest) -> HttpResponse:
    """Every counter matter the user may read, searchable and filtered, 50 to a page."""
    filters, matters = _matters(request)
    page = page_of(matters, PAGE_SIZE, request.GET.get("page"))
    note_read([m for m in page.object_list if m.person_description], CounterMatter.PERSONAL_FIELDS)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "counter/matter_list.html",
        {
            "page": page,
            "filters": request.GET,
            "errors": filters.error_messages(),
            "query_rest": params.urlencode(),
            "boxes": counter_boxes_visible_to(request.user).with_station(),  # type: ignore[arg-type]
            "categories": CounterCategory.objects.all(),
            "outcomes": Outcome.choices,
        },
    )


@login_required
def matters_export(request: HttpRequest) -> HttpResponse:
    _filters, matters = _matters(request)
    return export_list(
        request,
        matters,
        MATTER_COLUMNS,
        name="counter-matters",
        list_url=reverse("counter:matters"),
        # Whoever may read a matter reads its person in custody (the log shows it).
        shows_people=lambda matter: bool(matter.person_description or matter.handed_over_to),
    )
