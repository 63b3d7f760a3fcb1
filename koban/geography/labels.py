"""The police's own jurisdictions, read from their open data: which box they name for each town.

Japan's police publish no beat boundaries, but every row of their crime open data names the box
whose jurisdiction it happened in (管轄警察署, 管轄交番・駐在所) and its 町丁目. ``tally_labels``
reads such a file (the NPA layout, Shift_JIS or UTF-8) and counts, per town area of the database,
how often each box is named; ``derive_beats(..., labels=...)`` then gives each town to the box named
most for it. Labels name stations and boxes in their own spelling (``柏``, ``大津ヶ丘交番``); they are
matched to the network's stations (``柏警察署``) and boxes (``大津ヶ丘交番``) by normalised name.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from koban.geography.importers.readers import ReadError, read_csv
from koban.geography.towns import TownMatcher
from koban.lib.areanames import area_key, strip_suffix
from koban.organization.models import Agency, PoliceBox, PoliceStation

STATION_COLUMN = "管轄警察署（発生地）"
BOX_COLUMN = "管轄交番・駐在所（発生地）"
MUNICIPALITY_COLUMN = "市区町村コード（発生地）"
TOWN_COLUMN = "町丁目（発生地）"
LABEL_COLUMNS = (STATION_COLUMN, BOX_COLUMN, MUNICIPALITY_COLUMN, TOWN_COLUMN)
STATION_SUFFIXES = ("警察署", "署", "Police Station", "Station")

# A box named by the labels: (station id, normalised box name).
BoxKey = tuple[int, str]


def station_key(name: str) -> str:
    """``柏警察署``, ``柏署`` and ``柏`` are one station (and ``North Station`` and ``North``)."""
    return area_key(strip_suffix(name.strip(), STATION_SUFFIXES))


LabelKey = tuple[str, str]


def label_key(label: str) -> LabelKey | None:
    """(station, box) of a stored label ``"<station> <box>"``, normalised; None without a box."""
    station, _sep, box = label.strip().partition(" ")
    if not box:
        return None
    return station_key(station), area_key(box)


def box_key(station_name: str, box_name: str) -> LabelKey:
    """The key a label naming the box *box_name* of the station *station_name* would have."""
    return station_key(station_name), area_key(box_name)


@dataclass
class LabelTally:
    """How often the police name each box for each town area, and what could not be used."""

    source: str
    rows: int = 0
    by_area: dict[int, Counter[BoxKey]] = field(default_factory=dict)
    # The written box name of each key, as the police write it (for boxes to create and reports).
    label_names: dict[BoxKey, str] = field(default_factory=dict)
    unmatched_towns: Counter[str] = field(default_factory=Counter)
    other_stations: Counter[str] = field(default_factory=Counter)
    unlabelled_rows: int = 0

    @property
    def rows_used(self) -> int:
        return sum(sum(c.values()) for c in self.by_area.values())

    def lines(self) -> list[str]:
        out = [
            _("Labels from %(source)s: %(used)d of %(rows)d rows name a box of this agency in a known town.")
            % {"source": self.source, "used": self.rows_used, "rows": self.rows}
        ]
        if self.unmatched_towns:
            out.append(
                _("Town names matching no town area: %(names)s")
                % {"names": ", ".join(f"{n} ({c})" for n, c in self.unmatched_towns.most_common(20))}
            )
        if self.other_stations:
            out.append(
                _("Rows of stations not in this agency, not used: %(count)d (%(names)s)")
                % {
                    "count": sum(self.other_stations.values()),
                    "names": ", ".join(n for n, _c in self.other_stations.most_common(10)),
                }
            )
        return out


def tally_labels(path: str | Path, agency: Agency, *, encoding: str | None = None) -> LabelTally:
    """Count the box labels per town area of the police file at *path* (raises ``ReadError``)."""
    source = read_csv(path, encoding=encoding)
    missing = [c for c in LABEL_COLUMNS if c not in source.fields]
    if missing:
        raise ReadError(_("Line 1: missing column(s): %(columns)s") % {"columns": ", ".join(missing)})
    stations = {station_key(s.name): s for s in PoliceStation.objects.of_agency(agency)}
    tally = LabelTally(source=Path(path).name)
    matcher = TownMatcher.load()
    for row in source.rows:
        tally.rows += 1
        values = row.values
        station_label = (values.get(STATION_COLUMN) or "").strip()
        box_label = (values.get(BOX_COLUMN) or "").strip()
        station = stations.get(station_key(station_label))
        if station is None:
            tally.other_stations[station_label] += 1
            continue
        if not box_label:
            tally.unlabelled_rows += 1
            continue
        town_name = (values.get(TOWN_COLUMN) or "").strip()
        town = matcher.match(values.get(MUNICIPALITY_COLUMN) or "", town_name)
        if town is None:
            tally.unmatched_towns[town_name or _("(blank)")] += 1
            continue
        key = (station.pk, area_key(box_label))
        tally.label_names.setdefault(key, box_label)
        tally.by_area.setdefault(town.id, Counter())[key] += 1
    return tally


def boxes_by_label(boxes: list[PoliceBox]) -> dict[BoxKey, PoliceBox]:
    """The network's boxes under the key their label would have (station id, normalised name)."""
    return {(b.station_id, area_key(b.name)): b for b in boxes}


def kind_of_label(label: str) -> str:
    """The box kind a label's ending says (駐在所: chuzaisho; otherwise koban)."""
    return "chuzaisho" if label.endswith("駐在所") else "koban"
