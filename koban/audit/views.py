"""The audit trail page: supervisors review who changed and who read what, filter it and export it.

A station chief sees the station's trail, HQ the agency's, administrators everything
(``koban.accounts.access.audit_events_visible_to``); everyone else gets 404, like an unknown page.
"""

from __future__ import annotations

import csv
import datetime
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from koban.accounts.access import audit_events_visible_to, can_review_audit
from koban.accounts.models import User
from koban.analytics.algorithms.unusual_reading import UnusualReader, unusual_readers
from koban.audit.forms import TrailFilterForm, UnusualReadingForm
from koban.audit.models import AuditEvent, AuditEventQuerySet
from koban.audit.services import changed_fields, record_read

PAGE_SIZE = 50
# An export is for review, not for copying the whole trail out: larger ones are cut here.
CSV_LIMIT = 50_000
CSV_FIELDS = ["at", "actor_name", "action", "object_type", "object_id", "object_repr", "records_read", "note"]


def _reviewable(request: HttpRequest) -> AuditEventQuerySet:
    user = request.user
    if not can_review_audit(user):  # type: ignore[arg-type]
        raise Http404
    return audit_events_visible_to(user)  # type: ignore[arg-type, return-value]


def _filtered(events: AuditEventQuerySet, form: TrailFilterForm) -> AuditEventQuerySet:
    if not form.is_valid():
        return events.none()
    data = form.cleaned_data
    if data["actor"]:
        events = events.filter(actor_name__icontains=data["actor"])
    if data["action"]:
        events = events.filter(action=data["action"])
    if data["kind"]:
        events = events.filter(object_type=data["kind"])
    return events.between(*form.window()).matching(data["text"])


def _choices(events: AuditEventQuerySet, field: str) -> list[str]:
    return list(events.order_by(field).values_list(field, flat=True).distinct())


@login_required
def trail(request: HttpRequest) -> HttpResponse:
    """The trail in the user's scope, newest first, with filters; ``?export=csv`` downloads it."""
    events = _reviewable(request)
    form = TrailFilterForm(
        request.GET or None, actions=_choices(events, "action"), kinds=_choices(events, "object_type")
    )
    shown = _filtered(events, form) if form.is_bound else events
    if request.GET.get("export") == "csv" and form.is_valid():
        return _csv(request, shown)
    page = Paginator(shown.order_by("-at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page:
        event.changes = _changes(event)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/trail.html",
        {"form": form, "page": page, "query": query.urlencode(), "export_query": _with(query, export="csv")},
    )


def _with(query: Any, **extra: str) -> str:
    query = query.copy()
    for key, value in extra.items():
        query[key] = value
    return str(query.urlencode())


def _changes(event: AuditEvent) -> dict[str, Any]:
    """What the page shows of an event: the changed fields, or what a read showed."""
    if event.records_read:
        return {"fields": (event.after or {}).get("fields", [])}
    if isinstance(event.before, dict) and isinstance(event.after, dict):
        return changed_fields(event.before, event.after)
    return event.after if isinstance(event.after, dict) else {}


def _csv(request: HttpRequest, events: AuditEventQuerySet) -> HttpResponse:
    """The filtered trail as CSV (UTF-8 with BOM for spreadsheets); the export is itself recorded."""
    rows = list(events.order_by("-at", "-id")[:CSV_LIMIT])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([*CSV_FIELDS, "before", "after"])
    for event in rows:
        values = [getattr(event, name) for name in CSV_FIELDS]
        values[0] = timezone.localtime(event.at).isoformat()
        writer.writerow([*values, _json(event.before), _json(event.after)])
    record_read(request.user, rows, [*CSV_FIELDS, "before", "after"], request=request, what="csv export")
    return response


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass
class UnusualRow:
    """One line of the report: the reader, the size of their peer group, and the finding."""

    reader: User | None
    peers: int
    finding: UnusualReader[int]

    @property
    def role(self) -> str:
        return self.reader.get_role_display() if self.reader else _("unknown")


@login_required
def unusual_reading(request: HttpRequest) -> HttpResponse:
    """Readers of personal records far above their peers (same role, same scope) in a window."""
    events = _reviewable(request)
    form = UnusualReadingForm(request.GET or None, initial={"days": 7, "k": 3.5, "min_count": 10})
    settings = (
        form.cleaned_data
        if form.is_bound and form.is_valid()
        else {"days": 7, "k": 3.5, "min_count": 10, "kind": ""}
    )
    end = timezone.now()
    start = end - datetime.timedelta(days=settings["days"])
    window = events.between(start, None)
    if settings.get("kind"):
        window = window.filter(object_type=settings["kind"])
    counts = window.read_counts()
    readers = User.objects.in_bulk(list(counts))
    by_role: dict[str, dict[int, int]] = defaultdict(dict)
    for actor_id, count in counts.items():
        role = readers[actor_id].role if actor_id in readers else ""
        by_role[role][actor_id] = count
    rows = [
        UnusualRow(readers.get(found.reader), len(group), found)
        for group in by_role.values()
        for found in unusual_readers(group, k=settings["k"], min_count=settings["min_count"])
    ]
    rows.sort(key=lambda row: -row.finding.score)
    context = {"form": form, "rows": rows, "start": start, "end": end, "readers": len(counts)}
    return render(request, "audit/unusual.html", context)
