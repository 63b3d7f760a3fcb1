"""What happens to a valid row before it is written: selection, duplicates, placement by area.

``RowSieve`` is loaded before the COPY starts (no query may run while it holds the connection) and
then decides row by row, in memory:

- rows of municipalities other than the ones asked for are left out (counted);
- a row whose fingerprint is already stored for the agency, or came earlier in the file, is a
  duplicate: reported with its line, not stored twice (the police file and a geocoded copy of it);
- a row without coordinates whose 町丁目 names a known town area is placed at that town's
  representative point and marked as placed by area; unmatched names (of municipalities whose towns
  are loaded) are collected with the closest town names, and the row is kept without a place.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from koban.geography.towns import TownMatcher
from koban.incidents.importers.formats import ImportRow
from koban.incidents.models import Incident, LocationSource
from koban.organization.models import Agency

if TYPE_CHECKING:
    from koban.incidents.importers.loader import IncidentImportReport

_LINES_LISTED = 20


class RowSieve:
    """Decides, per valid row, whether to write it and where it is (see the module docstring)."""

    def __init__(
        self,
        agency: Agency,
        report: IncidentImportReport,
        *,
        municipalities: Iterable[str] | None,
        place_by_area: bool,
    ) -> None:
        self.report = report
        self.municipalities = {code[:5] for code in municipalities} if municipalities else None
        self.matcher = TownMatcher.load(self.municipalities) if place_by_area else None
        stored = (
            Incident.objects.filter(agency=agency)
            .exclude(row_fingerprint="")
            .values_list("row_fingerprint", "import_batch_id")
        )
        self.known: dict[str, int | None] = dict(stored)

    def selects(self, municipality_code: str) -> bool:
        """Whether rows of *municipality_code* were asked for (counted as left out when not)."""
        if self.municipalities is not None and municipality_code[:5] not in self.municipalities:
            self.report.rows_filtered += 1
            return False
        return True

    def keep(self, row: ImportRow) -> bool:
        """Whether to write *row* (placing it by its area when it has no point)."""
        if not self.selects(row.municipality_code):
            return False
        if row.fingerprint:
            if row.fingerprint in self.known:
                self._duplicate(row, self.known[row.fingerprint])
                return False
            self.known[row.fingerprint] = None
        if row.lon is None and self.matcher is not None and row.area_name:
            self._place(row, self.matcher)
        return True

    def _duplicate(self, row: ImportRow, batch: int | None) -> None:
        report = self.report
        report.rows_duplicate += 1
        if len(report.duplicate_lines) < _LINES_LISTED:
            report.duplicate_lines.append(row.line)
        if batch is not None and batch not in report.duplicate_of_imports:
            report.duplicate_of_imports.append(batch)

    def _place(self, row: ImportRow, matcher: TownMatcher) -> None:
        town = matcher.match(row.municipality_code, row.area_name)
        if town is None and not matcher.has_municipality(row.municipality_code):
            return  # no town areas of this municipality are loaded: nothing to match against
        if town is None:
            rows, closest = self.report.unmatched_areas.get(row.area_name, (0, []))
            if not rows:
                closest = matcher.suggestions(row.municipality_code, row.area_name)
            self.report.unmatched_areas[row.area_name] = (rows + 1, closest)
            return
        row.lon, row.lat = town.lon, town.lat
        row.location_source = LocationSource.AREA
        self.report.rows_placed_by_area += 1
