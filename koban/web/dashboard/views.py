"""Dashboard pages: the box dashboard, one section for htmx refresh, the map's points, the briefing PDF.

A dashboard shows the box's open incidents with addresses, its counter log and its tasks, so it opens
only for those who work on the box (``access_dashboard_box``): the same rule as its incidents.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from koban.accounts.access import (
    access_dashboard_box,
    boxes_workable_by,
    can_record_counter,
    can_record_patrol,
    can_take_reports,
)
from koban.accounts.models import User
from koban.geography.maps import map_config
from koban.incidents.dashboard import WINDOWS, recent_points
from koban.incidents.palette import category_styles
from koban.lib.dashboard import get_section
from koban.organization.models import PoliceBox
from koban.patrols.dashboard import build_unpatrolled
from koban.rosters.clock import handover_at, local_now
from koban.rosters.reports import box_zone
from koban.web.dashboard.briefing import briefing_languages, briefing_pdf
from koban.web.dashboard.render import BuiltSection, build_sections

PICKER_PAGE_SIZE = 100
MAP_REFRESH_FLOOR = 60


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _dashboard_map_config(box: PoliceBox, sections: list[BuiltSection]) -> dict[str, Any]:
    """What dashboard.js draws: the beat, the box, incident points (fetched) and unpatrolled streets."""
    contexts = {s.key: s.context for s in sections}
    empty = {"type": "FeatureCollection", "features": []}
    base = map_config()
    return {
        "tileUrl": base["tileUrl"],
        "tileAttribution": base["tileAttribution"],
        "beats": contexts.get("incident_map", {}).get("beats") or empty,
        # Unpatrolled streets can run to a thousand lines: fetched by the map, not inlined in the page.
        "uncoveredUrl": reverse("web:dashboard-uncovered", args=[box.pk])
        if "unpatrolled" in contexts
        else None,
        "box": {"lon": box.location.x, "lat": box.location.y, "name": box.name} if box.location else None,
        "pointsUrl": reverse("web:dashboard-incidents", args=[box.pk]),
        "windows": list(WINDOWS),
        # The points are re-fetched while the page is open, less often than the live cards: they are
        # the heaviest answer of the page (up to MAP_POINT_LIMIT points).
        "refreshSeconds": max(MAP_REFRESH_FLOOR, settings.KOBAN_DASHBOARD_LIVE_SECONDS),
        "labels": {"beat": _("Beat"), "uncovered": _("Not patrolled this week")},
    }


@login_required
def dashboard(request: HttpRequest, box_id: int) -> HttpResponse:
    """The state of the box's area on one page: every registered section, times in the box's zone."""
    box = access_dashboard_box(_user(request), box_id)
    now = timezone.now()
    with timezone.override(box_zone(box)):
        sections = build_sections(box, request.user, now)
        return render(
            request,
            "web/dashboard.html",
            {
                "box": box,
                "sections": sections,
                "now": local_now(box, now),
                "handover": handover_at(box, now),
                "briefing_languages": briefing_languages(),
                "dashboard_map_config": _dashboard_map_config(box, sections),
                "can_work": can_record_counter(_user(request), box),
                "can_patrol": can_record_patrol(_user(request), box),
                "can_report": can_take_reports(_user(request)),
            },
        )


@login_required
def dashboard_section(request: HttpRequest, box_id: int, key: str) -> HttpResponse:
    """One section's card, for htmx to swap in place."""
    box = access_dashboard_box(_user(request), box_id)
    section = get_section(key)
    if section is None:
        raise Http404("No such dashboard section")
    with timezone.override(box_zone(box)):
        built = build_sections(box, request.user, timezone.now(), sections=[section])
        if not built:
            return HttpResponse("")
        return render(request, "web/dashboard/_card.html", {"box": box, "item": built[0]})


@login_required
def dashboard_incidents(request: HttpRequest, box_id: int) -> HttpResponse:
    """GeoJSON points of the box's latest incidents of the last ``days`` (7 or 30), with colours."""
    box = access_dashboard_box(_user(request), box_id)
    try:
        days = int(request.GET.get("days", "7"))
    except ValueError:
        days = -1
    if days not in WINDOWS:
        allowed = ", ".join(str(w) for w in WINDOWS)
        return HttpResponseBadRequest(_("days: must be one of %(allowed)s.") % {"allowed": allowed})
    styles = category_styles()
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            "properties": {
                "category": styles.get(category, {}).get("label", ""),
                "colour": styles.get(category, {}).get("colour", "#777"),
                "received_at": timezone.localtime(received, box_zone(box)).strftime("%Y-%m-%d %H:%M"),
            },
        }
        for lon, lat, category, received in recent_points(box, timezone.now(), days)
    ]
    return JsonResponse({"type": "FeatureCollection", "days": days, "features": features})


@login_required
def dashboard_uncovered(request: HttpRequest, box_id: int) -> HttpResponse:
    """GeoJSON of the streets (or grid cells) of the box's beat not patrolled this week."""
    box = access_dashboard_box(_user(request), box_id)
    with timezone.override(box_zone(box)):
        context = build_unpatrolled(box, request.user, timezone.now())
    return JsonResponse(context["uncovered"] if context else {"type": "FeatureCollection", "features": []})


@login_required
def briefing(request: HttpRequest, box_id: int) -> HttpResponse:
    """The daily briefing PDF in ``?lang=`` (ja or en; default: the user's language)."""
    user = _user(request)
    box = access_dashboard_box(user, box_id)
    language = request.GET.get("lang") or user.language or translation.get_language() or "ja"
    language = language.split("-")[0]
    if language not in briefing_languages():
        allowed = ", ".join(briefing_languages())
        return HttpResponseBadRequest(_("lang: must be one of %(allowed)s.") % {"allowed": allowed})
    now = timezone.now()
    pdf = briefing_pdf(box, user, now, language)
    day = handover_at(box, now).date()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="briefing-{box.code}-{day:%Y%m%d}-{language}.pdf"'
    return response


@login_required
def dashboard_home(request: HttpRequest) -> HttpResponse:
    """An officer's own dashboard; for chiefs and HQ a list of the boxes they may open."""
    user = _user(request)
    if user.box_id and boxes_workable_by(user).filter(pk=user.box_id).exists():
        return redirect("web:dashboard", box_id=user.box_id)
    boxes = boxes_workable_by(user).with_station().order_by("station__name", "code")
    page = Paginator(boxes, PICKER_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/dashboard_picker.html", {"page": page})
