"""Reading patrol routes from a GPX upload or a route drawn on the map, with clear errors.

Nothing here touches the database. Every coordinate is checked with ``koban.lib.geo.check_lonlat``
before a geometry is built from it (GEOS can crash on absurd numbers), and every error names the
place in the input: the XML line, or the track/segment/point number.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from typing import Any

import gpxpy
import gpxpy.gpx
from django.utils.translation import gettext as _

from koban.lib.geo import GeometryError, check_lonlat

MAX_POINTS = 200_000
MAX_DRAWN_VERTICES = 20_000
EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
_DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class RouteError(ValueError):
    """A route that cannot be accepted; the message says where and why."""


@dataclass
class Route:
    """Lines of (lon, lat) points and, for GPX tracks with times, the time of each point (UTC)."""

    lines: list[list[tuple[float, float]]]
    times: list[list[datetime.datetime]] | None = None

    @property
    def point_count(self) -> int:
        return sum(len(line) for line in self.lines)


def _size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def parse_gpx(data: bytes, *, max_bytes: int, now: datetime.datetime | None = None) -> Route:
    """Read the track points of a GPX file (or its route points when it has no track).

    Raises RouteError for a file over *max_bytes*, XML that is not well formed (with the parser's
    line and column), a DOCTYPE or entity declaration (never needed in GPX, and a way to blow up a
    parser), coordinates outside WGS84, points mixing timed and untimed, times out of order, in the
    future or before 2000.
    """
    if len(data) > max_bytes:
        raise RouteError(
            _("The GPX file is %(size)s; the limit is %(limit)s.")
            % {"size": _size_text(len(data)), "limit": _size_text(max_bytes)}
        )
    if not data.strip():
        raise RouteError(_("The GPX file is empty."))
    if _DOCTYPE.search(data[:4096]):
        raise RouteError(_("GPX files must not contain a DOCTYPE or entity declarations."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RouteError(_("The GPX file is not UTF-8 text (byte %(byte)d).") % {"byte": exc.start}) from exc
    try:
        gpx = gpxpy.parse(text)
    except gpxpy.gpx.GPXXMLSyntaxException as exc:
        cause = getattr(exc, "original_exception", None) or exc
        raise RouteError(_("The GPX file is not well-formed XML: %(error)s") % {"error": cause}) from exc
    except gpxpy.gpx.GPXException as exc:
        raise RouteError(_("The GPX file is not valid GPX: %(error)s") % {"error": exc}) from exc
    except Exception as exc:  # gpxpy raises plain errors for some broken attributes
        raise RouteError(_("The GPX file could not be read: %(error)s") % {"error": exc}) from exc

    raw: list[tuple[str, list[Any]]] = []
    for ti, track in enumerate(gpx.tracks, 1):
        for si, segment in enumerate(track.segments, 1):
            raw.append(
                (_("track %(track)d, segment %(segment)d") % {"track": ti, "segment": si}, segment.points)
            )
    if not any(points for _, points in raw):
        raw = [(_("route %(route)d") % {"route": ri}, route.points) for ri, route in enumerate(gpx.routes, 1)]
    total = sum(len(points) for _, points in raw)
    if total == 0:
        raise RouteError(_("The GPX file has no track or route points."))
    if total > MAX_POINTS:
        raise RouteError(
            _("The GPX file has %(count)d points; the limit is %(limit)d.")
            % {"count": total, "limit": MAX_POINTS}
        )

    now = now or datetime.datetime.now(datetime.UTC)
    lines: list[list[tuple[float, float]]] = []
    times: list[list[datetime.datetime]] = []
    timed: bool | None = None
    previous: datetime.datetime | None = None
    for where, points in raw:
        line: list[tuple[float, float]] = []
        line_times: list[datetime.datetime] = []
        for pi, point in enumerate(points, 1):
            label = _("%(where)s, point %(point)d") % {"where": where, "point": pi}
            try:
                check_lonlat(float(point.longitude), float(point.latitude))
            except (GeometryError, TypeError, ValueError) as exc:
                raise RouteError(f"{label}: {exc}") from exc
            has_time = point.time is not None
            if timed is None:
                timed = has_time
            elif timed != has_time:
                raise RouteError(
                    _("%(where)s: some points have a time and others do not.") % {"where": label}
                )
            if has_time:
                moment = point.time if point.time.tzinfo else point.time.replace(tzinfo=datetime.UTC)
                if moment < EARLIEST or moment > now + datetime.timedelta(minutes=5):
                    raise RouteError(
                        _("%(where)s: the time %(time)s is impossible (before 2000 or in the future).")
                        % {"where": label, "time": moment.isoformat()}
                    )
                if previous is not None and moment < previous:
                    raise RouteError(
                        _("%(where)s: the time %(time)s is earlier than the point before it.")
                        % {"where": label, "time": moment.isoformat()}
                    )
                previous = moment
                line_times.append(moment)
            line.append((float(point.longitude), float(point.latitude)))
        if len(line) >= 2:
            lines.append(line)
            times.append(line_times)
    if not lines:
        raise RouteError(_("The GPX track needs at least two points in one segment."))
    return Route(lines=lines, times=times if timed else None)


def parse_drawn(value: str | dict[str, Any]) -> Route:
    """Read a route drawn on the map: GeoJSON LineString/MultiLineString, a Feature or a FeatureCollection of them."""
    if isinstance(value, str):
        if len(value) > 5 * 1024 * 1024:
            raise RouteError(_("The drawn route is too large."))
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise RouteError(
                _("The drawn route is not valid JSON (line %(line)d, column %(column)d).")
                % {"line": exc.lineno, "column": exc.colno}
            ) from exc
    if not isinstance(value, dict):
        raise RouteError(_("The drawn route must be a GeoJSON object."))
    geometries = _geometries(value)
    lines: list[list[tuple[float, float]]] = []
    for gi, geometry in enumerate(geometries, 1):
        kind = geometry.get("type")
        coords = geometry.get("coordinates")
        if kind == "LineString":
            parts = [coords]
        elif kind == "MultiLineString" and isinstance(coords, list):
            parts = coords
        else:
            raise RouteError(
                _("Line %(line)d: a route must be made of lines, not %(kind)r.") % {"line": gi, "kind": kind}
            )
        for part in parts:
            lines.append(_positions(part, _("line %(line)d") % {"line": gi}))
    if not lines:
        raise RouteError(_("Draw the route on the map first."))
    if sum(len(line) for line in lines) > MAX_DRAWN_VERTICES:
        raise RouteError(_("The drawn route has more than %(limit)d points.") % {"limit": MAX_DRAWN_VERTICES})
    return Route(lines=lines)


def _geometries(obj: dict[str, Any]) -> list[dict[str, Any]]:
    kind = obj.get("type")
    if kind == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list):
            raise RouteError(_("The FeatureCollection has no list of features."))
        return [g for f in features for g in _geometries(f)]
    if kind == "Feature":
        geometry = obj.get("geometry")
        if not isinstance(geometry, dict):
            raise RouteError(_("A feature of the drawn route has no geometry."))
        return [geometry]
    if kind in ("LineString", "MultiLineString"):
        return [obj]
    raise RouteError(_("Unexpected GeoJSON type %(kind)r; draw lines only.") % {"kind": kind})


def _positions(part: Any, label: str) -> list[tuple[float, float]]:
    if not isinstance(part, list) or len(part) < 2:
        raise RouteError(_("%(where)s: a line needs at least two points.") % {"where": label})
    line: list[tuple[float, float]] = []
    for pi, position in enumerate(part, 1):
        if not isinstance(position, list | tuple) or len(position) not in (2, 3):
            raise RouteError(
                _("%(where)s, point %(point)d: expected [longitude, latitude].")
                % {"where": label, "point": pi}
            )
        lon, lat = position[0], position[1]
        if (
            isinstance(lon, bool)
            or isinstance(lat, bool)
            or not isinstance(lon, int | float)
            or not isinstance(lat, int | float)
        ):
            raise RouteError(
                _("%(where)s, point %(point)d: coordinates must be numbers.") % {"where": label, "point": pi}
            )
        try:
            check_lonlat(float(lon), float(lat))
        except GeometryError as exc:
            raise RouteError(f"{label}, point {pi}: {exc}") from exc
        line.append((float(lon), float(lat)))
    return line
