"""Setting up a network from nothing: an agency, its stations, and each station's area.

A planner who brings Koban to a real city starts here, before boxes and beats: ``setup_network``
creates (or updates) the agency and its stations, from the command line or from a CSV of stations
(``code, name`` and optional ``address, phone, lon, lat``); ``set_station_area`` gives a station its
jurisdiction from a boundary file, from municipalities (N03 codes) or from town areas already
imported. Both are dry runs unless committed and report every problem by line and field, like the
other importers (``koban.geography.importers.core``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from django.contrib.gis.geos import Point
from django.utils.translation import gettext as _

from koban.geography.importers.core import (
    ImportReport,
    clean_polygon,
    parse_lonlat,
    to_geos,
    union_multipolygon,
    write_all,
)
from koban.geography.importers.readers import ReadError, open_vector, read_csv
from koban.geography.models import AdminArea
from koban.organization import services
from koban.organization.models import Agency, PoliceStation

STATION_COLUMNS = ("code", "name", "address", "phone", "lon", "lat")


@dataclass
class StationSpec:
    """One station to create or update: where it was given (line 0 = the command line) and its fields."""

    line: int
    code: str
    name: str
    fields: dict[str, Any] = field(default_factory=dict)


def parse_station_option(text: str) -> StationSpec | None:
    """``CODE=NAME`` from the command line (None when it is not of that form)."""
    code, sep, name = text.partition("=")
    if not sep or not code.strip() or not name.strip():
        return None
    return StationSpec(0, code.strip(), name.strip())


def read_stations(path: str | Path, report: ImportReport, encoding: str | None = None) -> list[StationSpec]:
    """The stations of a CSV file; problems are reported by line and column."""
    try:
        source = read_csv(path, encoding=encoding)
    except ReadError as exc:
        report.error(0, "", str(exc))
        return []
    for note in source.warnings:
        report.warn(0, "", note)
    for required in ("code", "name"):
        if required not in source.fields:
            report.error(
                1,
                required,
                _("missing column %(name)s (columns: %(fields)s)")
                % {"name": required, "fields": ", ".join(source.fields)},
            )
    if not report.ok:
        return []
    specs: list[StationSpec] = []
    seen: dict[str, int] = {}
    for row in source.rows:
        report.total += 1
        values = row.values
        code, name = (values.get("code") or "").strip(), (values.get("name") or "").strip()
        for key, value in (("code", code), ("name", name)):
            if not value:
                report.error(row.line, key, _("missing value"))
        if code in seen:
            report.error(
                row.line,
                "code",
                _("duplicate code %(code)s (first at line %(first)s)") % {"code": code, "first": seen[code]},
            )
        fields: dict[str, Any] = {
            k: (values.get(k) or "").strip() for k in ("address", "phone") if values.get(k)
        }
        if values.get("lon") or values.get("lat"):
            lonlat = parse_lonlat(report, row.line, values.get("lon"), values.get("lat"), ("lon", "lat"))
            if lonlat is not None:
                fields["location"] = Point(*lonlat, srid=4326)
        if code and name and code not in seen:
            seen[code] = row.line
            specs.append(StationSpec(row.line, code, name, fields))
    return specs


def setup_network(
    agency_code: str,
    agency_name: str,
    stations: list[StationSpec],
    *,
    report: ImportReport,
    actor: Any = "setup_network",
) -> ImportReport:
    """Create or update the agency *agency_code* and *stations* in one transaction (unless a dry run)."""
    if not agency_code.strip():
        report.error(0, "agency", _("missing value"))
    existing = Agency.objects.filter(code=agency_code).first()
    if existing is None and not agency_name.strip():
        report.error(0, "name", _("a new agency needs a name (--name)"))

    def write() -> None:
        agency = existing
        if agency is None:
            agency = services.create_agency(actor, code=agency_code, name=agency_name)
            report.tally("agency", "created")
        elif agency_name and agency.name != agency_name:
            services.update_agency(actor, agency, name=agency_name)
            report.tally("agency", "updated")
        else:
            report.tally("agency", "unchanged")
        current = {s.code: s for s in PoliceStation.objects.of_agency(agency)}
        for spec in stations:
            station = current.get(spec.code)
            if station is None:
                services.create_station(actor, agency, code=spec.code, name=spec.name, **spec.fields)
                report.tally("station", "created")
                continue
            changed = services.update_station(actor, station, name=spec.name, **spec.fields)
            report.tally("station", "updated" if changed else "unchanged")

    return write_all(report, write)


@dataclass
class AreaSource:
    """Where a station's area comes from: exactly one of a file, municipality codes or town codes."""

    path: Path | None = None
    where: tuple[str, str] | None = None  # (field, value): only the file's features with this value
    municipalities: list[str] = field(default_factory=list)
    towns: list[str] = field(default_factory=list)  # town codes, or code prefixes ending in "*"
    srid: int | None = None
    encoding: str | None = None


def set_station_area(
    agency_code: str,
    station_code: str,
    source: AreaSource,
    *,
    report: ImportReport,
    actor: Any = "set_station_area",
) -> ImportReport:
    """Give a station its jurisdiction area (the union of the chosen polygons), checked, then saved."""
    station = PoliceStation.objects.filter(agency__code=agency_code, code=station_code).first()
    if station is None:
        report.error(
            0,
            "station",
            _("agency %(agency)s has no station %(code)s") % {"agency": agency_code, "code": station_code},
        )
        return report
    given = sum(bool(x) for x in (source.path, source.municipalities, source.towns))
    if given != 1:
        report.error(0, "", _("give exactly one of a file, municipality codes or town codes"))
        return report
    parts = _file_parts(source.path, source, report) if source.path else _area_parts(source, report)
    if not report.ok:
        return report
    if not parts:
        report.error(0, "", _("no polygon was selected for the area"))
        return report
    area = union_multipolygon(parts)
    report.notes.append(
        _("Area of %(station)s: %(parts)d polygon(s), bounds %(bounds)s")
        % {
            "station": station.name,
            "parts": len(parts),
            "bounds": ", ".join(f"{v:.4f}" for v in shapely.bounds(area)),
        }
    )

    def write() -> None:
        changed = services.update_station(actor, station, area=to_geos(area))
        report.tally("station", "updated" if changed else "unchanged")

    return write_all(report, write)


def _file_parts(path: Path, source: AreaSource, report: ImportReport) -> list[shapely.MultiPolygon]:
    try:
        vector = open_vector(path, encoding=source.encoding, srid=source.srid)
    except ReadError as exc:
        report.error(0, "", str(exc))
        return []
    for note in vector.warnings:
        report.warn(0, "", note)
    if source.where and source.where[0] not in vector.fields:
        report.error(
            0,
            source.where[0],
            _("the file has no field %(name)s (fields: %(fields)s)")
            % {"name": source.where[0], "fields": ", ".join(vector.fields)},
        )
        return []
    parts = []
    only = [source.where[0]] if source.where else []
    for feature in vector.features(only=only):
        report.total += 1
        if source.where and (feature.properties.get(source.where[0]) or "").strip() != source.where[1]:
            report.filtered += 1
            continue
        geom = clean_polygon(report, feature.number, feature.geometry, feature.geometry_error)
        if geom is not None:
            parts.append(geom)
    return parts


def _area_parts(source: AreaSource, report: ImportReport) -> list[shapely.MultiPolygon]:
    if source.municipalities:
        level, wanted = AdminArea.Level.MUNICIPALITY, source.municipalities
    else:
        level, wanted = AdminArea.Level.TOWN, source.towns
    parts: list[shapely.MultiPolygon] = []
    for code in wanted:
        areas = AdminArea.objects.filter(level=level)
        areas = areas.filter(code__startswith=code[:-1]) if code.endswith("*") else areas.filter(code=code)
        found = list(areas.order_by("code"))
        if not found:
            report.error(
                0, str(level), _("no %(level)s area with code %(code)s") % {"level": level, "code": code}
            )
        report.total += len(found)
        parts.extend(shapely.from_wkb(bytes(a.geom.wkb)) for a in found)
    return parts
