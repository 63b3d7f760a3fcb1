"""Incident sections: the beat map by category, open incidents, and the box's response times."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db.models import Count, FloatField, Func, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from koban.geography.models import Beat
from koban.incidents.figures import benchmark_seconds, overall_response
from koban.incidents.models import Incident
from koban.incidents.palette import category_styles
from koban.lib.dashboard import DashboardSection, register
from koban.lib.durations import age, minutes_seconds
from koban.organization.models import PoliceBox

WINDOWS = (7, 30)
# Points drawn on a map: the latest ones; the counts by category always cover every incident.
MAP_POINT_LIMIT = 3000
OPEN_LIST_LIMIT = 15
RESPONSE_WINDOW_DAYS = 30


def beat_geojson(box: PoliceBox) -> dict[str, Any]:
    """The box's current beat(s) as a GeoJSON FeatureCollection (one query)."""
    beats = Beat.objects.current().filter(box=box).only("id", "code", "name", "geom")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": beat.pk,
                "geometry": json.loads(beat.geom.geojson),
                "properties": {"code": beat.code, "name": beat.name},
            }
            for beat in beats
        ],
    }


def recent_points(box: PoliceBox, now: dt.datetime, days: int) -> list[tuple[float, float, int, dt.datetime]]:
    """``(lon, lat, category id, received at)`` of the latest located incidents of the last *days*.

    Coordinates come out of PostGIS as numbers (ST_X/ST_Y), so no geometry object is built per row.
    """
    rows = (
        Incident.objects.filter(box=box, received_at__gte=now - dt.timedelta(days=days), received_at__lte=now)
        .exclude(location__isnull=True)
        .annotate(
            lon=Func("location", function="ST_X", output_field=FloatField()),
            lat=Func("location", function="ST_Y", output_field=FloatField()),
        )
        .order_by("-received_at")
        .values_list("lon", "lat", "category_id", "received_at")[:MAP_POINT_LIMIT]
    )
    return list(rows)


def counts_by_category(box: PoliceBox, now: dt.datetime) -> list[dict[str, Any]]:
    """Incidents of the box per category in the last 7 and 30 days, most frequent first (one query)."""
    since = now - dt.timedelta(days=max(WINDOWS))
    rows = (
        Incident.objects.filter(box=box, received_at__gte=since, received_at__lte=now)
        .values("category_id")
        .annotate(
            last_30=Count("id"),
            last_7=Count("id", filter=Q(received_at__gte=now - dt.timedelta(days=7))),
        )
        .order_by()
    )
    styles = category_styles(get_language())
    out = [
        {"category_id": row["category_id"], "last_7": row["last_7"], "last_30": row["last_30"]}
        | styles.get(row["category_id"], {"label": "?", "colour": "#777", "code": ""})
        for row in rows
    ]
    return sorted(out, key=lambda r: (-r["last_30"], r["label"]))


def build_incident_map(box: PoliceBox, user: Any, now: dt.datetime) -> dict[str, Any]:
    rows = counts_by_category(box, now)
    return {
        "rows": rows,
        "total_7": sum(r["last_7"] for r in rows),
        "total_30": sum(r["last_30"] for r in rows),
        "beats": beat_geojson(box),
        "point_limit": MAP_POINT_LIMIT,
    }


def build_incident_map_pdf(box: PoliceBox, user: Any, now: dt.datetime) -> dict[str, Any]:
    """The page's context plus a drawn map of the beat with the incidents of the last 7 days."""
    from koban.lib.mapimage import beat_map_png_data_uri

    context = build_incident_map(box, user, now)
    styles = {r["category_id"]: r for r in context["rows"]}
    points = recent_points(box, now, 7)
    context["map_png"] = beat_map_png_data_uri(
        [feature["geometry"] for feature in context["beats"]["features"]],
        [(lon, lat, styles[c]["colour"]) for lon, lat, c, _when in points if c in styles],
        [(styles[c]["label"], styles[c]["colour"]) for c in styles if styles[c]["last_7"]],
        legend_title=str(_("Incidents, last 7 days")),
        box_point=(box.location.x, box.location.y) if box.location else None,
    )
    context["map_points"] = len(points)
    return context


def build_open_incidents(box: PoliceBox, user: Any, now: dt.datetime) -> dict[str, Any]:
    """Incidents of the box not yet cleared or cancelled, oldest first, with their age."""
    open_qs = Incident.objects.filter(box=box).open()
    incidents = list(open_qs.select_related("category").order_by("received_at", "id")[:OPEN_LIST_LIMIT])
    total = len(incidents) if len(incidents) < OPEN_LIST_LIMIT else open_qs.count()
    for incident in incidents:
        incident.age = age(now - incident.received_at)  # type: ignore[attr-defined]
    return {"incidents": incidents, "total": total, "more": total - len(incidents)}


def response_figures(box: PoliceBox, now: dt.datetime, days: int = RESPONSE_WINDOW_DAYS) -> dict[str, Any]:
    """Mean, median and 90th percentile of received → arrival (seconds) for the box's incidents (one query)."""
    incidents = Incident.objects.filter(
        box=box, received_at__gte=now - dt.timedelta(days=days), received_at__lte=now
    )
    figure = overall_response(incidents)
    return {
        "days": days,
        "count": figure.count,
        "mean": figure.mean_s,
        "median": figure.median_s,
        "p90": figure.p90_s,
        "within_benchmark": figure.within_benchmark,
    }


def build_response_times(box: PoliceBox, user: Any, now: dt.datetime) -> dict[str, Any]:
    figures = response_figures(box, now)
    benchmark = float(benchmark_seconds())
    median, mean = figures["median"], figures["mean"]
    return figures | {
        "benchmark": benchmark,
        # The benchmark is a national mean: the mean is compared with it (the median flatters skewed times).
        "mean_faster": mean is not None and mean <= benchmark,
        "mean_display": minutes_seconds(mean),
        "median_vs_benchmark": (median / benchmark) if median is not None and benchmark else None,
        "median_faster": median is not None and median <= benchmark,
        "p90_faster": figures["p90"] is not None and figures["p90"] <= benchmark,
        "median_display": minutes_seconds(median),
        "p90_display": minutes_seconds(figures["p90"]),
        "benchmark_display": minutes_seconds(benchmark),
        "within_percent": None
        if figures["within_benchmark"] is None
        else round(100 * figures["within_benchmark"]),
    }


OPEN_INCIDENTS = register(
    DashboardSection(
        key="open_incidents",
        title=_("Open incidents"),
        order=20,
        build=build_open_incidents,
        template="incidents/dashboard/open_incidents.html",
        pdf_template="incidents/dashboard/open_incidents_pdf.html",
        live=True,  # a new incident of the box shows up while the page is open
    )
)
INCIDENT_MAP = register(
    DashboardSection(
        key="incident_map",
        title=_("Incidents in the beat"),
        order=30,
        build=build_incident_map,
        template="incidents/dashboard/incident_map.html",
        pdf_template="incidents/dashboard/incident_map_pdf.html",
        build_pdf=build_incident_map_pdf,
        wide=True,
        # The map is drawn by script; swapping the card would throw it away.
        refresh_seconds=0,
    )
)
RESPONSE_TIMES = register(
    DashboardSection(
        key="response_times",
        title=_("110 response times"),
        order=60,
        build=build_response_times,
        template="incidents/dashboard/response_times.html",
        pdf_template="incidents/dashboard/response_times_pdf.html",
    )
)
