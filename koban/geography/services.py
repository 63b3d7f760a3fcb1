"""Changing beats: creating versions, activating them, checking them for overlaps and gaps."""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from koban.accounts.access import require_network_manager
from koban.audit.services import record, snapshot
from koban.geography.models import Beat, BeatVersion
from koban.lib.geo import area_m2

# Slivers smaller than this are rounding noise from simplified boundaries, not real overlaps or gaps.
MIN_REPORTED_AREA_M2 = 1.0


@dataclass(frozen=True)
class AreaProblem:
    """An overlap between two beats or a gap in a station's area, with its size and a place to look."""

    kind: str  # "overlap" or "gap"
    station: str
    area_m2: float
    lon: float
    lat: float
    beats: tuple[str, ...] = ()

    def describe(self) -> str:
        where = f"{self.lat:.5f}, {self.lon:.5f}"
        if self.kind == "overlap":
            return _(
                "Beats %(a)s and %(b)s overlap by %(area).0f m² near %(where)s (station %(station)s)"
            ) % {
                "a": self.beats[0],
                "b": self.beats[1],
                "area": self.area_m2,
                "where": where,
                "station": self.station,
            }
        return _("Gap of %(area).0f m² in the area of station %(station)s near %(where)s") % {
            "area": self.area_m2,
            "where": where,
            "station": self.station,
        }


@dataclass
class VersionReport:
    version: BeatVersion
    problems: list[AreaProblem] = field(default_factory=list)

    @property
    def overlaps(self) -> list[AreaProblem]:
        return [p for p in self.problems if p.kind == "overlap"]

    @property
    def gaps(self) -> list[AreaProblem]:
        return [p for p in self.problems if p.kind == "gap"]


def _shapely(geom: GEOSGeometry) -> shapely.Geometry:
    return shapely.from_wkb(bytes(geom.wkb))


def _parts(geom: shapely.Geometry) -> list[shapely.Geometry]:
    polys = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and not g.is_empty]
    return polys


def check_version(version: BeatVersion) -> VersionReport:
    """Report overlaps between beats of the same station and gaps inside each station's area."""
    report = VersionReport(version)
    beats = list(version.beats.select_related("box__station").order_by("box__station__code", "code"))
    by_station: dict[int, list[Beat]] = {}
    for beat in beats:
        by_station.setdefault(beat.box.station_id, []).append(beat)
    for station_beats in by_station.values():
        station = station_beats[0].box.station
        shapes = [_shapely(b.geom) for b in station_beats]
        tree = shapely.STRtree(shapes)
        left, right = tree.query(shapes, predicate="intersects")
        for i, j in zip(left.tolist(), right.tolist(), strict=True):
            if i >= j:
                continue
            for part in _parts(shapely.intersection(shapes[i], shapes[j])):
                size = area_m2(part)
                if size >= MIN_REPORTED_AREA_M2:
                    spot = part.representative_point()
                    report.problems.append(
                        AreaProblem(
                            "overlap",
                            station.name,
                            size,
                            spot.x,
                            spot.y,
                            (station_beats[i].code, station_beats[j].code),
                        )
                    )
        if station.area is not None:
            covered = shapely.union_all(shapes)
            for part in _parts(shapely.difference(_shapely(station.area), covered)):
                size = area_m2(part)
                if size >= MIN_REPORTED_AREA_M2:
                    spot = part.representative_point()
                    report.problems.append(AreaProblem("gap", station.name, size, spot.x, spot.y))
    return report


def as_multipolygon(geom: GEOSGeometry) -> MultiPolygon:
    if isinstance(geom, Polygon):
        return MultiPolygon(geom, srid=geom.srid)
    if isinstance(geom, MultiPolygon):
        return geom
    raise ValidationError(
        _("A beat must be a polygon or multipolygon, not %(type)s") % {"type": geom.geom_type}
    )


@transaction.atomic
def activate_version(actor, version: BeatVersion) -> BeatVersion:  # type: ignore[no-untyped-def]
    """Make *version* the agency's active set of beats and retire the one it replaces."""
    require_network_manager(actor, version.agency)
    version = BeatVersion.objects.select_for_update().get(pk=version.pk)
    if version.status == BeatVersion.Status.ACTIVE:
        return version
    if not version.beats.exists():
        raise ValidationError(_("A beat version without beats cannot be activated."))
    now = timezone.now()
    for previous in BeatVersion.objects.select_for_update().filter(
        agency=version.agency, status=BeatVersion.Status.ACTIVE
    ):
        before = snapshot(previous)
        previous.status = BeatVersion.Status.RETIRED
        previous.retired_at = now
        previous.save(update_fields=["status", "retired_at"])
        record(actor, "beat_version.retire", previous, before=before, after=snapshot(previous))
    before = snapshot(version)
    version.status = BeatVersion.Status.ACTIVE
    version.activated_at = now
    version.retired_at = None
    version.save(update_fields=["status", "activated_at", "retired_at"])
    record(actor, "beat_version.activate", version, before=before, after=snapshot(version))
    return version
