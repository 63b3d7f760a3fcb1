"""Importing police boxes (and, where asked, their stations) from CSV, GeoJSON or OpenStreetMap points.

Two layouts are understood:

``table`` (default): one box per row or point feature, with the columns below (English names or the
Japanese aliases; matching ignores case). Required: ``code``, ``name``, ``station_code`` and a
position (``lat`` + ``lon`` columns, or the point geometry of a GeoJSON/vector feature).
Optional: ``kind`` (a configured kind code or label such as 交番/駐在所; default: the first
configured kind), ``address``, ``phone``, ``status`` (open, temporarily_closed, closed),
``staffing_target``, ``station_name`` (used only when ``create_stations`` makes a new station).
A box is identified by its station and code; a code found in exactly one other station of the
agency moves that box. Stations are looked up by code in the agency; an unknown station is an error
unless ``create_stations`` is set.

``osm``: OpenStreetMap ``amenity=police`` points that only have a ``name``. The kind comes from
the name's suffix (交番 and 派出所: koban, 駐在所: chuzaisho, 警察署: a police station); other and
unnamed features are skipped with a warning. A box belongs to the station whose name starts its
own ("<署名>警察署<交番名>交番"; a station not in the agency: skipped with a warning), else to the
nearest station. Points of one station with the same box name within 50 m are merged; with
``inside_only`` the points outside the agency's area are left out and listed. OSM points have no identifiers, so
codes are made from the position (``osm-<lon>-<lat>``, 1 m precision) and stay the same between
imports of the same data. A trailing gloss in brackets ("万世橋警察署 (Manseibashi Police office)")
is dropped from the name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.gis.geos import Point
from django.utils import translation
from django.utils.translation import gettext as _

from koban.accounts.access import agencies_importable_by
from koban.geography.importers.core import (
    ImportIssue,
    ImportReport,
    Progress,
    Ticker,
    parse_count,
    parse_lonlat,
    point_of,
    warn_unused_columns,
    write_all,
)
from koban.geography.importers.readers import CSV_SUFFIXES, ReadError, open_vector, read_csv
from koban.lib.areanames import area_key
from koban.lib.geo import distance_m
from koban.organization import services
from koban.organization.jurisdiction import jurisdiction_of, outside_message
from koban.organization.kinds import box_kinds
from koban.organization.models import Agency, PoliceBox, PoliceStation

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("code", "box_code", "コード", "交番コード", "施設コード"),
    "name": ("name", "box_name", "名称", "名前", "交番名", "施設名"),
    "kind": ("kind", "type", "種別", "種類"),
    "station_code": ("station_code", "station", "警察署コード", "署コード"),
    "station_name": ("station_name", "警察署名", "警察署", "署名"),
    "lat": ("lat", "latitude", "緯度", "y"),
    "lon": ("lon", "lng", "long", "longitude", "経度", "x"),
    "address": ("address", "住所", "所在地"),
    "phone": ("phone", "tel", "telephone", "電話", "電話番号"),
    "status": ("status", "状態", "状況"),
    "staffing_target": ("staffing_target", "staffing", "定員", "配置人数"),
}

# Rows outside the jurisdiction whose error names the nearest box (one query each).
MAX_NEAREST_NAMED = 20

STATION_WORD = "警察署"
# Two points of one station with the same box name closer than this are one box.
DUPLICATE_RADIUS_M = 50.0

# Name endings of OSM police points and what they are; the longest ending is tried first.
OSM_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("警察署", "station"),
    ("駐在所", "chuzaisho"),
    ("派出所", "koban"),
    ("交番", "koban"),
)


@dataclass
class BoxImportOptions:
    """What to import and how; *agency_code* names the agency whose network receives the boxes."""

    agency_code: str
    mode: str = "table"  # "table" or "osm"
    create_stations: bool = False
    bbox: tuple[float, float, float, float] | None = None  # min lon, min lat, max lon, max lat
    encoding: str | None = None
    srid: int | None = None
    layer: str | None = None
    # Boxes outside the agency's jurisdiction are errors unless the operator confirms them.
    outside_confirmed: bool = False
    # Keep only the points inside the agency's jurisdiction; the others are dropped and listed (a
    # nationwide OpenStreetMap file holds every neighbour's boxes).
    inside_only: bool = False


@dataclass
class _StationPlan:
    number: int
    code: str
    name: str
    location: tuple[float, float] | None
    existing: PoliceStation | None = None


@dataclass
class _BoxPlan:
    number: int
    station_key: str  # code of a planned or existing station
    code: str
    fields: dict[str, Any]
    existing: PoliceBox | None = None
    station_from_name: bool = False  # the station was read from the box's own name


def import_boxes(
    path: str | Path,
    options: BoxImportOptions,
    *,
    commit: bool = False,
    actor: Any = "import_boxes",
    progress: Progress | None = None,
    source_name: str | None = None,
) -> ImportReport:
    """Validate every row of the file, then (only if there is no error) write the boxes and stations."""
    path = Path(path)
    is_csv = path.suffix.lower() in CSV_SUFFIXES
    report = ImportReport(
        "boxes", source_name or path.name, commit=commit, unit="line" if is_csv else "feature"
    )
    agency = agencies_importable_by(actor).filter(code=options.agency_code).first()
    if agency is None:
        report.error(0, "agency", _("unknown agency %(code)s") % {"code": options.agency_code})
        return report
    try:
        rows = list(_rows(path, options, report, is_csv))
    except ReadError as exc:
        report.error(0, "", str(exc))
        return report
    planner = _Planner(agency, options, report)
    ticker = Ticker(progress, _("checking"), len(rows))
    if options.mode == "osm":
        planner.plan_osm(rows, ticker)
    else:
        planner.plan_table(rows, ticker)
    ticker.finish()
    return write_all(report, lambda: planner.write(actor, progress), progress)


def _rows(path: Path, options: BoxImportOptions, report: ImportReport, is_csv: bool):  # type: ignore[no-untyped-def]
    """Yield (number, values, (lon, lat) or None, checked) for every row or feature of the file."""
    if is_csv:
        source = read_csv(path, encoding=options.encoding)
        for note in source.warnings:
            report.warn(0, "", note)
        columns = _column_map(source.fields)
        warn_unused_columns(report, source.fields, list(columns.values()))
        for row in source.rows:
            report.total += 1
            values = {key: row.values.get(name) for key, name in columns.items()}
            yield row.line, values, None, False
        return
    vector = open_vector(path, layer=options.layer, encoding=options.encoding, srid=options.srid)
    for note in vector.warnings:
        report.warn(0, "", note)
    columns = _column_map(vector.fields)
    if options.mode != "osm":  # OSM points carry dozens of tags; only the name matters there
        warn_unused_columns(report, vector.fields, list(columns.values()))
    for feature in vector.features(only=columns.values()):
        report.total += 1
        values = {key: feature.properties.get(name) for key, name in columns.items()}
        if (
            feature.geometry is None
            and not feature.geometry_error
            and values.get("lat")
            and values.get("lon")
        ):
            # A layer without geometry (e.g. a table in a GeoPackage) may carry lat/lon columns.
            yield feature.number, values, None, False
            continue
        lonlat = point_of(report, feature.number, feature.geometry, feature.geometry_error)
        yield feature.number, values, lonlat, True


def _column_map(fields: list[str]) -> dict[str, str]:
    """Map each known column to the file's header name that matches it (case-insensitive)."""
    lowered = {name.strip().lstrip("\ufeff").lower(): name for name in fields}
    mapping = {}
    for key, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias.lower() in lowered:
                mapping[key] = lowered[alias.lower()]
                break
    return mapping


def _kind_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for kind in box_kinds():
        lookup[kind.code.lower()] = kind.code
        for label in kind.labels.values():
            lookup[label.lower()] = kind.code
    return lookup


def _status_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, label in PoliceBox.Status.choices:
        lookup[code] = code
        for language in ("en", "ja"):
            with translation.override(language):
                lookup[str(label).lower()] = code
    return lookup


def osm_code(lon: float, lat: float) -> str:
    return f"osm-{lon:.5f}-{lat:.5f}"


_TRAILING_GLOSS = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


def osm_core_name(name: str) -> str:
    """The Japanese name without a trailing gloss: "万世橋警察署 (Manseibashi Police office)" → "万世橋警察署"."""
    return _TRAILING_GLOSS.sub("", name).strip() or name.strip()


def classify_osm_name(name: str) -> str | None:
    """Return "station", a box kind code, or None for a name that is none of these."""
    for suffix, what in OSM_SUFFIXES:
        if name.endswith(suffix):
            return what
    return None


def split_station_name(name: str) -> tuple[str, str]:
    """("<署名>警察署", "<交番名>交番") for a box name that starts with its station, else ("", name)."""
    at = name.find(STATION_WORD)
    end = at + len(STATION_WORD)
    if at > 0 and end < len(name):
        return name[:end], name[end:].strip()
    return "", name


def shortlist(names: list[str], limit: int = 20) -> str:
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown}, … (+{len(names) - limit})"


def _in_bbox(lonlat: tuple[float, float], bbox: tuple[float, float, float, float] | None) -> bool:
    if bbox is None:
        return True
    lon, lat = lonlat
    return bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]


class _Planner:
    """Builds the list of stations and boxes to create or update, reporting every bad row."""

    def __init__(self, agency: Agency, options: BoxImportOptions, report: ImportReport) -> None:
        self.agency = agency
        self.options = options
        self.report = report
        self.stations: dict[str, _StationPlan] = {}
        self.boxes: list[_BoxPlan] = []
        self.existing_stations = {s.code: s for s in PoliceStation.objects.filter(agency=agency)}
        self.existing_boxes: dict[str, list[PoliceBox]] = {}
        for box in PoliceBox.objects.filter(station__agency=agency).select_related("station"):
            self.existing_boxes.setdefault(box.code, []).append(box)
        self.kinds = _kind_lookup()
        self.statuses = _status_lookup()
        self.seen: dict[tuple[str, str], int] = {}
        self.jurisdiction = jurisdiction_of(agency)
        self.outside = 0
        self.dropped: list[str] = []
        if options.inside_only and self.jurisdiction.is_fallback:
            report.error(
                0,
                "agency",
                _(
                    "keeping only the points inside the agency needs its area: give its stations "
                    "their areas (koban station_area) or the agency an extent first"
                ),
            )

    def _plausible(self, number: int, lonlat: tuple[float, float], name: str = "") -> bool:
        """Report a box outside the jurisdiction: an error, or a warning when the operator confirmed it.

        With ``inside_only`` the point is dropped instead and counted as outside the selection.
        """
        if self.jurisdiction.contains(*lonlat):
            return True
        if self.options.inside_only:
            self.report.filtered += 1
            self.dropped.append(name or osm_code(*lonlat))
            return False
        self.outside += 1
        # Naming the nearest box costs a query: do it for the first rows only (a whole file can be wrong).
        if self.outside <= MAX_NEAREST_NAMED:
            message = outside_message(self.agency, *lonlat)
        else:
            message = _("outside the jurisdiction (%(lat).5f, %(lon).5f)") % {
                "lat": lonlat[1],
                "lon": lonlat[0],
            }
        if self.options.outside_confirmed:
            self.report.warn(number, "location", message)
            return True
        self.report.error(number, "location", message)
        return False

    # -- table layout -------------------------------------------------------------------------------

    def plan_table(self, rows, ticker: Ticker) -> None:  # type: ignore[no-untyped-def]
        for number, values, lonlat, from_geometry in rows:
            ticker.tick()
            self._plan_table_row(number, values, lonlat, from_geometry)

    def _plan_table_row(
        self, number: int, values: dict[str, str | None], lonlat, from_geometry: bool
    ) -> None:  # type: ignore[no-untyped-def]
        report = self.report
        errors_before = len(report.errors)
        if not from_geometry:
            lonlat = parse_lonlat(report, number, values.get("lon"), values.get("lat"), ("lon", "lat"))
        if lonlat is not None and not _in_bbox(lonlat, self.options.bbox):
            report.filtered += 1
            return
        code = self._required(number, values, "code")
        name = self._required(number, values, "name")
        station_code = self._required(number, values, "station_code")
        fields = self._optional_fields(number, values)
        if station_code and station_code not in self.existing_stations and station_code not in self.stations:
            if self.options.create_stations:
                station_name = (values.get("station_name") or "").strip() or station_code
                self.stations[station_code] = _StationPlan(number, station_code, station_name, None)
            else:
                report.error(
                    number,
                    "station_code",
                    _("unknown station %(code)s (create it first or allow creating stations)")
                    % {"code": station_code},
                )
        if code and station_code:
            self._check_duplicate(number, station_code, code)
        if lonlat is not None:
            self._plausible(number, lonlat)
        if len(report.errors) > errors_before or not (code and name and station_code and lonlat):
            return
        fields.update(name=name, location=Point(lonlat[0], lonlat[1], srid=4326))
        self.boxes.append(_BoxPlan(number, station_code, code, fields))

    def _required(self, number: int, values: dict[str, str | None], key: str) -> str | None:
        value = (values.get(key) or "").strip()
        if not value:
            self.report.error(number, key, _("missing value"))
            return None
        return value

    def _optional_fields(self, number: int, values: dict[str, str | None]) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        kind_raw = (values.get("kind") or "").strip()
        if kind_raw:
            kind = self.kinds.get(kind_raw.lower())
            if kind is None:
                known = ", ".join(k.code for k in box_kinds())
                self.report.error(
                    number,
                    "kind",
                    _("unknown kind %(kind)r (known: %(known)s)") % {"kind": kind_raw, "known": known},
                )
            else:
                fields["kind"] = kind
        status_raw = (values.get("status") or "").strip()
        if status_raw:
            status = self.statuses.get(status_raw.lower())
            if status is None or status == PoliceBox.Status.MERGED:
                self.report.error(
                    number,
                    "status",
                    _("unknown or unsupported status %(status)r (use open, temporarily_closed or closed)")
                    % {"status": status_raw},
                )
            else:
                fields["status"] = status
        for key in ("address", "phone"):
            text = (values.get(key) or "").strip()
            if text:
                fields[key] = text
        staffing = parse_count(self.report, number, "staffing_target", values.get("staffing_target"))
        if staffing is not None:
            if staffing > 32767:
                self.report.error(number, "staffing_target", _("staffing target is too large"))
            else:
                fields["staffing_target"] = staffing
        return fields

    def _check_duplicate(self, number: int, station_code: str, code: str) -> None:
        key = (station_code, code)
        if key in self.seen:
            self.report.error(
                number,
                "code",
                _("duplicate code %(code)s in station %(station)s (first at %(first)s)")
                % {
                    "code": code,
                    "station": station_code,
                    "first": ImportIssue(self.seen[key], "", "", unit=self.report.unit).where(),
                },
            )
        else:
            self.seen[key] = number

    # -- OSM layout -----------------------------------------------------------------------------------

    def plan_osm(self, rows, ticker: Ticker) -> None:  # type: ignore[no-untyped-def]
        report = self.report
        known_kinds = {k.code for k in box_kinds()}
        for needed in ("koban", "chuzaisho"):
            if needed not in known_kinds:
                report.error(
                    0, "kind", _("box kind %(kind)s is not configured (KOBAN_BOX_KINDS)") % {"kind": needed}
                )
                return
        pending: list[tuple[int, str, str, tuple[float, float]]] = []
        used_codes: dict[str, int] = {}
        seen_points: set[tuple[str, str]] = set()
        for number, values, lonlat, from_geometry in rows:
            ticker.tick()
            if not from_geometry:
                lonlat = parse_lonlat(report, number, values.get("lon"), values.get("lat"), ("lon", "lat"))
            if lonlat is None:
                continue
            if not _in_bbox(lonlat, self.options.bbox):
                report.filtered += 1
                continue
            name = osm_core_name(values.get("name") or "")
            if not self._plausible(number, lonlat, name):
                continue
            if not name:
                report.warn(number, "name", _("unnamed feature skipped"))
                report.skipped += 1
                continue
            what = classify_osm_name(name)
            if what is None:
                report.warn(
                    number,
                    "name",
                    _("%(name)s is not a koban, chuzaisho or police station; skipped") % {"name": name},
                )
                report.skipped += 1
                continue
            code = osm_code(*lonlat)
            if (code, name) in seen_points:
                report.warn(
                    number, "name", _("duplicate of an earlier feature (same name and position); skipped")
                )
                report.skipped += 1
                continue
            seen_points.add((code, name))
            used_codes[code] = used_codes.get(code, 0) + 1
            if used_codes[code] > 1:
                code = f"{code}-{used_codes[code]}"
            if what == "station":
                self._plan_osm_station(number, code, name, lonlat)
            else:
                pending.append((number, what, name, lonlat))
        for number, kind, name, lonlat in pending:
            self._plan_osm_box(number, kind, name, lonlat)
        self._merge_near_duplicates()
        if self.dropped:
            report.notes.append(
                _("%(count)d points outside the agency's area were left out: %(names)s")
                % {"count": len(self.dropped), "names": shortlist(self.dropped)}
            )

    def _plan_osm_station(self, number: int, code: str, name: str, lonlat: tuple[float, float]) -> None:
        existing = self.existing_stations.get(code) or next(
            (s for s in self.existing_stations.values() if s.name == name), None
        )
        key = existing.code if existing else code
        self.stations[key] = _StationPlan(number, key, name, lonlat, existing)

    def _station_candidates(self) -> list[tuple[str, str, tuple[float, float] | None]]:
        """(code, name, position) of every station a box may join: planned ones and existing ones."""
        candidates = {code: (code, plan.name, plan.location) for code, plan in self.stations.items()}
        for code, station in self.existing_stations.items():
            if code not in candidates:
                position = (station.location.x, station.location.y) if station.location else None
                candidates[code] = (code, station.name, position)
        return list(candidates.values())

    def _plan_osm_box(self, number: int, kind: str, name: str, lonlat: tuple[float, float]) -> None:
        candidates = self._station_candidates()
        named_station, short = split_station_name(name)
        if named_station:
            # "<署名>警察署<交番名>交番" belongs to the station it names, never to a nearer one.
            same = [c for c in candidates if area_key(c[1]) == area_key(named_station)]
            if not same:
                self.report.warn(
                    number,
                    "name",
                    _("%(name)s belongs to %(station)s, which is not a station of this agency; skipped")
                    % {"name": name, "station": named_station},
                )
                self.report.skipped += 1
                return
            station_code = same[0][0]
            if classify_osm_name(short) is not None and len(short) > 2:
                name = short
        else:
            placed = [c for c in candidates if c[2] is not None]
            if not placed:
                self.report.error(
                    number, "name", _("no police station to attach %(name)s to") % {"name": name}
                )
                return
            station_code = min(placed, key=lambda c: distance_m(lonlat[0], lonlat[1], *c[2]))[0]  # type: ignore[misc]
        code = osm_code(*lonlat)
        self._check_duplicate(number, station_code, code)
        fields = {"name": name[:200], "kind": kind, "location": Point(lonlat[0], lonlat[1], srid=4326)}
        self.boxes.append(_BoxPlan(number, station_code, code, fields, station_from_name=bool(named_station)))

    def _merge_near_duplicates(self) -> None:
        """Boxes with the same name within ``DUPLICATE_RADIUS_M`` are one box: keep one, report the other.

        OpenStreetMap often holds a box twice (an import and a hand-drawn point, 10 m apart), once
        with its station in the name and once without; the one whose name gives the station is kept.
        """
        ordered = sorted(self.boxes, key=lambda p: (not p.station_from_name, p.number))
        kept: list[_BoxPlan] = []
        for plan in ordered:
            point = plan.fields["location"]
            twin = next(
                (
                    k
                    for k in kept
                    if area_key(k.fields["name"]) == area_key(plan.fields["name"])
                    and distance_m(point.x, point.y, k.fields["location"].x, k.fields["location"].y)
                    <= DUPLICATE_RADIUS_M
                ),
                None,
            )
            if twin is None:
                kept.append(plan)
                continue
            self.report.warn(
                plan.number,
                "name",
                _("%(name)s is %(metres).0f m from the same box at %(first)s: merged into it")
                % {
                    "name": plan.fields["name"],
                    "metres": distance_m(
                        point.x, point.y, twin.fields["location"].x, twin.fields["location"].y
                    ),
                    "first": ImportIssue(twin.number, "", "", unit=self.report.unit).where(),
                },
            )
            self.report.skipped += 1
        self.boxes = sorted(kept, key=lambda p: p.number)

    # -- writing ------------------------------------------------------------------------------------------

    def write(self, actor: Any, progress: Progress | None) -> None:
        stations = self._write_stations(actor)
        ticker = Ticker(progress, _("writing"), len(self.boxes), every=200)
        for plan in self.boxes:
            ticker.tick()
            station = stations[plan.station_key]
            box = self._existing_box(plan, station)
            if box is None:
                services.create_box(
                    actor,
                    station,
                    code=plan.code,
                    outside_confirmed=self.options.outside_confirmed,
                    **plan.fields,
                )
                self.report.tally("box", "created")
                continue
            changed = services.update_box(
                actor, box, station=station, outside_confirmed=self.options.outside_confirmed, **plan.fields
            )
            self.report.tally("box", "updated" if changed else "unchanged")
        ticker.finish()

    def _write_stations(self, actor: Any) -> dict[str, PoliceStation]:
        stations: dict[str, PoliceStation] = dict(self.existing_stations)
        for plan in self.stations.values():
            location = Point(*plan.location, srid=4326) if plan.location else None
            if plan.existing is None:
                stations[plan.code] = services.create_station(
                    actor, self.agency, code=plan.code, name=plan.name[:200], location=location
                )
                self.report.tally("station", "created")
                continue
            changes: dict[str, Any] = {"name": plan.name[:200]}
            if location is not None:
                changes["location"] = location
            changed = services.update_station(actor, plan.existing, **changes)
            self.report.tally("station", "updated" if changed else "unchanged")
        return stations

    def _existing_box(self, plan: _BoxPlan, station: PoliceStation) -> PoliceBox | None:
        same_code = self.existing_boxes.get(plan.code, [])
        in_station = [b for b in same_code if b.station_id == station.pk]
        if in_station:
            return in_station[0]
        if len(same_code) == 1:
            return same_code[0]
        return None
