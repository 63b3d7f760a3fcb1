"""Beats that follow the police's own labels: each town goes to the box they name most for it.

``derive_beats(..., labels=tally)`` calls these steps: boxes that only the labels know are opened
at the middle of the towns they are named most for, flagged "location to confirm"; after the
nearest-box assignment, every labelled town is given to its most-named box of the same station
(ties: the nearest of the tied boxes), and the towns nobody labelled keep their nearest box. The
jurisdiction report then says, per box, how many labelled rows name it, how many land in its beat
and how many of those agree.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.contrib.gis.geos import Point
from django.utils.translation import gettext as _

from koban.geography.labels import BoxKey, LabelTally, boxes_by_label, kind_of_label
from koban.geography.models import AdminArea
from koban.lib.areanames import area_key
from koban.organization import services
from koban.organization.kinds import box_kinds, get_kind
from koban.organization.models import PoliceBox, PoliceStation


@dataclass
class BoxAgreement:
    """One box's line of the jurisdiction report."""

    box: str
    station: str
    labelled: int = 0  # rows whose label names this box
    landing: int = 0  # labelled rows in the towns of this box's beat
    agreeing: int = 0  # rows that name this box and land in its beat

    @property
    def share(self) -> float | None:
        return self.agreeing / self.landing if self.landing else None


@dataclass(frozen=True)
class Disagreement:
    """A town whose labelled rows do not all name the box whose beat it is in."""

    area_id: int
    box: str
    rows: int
    agreeing: int
    labels: dict[str, int]


@dataclass
class Jurisdictions:
    """The jurisdiction report of a derivation from labels."""

    boxes: list[BoxAgreement] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    never_first: list[str] = field(default_factory=list)
    across_stations: int = 0
    # Towns where some labelled rows name another box than the one the town went to.
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def landing(self) -> int:
        return sum(b.landing for b in self.boxes)

    @property
    def agreeing(self) -> int:
        return sum(b.agreeing for b in self.boxes)

    @property
    def share(self) -> float | None:
        return self.agreeing / self.landing if self.landing else None

    def lines(self) -> list[str]:
        out = []
        if self.created:
            out.append(
                _("Boxes known only from the labels, opened with a location to confirm: %(names)s")
                % {"names": ", ".join(self.created)}
            )
        if self.never_first:
            out.append(
                _("Boxes the labels name but never most often for a town (no box opened): %(names)s")
                % {"names": ", ".join(self.never_first)}
            )
        if self.across_stations:
            out.append(
                _("%(count)d labelled rows name a box of another station than their town's.")
                % {"count": self.across_stations}
            )
        for b in self.boxes:
            out.append(
                _("  %(box)s: %(labelled)d rows name it, %(landing)d land in its beat, %(agreeing)d agree")
                % {"box": b.box, "labelled": b.labelled, "landing": b.landing, "agreeing": b.agreeing}
            )
        if self.share is not None:
            out.append(
                _("Agreement with the labels: %(agreeing)d of %(landing)d rows (%(share).1f %%).")
                % {"agreeing": self.agreeing, "landing": self.landing, "share": 100 * self.share}
            )
        return out


def open_label_only_boxes(
    actor: Any,
    tally: LabelTally,
    boxes: list[PoliceBox],
    stations: list[PoliceStation],
    report: Jurisdictions,
) -> list[PoliceBox]:
    """Open the boxes the labels name most for some town but the network lacks; return them."""
    known = boxes_by_label(boxes)
    station_by_id = {s.pk: s for s in stations}
    won: dict[BoxKey, list[int]] = {}
    named: set[BoxKey] = set()
    for area_id, counter in tally.by_area.items():
        named.update(counter)
        top = max(counter.values())
        for key, count in counter.items():
            if count == top:
                won.setdefault(key, []).append(area_id)
    opened = []
    for key in sorted(named - set(known), key=lambda k: (k[0], tally.label_names[k])):
        label = tally.label_names[key]
        if key[0] not in station_by_id:
            continue
        if key not in won:
            report.never_first.append(label)
            continue
        opened.append(_open_box(actor, station_by_id[key[0]], label, won[key]))
        report.created.append(label)
    return opened


def _open_box(actor: Any, station: PoliceStation, label: str, area_ids: list[int]) -> PoliceBox:
    shapes = [shapely.from_wkb(bytes(a.geom.wkb)) for a in AdminArea.objects.filter(pk__in=area_ids)]
    spot = shapely.point_on_surface(shapely.union_all(shapes))
    kind = kind_of_label(label)
    if get_kind(kind) is None:
        kind = box_kinds()[0].code
    return services.create_box(
        actor,
        station,
        code="label-" + hashlib.sha256(label.encode()).hexdigest()[:10],
        name=label[:200],
        kind=kind,
        location=Point(spot.x, spot.y, srid=4326),
        location_to_confirm=True,
    )


def follow_labels(
    assignment: np.ndarray,
    area_ids: list[int],
    area_xy: np.ndarray,
    area_group: np.ndarray,
    boxes: list[PoliceBox],
    box_xy: np.ndarray,
    box_group: np.ndarray,
    tally: LabelTally,
    report: Jurisdictions,
) -> None:
    """Give each labelled town to its most-named box of the same station; fill the jurisdiction report."""
    # Two boxes of one station with one name cannot be told apart by a label: the later one counts.
    index_of = {(b.station_id, area_key(b.name)): i for i, b in enumerate(boxes)}
    for i, area_id in enumerate(area_ids):
        counter = tally.by_area.get(area_id)
        if not counter:
            continue
        usable = {
            index_of[key]: count
            for key, count in counter.items()
            if key in index_of and box_group[index_of[key]] == area_group[i]
        }
        report.across_stations += sum(counter.values()) - sum(usable.values())
        if not usable:
            continue
        top = max(usable.values())
        tied = [b for b, count in usable.items() if count == top]
        distances = np.hypot(box_xy[tied, 0] - area_xy[i, 0], box_xy[tied, 1] - area_xy[i, 1])
        assignment[i] = tied[int(np.argmin(distances))]
    _score(assignment, area_ids, boxes, tally, index_of, report)


def _score(
    assignment: np.ndarray,
    area_ids: list[int],
    boxes: list[PoliceBox],
    tally: LabelTally,
    index_of: dict[BoxKey, int],
    report: Jurisdictions,
) -> None:
    rows = [BoxAgreement(b.name, b.station.name) for b in boxes]
    key_of = {i: key for key, i in index_of.items()}
    labelled: Counter[BoxKey] = Counter()
    for i, area_id in enumerate(area_ids):
        counter = tally.by_area.get(area_id)
        if not counter:
            continue
        labelled.update(counter)
        b = int(assignment[i])
        if b < 0:
            continue
        total, agreeing = sum(counter.values()), counter.get(key_of.get(b, (0, "")), 0)
        rows[b].landing += total
        rows[b].agreeing += agreeing
        if agreeing < total:
            labels = {tally.label_names.get(k, k[1]): n for k, n in counter.most_common()}
            report.disagreements.append(Disagreement(area_id, rows[b].box, total, agreeing, labels))
    for i, row in enumerate(rows):
        row.labelled = labelled.get(key_of.get(i, (0, "")), 0)
    report.boxes = rows


def disagreements_geojson(report: Jurisdictions) -> dict[str, Any]:
    """The towns where beats and labels disagree, as a GeoJSON FeatureCollection for a map."""
    areas = AdminArea.objects.in_bulk([d.area_id for d in report.disagreements])
    features = []
    for item in report.disagreements:
        area = areas.get(item.area_id)
        if area is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(area.geom.geojson),
                "properties": {
                    "town": area.name,
                    "code": area.code,
                    "box": item.box,
                    "rows": item.rows,
                    "agreeing": item.agreeing,
                    "labels": item.labels,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
