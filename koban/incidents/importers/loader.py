"""Writing a file of historical incidents in one transaction, fast: the import core's two steps.

1. **Check**: rows are read and checked one by one; each refused row is an ``ImportIssue`` of the one
   import core (``koban.geography.importers.core``) naming its line and column. Every chunk of valid
   rows is placed in the agency's current beats at once by the one bulk assigner
   (``koban.geography.assign``) and streamed with PostgreSQL ``COPY`` into a temporary staging table
   of this session, which nobody else sees and which keeps no index.
2. **Write**: only with ``commit``, and only when no row was refused (or ``skip_bad_rows`` is given),
   one ``INSERT … SELECT`` moves the staged rows into the live incident table, whose indexes and
   foreign keys stay in place, so officers keep working meanwhile. A dry run stops after step 1:
   its report (rows outside jurisdiction, duplicates, placement by area) is what a real run does.

Imported incidents are history: they are stored as cleared, with no status-history rows of their own;
the import (``IncidentImport``) and one summary audit row record where they came from.
"""

from __future__ import annotations

import datetime
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ForeignKey, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from koban.audit.services import record
from koban.geography.assign import BeatPlaces
from koban.geography.importers.core import ImportIssue, ImportReport, Progress, Ticker, prepare_bulk_load
from koban.incidents.importers.formats import (
    NPA_FORMATS,
    DateUnknownRow,
    ImportFormatError,
    ImportRow,
    detect_encoding,
    reader_for,
)
from koban.incidents.importers.placing import RowSieve
from koban.incidents.models import Incident, IncidentCategory, IncidentImport, LocationSource
from koban.organization.jurisdiction import Jurisdiction, jurisdiction_of
from koban.organization.models import Agency

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_CHUNK_ROWS = 20_000
# The session's staging table (step 1 of the module docstring).
_STAGING = "incident_import_staging"

_COLUMNS = (
    "agency_id, source, category_id, priority, status, description, location, address, beat_id, box_id,"
    " station_id, outside_jurisdiction, received_at, time_approximate, dispatched_at, arrived_at,"
    " cleared_at, source_ref, source_box_label, location_source, row_fingerprint, import_batch_id,"
    " created_at, created_by_id"
)
# Rows listed by line in the report for each kind of notice (the counts are always complete).
_LINES_LISTED = 20


@dataclass
class IncidentImportReport(ImportReport):
    """The import core's report (issues by line and column, dry run unless committed) with what an
    incident import adds: where rows were placed, duplicates, unknown dates, stage timings."""

    unit: str = "line"
    file_format: str = ""
    encoding: str = ""
    rows_imported: int = 0
    rows_outside: int = 0
    rows_without_location: int = 0
    batch_id: int | None = None
    seconds: float = 0.0
    # How the foreign keys of the written rows were checked: "per key" (once per distinct value) or
    # "per row" (the database's triggers); empty when nothing was written.
    foreign_key_checks: str = ""
    # Seconds per stage (read, check and stage; move into the table; restoring indexes and keys).
    stages: dict[str, float] = field(default_factory=dict)
    # Header names the import did not read (extra or misspelt columns), a warning for the operator.
    unused_columns: list[str] = field(default_factory=list)
    # Rows already in the database or earlier in the file (same source fingerprint): not stored again.
    rows_duplicate: int = 0
    duplicate_lines: list[int] = field(default_factory=list)
    duplicate_of_imports: list[int] = field(default_factory=list)
    # Rows whose date the source gives as unknown (不明): left out, reported.
    date_unknown_lines: list[int] = field(default_factory=list)
    # Rows without coordinates placed at the representative point of their town area.
    rows_placed_by_area: int = 0
    # Town names that matched no town area: name → (rows, closest town names).
    unmatched_areas: dict[str, tuple[int, list[str]]] = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        return self.source

    @property
    def rows_read(self) -> int:
        return self.total

    @property
    def bad_rows(self) -> list[ImportIssue]:
        """The refused rows, each naming its line and column."""
        return self.errors

    @property
    def rows_filtered(self) -> int:
        """Rows of other municipalities than the ones asked for."""
        return self.filtered

    @rows_filtered.setter
    def rows_filtered(self, value: int) -> None:
        self.filtered = value

    @property
    def rows_valid(self) -> int:
        return self.total - len(self.errors)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.source,
            "format": self.file_format,
            "encoding": self.encoding,
            "rows_read": self.total,
            "rows_valid": self.rows_valid,
            "rows_rejected": len(self.errors),
            "rows_imported": self.rows_imported,
            "rows_outside_jurisdiction": self.rows_outside,
            "rows_without_location": self.rows_without_location,
            "committed": self.committed,
            "import_id": self.batch_id,
            "seconds": round(self.seconds, 3),
            "stages": {k: round(v, 3) for k, v in self.stages.items()},
            "foreign_key_checks": self.foreign_key_checks,
            "unused_columns": self.unused_columns,
            "rows_duplicate": self.rows_duplicate,
            "duplicate_lines": self.duplicate_lines[:_LINES_LISTED],
            "duplicate_of_imports": self.duplicate_of_imports,
            "rows_date_unknown": len(self.date_unknown_lines),
            "date_unknown_lines": self.date_unknown_lines[:_LINES_LISTED],
            "rows_placed_by_area": self.rows_placed_by_area,
            "rows_filtered": self.filtered,
            "unmatched_areas": [
                {"name": name, "rows": rows, "closest": closest}
                for name, (rows, closest) in sorted(self.unmatched_areas.items(), key=lambda i: -i[1][0])
            ],
        }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _text(value: str) -> str:
    """*value* escaped for COPY's text format (the check first: most values need nothing)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


def _time(value: datetime.datetime | None) -> str:
    return "\\N" if value is None else value.isoformat()


class _Writer:
    """Turns valid rows into COPY lines for the incident table, a chunk at a time.

    Beats are assigned per chunk (vectorised), so memory stays bounded however long the file is.
    """

    def __init__(
        self,
        copy: Any,
        assigner: BeatPlaces,
        categories: dict[str, tuple[str, str]],
        fixed: dict[str, str],
        report: IncidentImportReport,
        jurisdiction: Jurisdiction | None = None,
    ):
        # No query may run on the connection while COPY holds it: everything is loaded beforehand.
        self.copy = copy
        # Rows farther outside than the track tolerance are refused (None: the operator confirmed them).
        self.jurisdiction = jurisdiction
        self.assigner = assigner
        self.report = report
        self.categories = categories
        # Columns that are the same on every row of the import.
        self.head = "\t".join((fixed["agency"], "imported"))
        self.tail = "\t".join((fixed["batch"], fixed["created_at"], fixed["user"]))
        self.rows: list[ImportRow] = []

    def add(self, row: ImportRow) -> None:
        self.rows.append(row)
        if len(self.rows) >= _CHUNK_ROWS:
            self.flush()

    def _plausible(self, rows: list[ImportRow]) -> list[ImportRow]:
        """The rows inside the jurisdiction (or without a point); the others become bad rows."""
        if self.jurisdiction is None:
            return rows
        located = [r for r in rows if r.lon is not None and r.lat is not None]
        if not located:
            return rows
        coords = np.array([(r.lon, r.lat) for r in located], dtype=float)
        far = {id(r) for r, out in zip(located, self.jurisdiction.outside_margin(coords), strict=True) if out}
        if not far:
            return rows
        for row in rows:
            if id(row) in far:
                reason = _(
                    "The place (%(lat).5f, %(lon).5f) is outside the jurisdiction; check the coordinates "
                    "or import with --outside-confirmed."
                ) % {"lat": row.lat, "lon": row.lon}
                self.report.error(row.line, "lon", reason)
        return [r for r in rows if id(r) not in far]

    def flush(self) -> None:
        rows = self._plausible(self.rows)
        self.rows = []
        if not rows:
            return
        lons = np.fromiter((np.nan if r.lon is None else r.lon for r in rows), dtype=float, count=len(rows))
        lats = np.fromiter((np.nan if r.lat is None else r.lat for r in rows), dtype=float, count=len(rows))
        hits = self.assigner.assign(lons, lats).tolist()
        # Vectorised float → shortest round-trip text (a per-row repr costs more than the rest).
        lon_text, lat_text = lons.astype("U32").tolist(), lats.astype("U32").tolist()
        places = self.assigner.places
        categories, head, tail = self.categories, self.head, self.tail
        no_place = "\\N\t\\N\t\\N\tf"
        outside = "\\N\t\\N\t\\N\tt"
        lines = []
        for row, hit, lon, lat in zip(rows, hits, lon_text, lat_text, strict=True):
            category_id, default_priority = categories[row.category_code]
            if row.lon is None:
                point, place = "\\N", no_place
                self.report.rows_without_location += 1
            else:
                point = f"SRID=4326;POINT({lon} {lat})"
                place = places[hit] if hit >= 0 else outside
            response = (
                f"{_time(row.dispatched_at)}\t{_time(row.arrived_at)}\t{_time(row.cleared_at)}"
                if row.dispatched_at or row.arrived_at or row.cleared_at
                else "\\N\t\\N\t\\N"
            )
            located_by = "" if row.lon is None else (row.location_source or LocationSource.POINT)
            lines.append(
                f"{head}\t{category_id}\t{row.priority or default_priority}\tcleared\t"
                f"{_text(row.description)}\t{point}\t{_text(row.address)}\t"
                f"{place}\t{row.received_at.isoformat()}\t{'t' if row.time_approximate else 'f'}\t"
                f"{response}\t{_text(row.source_ref)}\t{_text(row.source_box_label)}\t"
                f"{located_by}\t{row.fingerprint}\t{tail}\n"
            )
        self.report.rows_outside += hits.count(-1) - sum(1 for r in rows if r.lon is None)
        self.copy.write("".join(lines))
        self.report.rows_imported += len(rows)


def import_incidents_file(
    path: Path | str,
    file_format: str,
    *,
    agency: Agency,
    actor: Any = None,
    commit: bool = False,
    skip_bad_rows: bool = False,
    bulk_load: bool = False,
    encoding: str | None = None,
    now: datetime.datetime | None = None,
    outside_confirmed: bool = False,
    municipalities: list[str] | None = None,
    progress: Progress | None = None,
) -> IncidentImportReport:
    """Import historical incidents from *path*; see the module docstring for what is written when.

    Rows placed outside the agency's jurisdiction (beyond ``KOBAN_TRACK_TOLERANCE_M``) are bad rows
    unless *outside_confirmed*; then they are imported and flagged outside every beat.

    ``bulk_load`` drops the incident table's foreign keys and secondary indexes for the load and
    restores them at the end (see ``prepare_bulk_load`` in the import core): worth it for a file that is large next to
    the table (a first load of years of history), not for a small addition to a big table.

    Police open-data rows (``hokkaido``/``chiba``) without coordinates are placed at their town
    area (町丁目, see ``koban.incidents.importers.placing``); rows already imported are reported as
    duplicates; rows dated 不明 are reported and left out; *municipalities* (codes) selects rows.

    Raises ``ImportFormatError`` when the file as a whole cannot be read (missing columns, unknown
    format, undecodable text) or was already imported. *progress* hears of the rows read every few
    thousand rows; an exception it raises (a cancelled run) rolls the whole import back.
    """
    path = Path(path)
    started = time.perf_counter()
    report = IncidentImportReport("incidents", path.name, commit=commit, file_format=file_format)
    report.encoding = encoding or detect_encoding(path)
    digest = file_sha256(path)
    if commit:
        _refuse_a_second_import(digest, agency)
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        batch = IncidentImport.objects.create(
            agency=agency,
            file_name=path.name[:300],
            file_sha256=digest,
            file_format=file_format,
            encoding=report.encoding,
            imported_by=user,
        )
        fixed = {
            "agency": str(agency.pk),
            "batch": str(batch.pk),
            "created_at": timezone.now().isoformat(),
            "user": str(user.pk) if user else "\\N",
        }
        options = _Options(file_format, agency, outside_confirmed, municipalities, now, progress)
        # A committed bulk load copies straight into the table, its indexes and keys dropped meanwhile
        # (the table is locked anyway, and a refused file rolls back); everything else is staged.
        direct = bulk_load and commit
        with connection.cursor() as cursor:
            clock = time.perf_counter()
            restore = prepare_bulk_load(cursor, Incident._meta.db_table) if direct else []
            _stage(cursor, path, report, fixed, options, Incident._meta.db_table if direct else _STAGING)
            report.stages["read_check_stage"] = time.perf_counter() - clock
            refused = bool(report.errors) and not skip_bad_rows
            if commit and not refused:
                try:
                    with transaction.atomic():
                        if not direct:
                            _move(cursor, report)
                        _restore(cursor, report, restore)
                except DatabaseError as exc:
                    # A constraint the row checks cannot see (a box deleted meanwhile): nothing written.
                    report.error(0, "", _("the import could not be written: %(error)s") % {"error": exc})
                    refused = True
            if not direct:
                cursor.execute(f"DROP TABLE {_STAGING}")
        if commit and not refused:
            _record(actor, batch, report)
        else:
            transaction.set_rollback(True)
    if not report.committed and commit:
        report.rows_imported = 0
    report.seconds = time.perf_counter() - started
    return report


@dataclass(frozen=True)
class _Options:
    file_format: str
    agency: Agency
    outside_confirmed: bool
    municipalities: list[str] | None
    now: datetime.datetime | None
    progress: Progress | None


def _refuse_a_second_import(digest: str, agency: Agency) -> None:
    # Imports made before imports named their agency count for every agency.
    previous = (
        IncidentImport.objects.filter(file_sha256=digest, rows_imported__gt=0)
        .filter(Q(agency=agency) | Q(agency=None))
        .first()
    )
    if previous is not None:
        raise ImportFormatError(
            _("This file was already imported (import #%(id)s on %(date)s).")
            % {"id": previous.pk, "date": f"{previous.imported_at:%Y-%m-%d}"}
        )


def _stage(
    cursor: Any,
    path: Path,
    report: IncidentImportReport,
    fixed: dict[str, str],
    options: _Options,
    target: str = _STAGING,
) -> None:
    """Step 1: read and check every row, place the valid ones and COPY them into *target*.

    *target* is the staging table (created here), or the incident table itself for a committed bulk load.
    """
    tz = ZoneInfo(settings.TIME_ZONE)
    categories = dict(IncidentCategory.objects.values_list("code", "id"))
    # Everything the rows need is loaded now: no query may run while COPY holds the connection.
    assigner = BeatPlaces(options.agency)
    territory = None if options.outside_confirmed else jurisdiction_of(options.agency)
    sieve = RowSieve(
        options.agency,
        report,
        municipalities=options.municipalities,
        place_by_area=options.file_format in NPA_FORMATS,
    )
    copy_categories = {c.code: (str(c.id), str(c.default_priority)) for c in IncidentCategory.objects.all()}
    if target == _STAGING:
        # A temporary table: this session's alone, not logged, no index; dropped at the end of the import.
        cursor.execute(f"DROP TABLE IF EXISTS {_STAGING}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_STAGING} AS SELECT {_COLUMNS} FROM {Incident._meta.db_table} WITH NO DATA"
        )
    try:
        with path.open(encoding=report.encoding, newline="") as handle:
            reader = reader_for(options.file_format, handle, tz, options.now or timezone.now(), categories)
            with cursor.copy(f"COPY {target} ({_COLUMNS}) FROM STDIN") as copy:
                writer = _Writer(copy, assigner, copy_categories, fixed, report, territory)
                ticker = Ticker(options.progress, _("reading, checking and writing rows"), None, every=5000)
                for item in reader.rows():
                    report.total += 1
                    if isinstance(item, ImportIssue):
                        report.issues.append(item)
                    elif isinstance(item, DateUnknownRow):
                        if sieve.selects(item.municipality_code):
                            report.date_unknown_lines.append(item.line)
                    elif sieve.keep(item):
                        writer.add(item)
                    ticker.tick()
                writer.flush()
                ticker.finish()
            report.unused_columns = reader.unused_columns()
    except UnicodeDecodeError as exc:
        raise ImportFormatError(
            _("The file is not valid %(encoding)s text: %(error)s")
            % {"encoding": report.encoding, "error": exc}
        ) from exc


def _move(cursor: Any, report: IncidentImportReport) -> None:
    """Step 2: one INSERT … SELECT from the staging table into the live incident table.

    Rows go in ordered by box and time, the order of the table's (box, received_at) index, so the
    index pages being changed stay few and hot. The foreign keys are checked once per distinct key
    (see ``_keys_checked_at_once``) where the database lets this session do so, else row by row by
    the database's own triggers.
    """
    clock = time.perf_counter()
    insert = (
        f"INSERT INTO {Incident._meta.db_table} ({_COLUMNS}) "
        f"SELECT {_COLUMNS} FROM {_STAGING} ORDER BY box_id, received_at"
    )
    if not _keys_checked_at_once(cursor, insert, report):
        cursor.execute(insert)
        report.foreign_key_checks = "per row"
    report.stages["insert"] = time.perf_counter() - clock


def _restore(cursor: Any, report: IncidentImportReport, restore: list[str]) -> None:
    """Rebuild what a bulk load dropped, then check the deferred foreign keys inside the import."""
    clock = time.perf_counter()
    for statement in restore:
        cursor.execute(statement)
    if restore:
        report.foreign_key_checks = "whole table"
    report.stages["restore_indexes_and_keys"] = time.perf_counter() - clock
    clock = time.perf_counter()
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    report.stages["deferred_checks"] = time.perf_counter() - clock


def _staged_foreign_keys() -> list[tuple[str, str, str]]:
    """(column, referenced table, referenced column) of each foreign key the staged rows fill."""
    staged = {name.strip() for name in _COLUMNS.split(",")}
    keys = [f for f in Incident._meta.concrete_fields if isinstance(f, ForeignKey) and f.column in staged]
    return [(f.column, f.target_field.model._meta.db_table, f.target_field.column) for f in keys]


def _keys_checked_at_once(cursor: Any, insert: str, report: IncidentImportReport) -> bool:
    """Run *insert* with the foreign keys checked once per distinct key instead of once per row.

    The database checks a foreign key with one lookup and one key-share lock per inserted row (six
    keys: a million rows make six million lookups, a third of a default-mode import). The same
    check is made here per distinct value: every referenced row is locked ``FOR KEY SHARE`` (what
    the per-row check takes, so a box or beat cannot be deleted before the import commits) and a
    value without its row refuses the whole import. Then the row triggers are switched off for this
    one statement (``session_replication_role``, as ``pg_restore --disable-triggers`` does; it
    needs a superuser or ``GRANT SET ON PARAMETER``): without that right, returns False and
    the caller inserts with the database's row-by-row checks.
    """
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("SET LOCAL session_replication_role = origin")
    except DatabaseError:
        return False
    for column, table, target in _staged_foreign_keys():
        cursor.execute(
            f"SELECT count(*) FROM (SELECT DISTINCT {column} AS k FROM {_STAGING} WHERE {column} IS NOT NULL) s"
        )
        wanted = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {target} IN "
            f"(SELECT {column} FROM {_STAGING} WHERE {column} IS NOT NULL) FOR KEY SHARE) locked"
        )
        if cursor.fetchone()[0] != wanted:
            raise IntegrityError(f"{Incident._meta.db_table}.{column} names a row missing from {table}")
    try:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(insert)
    finally:
        # Every later statement of the transaction (the audit row) fires its triggers again.
        cursor.execute("SET LOCAL session_replication_role = origin")
    report.foreign_key_checks = "per key"
    return True


def _record(actor: Any, batch: IncidentImport, report: IncidentImportReport) -> None:
    batch.rows_read = report.total
    batch.rows_imported = report.rows_imported
    batch.rows_rejected = len(report.errors)
    batch.rows_outside = report.rows_outside
    batch.rows_duplicate = report.rows_duplicate
    batch.rows_date_unknown = len(report.date_unknown_lines)
    batch.rows_placed_by_area = report.rows_placed_by_area
    batch.save(
        update_fields=[
            "rows_read",
            "rows_imported",
            "rows_rejected",
            "rows_outside",
            "rows_duplicate",
            "rows_date_unknown",
            "rows_placed_by_area",
        ]
    )
    report.committed = True
    report.batch_id = batch.pk
    report.tally("incident", "created", report.rows_imported)
    record(actor or "import_incidents", "incident.import", batch, after=report.as_dict())
