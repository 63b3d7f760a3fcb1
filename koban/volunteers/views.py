"""Pages of volunteer groups: the registry, a group, recording a patrol (on a phone), an activity, reminders."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from koban.accounts.access import (
    access_activity,
    access_group,
    access_group_for_activity,
    activities_visible_to,
    can_forward_observation,
    can_manage_group,
    can_read_volunteer_statistics,
    can_record_activity,
    group_members_visible_to,
    groups_manageable_by,
    groups_recordable_by,
    groups_visible_to,
    refuse,
    survey_stations_for,
    volunteer_observations_visible_to,
)
from koban.audit.reads import note_read
from koban.geography.maps import map_config
from koban.lib.geo import point_from_lonlat
from koban.patrols.routes import Route, RouteError, parse_drawn, parse_gpx
from koban.volunteers import reminders, reports, services, tips
from koban.volunteers.forms import ActivityForm, apply_errors
from koban.volunteers.models import (
    ActivityObservation,
    CertifiedPatroller,
    VolunteerActivity,
    VolunteerMember,
)


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    groups = groups_visible_to(user).select_related("station", "box").order_by("station__code", "name")
    today = timezone.localdate()
    return render(
        request,
        "volunteers/group_list.html",
        {
            "groups": groups.with_member_count(today)[:500],
            "can_record": groups_recordable_by(user).exists(),
            "can_see_statistics": can_read_volunteer_statistics(user),
            "reminders": reminders.due_for(groups_manageable_by(user), today),
            "recent": activities_visible_to(user).select_related("group")[:20],
        },
    )


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    group = access_group(user, pk)
    today = timezone.localdate()
    members = list(group_members_visible_to(user).filter(group=group).order_by("left_on", "name"))
    note_read(members, VolunteerMember.PERSONAL_FIELDS)
    return render(
        request,
        "volunteers/group_detail.html",
        {
            "group": group,
            "members": members,
            "certifications": group.certifications.all(),
            "patrollers": group_patrollers(group),
            "vehicles": group.vehicles.all(),
            "activity": activities_visible_to(user).filter(group=group)[:50],
            "can_record": can_record_activity(user, group),
            "can_manage": can_manage_group(user, group),
            "reminders": reminders.due_for(type(group).objects.filter(pk=group.pk), today),
            "today": today,
        },
    )


def group_patrollers(group: Any) -> Any:
    return CertifiedPatroller.objects.filter(member__group=group).select_related("member")


def _route(form: ActivityForm) -> tuple[Route | None, str]:
    """The route of the form: an uploaded GPX or GeoJSON track, a drawn line, or none."""
    upload = form.cleaned_data.get("track")
    if upload:
        data = upload.read(settings.KOBAN_GPX_MAX_BYTES + 1)
        if upload.name.lower().endswith((".geojson", ".json")):
            if len(data) > settings.KOBAN_GPX_MAX_BYTES:
                raise RouteError(_("The track file is too large."))
            return parse_drawn(data.decode("utf-8", "replace")), VolunteerActivity.Source.GEOJSON
        return parse_gpx(data, max_bytes=settings.KOBAN_GPX_MAX_BYTES), VolunteerActivity.Source.GPX
    if form.cleaned_data.get("route"):
        return parse_drawn(form.cleaned_data["route"]), VolunteerActivity.Source.DRAWN
    return None, VolunteerActivity.Source.NONE


def _observations(data: dict[str, Any]) -> list[services.ObservationInput]:
    if not data.get("observation_kind"):
        return []
    point = point_from_lonlat(
        data.get("observation_lon"), data.get("observation_lat"), ("observation_lon", "observation_lat")
    )
    moment = data["started_at"]
    return [services.ObservationInput(data["observation_kind"], moment, data["observation_note"], point)]


@login_required
def activity_new(request: HttpRequest) -> HttpResponse:
    """Record a patrol or watch (made for a phone: one column, the map under the form)."""
    user: Any = request.user
    groups = groups_recordable_by(user).order_by("name")
    if not groups.exists():
        raise PermissionDenied(_("You may not record volunteer activity."))
    chosen = request.POST.get("group") or request.GET.get("group") or ""
    group = access_group_for_activity(user, chosen) if chosen else groups.first()
    initial = {"group": group, "participants": list(group.members.filter(user=user)) if group else []}
    form = ActivityForm(
        request.POST or None, request.FILES or None, groups=groups, group=group, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            route, source = _route(form)
            activity = services.record_activity(
                user,
                data["group"],
                kind=data["kind"],
                started_at=data["started_at"],
                ended_at=data["ended_at"],
                participants=list(data["participants"]),
                route=route,
                source=source,
                vehicle=data.get("vehicle"),
                joint_box=data.get("joint_box"),
                note=data.get("note", ""),
                observations=_observations(data),
            )
        except RouteError as exc:
            form.add_error("track" if data.get("track") else "route", str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Activity recorded."))
            return redirect("volunteers:activity", activity.pk)
    # The group's area frames the map (drawn dashed, like a beat), so the route is drawn where it was walked.
    area = (
        {"type": "Feature", "geometry": json.loads(group.area.geojson), "properties": {}}
        if group and group.area
        else None
    )
    config = map_config(layers={}, mode="draw", routeInput="id_route", beat=area)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "volunteers/activity_new.html", {"form": form, "map_config": config}, status=status
    )


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    activity = access_activity(user, pk)
    observations = list(volunteer_observations_visible_to(user).filter(activity=activity))
    note_read(observations, ActivityObservation.PERSONAL_FIELDS)
    points = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [o.point.x, o.point.y]},
            "properties": {"label": o.get_kind_display()},
        }
        for o in observations
        if o.point is not None
    ]
    route = json.loads(activity.route.geojson) if activity.route else None
    features = {"route": route, "stops": [], "observations": points, "cards": []}
    return render(
        request,
        "volunteers/activity_detail.html",
        {
            "activity": activity,
            "participants": activity.participants.all(),
            "observations": observations,
            "can_forward": can_forward_observation(user, activity),
            "map_config": map_config(layers={}, mode="detail", patrol=features),
        },
    )


@login_required
@require_POST
def forward_observation(request: HttpRequest, pk: int, observation_id: int) -> HttpResponse:
    """Send an observation to the box as a tip (a request in the box's queue)."""
    user: Any = request.user
    activity = access_activity(user, pk)
    if not can_forward_observation(user, activity):
        raise PermissionDenied(_("You may not send this group's observations."))
    observation = volunteer_observations_visible_to(user).filter(activity=activity, pk=observation_id).first()
    if observation is None:
        raise refuse(user, "volunteers.activityobservation", observation_id)
    try:
        tips.forward(user, observation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Sent to the box as a tip."))
    return redirect("volunteers:activity", activity.pk)


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    """The national survey report for a station, an agency or everything the user sees; CSV and PDF."""
    user: Any = request.user
    if not can_read_volunteer_statistics(user):
        raise PermissionDenied(_("Only the police read the survey report."))
    area = reports.area_for(user, request.GET.get("station"), request.GET.get("agency"))
    day = timezone.localdate()
    report = reports.report_for(area, day)
    export = request.GET.get("format", "")
    slug = f"volunteer-survey-{day.isoformat()}"
    if export == "csv":
        response = HttpResponse(reports.report_csv(report), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
        return response
    if export == "pdf":
        response = HttpResponse(reports.report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{slug}.pdf"'
        return response
    svgs = {key: mark_safe(svg.decode("utf-8")) for key, svg in reports.chart_images(report, "svg").items()}  # noqa: S308 - our own matplotlib output
    stations = survey_stations_for(user).select_related("agency").order_by("agency__code", "code")
    return render(
        request,
        "volunteers/statistics.html",
        {
            "report": report,
            "area": area,
            "charts": svgs,
            "stations": stations,
            "query": request.GET.urlencode(),
        },
    )
