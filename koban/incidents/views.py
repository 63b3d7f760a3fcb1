"""Pages for incidents and 110 calls: the list, intake, one incident with its history, response times."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from koban.accounts.access import (
    access_incident,
    boxes_workable_by,
    can_see_caller_details,
    can_take_reports,
    has_police_powers,
    incidents_visible_to,
    stations_visible_to,
)
from koban.accounts.models import User
from koban.audit.reads import note_read
from koban.geography.maps import map_config
from koban.incidents import services
from koban.incidents.api import counts_for, response_figures
from koban.incidents.callers import caller_details
from koban.incidents.charts import minutes_seconds, response_chart
from koban.incidents.counts import DIMENSIONS as COUNT_DIMENSIONS
from koban.incidents.counts import count_map
from koban.incidents.dispatch_page import dispatch_panel
from koban.incidents.dispatching import Sendees, resolve_sendees, suggest_units
from koban.incidents.figures import DIMENSIONS, ResponseFigure, benchmark_seconds
from koban.incidents.filters import filtered_incidents
from koban.incidents.forms import CorrectionForm, IntakeForm, NoteForm
from koban.incidents.maps import incident_map
from koban.incidents.models import Incident, IncidentCategory, Status
from koban.lib.paging import page_of


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _query_without_page(request: HttpRequest) -> str:
    """The list's filters as a query string, without the page number (for the export links)."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    """Incidents of the boxes the user works on, newest first, with filters."""
    errors: dict[str, str] = {}
    visible = incidents_visible_to(_user(request)).with_relations()
    qs = filtered_incidents(request.GET, visible, errors)
    page = page_of(qs, 50, request.GET.get("page"))
    return render(
        request,
        "incidents/list.html",
        {
            "page": page,
            "errors": errors,
            "boxes": boxes_workable_by(_user(request)).with_station(),
            "statuses": Status.choices,
            "categories": IncidentCategory.objects.all(),
            "filters": request.GET,
            "query_rest": _query_without_page(request),
            "can_take_reports": can_take_reports(_user(request)),
        },
    )


def _form_errors(form: IntakeForm, exc: ValidationError) -> None:
    for field, problems in exc.message_dict.items():
        target = field if field in form.fields else None
        for problem in problems:
            form.add_error(target, problem)


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """Record a call or report; the place is placed in its beat and box at once."""
    if not can_take_reports(_user(request)):
        raise PermissionDenied
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            result = services.intake_incident(
                _user(request),
                category=data["category"],
                source=data["source"],
                priority=data["priority"],
                received_at=data["received_at"],
                lat=data["lat"],
                lon=data["lon"],
                address=data["address"],
                description=data["description"],
                idempotency_key=data["idempotency_key"],
                outside_confirmed=data["outside_confirmed"],
                caller_name=data["caller_name"],
                caller_phone=data["caller_phone"],
                caller_relation=data["caller_relation"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            incident = result.incident
            if incident.outside_jurisdiction:
                messages.warning(request, _("The place is outside every beat; the incident is flagged."))
            elif incident.address_unplaced:
                messages.warning(
                    request,
                    _("The address matches no known town; the incident is flagged: place it on the map."),
                )
            elif not result.created:
                messages.info(request, _("This report was already recorded."))
            else:
                messages.success(request, _("Incident recorded."))
            return redirect("incidents:detail", incident.pk)
    return render(
        request,
        "incidents/intake.html",
        {"form": form, "map_config": map_config(compact=True, pickPoint=True)},
    )


def _visible_incident(request: HttpRequest, pk: int) -> Incident:
    return access_incident(_user(request), pk)


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One incident: facts, history, units sent, suggestions and the actions the user may take."""
    incident = _visible_incident(request, pk)
    user = _user(request)
    police = has_police_powers(user)
    backup = request.GET.get("backup") == "1"
    suggestions = suggest_units(incident, user, backup=backup) if incident.is_open and police else []
    if incident.description:
        note_read([incident], ["description"])
    sees_caller = can_see_caller_details(user, incident)
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "events": incident.events.select_related("actor"),
            "dispatches": incident.dispatches.select_related("box").prefetch_related("officers"),
            "dispatch_panel": dispatch_panel(incident, suggestions, backup),
            "police": police,
            "note_form": NoteForm(),
            "correction_form": CorrectionForm.for_incident(incident, with_caller=sees_caller),
            "caller": caller_details(user, incident),
            "incident_map": incident_map(incident),
            "response": minutes_seconds(incident.response_seconds),
        },
    )


@login_required
@require_POST
def incident_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """Dispatch, arrive, clear, cancel, note, correct or reopen, from the buttons of the detail page."""
    incident = _visible_incident(request, pk)
    user = _user(request)
    note = (request.POST.get("note") or "").strip()
    try:
        at = _posted_time(request.POST.get("at"))
        if verb == "dispatch":
            sendees = _posted_sendees(request, user, incident)
            services.dispatch_units(
                user, incident, sendees.box, sendees.officers, at=at, note=note, unit=sendees.unit
            )
        elif verb == "arrive":
            services.mark_arrived(user, incident, at=at)
        elif verb == "clear":
            services.clear_incident(user, incident, at=at, note=note)
        elif verb == "cancel":
            services.cancel_incident(user, incident, note=note)
        elif verb == "note":
            services.add_note(user, incident, note)
        elif verb == "reopen":
            services.reopen_incident(user, incident, note)
        elif verb == "correct":
            _correct(request, user, incident)
        else:
            raise ValidationError({"action": _("Unknown action.")})
    except ValidationError as exc:
        for problems in exc.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(request, _("Saved."))
    return redirect("incidents:detail", incident.pk)


def _posted_id(request: HttpRequest, name: str) -> int | None:
    raw = (request.POST.get(name) or "").strip()
    if raw == "":
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise ValidationError({name: _("Choose from the list.")})
    return int(raw)


def _posted_sendees(request: HttpRequest, user: User, incident: Incident) -> Sendees:
    """The officers or patrol car a dispatch button names (ids the user may not send answer 404)."""
    raw_officers = request.POST.getlist("officers")
    if any(not v.isdigit() or len(v) > 18 for v in raw_officers):
        raise ValidationError({"officers": _("Choose from the list.")})
    return resolve_sendees(
        user,
        incident,
        _posted_id(request, "box"),
        _posted_id(request, "unit"),
        [int(v) for v in raw_officers],
    )


def _correct(request: HttpRequest, user: User, incident: Incident) -> None:
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        labelled = {
            field: [f"{form.fields[field].label}: {e}" if field in form.fields else e for e in errors]
            for field, errors in form.errors.items()
        }
        raise ValidationError(labelled)
    services.correct_incident(
        user,
        incident,
        reason=form.cleaned_data["reason"],
        outside_confirmed=form.cleaned_data["outside_confirmed"],
        **form.changes(),
    )


def _posted_time(raw: str | None) -> dt.datetime | None:
    """The optional ``at`` of an action: empty means now; local time when no offset is given."""
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        raise ValidationError({"at": _("%(value)s is not a date and time.") % {"value": raw}})
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _figure_rows(figures: list[ResponseFigure], benchmark: int) -> list[dict[str, Any]]:
    return [
        {
            "figure": f,
            "mean": minutes_seconds(f.mean_s),
            "median": minutes_seconds(f.median_s),
            "p90": minutes_seconds(f.p90_s),
            # The benchmark is a national mean: the mean is what is compared with it.
            "slower": (f.mean_s or 0) > benchmark,
        }
        for f in figures
    ]


@login_required
def response_times(request: HttpRequest) -> HttpResponse:
    """Mean, median and 90th-percentile response times by box, beat, station, category or hour."""
    figures, errors = response_figures(request)
    benchmark = benchmark_seconds()
    context: dict[str, Any] = {
        "errors": errors,
        "dimensions": list(DIMENSIONS.items()),
        "filters": request.GET,
        "benchmark": minutes_seconds(benchmark),
        "boxes": boxes_workable_by(_user(request)).with_station(),
        "stations": stations_visible_to(_user(request)),
        "categories": IncidentCategory.objects.all(),
        "api_url": reverse("incident-response-times")
        + ("?" + request.GET.urlencode() if request.GET else ""),
    }
    if figures is not None:
        groups = [ResponseFigure.from_dict(g) for g in figures["groups"]]
        context.update(
            {
                "by": figures["by"],
                "overall": _figure_rows([ResponseFigure.from_dict(figures["overall"])], benchmark)[0],
                "rows": _figure_rows(groups, benchmark),
                "chart": response_chart(groups, benchmark),
            }
        )
    return render(request, "incidents/response_times.html", context)


@login_required
def incident_counts(request: HttpRequest) -> HttpResponse:
    """Incidents by box (with the police's label beside them), beat, station, area or category; CSV too."""
    counts, errors = counts_for(request)
    if counts is not None and request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="incident-counts-{counts.by}.csv"'
        writer = csv.writer(response)
        writer.writerow(["key", "name", "incidents", "labelled", "agreeing", "named", "agreement"])
        for row in counts.rows:
            agreement = "" if row.agreement is None else f"{row.agreement:.4f}"
            writer.writerow(
                [row.key, row.name, row.incidents, row.labelled, row.agreeing, row.named, agreement]
            )
        return response
    query = request.GET.copy()
    query["format"] = "csv"
    context: dict[str, Any] = {
        "errors": errors,
        "counts": counts,
        "count_map": count_map(counts) if counts is not None else None,
        "dimensions": list(COUNT_DIMENSIONS.items()),
        "filters": request.GET,
        "categories": IncidentCategory.objects.all(),
        "csv_url": "?" + query.urlencode(),
        "api_url": reverse("incident-counts") + ("?" + request.GET.urlencode() if request.GET else ""),
    }
    return render(request, "incidents/counts.html", context)
