"""Verbs that record patrols. Each runs in one transaction and writes the audit trail.

Bad input raises ``django.core.exceptions.ValidationError`` naming the field (and, for routes, the
line or point); nothing is written then.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.gis.geos import LineString, MultiLineString, Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from koban.accounts.models import User
from koban.analytics.algorithms.tracks import detect_stops, max_speed, path_length
from koban.audit.services import record, snapshot
from koban.lib.dates import check_date_window
from koban.lib.geo import metric_transformers, point_from_lonlat
from koban.organization.jurisdiction import check_track
from koban.organization.models import PoliceBox
from koban.patrols.models import Observation, Patrol, PatrolCard, PatrolStop
from koban.patrols.routes import Route, RouteError, parse_drawn, parse_gpx

CLOCK_SKEW = datetime.timedelta(minutes=5)
MAX_DURATION = datetime.timedelta(hours=24)
# Fastest plausible average speed per kind of patrol (m/s): brisk walk, fast cycling, urban driving.
MAX_AVERAGE_SPEED: dict[str, float] = {
    Patrol.Kind.FOOT: 3.0,
    Patrol.Kind.BICYCLE: 10.0,
    Patrol.Kind.CAR: 30.0,
}
# A jump between two GPS fixes faster than this (360 km/h) is not a patrol.
MAX_POINT_SPEED = 100.0
STOP_RADIUS_M = 30.0
STOP_MIN_DWELL_S = 180.0


def _metric(route: Route) -> list[np.ndarray]:
    lon0, lat0 = route.lines[0][0]
    forward, _ = metric_transformers(lon0, lat0)
    out = []
    for line in route.lines:
        arr = np.asarray(line, dtype=float)
        x, y = forward.transform(arr[:, 0], arr[:, 1])
        out.append(np.column_stack([x, y]))
    return out


def _check_officers(box: PoliceBox, officers: Sequence[User]) -> None:
    if not 1 <= len(officers) <= 2:
        raise ValidationError({"officers": _("A patrol is recorded for one officer or a pair.")})
    for officer in officers:
        if not officer.is_active or officer.station_id != box.station_id:
            raise ValidationError(
                {"officers": _("%(name)s is not an officer of this box's station.") % {"name": officer}}
            )


def _check_period(
    started_at: datetime.datetime | None, ended_at: datetime.datetime | None, now: datetime.datetime
) -> None:
    errors: dict[str, str] = {}
    if started_at is None:
        errors["started_at"] = _("Give the start time (the track has no times).")
    if ended_at is None:
        errors["ended_at"] = _("Give the end time (the track has no times).")
    if errors:
        raise ValidationError(errors)
    assert started_at is not None and ended_at is not None  # noqa: S101 - narrowed above
    if ended_at <= started_at:
        errors["ended_at"] = _("The patrol must end after it starts.")
    elif ended_at - started_at > MAX_DURATION:
        errors["ended_at"] = _("A patrol cannot last more than 24 hours.")
    if ended_at > now + CLOCK_SKEW:
        errors["ended_at"] = _("The end time is in the future.")
    check_date_window(errors, "started_at", started_at, now)
    if errors:
        raise ValidationError(errors)


def _check_speed(
    kind: str, distance_m: float, started_at: datetime.datetime, ended_at: datetime.datetime
) -> None:
    seconds = (ended_at - started_at).total_seconds()
    limit = MAX_AVERAGE_SPEED.get(kind, 30.0)
    if seconds > 0 and distance_m / seconds > limit:
        raise ValidationError(
            {
                "route": _(
                    "%(km).1f km in %(min)d minutes is %(kmh).0f km/h, impossible for this kind of patrol."
                )
                % {"km": distance_m / 1000, "min": seconds // 60, "kmh": distance_m / seconds * 3.6}
            }
        )


@transaction.atomic
def record_patrol(
    actor: Any,
    box: PoliceBox,
    route: Route,
    *,
    source: str,
    officers: Sequence[User],
    kind: str = Patrol.Kind.FOOT,
    started_at: datetime.datetime | None = None,
    ended_at: datetime.datetime | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
    outside_confirmed: bool = False,
) -> Patrol:
    """Save a patrol along *route*; with a timed GPS track, times and stops come from the track.

    A track that runs farther outside the box's jurisdiction than ``KOBAN_TRACK_TOLERANCE_M`` (a
    wrong file or a wrong box) is refused unless *outside_confirmed*.
    """
    now = now or timezone.now()
    if kind not in Patrol.Kind.values:
        raise ValidationError({"kind": _("Choose foot, bicycle or car.")})
    _check_officers(box, officers)
    vertices = np.asarray([point for line in route.lines for point in line], dtype=float)
    check_track(actor, box.station.agency, vertices, field="outside_confirmed", confirmed=outside_confirmed)
    metric = _metric(route)
    if route.times:
        flat_t = [t for line in route.times for t in line]
        started_at, ended_at = flat_t[0], flat_t[-1]
        for xy, times in zip(metric, route.times, strict=True):
            seconds = np.asarray([(t - flat_t[0]).total_seconds() for t in times])
            if max_speed(xy, seconds) > MAX_POINT_SPEED:
                raise ValidationError(
                    {"route": _("The track jumps faster than 360 km/h between two points: a broken GPS fix?")}
                )
    _check_period(started_at, ended_at, now)
    assert started_at is not None and ended_at is not None  # noqa: S101 - checked above
    distance = sum(path_length(xy) for xy in metric)
    _check_speed(kind, distance, started_at, ended_at)

    geom = MultiLineString([LineString(line, srid=4326) for line in route.lines], srid=4326)
    patrol = Patrol.objects.create(
        box=box,
        started_at=started_at,
        ended_at=ended_at,
        kind=kind,
        route=geom,
        source=source,
        distance_m=round(distance, 1),
        note=note.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    patrol.officers.set(officers)
    if route.times:
        _save_detected_stops(patrol, route, metric)
    after = snapshot(patrol) | {"officers": [o.pk for o in officers], "stops": patrol.stops.count()}
    record(actor, "patrols.record_patrol", patrol, after=after)
    return patrol


def _save_detected_stops(patrol: Patrol, route: Route, metric: list[np.ndarray]) -> None:
    assert route.times is not None  # noqa: S101 - caller checks
    for line, xy, times in zip(route.lines, metric, route.times, strict=True):
        seconds = np.asarray([(t - times[0]).total_seconds() for t in times])
        for span in detect_stops(xy, seconds, radius_m=STOP_RADIUS_M, min_dwell_s=STOP_MIN_DWELL_S):
            lon = float(np.mean([p[0] for p in line[span.first : span.last + 1]]))
            lat = float(np.mean([p[1] for p in line[span.first : span.last + 1]]))
            PatrolStop.objects.create(
                patrol=patrol,
                point=Point(lon, lat, srid=4326),
                arrived_at=times[span.first],
                left_at=times[span.last],
                detected=True,
            )


def record_gpx_patrol(actor: Any, box: PoliceBox, data: bytes, **options: Any) -> Patrol:
    """Parse a GPX upload (size-limited by ``KOBAN_GPX_MAX_BYTES``) and record the patrol."""
    try:
        route = parse_gpx(data, max_bytes=settings.KOBAN_GPX_MAX_BYTES, now=options.get("now"))
    except RouteError as exc:
        raise ValidationError({"gpx": str(exc)}) from exc
    return record_patrol(actor, box, route, source=Patrol.Source.GPX, **options)


def record_drawn_patrol(actor: Any, box: PoliceBox, geojson: str | dict[str, Any], **options: Any) -> Patrol:
    """Record a patrol whose route was drawn on the map (GeoJSON lines); times come from the form."""
    try:
        route = parse_drawn(geojson)
    except RouteError as exc:
        raise ValidationError({"route": str(exc)}) from exc
    return record_patrol(actor, box, route, source=Patrol.Source.DRAWN, **options)


def _point(
    actor: Any, patrol: Patrol, lon: float | None, lat: float | None, *, required: bool, confirmed: bool
) -> Point | None:
    """A checked point of the patrol, within its box's jurisdiction (and the track tolerance)."""
    point = point_from_lonlat(lon, lat, "point", required=required)
    if point is not None:
        coords = np.array([[point.x, point.y]])
        check_track(actor, patrol.box.station.agency, coords, field="outside_confirmed", confirmed=confirmed)
    return point


def _check_within(patrol: Patrol, moment: datetime.datetime, field: str) -> None:
    if not patrol.started_at - CLOCK_SKEW <= moment <= patrol.ended_at + CLOCK_SKEW:
        raise ValidationError(
            {
                field: _("This time is outside the patrol (%(start)s – %(end)s).")
                % {
                    "start": timezone.localtime(patrol.started_at).strftime("%Y-%m-%d %H:%M"),
                    "end": timezone.localtime(patrol.ended_at).strftime("%H:%M"),
                }
            }
        )


@transaction.atomic
def add_stop(
    actor: Any,
    patrol: Patrol,
    *,
    lon: float,
    lat: float,
    arrived_at: datetime.datetime,
    left_at: datetime.datetime,
    note: str = "",
    outside_confirmed: bool = False,
) -> PatrolStop:
    """Record a stop by hand (standing watch at a crossing, a check on a park)."""
    point = _point(actor, patrol, lon, lat, required=True, confirmed=outside_confirmed)
    assert point is not None  # noqa: S101 - required=True never returns None
    if left_at < arrived_at:
        raise ValidationError({"left_at": _("The stop cannot end before it starts.")})
    _check_within(patrol, arrived_at, "arrived_at")
    _check_within(patrol, left_at, "left_at")
    stop = PatrolStop.objects.create(
        patrol=patrol, point=point, arrived_at=arrived_at, left_at=left_at, note=note.strip()
    )
    record(actor, "patrols.add_stop", stop, after=snapshot(stop))
    return stop


@transaction.atomic
def add_observation(
    actor: Any,
    patrol: Patrol,
    *,
    kind: str,
    observed_at: datetime.datetime,
    note: str,
    lon: float | None = None,
    lat: float | None = None,
    outside_confirmed: bool = False,
) -> Observation:
    """Record a hazard, a suspicious person, advice given or another note from the patrol."""
    if kind not in Observation.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of observation.")})
    if not note.strip():
        raise ValidationError({"note": _("Describe what was observed.")})
    point = _point(actor, patrol, lon, lat, required=False, confirmed=outside_confirmed)
    _check_within(patrol, observed_at, "observed_at")
    observation = Observation.objects.create(
        patrol=patrol, kind=kind, point=point, observed_at=observed_at, note=note.strip()
    )
    record(actor, "patrols.add_observation", observation, after=snapshot(observation))
    return observation


@transaction.atomic
def add_card(
    actor: Any,
    patrol: Patrol,
    *,
    address: str,
    left_at: datetime.datetime,
    note: str = "",
    lon: float | None = None,
    lat: float | None = None,
    outside_confirmed: bool = False,
) -> PatrolCard:
    """Record a patrol card (巡回カード) left at a home."""
    if not address.strip():
        raise ValidationError({"address": _("Give the address where the card was left.")})
    point = _point(actor, patrol, lon, lat, required=False, confirmed=outside_confirmed)
    _check_within(patrol, left_at, "left_at")
    card = PatrolCard.objects.create(
        patrol=patrol, address=address.strip(), point=point, left_at=left_at, note=note.strip()
    )
    record(actor, "patrols.add_card", card, after=snapshot(card))
    return card
