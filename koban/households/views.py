"""Pages of routine visits: the officer's worklist with its map and visit entry (made for a phone), a
household and its visits, adding an address on the map, duplicate addresses and their merge, coverage
for chiefs and HQ (figures only), and the import of address lists."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from koban.accounts.access import (
    access_box,
    access_household,
    agencies_importing_households_for,
    boxes_visiting_for,
    coverage_boxes_visible_to,
    fetch_or_refuse,
    find_or_record,
    households_visible_to,
)
from koban.audit.reads import note_read
from koban.geography.maps import map_config
from koban.geography.models import Beat
from koban.households import services
from koban.households.coverage import coverage
from koban.households.forms import HouseholdForm, ImportForm, VisitForm, WorklistForm, apply_errors
from koban.households.jobs import start_household_import
from koban.households.models import Household, Visit
from koban.households.worklist import build_worklist
from koban.lib.geo import point_from_lonlat
from koban.organization.models import PoliceBox
from koban.runs.uploads import upload_rejection

COVERAGE_MONTHS = 12


def _beats_geojson(boxes: Any) -> dict[str, Any]:
    beats = Beat.objects.current().filter(box__in=boxes).only("pk", "code", "geom", "box_id")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": json.loads(b.geom.geojson),
                "properties": {"id": b.pk, "code": b.code},
            }
            for b in beats
        ],
    }


def _visit_form(household: Household | None = None, data: Any = None) -> VisitForm:
    initial = {"visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    return VisitForm(data, prefix=f"v{household.pk}" if household else "v", initial=initial)


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    """The due households of the officer's box as a walking route that fits the time given."""
    boxes = boxes_visiting_for(request.user)  # type: ignore[arg-type]
    if not boxes.exists():
        if coverage_boxes_visible_to(request.user).exists():  # type: ignore[arg-type]
            return redirect("households:coverage")
        raise PermissionDenied(_("Only the officers who visit a beat have a worklist."))
    box_id = request.GET.get("box") or boxes.order_by("code").values_list("pk", flat=True).first()
    box: PoliceBox = fetch_or_refuse(request.user, boxes.with_station(), box_id)
    form = WorklistForm(request.GET if "budget" in request.GET else None)
    budget, per_visit = 120, 10
    if form.is_bound and form.is_valid():
        budget, per_visit = form.cleaned_data["budget"], form.cleaned_data["per_visit"]
    planned = build_worklist(box, at=timezone.now(), budget_minutes=budget, minutes_per_visit=per_visit)
    note_read([stop.household for stop in planned.stops], Household.PERSONAL_FIELDS)
    stops = [{"stop": stop, "form": _visit_form(stop.household)} for stop in planned.stops]
    route = {
        "box": [box.location.x, box.location.y],
        "line": planned.route_coordinates(),
        "stops": [
            {
                "id": s.household.pk,
                "n": n,
                "lon": s.household.point.x,
                "lat": s.household.point.y,
                "label": str(s.household),
            }
            for n, s in enumerate(planned.stops, start=1)
        ],
        "beats": _beats_geojson(PoliceBox.objects.filter(pk=box.pk)),
    }
    return render(
        request,
        "households/worklist.html",
        {
            "box": box,
            "boxes": boxes.order_by("code"),
            "worklist": planned,
            "stops": stops,
            "form": form
            if form.is_bound
            else WorklistForm(initial={"budget": budget, "per_visit": per_visit}),
            "route": route,
            "map_config": map_config(),
            "next": request.get_full_path(),
        },
    )


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = access_household(request.user, pk)  # type: ignore[arg-type]
    visits = list(household.visits.select_related("officer", "voice_request")[:50])
    note_read([household], Household.PERSONAL_FIELDS)
    note_read(visits, Visit.PERSONAL_FIELDS)
    return render(
        request,
        "households/household.html",
        {
            "household": household,
            "visits": visits,
            "units": household.units.all()[:500],
            "form": _visit_form(household),
            "next": request.get_full_path(),
        },
    )


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@login_required
@require_POST
def record_visit(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a visit from the worklist or the household page; back to where the officer came from."""
    household = access_household(request.user, pk)  # type: ignore[arg-type]
    form = _visit_form(household, request.POST)
    back = _safe_next(request, reverse("households:detail", args=[household.pk]))
    if form.is_valid():
        try:
            services.record_visit(request.user, household, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
    if form.errors:
        note_read([household], Household.PERSONAL_FIELDS)
        return render(
            request,
            "households/household.html",
            {"household": household, "visits": list(household.visits.all()[:50]), "form": form, "next": back},
            status=400,
        )
    messages.success(request, _("Visit to %(address)s recorded.") % {"address": household})
    return redirect(back)


@login_required
def household_add(request: HttpRequest) -> HttpResponse:
    """Add an address by clicking the map (the beat and box follow from the place)."""
    boxes = boxes_visiting_for(request.user)  # type: ignore[arg-type]
    if not boxes.exists():
        raise PermissionDenied(_("Only the officers who visit a beat add its addresses."))
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        building = None
        if data.get("building"):
            building = find_or_record(request.user, households_visible_to(request.user), data["building"])  # type: ignore[arg-type]
            if building is None:
                form.add_error("building", _("Unknown building."))
        if not form.errors:
            try:
                point = point_from_lonlat(data["lon"], data["lat"], ("lon", "lat"), required=True)
                assert point is not None  # noqa: S101 - required=True raises instead
                household = services.add_household(
                    request.user,
                    point=point,
                    address=data["address"],
                    kind=data["kind"],
                    within=boxes,
                    building=building,
                    name=data["name"],
                    can_enter=data["can_enter"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("%(address)s added to the registry.") % {"address": household})
                return redirect("households:detail", household.pk)
    return render(
        request,
        "households/add.html",
        {"form": form, "beats": _beats_geojson(boxes), "map_config": map_config()},
        status=400 if form.errors else 200,
    )


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    """Addresses of the user's boxes that look like one place entered twice, with a merge button."""
    scope = households_visible_to(request.user)  # type: ignore[arg-type]
    pairs = services.duplicate_suggestions(scope)
    note_read([h for pair in pairs for h in pair], Household.PERSONAL_FIELDS)
    return render(request, "households/duplicates.html", {"pairs": pairs})


@login_required
@require_POST
def merge(request: HttpRequest) -> HttpResponse:
    keep = access_household(request.user, request.POST.get("keep"))  # type: ignore[arg-type]
    duplicate = access_household(request.user, request.POST.get("duplicate"))  # type: ignore[arg-type]
    try:
        services.merge_households(request.user, keep, duplicate)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("households:duplicates")
    messages.success(request, _("Merged into %(address)s.") % {"address": keep})
    return redirect("households:detail", keep.pk)


def _period(request: HttpRequest) -> tuple[datetime.datetime, datetime.datetime, int]:
    raw = request.GET.get("months", "")
    months = int(raw) if raw.isdigit() and 1 <= int(raw) <= 36 else COVERAGE_MONTHS
    end = timezone.now()
    return end - datetime.timedelta(days=round(months * 30.44)), end, months


@login_required
def coverage_page(request: HttpRequest) -> HttpResponse:
    """Coverage of the boxes the user may see, per station, box and beat, with the monthly trend and a
    map of beats coloured by the share visited. Figures only: no household is named."""
    boxes = coverage_boxes_visible_to(request.user)  # type: ignore[arg-type]
    if not boxes.exists():
        raise Http404("No coverage for this user")
    station = request.GET.get("station", "")
    if station.isdigit():
        boxes = boxes.filter(station_id=int(station))
    box = request.GET.get("box", "")
    if box.isdigit():
        boxes = boxes.filter(pk=access_box(request.user, box).pk)  # type: ignore[arg-type]
    start, end, months = _period(request)
    figures = coverage(boxes, start, end)
    box_rows = list(boxes.with_station().order_by("station__code", "code"))
    beats = list(
        Beat.objects.current().filter(box__in=boxes).select_related("box").order_by("box__code", "code")
    )
    beat_map = _beats_geojson(boxes)
    for feature in beat_map["features"]:
        share = figures.by_beat.get(feature["properties"]["id"])
        feature["properties"].update(share.as_dict() if share else {"households": 0, "share_visited": None})
    return render(
        request,
        "households/coverage.html",
        {
            "coverage": figures,
            "months": months,
            "boxes": [(b, figures.by_box.get(b.pk)) for b in box_rows],
            "beats": [(b, figures.by_beat.get(b.pk)) for b in beats],
            "stations": {b.station for b in box_rows},
            "station_figures": figures.by_station,
            "beat_map": beat_map,
            "map_config": map_config(),
        },
    )


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    """HQ uploads an address list; the import runs in the background (a dry run unless committed)."""
    agencies = agencies_importing_households_for(request.user)
    if not agencies.exists():
        raise Http404("No agency to import for")
    form = ImportForm(request.POST or None, request.FILES or None, agencies=agencies)
    if request.method == "POST":
        too_large = upload_rejection(request)
        if too_large:
            form.add_error("file", too_large)
        elif form.is_valid():
            run = start_household_import(
                request.user,
                form.cleaned_data["file"],
                form.cleaned_data["agency"],
                commit=form.cleaned_data["commit"],
            )
            return redirect("web:run", run.pk)
    return render(request, "households/import.html", {"form": form}, status=400 if form.errors else 200)
