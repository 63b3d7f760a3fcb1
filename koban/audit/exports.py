"""Exports of the lists (CSV, Excel) as pages offer them: bounded, scoped, and audited when personal.

Each list's export view selects its rows exactly as its page does (the user's scope, then the shared
FilterSet) and hands them here. Personal columns are filled only on the rows whose people the user may
see, and are left out altogether for a user who may see none; the rows exported with personal data
are named in one read row of the audit trail, like a page showing them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from koban.audit.services import record_read
from koban.lib.exports import FORMATS, Column, export_response


def export_list(
    request: HttpRequest,
    rows: QuerySet[Any],
    columns: Sequence[Column],
    *,
    name: str,
    list_url: str,
    shows_people: Callable[[Any], bool] | None = None,
) -> HttpResponse:
    """The download of *rows* in the format asked for (``?format=csv|xlsx``), or back to the list
    (*list_url*, same filters) with a message when the format is unknown or the rows are too many.

    *shows_people* says for a row whether the user may see its personal columns; None leaves those
    columns out.
    """
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        messages.error(request, _("Choose CSV or Excel (xlsx) for the export."))
        return _back(request, list_url)
    limit = settings.KOBAN_EXPORT_MAX_ROWS
    total = rows.count()
    if total > limit:
        messages.error(
            request,
            _(
                "This list holds %(total)s rows; an export may hold at most %(limit)s. "
                "Narrow the filters (dates, box, state) and export again."
            )
            % {"total": f"{total:,}", "limit": f"{limit:,}"},
        )
        return _back(request, list_url)
    records = list(rows)
    shown_columns = _columns_for(columns, shows_people)
    personal = [c.name for c in shown_columns if c.personal]
    if personal and shows_people is not None:
        with_people = [row for row in records if shows_people(row)]
        model = rows.model
        record_read(request.user, with_people, personal, request=request, model=model, what=f"{fmt} export")
    return export_response(records, shown_columns, fmt, name)


def _columns_for(columns: Sequence[Column], shows_people: Callable[[Any], bool] | None) -> list[Column]:
    if shows_people is None:
        return [c for c in columns if not c.personal]
    allowed = shows_people
    return [replace(c, value=_only_if(c.value, allowed)) if c.personal else c for c in columns]


def _only_if(value: Callable[[Any], Any], allowed: Callable[[Any], bool]) -> Callable[[Any], Any]:
    return lambda row: value(row) if allowed(row) else ""


def _back(request: HttpRequest, list_url: str) -> HttpResponse:
    params = request.GET.copy()
    params.pop("format", None)
    query = params.urlencode()
    return redirect(f"{list_url}?{query}" if query else list_url)
