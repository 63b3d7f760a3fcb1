"""The import core shared by the command line and the admin: validate everything, then write or not.

Every importer follows the same two steps. First every row or feature is read and checked, and each
problem becomes an ``ImportIssue`` naming the line (CSV) or feature (vector files, numbered from 1)
and the field. Then, only when no issue is an error, everything is written in one transaction
through service functions; without ``commit`` that transaction is rolled back at the end, so a dry
run exercises the same writes and checks (constraints, overlap reports) and leaves nothing behind.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from koban.lib.geo import WGS84, GeometryError, check_geometry_coordinates, check_lonlat
from koban.runs.reports import issues_json

logger = logging.getLogger(__name__)

ERROR = "error"
WARNING = "warning"

# A repaired polygon is accepted when its area differs from the area of the original rings by at
# most this fraction: small self-touching rings and spikes are fixed, a figure-eight is not guessed.
REPAIR_AREA_TOLERANCE = 0.01

# Above this many objects an import writes one summary audit row instead of one row per object.
AUDIT_EACH_OBJECT_UP_TO = 200

Progress = Callable[[str, int, int | None], None]
"""Called as ``progress(stage, done, total)`` while an import runs; *total* may be unknown (None)."""


@dataclass(frozen=True)
class ImportIssue:
    """One problem found in the file: where (line or feature number, field), what, and how bad.

    ``line_or_feature`` is 0 for a problem with the file as a whole. ``unit`` says whether the
    number counts lines of a CSV file or features of a vector file.
    """

    line_or_feature: int
    field: str
    message: str
    severity: str = ERROR
    unit: str = "feature"

    def where(self) -> str:
        if self.line_or_feature <= 0:
            return _("file")
        if self.unit == "line":
            return _("line %(n)s") % {"n": self.line_or_feature}
        return _("feature %(n)s") % {"n": self.line_or_feature}

    def describe(self) -> str:
        """The issue as one line, e.g. ``line 4, field lat: unparseable coordinate 'abc'``."""
        place = self.where()
        if self.field:
            place = _("%(place)s, field %(field)s") % {"place": place, "field": self.field}
        return _("%(place)s: %(message)s") % {"place": place, "message": self.message}


@dataclass
class ImportReport:
    """What an import found and did: counts per kind of object, issues, and notes for the operator."""

    kind: str
    source: str
    commit: bool = False
    unit: str = "feature"
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    filtered: int = 0
    issues: list[ImportIssue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    committed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[ImportIssue]:
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[ImportIssue]:
        return [i for i in self.issues if i.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, number: int, field_name: str, message: str) -> None:
        self.issues.append(ImportIssue(number, field_name, message, ERROR, self.unit))

    def warn(self, number: int, field_name: str, message: str) -> None:
        self.issues.append(ImportIssue(number, field_name, message, WARNING, self.unit))

    def tally(self, what: str, outcome: str, n: int = 1) -> None:
        """Count *n* objects of kind *what* (e.g. "box") as created, updated or unchanged."""
        per_kind = self.counts.setdefault(what, {})
        per_kind[outcome] = per_kind.get(outcome, 0) + n
        setattr(self, outcome, getattr(self, outcome) + n)

    def summary(self) -> str:
        """One paragraph for the end of a command or the top of the admin report."""
        if self.errors:
            state = _("Nothing was written: %(n)s error(s) must be fixed first.") % {"n": len(self.errors)}
        elif self.committed:
            state = _("Import committed.")
        else:
            state = _("Dry run: nothing was written (run again with commit to import).")
        parts = [
            _(
                "%(source)s: %(total)s read, %(created)s created, %(updated)s updated, "
                "%(unchanged)s unchanged, %(skipped)s skipped, %(filtered)s outside the selection; "
                "%(errors)s error(s), %(warnings)s warning(s)."
            )
            % {
                "source": self.source,
                "total": self.total,
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "skipped": self.skipped,
                "filtered": self.filtered,
                "errors": len(self.errors),
                "warnings": len(self.warnings),
            }
        ]
        for what, outcomes in sorted(self.counts.items()):
            detail = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
            parts.append(f"{what}: {detail}")
        parts.append(state)
        return "\n".join(parts)

    def as_json(self) -> dict[str, Any]:
        """The report as kept by a background run (the shape described in ``koban.runs.reports``)."""
        return {
            "summary": self.summary(),
            "source": self.source,
            "ok": self.ok,
            "commit": self.commit,
            "committed": self.committed,
            "errors": issues_json(self.errors),
            "error_count": len(self.errors),
            "warnings": issues_json(self.warnings),
            "warning_count": len(self.warnings),
            "notes": [str(note) for note in self.notes],
        }


class Ticker:
    """Calls the progress callback every *every* items and once at the end of a stage."""

    def __init__(self, progress: Progress | None, stage: str, total: int | None, every: int = 500) -> None:
        self.progress = progress
        self.stage = stage
        self.total = total
        self.every = every
        self.done = 0

    def tick(self) -> None:
        self.done += 1
        if self.progress and self.done % self.every == 0:
            self.progress(self.stage, self.done, self.total)

    def finish(self) -> None:
        if self.progress:
            self.progress(self.stage, self.done, self.total)


# -- Field values ------------------------------------------------------------------------------------


def required_text(report: ImportReport, number: int, values: dict[str, str | None], name: str) -> str | None:
    """Return the stripped text of a required field, or report it missing and return None."""
    value = (values.get(name) or "").strip()
    if not value:
        report.error(number, name, _("missing value"))
        return None
    return value


def parse_float(report: ImportReport, number: int, name: str, raw: str | None) -> float | None:
    try:
        value = float((raw or "").strip().replace(",", "."))
    except ValueError:
        report.error(number, name, _("unparseable number %(value)r") % {"value": raw})
        return None
    if not math.isfinite(value):
        report.error(number, name, _("not a finite number: %(value)r") % {"value": raw})
        return None
    return value


def parse_count(report: ImportReport, number: int, name: str, raw: str | None) -> int | None:
    """Parse an optional non-negative whole number (population, households, staffing)."""
    text = (raw or "").strip().replace(",", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        report.error(number, name, _("not a whole number: %(value)r") % {"value": raw})
        return None
    if not math.isfinite(value) or value < 0 or value != int(value) or value > 2_000_000_000:
        report.error(number, name, _("not a whole number of 0 or more: %(value)r") % {"value": raw})
        return None
    return int(value)


def warn_unused_columns(report: ImportReport, fields: list[str], used: list[str]) -> None:
    """Name the file's columns the import does not read (extra or misspelt): a warning, not an error."""
    unused = [f for f in fields if f not in used and f.strip().lstrip("\ufeff")]
    if unused:
        report.warn(
            0,
            "",
            _("columns not used by this import, ignored: %(names)s") % {"names": ", ".join(unused)},
        )


def parse_lonlat(
    report: ImportReport, number: int, lon_raw: str | None, lat_raw: str | None, fields: tuple[str, str]
) -> tuple[float, float] | None:
    """Parse and range-check a coordinate pair given as text; report the field that is wrong."""
    lon_field, lat_field = fields
    if not (lon_raw or "").strip():
        report.error(number, lon_field, _("missing coordinate"))
        return None
    if not (lat_raw or "").strip():
        report.error(number, lat_field, _("missing coordinate"))
        return None
    lon = _coordinate(report, number, lon_field, lon_raw)
    lat = _coordinate(report, number, lat_field, lat_raw)
    if lon is None or lat is None:
        return None
    try:
        check_lonlat(lon, lat)
    except GeometryError as exc:
        field_name = lon_field if "longitude" in str(exc) else lat_field
        report.error(number, field_name, _("coordinates out of range: %(error)s") % {"error": exc})
        return None
    return lon, lat


def _coordinate(report: ImportReport, number: int, name: str, raw: str | None) -> float | None:
    try:
        value = float((raw or "").strip())
    except ValueError:
        report.error(number, name, _("unparseable coordinate %(value)r") % {"value": raw})
        return None
    if not math.isfinite(value):
        report.error(number, name, _("unparseable coordinate %(value)r") % {"value": raw})
        return None
    return value


def point_of(
    report: ImportReport, number: int, geom: BaseGeometry | None, error: str
) -> tuple[float, float] | None:
    """Return (lon, lat) of a point geometry from a vector file, reporting anything else."""
    if error:
        report.error(number, "geometry", error)
        return None
    if geom is None or geom.is_empty:
        report.error(number, "geometry", _("missing geometry"))
        return None
    if geom.geom_type != "Point":
        report.error(number, "geometry", _("expected a point, got %(type)s") % {"type": geom.geom_type})
        return None
    x, y = float(geom.x), float(geom.y)
    if not (math.isfinite(x) and math.isfinite(y)):
        report.error(number, "geometry", _("unparseable coordinate"))
        return None
    try:
        check_lonlat(x, y)
    except GeometryError as exc:
        report.error(number, "geometry", _("coordinates out of range: %(error)s") % {"error": exc})
        return None
    return x, y


# -- Polygons ------------------------------------------------------------------------------------------


def clean_polygon(
    report: ImportReport,
    number: int,
    geom: BaseGeometry | None,
    error: str = "",
    tolerance: float = REPAIR_AREA_TOLERANCE,
) -> shapely.MultiPolygon | None:
    """Return the feature's boundary as a valid shapely MultiPolygon, or report why it cannot be.

    Points and lines are rejected. An invalid polygon (self-intersecting ring, bow-tie, spike) is
    repaired with ``make_valid``; the repair is kept with a warning when its area is within
    *tolerance* of the area enclosed by the original rings, and rejected otherwise.
    """
    if error:
        report.error(number, "geometry", error)
        return None
    if geom is None or geom.is_empty:
        report.error(number, "geometry", _("missing geometry"))
        return None
    try:
        check_geometry_coordinates(geom)
    except GeometryError as exc:
        report.error(number, "geometry", _("coordinates out of range: %(error)s") % {"error": exc})
        return None
    if geom.geom_type not in {"Polygon", "MultiPolygon"}:
        report.error(number, "geometry", _("expected a polygon, got %(type)s") % {"type": geom.geom_type})
        return None
    if geom.is_valid:
        return _as_multi(geom)
    reason = shapely.is_valid_reason(geom)
    repaired = _polygonal(shapely.make_valid(geom))
    if repaired is None or repaired.is_empty or repaired.area == 0:
        report.error(
            number,
            "geometry",
            _("invalid polygon with no area left after repair (%(reason)s)") % {"reason": reason},
        )
        return None
    original = float(geom.area)
    change = abs(repaired.area - original) / max(repaired.area, original)
    if change > tolerance:
        report.error(
            number,
            "geometry",
            _("invalid polygon (%(reason)s); repairing it would change its area by %(pct).1f %%, rejected")
            % {"reason": reason, "pct": change * 100},
        )
        return None
    report.warn(number, "geometry", _("invalid polygon (%(reason)s) was repaired") % {"reason": reason})
    return repaired


def _polygonal(geom: BaseGeometry) -> shapely.MultiPolygon | None:
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in {"Polygon", "MultiPolygon"}]
    polygons: list[shapely.Polygon] = []
    for part in parts:
        polygons.extend(shapely.get_parts(part) if part.geom_type == "MultiPolygon" else [part])
    polygons = [p for p in polygons if not p.is_empty and p.area > 0]
    return shapely.MultiPolygon(polygons) if polygons else None


def _as_multi(geom: BaseGeometry) -> shapely.MultiPolygon:
    if geom.geom_type == "Polygon":
        return shapely.MultiPolygon([geom])
    return geom


def union_multipolygon(parts: list[shapely.MultiPolygon]) -> shapely.MultiPolygon:
    """Dissolve several valid multipolygons of one area into one valid multipolygon."""
    if len(parts) == 1:
        return parts[0]
    merged = _polygonal(shapely.make_valid(shapely.union_all(parts)))
    return merged if merged is not None else parts[0]


def to_geos(geom: shapely.MultiPolygon) -> MultiPolygon:
    """Convert a checked shapely multipolygon to a GEOS MultiPolygon in WGS84 for saving."""
    result = GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=WGS84)
    if not isinstance(result, MultiPolygon):
        raise GeometryError(f"expected a multipolygon, got {result.geom_type}")
    return result


# -- Running ----------------------------------------------------------------------------------------------


def write_all(
    report: ImportReport, writer: Callable[[], None], progress: Progress | None = None
) -> ImportReport:
    """Run *writer* in one transaction when the report has no errors; roll back unless committing.

    *progress* hears of the writing stage before the transaction starts (progress inside it may only
    check for a cancel request: an exception raised there rolls everything back).

    Database errors that slip past validation (a constraint, a concurrent change) become a file-level
    error in the report: the transaction is rolled back and nothing is written.
    """
    if report.errors:
        report.committed = False
        return report
    if progress:
        progress(_("writing"), 0, None)
    try:
        with transaction.atomic():
            writer()
            if not report.commit:
                transaction.set_rollback(True)
    except (DatabaseError, ValidationError) as exc:
        logger.warning("import of %s failed while writing: %s", report.source, exc)
        report.error(0, "", _("the import could not be written: %(error)s") % {"error": exc})
        report.committed = False
        report.created = report.updated = report.unchanged = 0
        report.counts = {}
        return report
    report.committed = report.commit
    return report


# -- Bulk loading -------------------------------------------------------------------------------------------


def prepare_bulk_load(cursor: Any, table: str) -> list[str]:
    """Drop *table*'s foreign keys and secondary indexes; return the SQL statements that restore them.

    Loading a large file with ``COPY`` and then building each index once and checking each foreign key
    with one join is several times faster than maintaining them row by row (PostgreSQL manual,
    "Populating a Database"). DDL is transactional, so a failed or dry-run import gets them back with
    the rollback. The table is locked against other writers until the import commits, and restoring
    costs time in proportion to the whole table: this is for loads that are large next to the table.
    """
    # Index builds sort in memory when they may; SET LOCAL ends with the transaction.
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    # Foreign-key checks still queued in this transaction would forbid altering the tables.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    foreign_keys = cursor.fetchall()
    cursor.execute(
        """
        SELECT indexname, indexdef FROM pg_indexes
        WHERE schemaname = current_schema() AND tablename = %s
          AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)
        """,
        [table, table],
    )
    indexes = cursor.fetchall()
    for name, _definition in foreign_keys:
        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in indexes] + [
        f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}' for name, definition in foreign_keys
    ]
