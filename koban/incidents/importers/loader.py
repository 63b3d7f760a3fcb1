"""Writing a file of historical incidents in one transaction, fast: bulk beat assignment, then COPY.

Rows are read and checked one by one; every chunk of valid rows is placed in the agency's active
beats at once (a grid index over the beats, ``koban.analytics.algorithms.point_in_polygon``) and
streamed into the incident table with PostgreSQL ``COPY``. Nothing is written when the file has bad
rows, unless ``skip_bad_rows`` is given, in which case the good rows are written and the bad ones
reported by line. A dry run does the whole import and rolls it back, so its report (rows outside
jurisdiction included) is exactly what a real run would do.

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
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from koban.audit.services import record
from koban.geography.assign import BeatPlaces
from koban.geography.importers.core import Progress, Ticker, prepare_bulk_load
from koban.incidents.importers.formats import (
    NPA_FORMATS,
    BadRow,
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

_COLUMNS = (
    "agency_id, source, category_id, priority, status, description, location, address, beat_id, box_id,"
    " station_id, outside_jurisdiction, received_at, time_approximate, dispatched_at, arrived_at,"
    " cleared_at, source_ref, source_box_label, location_source, row_fingerprint, import_batch_id,"
    " created_at, created_by_id"
)
# Rows listed by line in the report for each kind of notice (the counts are always complete).
_LINES_LISTED = 20


@dataclass
class ImportReport:
    """What an import read, would write or wrote, and every row it refused, by line."""

    file_name: str
    file_format: str
    encoding: str = ""
    rows_read: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    rows_imported: int = 0
    rows_outside: int = 0
    rows_without_location: int = 0
    committed: bool = False
    batch_id: int | None = None
    seconds: float = 0.0
    # Seconds per stage (read, check and COPY; restoring indexes and keys; foreign-key checks).
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
    # Rows of other municipalities than the ones asked for.
    rows_filtered: int = 0
    # Town names that matched no town area: name → (rows, closest town names).
    unmatched_areas: dict[str, tuple[int, list[str]]] = field(default_factory=dict)

    @property
    def rows_valid(self) -> int:
        return self.rows_read - len(self.bad_rows)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "format": self.file_format,
            "encoding": self.encoding,
            "rows_read": self.rows_read,
            "rows_valid": self.rows_valid,
            "rows_rejected": len(self.bad_rows),
            "rows_imported": self.rows_imported,
            "rows_outside_jurisdiction": self.rows_outside,
            "rows_without_location": self.rows_without_location,
            "committed": self.committed,
            "import_id": self.batch_id,
            "seconds": round(self.seconds, 3),
            "stages": {k: round(v, 3) for k, v in self.stages.items()},
            "unused_columns": self.unused_columns,
            "rows_duplicate": self.rows_duplicate,
            "duplicate_lines": self.duplicate_lines[:_LINES_LISTED],
            "duplicate_of_imports": self.duplicate_of_imports,
            "rows_date_unknown": len(self.date_unknown_lines),
            "date_unknown_lines": self.date_unknown_lines[:_LINES_LISTED],
            "rows_placed_by_area": self.rows_placed_by_area,
            "rows_filtered": self.rows_filtered,
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
        report: ImportReport,
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
                self.report.bad_rows.append(BadRow(row.line, reason))
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
) -> ImportReport:
    """Import historical incidents from *path*; see the module docstring for what is written when.

    Rows placed outside the agency's jurisdiction (beyond ``KOBAN_TRACK_TOLERANCE_M``) are bad rows
    unless *outside_confirmed*; then they are imported and flagged outside every beat.

    ``bulk_load`` drops the incident table's foreign keys and secondary indexes for the load and
    restores them at the end (see ``_prepare_bulk_load``): worth it for a file that is large next to
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
    report = ImportReport(file_name=path.name, file_format=file_format)
    report.encoding = encoding or detect_encoding(path)
    digest = file_sha256(path)
    if commit:
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
    tz = ZoneInfo(settings.TIME_ZONE)
    categories = dict(IncidentCategory.objects.values_list("code", "id"))
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
        try:
            with path.open(encoding=report.encoding, newline="") as handle, connection.cursor() as cursor:
                reader = reader_for(file_format, handle, tz, now or timezone.now(), categories)
                assigner = BeatPlaces(agency)
                territory = None if outside_confirmed else jurisdiction_of(agency)
                sieve = RowSieve(
                    agency,
                    report,
                    municipalities=municipalities,
                    place_by_area=file_format in NPA_FORMATS,
                )
                copy_categories = {
                    c.code: (str(c.id), str(c.default_priority)) for c in IncidentCategory.objects.all()
                }
                clock = time.perf_counter()
                restore = prepare_bulk_load(cursor, Incident._meta.db_table) if bulk_load else []
                with cursor.copy(f"COPY incidents_incident ({_COLUMNS}) FROM STDIN") as copy:
                    writer = _Writer(copy, assigner, copy_categories, fixed, report, territory)
                    ticker = Ticker(progress, _("reading, checking and writing rows"), None, every=5000)
                    for item in reader.rows():
                        report.rows_read += 1
                        if isinstance(item, BadRow):
                            report.bad_rows.append(item)
                        elif isinstance(item, DateUnknownRow):
                            if sieve.selects(item.municipality_code):
                                report.date_unknown_lines.append(item.line)
                        elif sieve.keep(item):
                            writer.add(item)
                        ticker.tick()
                    writer.flush()
                    report.unused_columns = reader.unused_columns()
                    ticker.finish()
                report.stages["read_check_copy"] = time.perf_counter() - clock
                clock = time.perf_counter()
                for statement in restore:
                    cursor.execute(statement)
                report.stages["restore_indexes_and_keys"] = time.perf_counter() - clock
                clock = time.perf_counter()
                # Check the deferred foreign keys now, inside the import, not at some later commit.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                report.stages["deferred_checks"] = time.perf_counter() - clock
        except UnicodeDecodeError as exc:
            raise ImportFormatError(
                _("The file is not valid %(encoding)s text: %(error)s")
                % {"encoding": report.encoding, "error": exc}
            ) from exc
        refused = bool(report.bad_rows) and not skip_bad_rows
        if commit and not refused:
            batch.rows_read = report.rows_read
            batch.rows_imported = report.rows_imported
            batch.rows_rejected = len(report.bad_rows)
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
            record(actor or "import_incidents", "incident.import", batch, after=report.as_dict())
        else:
            transaction.set_rollback(True)
    if not report.committed and commit:
        report.rows_imported = 0
    report.seconds = time.perf_counter() - started
    return report
