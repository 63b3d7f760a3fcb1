"""What a monthly issue says, gathered from the box's records into plain JSON (``Newsletter.content``).

Counts are of the incidents placed in the box's beat (cancelled calls left out), by category, for the
month, the month before and the same month a year before, each month counted in the box's time zone.
The map counts the month's incidents in grid cells (``KOBAN_NEWSLETTER_GRID_M``): a cell centre, never
the place of a victim. Lost & found notices show only the kind of item and the day it was found;
council news only dates, places and agendas; requests only what the police did.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any

from django.conf import settings
from django.db.models import Count

from koban.councils.models import Meeting
from koban.geography.models import Beat
from koban.incidents.models import Incident, IncidentCategory, Status
from koban.lostfound.models import FoundItem
from koban.organization.models import PoliceBox
from koban.rosters.reports import box_zone
from koban.voice.models import Action
from koban.voice.public import blur

MAX_NOTICES = 10
MAX_ACTIONS = 8
MAIN_CATEGORIES = 3
MIN_CELL_M = 100


def add_months(month: dt.date, months: int) -> dt.date:
    """The first day of the month *months* after (or before) *month*."""
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_bounds(box: PoliceBox, month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight of the month's first day to local midnight of the next month's, as aware times."""
    zone = box_zone(box)
    start = dt.datetime.combine(month, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(add_months(month, 1), dt.time(0), tzinfo=zone)
    return start, end


def _counted(box: PoliceBox, month: dt.date) -> Any:
    start, end = month_bounds(box, month)
    return Incident.objects.filter(box=box, received_at__gte=start, received_at__lt=end).exclude(
        status=Status.CANCELLED
    )


def category_counts(box: PoliceBox, month: dt.date) -> dict[int, int]:
    """Incidents per category id in *month* (one query)."""
    rows = _counted(box, month).values("category").annotate(n=Count("id"))
    return {row["category"]: row["n"] for row in rows}


def incident_figures(box: PoliceBox, month: dt.date) -> dict[str, Any]:
    """Counts by category for *month*, the month before and the same month a year before."""
    this = category_counts(box, month)
    last_month = category_counts(box, add_months(month, -1))
    last_year = category_counts(box, add_months(month, -12))
    ids = set(this) | set(last_month) | set(last_year)
    categories = {c.pk: c for c in IncidentCategory.objects.filter(pk__in=ids)}
    rows = [
        {
            "code": categories[pk].code,
            "labels": categories[pk].labels,
            "this": this.get(pk, 0),
            "last_month": last_month.get(pk, 0),
            "last_year": last_year.get(pk, 0),
        }
        for pk in ids
    ]
    rows.sort(key=lambda r: (-r["this"], -r["last_month"], r["code"]))
    totals = {key: sum(r[key] for r in rows) for key in ("this", "last_month", "last_year")}
    main = [r["code"] for r in rows if r["this"] > 0][:MAIN_CATEGORIES]
    return {"counts": rows, "totals": totals, "main_categories": main}


def grid_cells(box: PoliceBox, month: dt.date) -> tuple[int, list[list[float]]]:
    """The month's incidents counted in grid cells: ``[lon, lat, count]`` of each cell's centre."""
    size = max(int(settings.KOBAN_NEWSLETTER_GRID_M), MIN_CELL_M)
    counter: Counter[tuple[float, float]] = Counter()
    for point in _counted(box, month).filter(location__isnull=False).values_list("location", flat=True):
        counter[blur(point.x, point.y, size)] += 1
    return size, [[lon, lat, n] for (lon, lat), n in sorted(counter.items())]


def beat_outlines(box: PoliceBox) -> list[dict[str, Any]]:
    """The box's current beats as simplified GeoJSON geometries (for the map; ~10 m tolerance)."""
    beats = Beat.objects.current().filter(box=box)
    return [json.loads(beat.geom.simplify(0.0001, preserve_topology=True).geojson) for beat in beats]


def lost_and_found(box: PoliceBox, month: dt.date) -> tuple[int, list[dict[str, Any]]]:
    """Items handed in at the box during *month* still waiting for their owner: kind and day only."""
    start, end = month_bounds(box, month)
    items = (
        FoundItem.objects.filter(box=box, handed_in_at__gte=start, handed_in_at__lt=end)
        .open()
        .select_related("category")
        .order_by("found_at")
    )
    zone = box_zone(box)
    notices = [
        {
            "labels": item.category.labels,
            "code": item.category.code,
            "found_on": item.found_at.astimezone(zone).date().isoformat(),
        }
        for item in items[:MAX_NOTICES]
    ]
    return items.count(), notices


def council_news(box: PoliceBox, month: dt.date) -> dict[str, Any]:
    """Meetings of the box's council held in *month* and those planned after it."""
    meetings = Meeting.objects.filter(council__box=box)
    held = meetings.held().filter(held_on__gte=month, held_on__lt=add_months(month, 1)).order_by("held_on")
    upcoming = meetings.planned_from(add_months(month, 1))[:3]
    return {
        "held": [
            {"date": m.held_on.isoformat(), "agenda": m.agenda[:300], "opinions": m.opinions.count()}
            for m in held
        ],
        "upcoming": [
            {"date": m.held_on.isoformat(), "place": m.place, "agenda": m.agenda[:200]} for m in upcoming
        ],
    }


def actions_done(box: PoliceBox, month: dt.date) -> list[dict[str, Any]]:
    """What the box did this month about residents' requests: its action items completed in *month*."""
    start, end = month_bounds(box, month)
    done = Action.objects.filter(box=box, done_at__gte=start, done_at__lt=end).order_by("done_at", "id")
    zone = box_zone(box)
    return [
        {"title": a.title, "result": a.result, "done_on": a.done_at.astimezone(zone).date().isoformat()}
        for a in done[:MAX_ACTIONS]
        if a.done_at is not None
    ]


def build_content(box: PoliceBox, month: dt.date) -> dict[str, Any]:
    """Everything an issue of *box* for *month* shows, as JSON-ready values."""
    cell_m, cells = grid_cells(box, month)
    found_total, notices = lost_and_found(box, month)
    return {
        "month": month.isoformat(),
        **incident_figures(box, month),
        "cell_m": cell_m,
        "cells": cells,
        "beats": beat_outlines(box),
        "box_point": [box.location.x, box.location.y],
        "lost_found_total": found_total,
        "lost_found": notices,
        "council": council_news(box, month),
        "actions_done": actions_done(box, month),
    }
