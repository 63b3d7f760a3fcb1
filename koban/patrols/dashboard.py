"""Unpatrolled streets of the box's beat this week, from the patrols app's coverage rule.

Coverage of a beat with a thousand street segments takes a few hundred milliseconds of geometry, and
it only changes when a patrol is recorded. So each beat's result is cached under a key made of the
beat, the week and a fingerprint of that week's patrols through the beat (how many, the latest id):
a new or deleted patrol makes a new key at once, and ``COVERAGE_CACHE_SECONDS`` bounds how long an
edited route or a changed street network can go unnoticed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _

from koban.geography.models import Beat
from koban.lib.dashboard import DashboardSection, register
from koban.organization.models import PoliceBox
from koban.patrols.coverage import beat_coverage, week_of
from koban.patrols.models import Patrol
from koban.rosters.clock import local_today

NAMES_LIMIT = 20
COVERAGE_CACHE_SECONDS = 600


def _rounded(value: Any, digits: int = 6) -> Any:
    """Coordinates to *digits* decimals (6 ≈ 0.1 m): the map needs no more, and the page stays small."""
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, list | tuple):
        return [_rounded(v, digits) for v in value]
    return value


def _beat_week(beat: Beat, day: dt.date) -> dict[str, Any]:
    """Coverage of *beat* in the week of *day*, as plain data (cached; one query on a cache hit)."""
    start, end = week_of(day)
    fingerprint = (
        Patrol.objects.between(start, end)
        .filter(route__intersects=beat.geom)
        .aggregate(n=Count("id"), last=Max("id"))
    )
    key = f"koban:dashboard:coverage:{beat.pk}:{start:%Y%m%d}:{fingerprint['n']}:{fingerprint['last']}"
    found = cache.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    result = beat_coverage(beat, day)
    data = {
        "code": beat.code,
        "start": result.start,
        "end": result.end,
        "mode": result.mode,
        "total": result.total,
        "covered": result.covered,
        "percent": result.percent,
        "patrols": result.patrol_count,
        "uncovered_names": list(result.uncovered_names),
        "uncovered": [
            f
            | {
                "geometry": {
                    "type": f["geometry"]["type"],
                    "coordinates": _rounded(f["geometry"]["coordinates"]),
                }
            }
            for f in result.features
            if not f["properties"]["covered"]
        ],
    }
    cache.set(key, data, COVERAGE_CACHE_SECONDS)
    return data


def build_unpatrolled(box: PoliceBox, user: Any, now: dt.datetime) -> dict[str, Any] | None:
    """Coverage % and uncovered streets of each current beat of the box this week (Monday to Sunday).

    Left out when the box has no current beat. Uncovered street (or grid-cell) features go to the
    dashboard map as a layer.
    """
    beats = list(Beat.objects.current().filter(box=box).order_by("code"))
    if not beats:
        return None
    day = local_today(box, now)
    results = [_beat_week(beat, day) for beat in beats]
    total = sum(r["total"] for r in results)
    covered = sum(r["covered"] for r in results)
    names: list[str] = []
    for result in results:
        names.extend(n for n in result["uncovered_names"] if n not in names)
    return {
        "beat_id": beats[0].pk,
        "week_start": results[0]["start"],
        "week_end": results[0]["end"] - dt.timedelta(days=1),
        "percent": round(100.0 * covered / total, 1) if total else 0.0,
        "mode": results[0]["mode"],
        "patrols": max(r["patrols"] for r in results),
        "beats": [{"code": r["code"], "percent": r["percent"], "mode": r["mode"]} for r in results],
        "uncovered_names": names[:NAMES_LIMIT],
        "more_names": max(0, len(names) - NAMES_LIMIT),
        "uncovered": {"type": "FeatureCollection", "features": [f for r in results for f in r["uncovered"]]},
    }


UNPATROLLED = register(
    DashboardSection(
        key="unpatrolled",
        title=_("Unpatrolled this week"),
        order=70,
        build=build_unpatrolled,
        template="patrols/dashboard/unpatrolled.html",
        pdf_template="patrols/dashboard/unpatrolled_pdf.html",
        refresh_seconds=600,
    )
)
