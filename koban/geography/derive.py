"""Deriving beats (受持区) from box locations and address areas.

Where a deployment knows where its boxes are but has no beat polygons, each address area (town/chome
or census block) goes to the nearest operating box of the station whose jurisdiction holds it; the
areas of a box are dissolved into its beat and clipped to the station's area. The result is saved as
a new *draft* beat version, to be checked and activated by a planner.

Stations without a jurisdiction area fall back to the municipalities that contain their boxes: an
area inside one of those goes to the nearest of those stations' boxes, and the beats are clipped to
the municipalities.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from koban.accounts.access import require_network_manager
from koban.analytics.algorithms.districts import UNASSIGNED, drop_small_holes, nearest_box_per_area
from koban.audit.services import record, snapshot
from koban.geography.derive_labels import Jurisdictions, follow_labels, open_label_only_boxes
from koban.geography.labels import LabelTally
from koban.geography.models import AdminArea, Beat, BeatVersion
from koban.geography.services import VersionReport, as_multipolygon, check_version
from koban.lib.geo import area_m2, check_geometry_coordinates, to_metric, to_wgs84
from koban.organization.models import Agency, PoliceBox, PoliceStation

DERIVABLE_LEVELS = (AdminArea.Level.TOWN, AdminArea.Level.BLOCK)

# An area that shares only a border (or a rounding sliver) with the stations' territory is a
# neighbour, not an area left outside every station.
_MIN_OVERLAP_M2 = 1.0

Progress = Callable[[str], None]


@dataclass
class DeriveReport:
    """What ``derive_beats`` did, and what a planner should look at before activating."""

    version: BeatVersion
    beats: int = 0
    areas_used: int = 0
    copied_beats: int = 0
    boxes_without_area: list[str] = field(default_factory=list)
    areas_outside: list[str] = field(default_factory=list)
    areas_without_box: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    check: VersionReport | None = None
    labels: LabelTally | None = None
    jurisdictions: Jurisdictions | None = None

    def lines(self) -> list[str]:
        """The report as readable lines: counts first, then warnings and overlaps/gaps."""
        out = [
            _("Beat version %(name)s (draft): %(beats)d beats from %(areas)d areas.")
            % {"name": self.version.name, "beats": self.beats, "areas": self.areas_used}
        ]
        if self.copied_beats:
            out.append(
                _("%(count)d beats of other stations copied unchanged from the active version.")
                % {"count": self.copied_beats}
            )
        if self.boxes_without_area:
            out.append(
                _("Warning: %(count)d boxes got no area and therefore no beat: %(boxes)s")
                % {"count": len(self.boxes_without_area), "boxes": ", ".join(self.boxes_without_area)}
            )
        if self.areas_outside:
            out.append(
                _("%(count)d areas lie outside every station area: %(areas)s")
                % {"count": len(self.areas_outside), "areas": _shortlist(self.areas_outside)}
            )
        if self.areas_without_box:
            out.append(
                _("%(count)d areas lie in a station without an operating box: %(areas)s")
                % {"count": len(self.areas_without_box), "areas": _shortlist(self.areas_without_box)}
            )
        out.extend(self.warnings)
        if self.labels is not None:
            out.extend(self.labels.lines())
        if self.jurisdictions is not None:
            out.extend(self.jurisdictions.lines())
        if self.check is not None:
            out.append(
                _("Check: %(overlaps)d overlaps, %(gaps)d gaps (%(people)d residents in no beat).")
                % {
                    "overlaps": len(self.check.overlaps),
                    "gaps": len(self.check.gaps),
                    "people": self.check.uncovered_population,
                }
            )
            out.extend(self.check.notes)
            out.extend(problem.describe() for problem in self.check.problems)
        return out


def _shortlist(names: list[str], limit: int = 10) -> str:
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown}, … (+{len(names) - limit})"


@dataclass
class _Group:
    """Where areas may go: one station's jurisdiction, or the municipalities of area-less stations."""

    territory: BaseGeometry  # WGS84, as stored
    metric: BaseGeometry  # the same in metres, for point-in-area tests
    stations: list[PoliceStation]


@transaction.atomic
def derive_beats(
    actor: Any,
    agency: Agency,
    *,
    area_level: str = AdminArea.Level.TOWN,
    station: PoliceStation | None = None,
    name: str | None = None,
    progress: Progress | None = None,
    labels: LabelTally | None = None,
) -> tuple[BeatVersion, DeriveReport]:
    """Build a new draft beat version: each area to the nearest box of its station, dissolved per box.

    With *station*, only that station's beats are derived; the other stations' beats are copied
    unchanged from the agency's active version. With *labels* (``koban.geography.labels``), each
    labelled town goes to the box the police name most for it instead (``derive_labels``).
    """
    require_network_manager(actor, agency)
    say = progress or (lambda message: None)
    if area_level not in DERIVABLE_LEVELS:
        raise ValidationError(
            {
                "area_level": _("Beats are derived from town or block areas, not %(level)s.")
                % {"level": area_level}
            }
        )
    if station is not None and station.agency_id != agency.pk:
        raise ValidationError(
            {"station": _("Station %(code)s is not part of this agency.") % {"code": station.code}}
        )

    stations = [station] if station else list(PoliceStation.objects.of_agency(agency).order_by("code"))
    boxes = list(
        PoliceBox.objects.operating()
        .filter(station__in=stations)
        .select_related("station")
        .order_by("station__code", "code")
    )
    jurisdictions = Jurisdictions() if labels is not None else None
    if labels is not None and jurisdictions is not None:
        boxes.extend(open_label_only_boxes(actor, labels, boxes, stations, jurisdictions))
    if not boxes:
        raise ValidationError(_("There is no operating box to derive beats for."))
    lon = float(np.mean([b.location.x for b in boxes]))
    lat = float(np.mean([b.location.y for b in boxes]))

    groups = _groups(stations, boxes, lon, lat)
    if not groups:
        raise ValidationError(
            _("The stations have no jurisdiction area and no municipality contains their boxes.")
        )
    say(_("%(boxes)d boxes in %(groups)d station areas") % {"boxes": len(boxes), "groups": len(groups)})

    territory = shapely.union_all([g.metric for g in groups])
    areas, area_shapes = _candidate_areas(area_level, territory, lon, lat)
    if not areas:
        raise ValidationError(
            {"area_level": _("No %(level)s areas lie in the stations' areas.") % {"level": area_level}}
        )
    say(
        _("%(count)d %(level)s areas in or next to the station areas")
        % {"count": len(areas), "level": area_level}
    )

    assignment, area_group = _assign(areas, area_shapes, groups, boxes, lon, lat)
    if labels is not None and jurisdictions is not None:
        _follow(assignment, areas, area_shapes, area_group, groups, boxes, lon, lat, labels, jurisdictions)
    version = BeatVersion.objects.create(
        agency=agency,
        name=name or _default_name(area_level, labels),
        status=BeatVersion.Status.DRAFT,
        source=_("koban derive_beats: nearest box per %(level)s area") % {"level": area_level},
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    report = DeriveReport(version, labels=labels, jurisdictions=jurisdictions)
    for i, area in enumerate(areas):
        if assignment[i] != UNASSIGNED:
            continue
        if area_group[i] >= 0:
            report.areas_without_box.append(area.name)
        elif shapely.area(shapely.intersection(area_shapes[i], territory)) >= _MIN_OVERLAP_M2:
            report.areas_outside.append(area.name)

    beats = _dissolve(version, boxes, areas, area_shapes, assignment, area_group, groups, lon, lat, report)
    report.beats = len(beats)
    report.areas_used = int((assignment != UNASSIGNED).sum())
    say(_("%(count)d beats dissolved and clipped") % {"count": len(beats)})
    if station is not None:
        beats.extend(_copy_other_stations(version, station, {b.code for b in beats}, report))
    Beat.objects.bulk_create(beats)

    report.check = check_version(version)
    version.note = "\n".join(report.lines())
    version.save(update_fields=["note"])
    record(
        actor, "beat_version.derive", version, after=snapshot(version, exclude=("note",)), note=version.note
    )
    return version, report


def _default_name(level: str, labels: LabelTally | None) -> str:
    if labels is not None:
        return _("Derived from the police labels of %(file)s, %(date)s") % {
            "file": labels.source,
            "date": _today(),
        }
    return _("Derived from %(level)s areas, %(date)s") % {"level": level, "date": _today()}


def _today() -> str:
    return timezone.localdate().isoformat()


def _shape(geom: GEOSGeometry) -> BaseGeometry:
    return shapely.from_wkb(bytes(geom.wkb))


def _groups(stations: list[PoliceStation], boxes: list[PoliceBox], lon: float, lat: float) -> list[_Group]:
    """One group per station with an area; one shared group for the stations without one."""
    groups = [_group(_shape(s.area), [s], lon, lat) for s in stations if s.area is not None]
    arealess = [s for s in stations if s.area is None]
    if arealess:
        arealess_ids = {s.pk for s in arealess}
        municipalities: dict[int, AdminArea] = {}
        for box in boxes:
            if box.station_id in arealess_ids:
                for muni in AdminArea.objects.filter(
                    level=AdminArea.Level.MUNICIPALITY, geom__contains=box.location
                ):
                    municipalities[muni.pk] = muni
        if municipalities:
            union = shapely.union_all([_shape(m.geom) for m in municipalities.values()])
            groups.append(_group(union, arealess, lon, lat))
    return groups


def _group(territory: BaseGeometry, stations: list[PoliceStation], lon: float, lat: float) -> _Group:
    return _Group(territory, to_metric([territory], lon, lat)[0], stations)


def _candidate_areas(
    level: str, territory: BaseGeometry, lon: float, lat: float
) -> tuple[list[AdminArea], list[BaseGeometry]]:
    """Areas of *level* touching the territory, with their metric shapes."""
    wgs84 = to_wgs84([territory], lon, lat)[0]
    envelope = GEOSGeometry(memoryview(shapely.to_wkb(shapely.envelope(wgs84))), srid=4326)
    areas = list(AdminArea.objects.filter(level=level, geom__bboverlaps=envelope).order_by("code"))
    shapes = to_metric([_shape(a.geom) for a in areas], lon, lat)
    keep = [i for i, s in enumerate(shapes) if shapely.intersects(s, territory)]
    return [areas[i] for i in keep], [shapes[i] for i in keep]


def _assign(
    areas: list[AdminArea],
    area_shapes: list[BaseGeometry],
    groups: list[_Group],
    boxes: list[PoliceBox],
    lon: float,
    lat: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Group each area by the territory holding its representative point, then pick the nearest box."""
    points = shapely.point_on_surface(np.asarray(area_shapes, dtype=object))
    xy = shapely.get_coordinates(points)
    area_group = np.full(len(areas), -1, dtype=np.int64)
    for g, group in enumerate(groups):
        shapely.prepare(group.metric)
        inside = shapely.contains_xy(group.metric, xy[:, 0], xy[:, 1]) & (area_group < 0)
        area_group[inside] = g
    station_group = {s.pk: g for g, group in enumerate(groups) for s in group.stations}
    box_group = np.array([station_group.get(b.station_id, -1) for b in boxes], dtype=np.int64)
    box_points = to_metric([shapely.Point(b.location.x, b.location.y) for b in boxes], lon, lat)
    box_xy = shapely.get_coordinates(np.asarray(box_points, dtype=object))
    return nearest_box_per_area(xy, box_xy, area_group, box_group), area_group


def _follow(
    assignment: np.ndarray,
    areas: list[AdminArea],
    area_shapes: list[BaseGeometry],
    area_group: np.ndarray,
    groups: list[_Group],
    boxes: list[PoliceBox],
    lon: float,
    lat: float,
    labels: LabelTally,
    jurisdictions: Jurisdictions,
) -> None:
    """Override the nearest-box assignment with the labels (``derive_labels.follow_labels``)."""
    area_xy = shapely.get_coordinates(shapely.point_on_surface(np.asarray(area_shapes, dtype=object)))
    station_group = {s.pk: g for g, group in enumerate(groups) for s in group.stations}
    box_group = np.array([station_group.get(b.station_id, -1) for b in boxes], dtype=np.int64)
    box_points = to_metric([shapely.Point(b.location.x, b.location.y) for b in boxes], lon, lat)
    box_xy = shapely.get_coordinates(np.asarray(box_points, dtype=object))
    follow_labels(
        assignment,
        [a.pk for a in areas],
        area_xy,
        area_group,
        boxes,
        box_xy,
        box_group,
        labels,
        jurisdictions,
    )


def _dissolve(
    version: BeatVersion,
    boxes: list[PoliceBox],
    areas: list[AdminArea],
    area_shapes: list[BaseGeometry],
    assignment: np.ndarray,
    area_group: np.ndarray,
    groups: list[_Group],
    lon: float,
    lat: float,
    report: DeriveReport,
) -> list[Beat]:
    beats: list[Beat] = []
    taken: set[str] = set()
    for b, box in enumerate(boxes):
        members = np.flatnonzero(assignment == b)
        if members.size == 0:
            report.boxes_without_area.append(box.name)
            continue
        dissolved = drop_small_holes(shapely.union_all([area_shapes[i] for i in members]), _MIN_OVERLAP_M2)
        # Rounding in the projection can make a near-touching border cross itself: repair.
        merged = shapely.make_valid(to_wgs84([dissolved], lon, lat)[0])
        # Clip in WGS84: an edge straight in degrees is curved in metres, so clipping in metres
        # would leave slivers along the stored station boundary.
        territory = groups[int(area_group[members[0]])].territory
        if not shapely.covered_by(merged, territory):
            merged = shapely.intersection(merged, territory)
        polygons = polygonal_parts(merged)
        if not polygons:
            raise ValidationError(
                _("The beat of box %(box)s dissolved into no polygon (areas: %(areas)s).")
                % {"box": box.name, "areas": _shortlist([areas[i].name for i in members])}
            )
        geom = shapely.MultiPolygon(polygons)
        check_geometry_coordinates(geom)
        beats.append(
            Beat(
                version=version,
                box=box,
                code=beat_code(box.station.code, box.code, taken),
                name=box.name,
                geom=_multipolygon(geom),
                area_m2=area_m2(geom),
                population=_total(areas[i].population for i in members),
                households=_total(areas[i].households for i in members),
            )
        )
    return beats


def polygonal_parts(geom: BaseGeometry) -> list[shapely.Polygon]:
    """Every polygon with an area in *geom*, however deep (a dissolve or a clip can return a
    GeometryCollection of polygons, multipolygons and stray lines: the lines go, no polygon does)."""
    found: list[shapely.Polygon] = []
    for part in shapely.get_parts(geom):
        if part.geom_type == "Polygon":
            if part.area > 0:
                found.append(part)
        elif part.geom_type in ("MultiPolygon", "GeometryCollection"):
            found.extend(polygonal_parts(part))
    return found


_CODE_LENGTH = Beat._meta.get_field("code").max_length or 40


def beat_code(station_code: str, box_code: str, taken: set[str]) -> str:
    """A beat code unique in *taken* and within the code column: ``<station>-<box>``, shortened.

    Codes made from long station and box codes (OpenStreetMap positions) are cut and given a short
    digest of the full code, so the same boxes always get the same codes; *taken* is updated.
    """
    full = f"{station_code}-{box_code}"
    code = full
    if len(code) > _CODE_LENGTH:
        digest = hashlib.sha256(full.encode()).hexdigest()[:8]
        code = f"{full[: _CODE_LENGTH - 9]}~{digest}"
    return _unique(code, taken)


def _unique(code: str, taken: set[str]) -> str:
    """*code*, or *code* cut and numbered (``-2``, ``-3`` …) until it is not in *taken*; added to it."""
    number, base = 1, code
    while code in taken:
        number += 1
        suffix = f"-{number}"
        code = base[: _CODE_LENGTH - len(suffix)] + suffix
    taken.add(code)
    return code


def _multipolygon(geom: BaseGeometry) -> MultiPolygon:
    return as_multipolygon(GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=4326))


def _total(values: Any) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _copy_other_stations(
    version: BeatVersion, station: PoliceStation, taken: set[str], report: DeriveReport
) -> list[Beat]:
    active = BeatVersion.objects.active().filter(agency=version.agency).first()
    if active is None:
        report.warnings.append(
            _("No active version to copy the other stations' beats from; only %(station)s has beats.")
            % {"station": station.name}
        )
        return []
    copies = []
    for beat in active.beats.exclude(box__station=station).order_by("code"):
        code = _unique(beat.code, taken)
        copies.append(
            Beat(
                version=version,
                box_id=beat.box_id,
                code=code,
                name=beat.name,
                geom=beat.geom,
                area_m2=beat.area_m2,
                population=beat.population,
                households=beat.households,
            )
        )
    report.copied_beats = len(copies)
    return copies
