"""Pages of patrols: the list, a new patrol (GPX or drawn), the patrol on a map, beat coverage."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from koban.accounts.access import (
    access_patrol,
    access_patrol_for_work,
    boxes_patrollable_by,
    boxes_visible_to,
    boxes_workable_by,
    can_record_patrol,
    cards_visible_to,
    observations_visible_to,
    patrols_visible_to,
)
from koban.audit.reads import note_read
from koban.geography.maps import map_config
from koban.geography.models import Beat, RoadSegment
from koban.geography.roads import ROAD_MARGIN
from koban.lib.geo import GeometryError
from koban.lib.paging import page_of
from koban.patrols import services
from koban.patrols.coverage import beat_coverage, week_of
from koban.patrols.filters import PatrolFilter
from koban.patrols.forms import CardForm, ObservationForm, PatrolForm, StopForm, apply_errors
from koban.patrols.models import Observation, PatrolCard
from koban.runs.uploads import upload_rejection


def _patrol_boxes(user: Any) -> Any:
    return boxes_patrollable_by(user)


def _point(obj: Any, **props: Any) -> dict[str, Any] | None:
    if obj.point is None:
        return None
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [obj.point.x, obj.point.y]},
        "properties": props,
    }


def _beat_outline(box_id: int) -> dict[str, Any] | None:
    beat = Beat.objects.current().filter(box_id=box_id).first()
    return (
        {"type": "Feature", "geometry": json.loads(beat.geom.geojson), "properties": {"code": beat.code}}
        if beat
        else None
    )


#: The draw map shows at most this many street pieces (a beat has hundreds; this is a guard, not a limit).
MAX_STREETS_SHOWN = 5000


def _beat_streets(box_id: int) -> dict[str, Any] | None:
    """The streets in and around the box's beat, to draw (and snap) a patrol over; None without roads."""
    beat = Beat.objects.current().filter(box_id=box_id).first()
    if beat is None:
        return None
    extent = beat.geom.envelope.buffer(ROAD_MARGIN)
    geoms = RoadSegment.objects.filter(geom__bboverlaps=extent).values_list("geom", flat=True)
    lines = [[list(xy) for xy in geom.coords] for geom in geoms[:MAX_STREETS_SHOWN]]
    if not lines:
        return None
    return {
        "type": "Feature",
        "geometry": {"type": "MultiLineString", "coordinates": lines},
        "properties": {},
    }


LIST_PAGE_SIZE = 50


@login_required
def patrol_list(request: HttpRequest) -> HttpResponse:
    boxes = boxes_workable_by(request.user)  # type: ignore[arg-type]
    scope = patrols_visible_to(request.user).select_related("box").prefetch_related("officers")  # type: ignore[arg-type]
    filters = PatrolFilter(request.GET, queryset=scope.order_by("-started_at", "-id"), request=request)
    box = request.GET.get("box", "")
    # Paged, never cut (the list used to stop silently at 300).
    page = page_of(filters.qs, LIST_PAGE_SIZE, request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "patrols/patrol_list.html",
        {
            "patrols": page.object_list,
            "page": page,
            "q": request.GET.get("q", ""),
            "errors": filters.error_messages(),
            "query_rest": params.urlencode(),
            "boxes": boxes.order_by("station__code", "code"),
            "box": int(box) if box.isdigit() else None,
            "can_record": _patrol_boxes(request.user).exists(),
        },
    )


@login_required
def patrol_new(request: HttpRequest) -> HttpResponse:
    boxes = _patrol_boxes(request.user)
    if not boxes.exists():
        raise PermissionDenied("No box to record patrols for")
    initial = {"box": request.user.box_id, "officers": [request.user.pk]}  # type: ignore[union-attr]
    form = PatrolForm(request.POST or None, request.FILES or None, boxes=boxes, initial=initial)
    if request.method == "POST" and (too_large := upload_rejection(request)):
        # A file over KOBAN_UPLOAD_MAX_BYTES was skipped while the request was read: say so on its field.
        form.add_error("gpx", too_large)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        options = {
            "officers": list(data["officers"]),
            "kind": data["kind"],
            "started_at": data.get("started_at"),
            "ended_at": data.get("ended_at"),
            "note": data.get("note", ""),
            "outside_confirmed": data.get("outside_confirmed", False),
        }
        try:
            if data.get("gpx"):
                upload = data["gpx"]
                if upload.size > settings.KOBAN_GPX_MAX_BYTES:
                    raise ValidationError(
                        {
                            "gpx": _("The GPX file is too large (limit %(mb).1f MB).")
                            % {"mb": settings.KOBAN_GPX_MAX_BYTES / 1024 / 1024}
                        }
                    )
                patrol = services.record_gpx_patrol(request.user, data["box"], upload.read(), **options)
            else:
                patrol = services.record_drawn_patrol(request.user, data["box"], data["route"], **options)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Patrol recorded."))
            return redirect("patrols:detail", patrol.pk)
    first = boxes.first()
    box_id = (form.data.get("box") if form.is_bound else None) or request.user.box_id or first.pk  # type: ignore[union-attr]
    known_box = bool(box_id) and str(box_id).isdigit()
    outline = _beat_outline(int(box_id)) if known_box else None
    streets = _beat_streets(int(box_id)) if known_box else None
    config = map_config(
        layers={},
        mode="tap",
        beat=outline,
        routeInput="id_route",
        snapUrl=reverse("patrols:snap"),
        snapNote="patrol-snap-note",
        streets=streets,
        noStreets=_("No street data is loaded here: the route is drawn as straight lines."),
        form="patrol-form",
    )
    return render(request, "patrols/patrol_new.html", {"form": form, "map_config": config})


@login_required
def patrol_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patrol = access_patrol(request.user, pk)  # type: ignore[arg-type]
    can_record = can_record_patrol(request.user, patrol.box)  # type: ignore[arg-type]
    stops = list(patrol.stops.all())
    observations = list(observations_visible_to(request.user).filter(patrol=patrol))  # type: ignore[arg-type]
    cards = list(cards_visible_to(request.user).filter(patrol=patrol))  # type: ignore[arg-type]
    note_read(cards, PatrolCard.PERSONAL_FIELDS)
    note_read(observations, Observation.PERSONAL_FIELDS)
    features = {
        "route": {"type": "Feature", "geometry": json.loads(patrol.route.geojson), "properties": {}},
        "stops": [
            f
            for s in stops
            if (
                f := _point(
                    s,
                    label=f"{timezone.localtime(s.arrived_at):%H:%M}–{timezone.localtime(s.left_at):%H:%M} ({s.dwell_minutes} min)",
                )
            )
        ],
        "observations": [
            f
            for o in observations
            if (f := _point(o, label=f"{o.get_kind_display()}: {o.note[:80]}", kind=o.kind))
        ],
        "cards": [f for c in cards if (f := _point(c, label=c.address))],
    }
    config = map_config(layers={}, mode="detail", patrol=features, beat=_beat_outline(patrol.box_id))
    return render(
        request,
        "patrols/patrol_detail.html",
        {
            "patrol": patrol,
            "stops": stops,
            "observations": observations,
            "cards": cards,
            "can_record": can_record,
            "stop_form": StopForm(prefix="stop"),
            "observation_form": ObservationForm(prefix="obs"),
            "card_form": CardForm(prefix="card"),
            "map_config": config,
        },
    )


_ADDERS = {
    "stop": (StopForm, services.add_stop),
    "obs": (ObservationForm, services.add_observation),
    "card": (CardForm, services.add_card),
}


@login_required
@require_POST
def patrol_add(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    """Add a stop, an observation or a patrol card to a patrol (from the forms under its map)."""
    patrol = access_patrol_for_work(request.user, pk)  # type: ignore[arg-type]
    if what not in _ADDERS:
        raise Http404("Unknown record")
    form_class, adder = _ADDERS[what]
    form = form_class(request.POST, prefix=what)
    if form.is_valid():
        try:
            adder(request.user, patrol, **form.cleaned_data)  # type: ignore[operator]
        except (ValidationError, GeometryError) as exc:
            for message in getattr(exc, "messages", [str(exc)]):
                messages.error(request, message)
        else:
            messages.success(request, _("Saved."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
    return redirect("patrols:detail", patrol.pk)


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """Streets (or grid cells) of a beat patrolled this week, and those left out."""
    beats = Beat.objects.current().with_box().filter(box__in=boxes_visible_to(request.user)).order_by("code")  # type: ignore[arg-type]
    beat_id = request.GET.get("beat", "")
    beat = beats.filter(pk=int(beat_id)).first() if beat_id.isdigit() else None
    if beat is None and request.user.box_id:  # type: ignore[union-attr]
        beat = beats.filter(box_id=request.user.box_id).first()  # type: ignore[union-attr]
    beat = beat or beats.first()
    try:
        day = (
            datetime.date.fromisoformat(request.GET["date"])
            if request.GET.get("date")
            else timezone.localdate()
        )
    except ValueError:
        messages.error(request, _("The date must look like 2026-04-01."))
        day = timezone.localdate()
    result = beat_coverage(beat, day) if beat else None
    start, end = week_of(day)
    config = map_config(
        layers={},
        mode="coverage",
        coverage=result.geojson() if result else None,
        beat=_beat_outline(beat.box_id) if beat else None,
    )
    return render(
        request,
        "patrols/coverage.html",
        {
            "beats": beats,
            "beat": beat,
            "day": day,
            "week_start": start,
            "week_end": end - datetime.timedelta(days=1),
            "previous": (start - datetime.timedelta(days=7)).date(),
            "next": (start + datetime.timedelta(days=7)).date(),
            "result": result,
            "map_config": config,
        },
    )
