"""Counting incidents by box, beat, station, area, category or police label, with label agreement.

Incidents are counted where they were placed: by the beat that contains them and that beat's box;
the box the source names (``source_box_label``, e.g. ``柏 柏駅前交番`` from the police open data) is
never used to place anything. Where rows carry such a label, the counts say beside each box how
many of its incidents the police label for it (``agreeing``), how many labelled rows name it
(``named``), and the whole shows the *agreement*: the share of labelled incidents placed in the box
the police name. That share measures how well the beats match the police's own jurisdictions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from koban.geography.labels import LabelKey, box_key, label_key
from koban.geography.models import AdminArea, Beat
from koban.incidents.models import Incident
from koban.lib.geojson import rfc7946_geometry
from koban.organization.models import PoliceBox

DIMENSIONS = {
    "box": _("Box"),
    "beat": _("Beat"),
    "station": _("Station"),
    "area": _("Town area"),
    "category": _("Category"),
    "label": _("Box named by the source"),
}
# Each dimension's id and name columns, read with one GROUP BY.
_GROUP_FIELDS = {
    "box": ("box_id", "box__name"),
    "beat": ("beat_id", "beat__code"),
    "station": ("station_id", "station__name"),
    "category": ("category__code", "category__code"),
    "label": ("source_box_label", "source_box_label"),
}

# The group of incidents without a value (no box: outside every beat, or never placed).
_NOWHERE = _("(none)")


def box_label_key(box: PoliceBox) -> LabelKey:
    """The key a label naming *box* would have."""
    return box_key(box.station.name, box.name)


@dataclass
class CountRow:
    """One group: its id and name, its incidents, and (boxes only) how they compare with labels."""

    key: Any
    name: str
    incidents: int = 0
    labelled: int = 0  # incidents placed here that carry a label
    agreeing: int = 0  # … whose label names this box
    named: int = 0  # labelled incidents anywhere whose label names this box

    @property
    def agreement(self) -> float | None:
        return self.agreeing / self.labelled if self.labelled else None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"agreement": _rounded(self.agreement)}


@dataclass
class Counts:
    """The count table, with the overall agreement of placed boxes with source labels."""

    by: str
    rows: list[CountRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(r.incidents for r in self.rows)

    @property
    def labelled(self) -> int:
        return sum(r.labelled for r in self.rows)

    @property
    def agreeing(self) -> int:
        return sum(r.agreeing for r in self.rows)

    @property
    def agreement(self) -> float | None:
        return self.agreeing / self.labelled if self.labelled else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "total": self.total,
            "labelled": self.labelled,
            "agreeing": self.agreeing,
            "agreement": _rounded(self.agreement),
            "rows": [r.as_dict() for r in self.rows],
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def count_incidents(incidents: QuerySet[Incident], by: str) -> Counts:
    """Count *incidents* (already scoped to what the reader may see) by the dimension *by*."""
    if by not in DIMENSIONS:
        raise ValueError(by)
    if by == "area":
        return _by_area(incidents)
    key_field, name_field = _GROUP_FIELDS[by]
    grouped = (
        incidents.order_by()
        .values(key_field, name_field)
        .annotate(n=Count("id"))
        .order_by(name_field, key_field)
    )
    counts = Counts(by, [CountRow(g[key_field], g[name_field] or str(_NOWHERE), g["n"]) for g in grouped])
    if by == "box":
        _compare_with_labels(incidents, counts)
    return counts


def _by_area(incidents: QuerySet[Incident]) -> Counts:
    """Count by the town area (町丁目) holding each incident's point (one spatial join in SQL)."""
    town = AdminArea.objects.filter(level=AdminArea.Level.TOWN, geom__intersects=OuterRef("location"))
    grouped = (
        incidents.order_by()
        .annotate(area=Subquery(town.order_by("code").values("name")[:1]))
        .values("area")
        .annotate(n=Count("id"))
        .order_by("area")
    )
    return Counts("area", [CountRow(g["area"] or "", g["area"] or "", g["n"]) for g in grouped])


def _compare_with_labels(incidents: QuerySet[Incident], counts: Counts) -> None:
    """Fill labelled/agreeing/named of each box row from the labels the incidents carry."""
    pairs = (
        incidents.exclude(source_box_label="")
        .order_by()
        .values_list("box_id", "source_box_label")
        .annotate(n=Count("id"))
    )
    box_ids = {row.key for row in counts.rows if row.key is not None}
    boxes = {
        b.pk: box_label_key(b) for b in PoliceBox.objects.filter(pk__in=box_ids).select_related("station")
    }
    named: Counter[LabelKey] = Counter()
    by_box = {row.key: row for row in counts.rows}
    for box_id, label, n in pairs:
        key = label_key(label)
        if key is None:
            continue
        named[key] += n
        row = by_box.get(box_id)
        if row is None:
            continue
        row.labelled += n
        if boxes.get(box_id) == key:
            row.agreeing += n
    for row in counts.rows:
        if row.key in boxes:
            row.named = named.get(boxes[row.key], 0)


# Beat boundaries on the count map are drawn simplified (degrees; about 10 m): a page, not a survey.
_MAP_SIMPLIFY_DEGREES = 0.0001


def count_map(counts: Counts) -> dict[str, Any] | None:
    """The counts as GeoJSON for the page's map: a point per box or a polygon per beat, with its count.

    None for the dimensions without a place of their own (station, area, category, label): the
    table says it all there. Groups without a place (incidents outside every beat) stay in the table.
    """
    if counts.by not in ("box", "beat"):
        return None
    by_key = {row.key: row for row in counts.rows if row.key is not None}
    shapes: dict[int, GEOSGeometry]
    if counts.by == "box":
        places = PoliceBox.objects.filter(pk__in=list(by_key)).values_list("pk", "location")
        shapes = {pk: location for pk, location in places if location is not None}
    else:
        beats = Beat.objects.filter(pk__in=list(by_key)).values_list("pk", "geom")
        shapes = {pk: geom.simplify(_MAP_SIMPLIFY_DEGREES, preserve_topology=True) for pk, geom in beats}
    features = [
        {
            "type": "Feature",
            "geometry": rfc7946_geometry(shape),
            "properties": {"name": by_key[pk].name, "incidents": by_key[pk].incidents},
        }
        for pk, shape in shapes.items()
    ]
    return {"type": "FeatureCollection", "by": counts.by, "features": features}
