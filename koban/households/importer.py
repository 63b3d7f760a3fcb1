"""Importing address lists (CSV or GeoJSON) into the household registry, a million rows at a time.

The import follows the one import core (``koban.geography.importers.core``): every row is read and
checked first, each problem an ``ImportIssue`` naming the line (CSV; the header is line 1) or the
feature (GeoJSON, from 1) and the field; only a file without errors is written, in one transaction,
and a dry run (the default) does the whole write and rolls it back.

Rows are placed in the agency's active beats all at once (``koban.geography.assign``) and streamed
into the table with PostgreSQL ``COPY``: a row-by-row import with one spatial query and one INSERT per
address would take most of an hour for a prefecture.

What is not an error but is reported (a warning naming the line):
- an address that lies in no beat is imported *unplaced* (no beat, no box), to be placed when the
  beats change or corrected by hand; the unplaced list shows it;
- an address already in the registry, or given twice in the file (under any spelling: see
  ``koban.households.addresses``), is not imported again; the warning names the household or line it
  duplicates, as a merge suggestion for the operator.

CSV columns (Japanese headers accepted): ``address`` (required), ``lon``, ``lat`` (required, WGS84),
``kind`` (house, apartment_building, apartment_unit, business, public_office; default house, or
apartment_unit when a building is given), ``name`` (businesses and offices only), ``building`` (the
address of the apartment building a unit belongs to, in the file or already registered) and
``can_enter`` (yes/no: whether officers can pass the entrance). GeoJSON: Point features with the same
properties.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from koban.accounts.access import agencies_importing_households_for
from koban.audit.services import record
from koban.geography.assign import assign_points_to_beats
from koban.geography.importers.core import (
    ImportReport,
    Progress,
    Ticker,
    parse_lonlat,
    prepare_bulk_load,
    write_all,
)
from koban.geography.importers.readers import detect_text_encoding
from koban.geography.models import Beat, BeatVersion
from koban.households.addresses import address_keys
from koban.households.models import NAMED_KINDS, Household, Kind
from koban.lib.validation import control_character_problem
from koban.organization.models import Agency

# Header names accepted for each column (lower-cased, stripped), first the canonical one.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "address": ("address", "住所", "所在地"),
    "lon": ("lon", "lng", "longitude", "x", "経度"),
    "lat": ("lat", "latitude", "y", "緯度"),
    "kind": ("kind", "type", "種別"),
    "name": ("name", "名称"),
    "building": ("building", "建物"),
    "can_enter": ("can_enter", "立入可"),
}
KIND_ALIASES: dict[str, str] = {
    **{kind.value: kind.value for kind in Kind},
    "一戸建て": Kind.HOUSE,
    "戸建": Kind.HOUSE,
    "住宅": Kind.HOUSE,
    "共同住宅": Kind.APARTMENT_BUILDING,
    "マンション": Kind.APARTMENT_BUILDING,
    "アパート": Kind.APARTMENT_BUILDING,
    "住戸": Kind.APARTMENT_UNIT,
    "事業所": Kind.BUSINESS,
    "店舗": Kind.BUSINESS,
    "官公署": Kind.PUBLIC_OFFICE,
}
_YES = {"1", "true", "yes", "y", "t", "可", "はい"}
_NO = {"0", "false", "no", "n", "f", "不可", "いいえ"}
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_COLUMNS = (
    "agency_id, beat_id, box_id, point, address, address_key, kind, building_id, name, needs_care,"
    " can_enter, created_at, updated_at"
)
_CHUNK = 50_000  # rows checked and written at a time
# From this many new rows on, an import larger than the registry rebuilds the indexes once at the end.
BULK_LOAD_ROWS = 50_000
# Warnings about single rows beyond this many are summed up in one note (the file is still imported).
MAX_ROW_WARNINGS = 5_000


@dataclass
class HouseholdImportOptions:
    agency_code: str
    encoding: str | None = None


@dataclass
class _Rows:
    """The valid rows of the file, column by column (a million small objects would not fit well)."""

    numbers: list[int] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    lons: list[float] = field(default_factory=list)
    lats: list[float] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    buildings: list[str] = field(default_factory=list)  # the building's key, "" for none
    can_enter: list[bool] = field(default_factory=list)


@dataclass
class _Pending:
    """Rows whose text fields passed, waiting for the checks done a chunk at a time (coordinates, keys)."""

    numbers: list[int] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    lons: list[str] = field(default_factory=list)
    lats: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    buildings: list[str] = field(default_factory=list)
    can_enter: list[bool] = field(default_factory=list)


class _Checker:
    """Checks the rows, keeps the valid ones and remembers their keys to find duplicates.

    Text fields are checked row by row; coordinates and address keys a chunk at a time (one numpy
    conversion, one pass of each normalising pattern), which is what makes a million rows affordable.
    """

    def __init__(self, report: ImportReport, registered: dict[str, int]) -> None:
        self.report = report
        self.registered = registered
        self.seen: dict[str, int] = {}
        self.rows = _Rows()
        self.pending = _Pending()
        self.row_warnings = 0

    def warn(self, number: int, name: str, message: str) -> None:
        self.row_warnings += 1
        if self.row_warnings <= MAX_ROW_WARNINGS:
            self.report.warn(number, name, message)

    def add(self, number: int, values: dict[str, str | None]) -> None:
        report = self.report
        report.total += 1
        issues = len(report.issues)  # only errors are added below: a longer list means this row is bad
        address = self._text(number, values, "address", 300, required=True)
        name = self._text(number, values, "name", 200) if values.get("name") else ""
        building = self._text(number, values, "building", 300) if values.get("building") else ""
        kind = self._kind(number, values.get("kind"), bool(building))
        if kind and name and kind not in NAMED_KINDS:
            report.error(number, "name", _("only businesses and public offices are named"))
        if kind and building and kind != Kind.APARTMENT_UNIT:
            report.error(number, "building", _("only an apartment unit belongs to a building"))
        can_enter = self._flag(number, values.get("can_enter")) if values.get("can_enter") else True
        if len(report.issues) > issues or not address or kind is None:
            return
        pending = self.pending
        pending.numbers.append(number)
        pending.addresses.append(address)
        pending.lons.append(values.get("lon") or "")
        pending.lats.append(values.get("lat") or "")
        pending.kinds.append(kind)
        pending.names.append(name)
        pending.buildings.append(building)
        pending.can_enter.append(can_enter)
        if len(pending.numbers) >= _CHUNK:
            self.flush()

    def flush(self) -> None:
        """Check the pending rows' coordinates, compute their keys and keep the first of each address."""
        pending, self.pending = self.pending, _Pending()
        if not pending.numbers:
            return
        lons, lats, good = self._coordinates(pending)
        keys = address_keys(pending.addresses)
        building_keys = address_keys(pending.buildings)
        rows = self.rows
        for i, number in enumerate(pending.numbers):
            if not good[i] or not self._first(number, keys[i]):
                continue
            rows.numbers.append(number)
            rows.addresses.append(pending.addresses[i])
            rows.keys.append(keys[i])
            rows.lons.append(lons[i])
            rows.lats.append(lats[i])
            rows.kinds.append(pending.kinds[i])
            rows.names.append(pending.names[i])
            rows.buildings.append(building_keys[i] if pending.buildings[i] else "")
            rows.can_enter.append(pending.can_enter[i])

    def _coordinates(self, pending: _Pending) -> tuple[list[float], list[float], list[bool]]:
        """The coordinates as numbers, converted at once; rows that fail are checked one by one for
        the message that names their field."""
        try:
            lons = np.array(pending.lons, dtype=np.float64)
            lats = np.array(pending.lats, dtype=np.float64)
            good = np.isfinite(lons) & np.isfinite(lats) & (np.abs(lons) <= 180) & (np.abs(lats) <= 90)
        except ValueError:  # some cell is no number: find which, row by row
            lons = np.full(len(pending.lons), np.nan)
            lats = np.full(len(pending.lats), np.nan)
            good = np.zeros(len(pending.lons), dtype=bool)
        for i in np.flatnonzero(~good).tolist():
            place = parse_lonlat(
                self.report, pending.numbers[i], pending.lons[i], pending.lats[i], ("lon", "lat")
            )
            if place is not None:
                lons[i], lats[i] = place
                good[i] = True
        return lons.tolist(), lats.tolist(), good.tolist()

    def _first(self, number: int, key: str) -> bool:
        """Whether the address is new; a duplicate is reported as a merge suggestion and skipped."""
        registered = self.registered.get(key)
        if registered is not None:
            self.warn(
                number,
                "address",
                _("already registered as household no. %(id)s; not imported (merge them if they differ)")
                % {"id": registered},
            )
            self.report.tally("household", "unchanged")
            return False
        earlier = self.seen.get(key)
        if earlier is not None:
            self.warn(
                number,
                "address",
                _(
                    "the same address as line or feature %(n)s; not imported (correct one of them if they differ)"
                )
                % {"n": earlier},
            )
            self.report.tally("household", "skipped")
            return False
        self.seen[key] = number
        return True

    def _text(
        self, number: int, values: dict[str, str | None], name: str, limit: int, required: bool = False
    ) -> str:
        value = (values.get(name) or "").strip()
        if required and not value:
            self.report.error(number, name, _("missing value"))
            return ""
        problem = control_character_problem(value, multiline=False) if value else None
        if problem:
            self.report.error(number, name, problem)
            return ""
        if len(value) > limit:
            self.report.error(number, name, _("longer than %(n)s characters") % {"n": limit})
            return ""
        return value

    def _kind(self, number: int, raw: str | None, in_building: bool) -> str | None:
        text = (raw or "").strip().lower()
        if not text:
            return Kind.APARTMENT_UNIT if in_building else Kind.HOUSE
        kind = KIND_ALIASES.get(text)
        if kind is None:
            self.report.error(
                number,
                "kind",
                _("unknown kind %(value)r; use one of %(kinds)s")
                % {"value": raw, "kinds": ", ".join(Kind.values)},
            )
        return kind

    def _flag(self, number: int, raw: str | None) -> bool:
        text = (raw or "").strip().lower()
        if not text or text in _YES:
            return True
        if text in _NO:
            return False
        self.report.error(number, "can_enter", _("not yes or no: %(value)r") % {"value": raw})
        return True


# -- Reading --------------------------------------------------------------------------------------------


def _csv_rows(
    path: Path, encoding: str | None, report: ImportReport
) -> Iterator[tuple[int, dict[str, str | None]]]:
    """The data rows of a CSV file with their line numbers, under canonical column names."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    # Judge whole lines only: a cut through a multi-byte character is not a decoding error.
    if len(head) == 1 << 16 and b"\n" in head:
        head = head[: head.rfind(b"\n") + 1]
    text_encoding = detect_text_encoding(head, encoding)
    report.extra["encoding"] = text_encoding
    if text_encoding == "cp932":
        report.notes.append(_("The file is not UTF-8; it was read as Shift_JIS (cp932)."))
    with path.open(encoding=text_encoding, newline="") as handle:
        first = handle.readline()
        dialect = "excel-tab" if first.count("\t") > first.count(",") else "excel"
        header = next(csv.reader(io.StringIO(first), dialect=dialect), [])
        columns = _columns(header, report)
        if columns is None:
            return
        reader = csv.reader(handle, dialect=dialect)
        # The header was line 1; csv counts the lines it has read since.
        for cells in reader:
            if not cells or not any(cells):
                continue
            yield (
                reader.line_num + 1,
                {name: (cells[index] if index < len(cells) else None) for name, index in columns.items()},
            )


def _columns(header: list[str], report: ImportReport) -> dict[str, int] | None:
    """Where each known column is in the header; an error naming a missing required column."""
    found: dict[str, int] = {}
    normalised = [name.strip().lstrip("\ufeff").lower() for name in header]
    for column, aliases in COLUMN_ALIASES.items():
        for index, name in enumerate(normalised):
            if name in aliases:
                found[column] = index
                break
    missing = [c for c in ("address", "lon", "lat") if c not in found]
    if missing:
        report.error(0, missing[0], _("missing column %(names)s") % {"names": ", ".join(missing)})
        return None
    unused = [
        header[i] for i, _name in enumerate(normalised) if i not in found.values() and header[i].strip()
    ]
    if unused:
        report.warn(
            0, "", _("columns not used by this import, ignored: %(names)s") % {"names": ", ".join(unused)}
        )
    return found


def _geojson_rows(path: Path, report: ImportReport) -> Iterator[tuple[int, dict[str, str | None]]]:
    """The Point features of a GeoJSON file as rows (coordinates as text, checked like CSV cells)."""
    try:
        data = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        report.error(0, "", _("not a GeoJSON file: %(error)s") % {"error": exc})
        return
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        report.error(0, "", _("not a GeoJSON FeatureCollection"))
        return
    aliases = {alias: column for column, names in COLUMN_ALIASES.items() for alias in names}
    for number, feature in enumerate(features, start=1):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        properties = feature.get("properties") if isinstance(feature, dict) else None
        values: dict[str, str | None] = {}
        for name, value in (properties or {}).items() if isinstance(properties, dict) else ():
            column = aliases.get(str(name).strip().lower())
            if column and column not in ("lon", "lat"):
                values[column] = None if value is None else str(value)
        if not isinstance(geometry, dict) or geometry.get("type") != "Point":
            kind = geometry.get("type") if isinstance(geometry, dict) else _("none")
            report.total += 1
            report.error(number, "geometry", _("expected a point, got %(type)s") % {"type": kind})
            continue
        coordinates = geometry.get("coordinates")
        if not isinstance(coordinates, list) or len(coordinates) < 2:
            report.total += 1
            report.error(number, "geometry", _("unparseable coordinate"))
            continue
        values["lon"], values["lat"] = str(coordinates[0]), str(coordinates[1])
        yield number, values


# -- Writing --------------------------------------------------------------------------------------------


def _text(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


@dataclass
class _Placement:
    beat_ids: np.ndarray
    box_of_beat: dict[int, int]


def _place(rows: _Rows, agency: Agency, checker: _Checker) -> _Placement:
    """Assign every row to a beat of the agency's active version at once; warn about the unplaced."""
    version = BeatVersion.objects.active().filter(agency=agency).order_by("-pk").first()
    if version is None:
        checker.report.warn(0, "", _("the agency has no active beats: every address is imported unplaced"))
        return _Placement(np.full(len(rows.keys), -1, dtype=np.int64), {})
    beat_ids = assign_points_to_beats(np.asarray(rows.lons), np.asarray(rows.lats), version=version)
    box_of_beat = dict(Beat.objects.filter(version=version).values_list("pk", "box_id"))
    for index in np.flatnonzero(beat_ids < 0).tolist():
        checker.warn(
            rows.numbers[index],
            "lon",
            _("(%(lat).5f, %(lon).5f) lies in no beat: imported unplaced")
            % {"lat": rows.lats[index], "lon": rows.lons[index]},
        )
    return _Placement(beat_ids, box_of_beat)


def _check_buildings(rows: _Rows, registered: dict[str, int], report: ImportReport) -> None:
    """Every unit's building must be an apartment building of the file or of the registry."""
    in_file = {
        key for key, kind in zip(rows.keys, rows.kinds, strict=True) if kind == Kind.APARTMENT_BUILDING
    }
    for number, building in zip(rows.numbers, rows.buildings, strict=True):
        if building and building not in in_file and building not in registered:
            report.error(
                number, "building", _("no apartment building with this address in the file or the registry")
            )


class _Writer:
    def __init__(
        self,
        agency: Agency,
        rows: _Rows,
        placement: _Placement,
        now: datetime.datetime,
        stages: dict[str, float],
    ) -> None:
        self.stages = stages
        self.agency = agency
        self.rows = rows
        self.placement = placement
        self.stamp = now.isoformat()

    def lines(self, indexes: list[int], building_ids: dict[str, int]) -> Iterator[str]:
        rows, placement = self.rows, self.placement
        agency, stamp = str(self.agency.pk), self.stamp
        beats = placement.beat_ids.tolist()
        # Hex EWKB, made for all points at once, is cheaper for PostGIS to read than text.
        points = shapely.to_wkb(
            shapely.set_srid(
                shapely.points(np.asarray(rows.lons)[indexes], np.asarray(rows.lats)[indexes]), 4326
            ),
            hex=True,
            include_srid=True,
        ).tolist()
        for position, index in enumerate(indexes):
            beat = beats[index]
            place = f"{beat}\t{placement.box_of_beat[beat]}" if beat >= 0 else "\\N\t\\N"
            building = rows.buildings[index]
            building_id = str(building_ids[building]) if building else "\\N"
            yield (
                f"{agency}\t{place}\t{points[position]}\t"
                f"{_text(rows.addresses[index])}\t{_text(rows.keys[index])}\t{rows.kinds[index]}\t{building_id}\t"
                f"{_text(rows.names[index])}\tf\t{'t' if rows.can_enter[index] else 'f'}\t{stamp}\t{stamp}\n"
            )

    def copy(self, indexes: list[int], building_ids: dict[str, int]) -> None:
        table = Household._meta.db_table
        with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({_COPY_COLUMNS}) FROM STDIN") as copy:
            chunk: list[str] = []
            for line in self.lines(indexes, building_ids):
                chunk.append(line)
                if len(chunk) >= _CHUNK:
                    copy.write("".join(chunk))
                    chunk = []
            if chunk:
                copy.write("".join(chunk))

    def write(self, bulk_load: bool) -> int:
        """Buildings and other addresses first, then the units (they need their building's id).

        With *bulk_load* the table's indexes and foreign keys are dropped for the load and rebuilt at
        the end (``prepare_bulk_load``); the units' buildings are then looked up without an index,
        once, by a hash join.
        """
        units = [i for i, b in enumerate(self.rows.buildings) if b]
        others = [i for i, b in enumerate(self.rows.buildings) if not b]
        clock = time.perf_counter()
        with connection.cursor() as cursor:
            restore = prepare_bulk_load(cursor, Household._meta.db_table) if bulk_load else []
        self.copy(others, {})
        if units:
            wanted = {self.rows.buildings[i] for i in units}
            building_ids = dict(
                Household.objects.of_agency(self.agency)
                .filter(address_key__in=wanted, kind=Kind.APARTMENT_BUILDING)
                .values_list("address_key", "pk")
            )
            self.copy(units, building_ids)
        self.stages["copy"] = time.perf_counter() - clock
        clock = time.perf_counter()
        with connection.cursor() as cursor:
            for statement in restore:
                cursor.execute(statement)
            # Check the deferred foreign keys now, inside the import, not at some later commit.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        self.stages["restore_indexes_and_check_keys"] = time.perf_counter() - clock
        return len(units) + len(others)


# -- The import -------------------------------------------------------------------------------------------


def import_households(
    path: Path | str,
    options: HouseholdImportOptions,
    *,
    commit: bool = False,
    actor: Any = None,
    progress: Progress | None = None,
    source_name: str | None = None,
    now: datetime.datetime | None = None,
) -> ImportReport:
    """Import an address list into the registry of the agency; see the module docstring."""
    path = Path(path)
    report = ImportReport(kind="households", source=source_name or path.name, commit=commit)
    is_geojson = path.suffix.lower() in (".geojson", ".json")
    report.unit = "feature" if is_geojson else "line"
    agency = agencies_importing_households_for(actor).filter(code=options.agency_code).first()
    if agency is None:
        report.error(0, "agency", _("unknown agency %(code)s") % {"code": options.agency_code})
        return report
    if not path.is_file():
        report.error(0, "", _("File not found: %(file)s") % {"file": path.name})
        return report
    stages: dict[str, float] = {}
    clock = time.perf_counter()
    registered = dict(Household.objects.of_agency(agency).values_list("address_key", "pk"))
    checker = _Checker(report, registered)
    ticker = Ticker(progress, _("reading and checking rows"), None, every=20_000)
    try:
        source = _geojson_rows(path, report) if is_geojson else _csv_rows(path, options.encoding, report)
        for number, values in source:
            checker.add(number, values)
            ticker.tick()
        checker.flush()
    except UnicodeDecodeError as exc:
        report.error(
            0,
            "",
            _("The file is not valid %(encoding)s text: %(error)s")
            % {"encoding": report.extra.get("encoding", "UTF-8"), "error": exc},
        )
    ticker.finish()
    rows = checker.rows
    _check_buildings(rows, registered, report)
    stages["read_check"] = time.perf_counter() - clock
    if report.errors:
        return report
    if progress:
        progress(_("placing addresses in beats"), 0, None)
    clock = time.perf_counter()
    placement = _place(rows, agency, checker)
    stages["place"] = time.perf_counter() - clock
    if checker.row_warnings > MAX_ROW_WARNINGS:
        report.notes.append(
            _("%(n)s more row warnings are not listed.") % {"n": checker.row_warnings - MAX_ROW_WARNINGS}
        )
    unplaced = int((placement.beat_ids < 0).sum())
    report.extra.update({"unplaced": unplaced, "placed": len(rows.keys) - unplaced})
    writer = _Writer(agency, rows, placement, now or timezone.now(), stages)
    # Rebuilding the indexes pays when the file is large next to the registry (a first import).
    bulk_load = len(rows.keys) >= BULK_LOAD_ROWS and len(rows.keys) >= Household.objects.count()

    def write() -> None:
        written = writer.write(bulk_load)
        report.tally("household", "created", written)
        record(
            actor or "import_households",
            "household.import",
            agency,
            after={"source": report.source, "created": written, "unplaced": unplaced, "total": report.total},
        )

    clock = time.perf_counter()
    write_all(report, write, progress)
    stages["write_and_commit"] = time.perf_counter() - clock
    report.extra["stages_s"] = {name: round(seconds, 3) for name, seconds in stages.items()}
    if report.committed or not report.errors:
        report.notes.append(
            _("%(placed)s placed in beats, %(unplaced)s in no beat (unplaced).")
            % {"placed": len(rows.keys) - unplaced, "unplaced": unplaced}
        )
    return report
