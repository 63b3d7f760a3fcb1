"""Changing beats: creating versions, activating them, checking them for overlaps and gaps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import shapely
import shapely.geometry
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from koban.accounts.access import can_override_beat_check, require_network_manager
from koban.analytics.algorithms import beat_check
from koban.audit.services import record, snapshot
from koban.geography.models import AdminArea, Beat, BeatVersion
from koban.lib.geo import area_m2
from koban.organization.jurisdiction import jurisdiction_of
from koban.organization.models import PoliceBox, PoliceStation
from koban.runs import registry
from koban.runs.services import start_run


@dataclass(frozen=True)
class AreaProblem:
    """One reason a beat version is not fit to go live, with a place to look at on the map.

    Kinds: ``overlap`` (two beats share ground), ``gap`` (ground of the jurisdiction in no beat, with
    the people living there when area statistics know them), ``no_beat`` and ``several_beats`` (an
    operating box without exactly one beat), ``dropped`` (a beat of the active version that this
    version no longer has).
    """

    kind: str
    station: str
    area_m2: float
    lon: float
    lat: float
    beats: tuple[str, ...] = ()
    population: int | None = None
    households: int | None = None
    box: str = ""
    # The problem's shape as a GeoJSON geometry, for the map; not part of equality.
    geometry: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    def describe(self) -> str:
        where = f"{self.lat:.5f}, {self.lon:.5f}"
        values = {
            "where": where,
            "station": self.station,
            "area": self.area_m2,
            "box": self.box,
            "count": len(self.beats),
            "beats": ", ".join(self.beats),
        }
        if self.kind == "overlap":
            return _(
                "Beats %(a)s and %(b)s overlap by %(area).0f m² near %(where)s (station %(station)s)"
            ) % (values | {"a": self.beats[0], "b": self.beats[1]})
        if self.kind == "gap":
            text = _("Gap of %(area).0f m² in the area of station %(station)s near %(where)s") % values
            if self.population is not None:
                text += " " + _("(about %(population)d residents, %(households)s households)") % {
                    "population": self.population,
                    "households": "?" if self.households is None else self.households,
                }
            return text
        if self.kind == "no_beat":
            return _("Box %(box)s (station %(station)s) is operating but has no beat") % values
        if self.kind == "several_beats":
            return _("Box %(box)s (station %(station)s) has %(count)d beats: %(beats)s") % values
        return (
            _(
                "Beat %(beats)s of box %(box)s is dropped: this version has no beat of that name or box "
                "(near %(where)s)"
            )
            % values
        )


@dataclass
class VersionReport:
    """The result of checking a beat version; it passes when it has no problem."""

    version: BeatVersion
    problems: list[AreaProblem] = field(default_factory=list)
    # Which territory gaps were looked for in (koban.organization.jurisdiction.Source), and notes on
    # what could not be checked.
    territory: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def of_kind(self, kind: str) -> list[AreaProblem]:
        return [p for p in self.problems if p.kind == kind]

    @property
    def overlaps(self) -> list[AreaProblem]:
        return self.of_kind("overlap")

    @property
    def gaps(self) -> list[AreaProblem]:
        return self.of_kind("gap")

    def problems_geojson(self) -> dict[str, Any]:
        """The problems as a GeoJSON FeatureCollection (kind and description in the properties)."""
        features = [
            {"type": "Feature", "geometry": p.geometry, "properties": {"kind": p.kind, "text": p.describe()}}
            for p in self.problems
            if p.geometry is not None
        ]
        return {"type": "FeatureCollection", "features": features}

    @property
    def uncovered_population(self) -> int:
        """Residents living in the gaps (as far as the area statistics know them)."""
        return sum(p.population or 0 for p in self.gaps)

    def summary(self) -> str:
        return _(
            "%(overlaps)d overlap(s), %(gaps)d gap(s), %(boxes)d box(es) without exactly one beat, "
            "%(dropped)d dropped beat(s)"
        ) % {
            "overlaps": len(self.overlaps),
            "gaps": len(self.gaps),
            "boxes": len(self.of_kind("no_beat")) + len(self.of_kind("several_beats")),
            "dropped": len(self.of_kind("dropped")),
        }


def _shapely(geom: GEOSGeometry) -> shapely.Geometry:
    return shapely.from_wkb(bytes(geom.wkb))


def _geojson(geom: shapely.Geometry) -> dict[str, Any]:
    return shapely.geometry.mapping(geom)  # type: ignore[no-any-return]


def check_version(version: BeatVersion) -> VersionReport:
    """Check *version* before it goes live: a plain function, callable from pages, the API and jobs.

    Looks for overlaps between any two beats (within and across stations), gaps inside the agency's
    jurisdiction, operating boxes without exactly one beat, and beats of the active version that this
    version drops.
    """
    report = VersionReport(version)
    beats = list(version.beats.select_related("box__station").order_by("box__station__code", "code"))
    shapes = [_shapely(b.geom) for b in beats]
    for overlap in beat_check.find_overlaps(shapes):
        first, second = beats[overlap.first], beats[overlap.second]
        stations = sorted({first.box.station.name, second.box.station.name})
        report.problems.append(
            AreaProblem(
                "overlap",
                " / ".join(stations),
                overlap.area_m2,
                overlap.lon,
                overlap.lat,
                (first.code, second.code),
                geometry=_geojson(overlap.geom),
            )
        )
    report.problems.extend(_gaps(version, shapes, report))
    box_problems = _box_problems(version, beats)
    report.problems.extend(box_problems)
    report.problems.extend(_dropped_beats(version, beats, {p.box for p in box_problems}))
    return report


def _gaps(version: BeatVersion, shapes: list[shapely.Geometry], report: VersionReport) -> list[AreaProblem]:
    territory = jurisdiction_of(version.agency, fresh=True)
    report.territory = territory.source
    ground = territory.geom
    if territory.is_fallback:
        ground = _municipalities_of_boxes(version)
        if ground is None:
            report.notes.append(
                _(
                    "Gaps were not checked: the agency has no station areas, no configured extent and "
                    "no municipality area holds its boxes."
                )
            )
            return []
        report.territory = "municipalities"
        report.notes.append(
            _(
                "The agency has no station areas and no extent: gaps were looked for in the "
                "municipalities that hold its boxes."
            )
        )
    gaps = beat_check.find_gaps(ground, shapes)
    if not gaps:
        return []
    stations = [
        (s.name, _shapely(s.area))
        for s in PoliceStation.objects.of_agency(version.agency).exclude(area=None).order_by("code")
        if s.area is not None
    ]
    people = _populated_areas([g.geom for g in gaps])
    problems = []
    for gap in gaps:
        station = next(
            (name for name, area in stations if shapely.intersects_xy(area, gap.lon, gap.lat)),
            version.agency.name,
        )
        population, households = beat_check.people_in(gap.geom, people)
        problems.append(
            AreaProblem(
                "gap",
                station,
                gap.area_m2,
                gap.lon,
                gap.lat,
                population=population,
                households=households,
                geometry=_geojson(gap.geom),
            )
        )
    return problems


def _municipalities_of_boxes(version: BeatVersion) -> shapely.Geometry | None:
    """The union of the municipality areas holding the agency's operating boxes (None: no such area).

    Without station areas this is the ground a derivation covers, so the check looks for gaps there
    rather than report none.
    """
    boxes = PoliceBox.objects.operating().filter(station__agency=version.agency)
    municipalities = AdminArea.objects.filter(
        level=AdminArea.Level.MUNICIPALITY,
        pk__in=[
            area.pk
            for box in boxes.only("location")
            for area in AdminArea.objects.filter(
                level=AdminArea.Level.MUNICIPALITY, geom__contains=box.location
            ).only("pk")
        ],
    )
    shapes = [_shapely(m.geom) for m in municipalities]
    return shapely.union_all(shapes) if shapes else None


def _populated_areas(gaps: list[shapely.Geometry]) -> list[beat_check.PopulatedArea]:
    """The finest level of administrative areas with counts that touches the gaps (none: no counts)."""
    where = GEOSGeometry(shapely.union_all(gaps).wkb.hex(), srid=4326)
    rows = list(
        AdminArea.objects.filter(geom__intersects=where)
        .exclude(population=None, households=None)
        .values_list("level", "geom", "population", "households")
    )
    finest = next((level for level in _FINEST_FIRST if any(r[0] == level for r in rows)), None)
    return [
        beat_check.PopulatedArea(_shapely(geom), population, households)
        for level, geom, population, households in rows
        if level == finest
    ]


_FINEST_FIRST = (
    AdminArea.Level.BLOCK,
    AdminArea.Level.TOWN,
    AdminArea.Level.MUNICIPALITY,
    AdminArea.Level.PREFECTURE,
)


def _box_problems(version: BeatVersion, beats: list[Beat]) -> list[AreaProblem]:
    by_box: dict[int, list[Beat]] = {}
    for beat in beats:
        by_box.setdefault(beat.box_id, []).append(beat)
    problems = []
    boxes = (
        PoliceBox.objects.operating()
        .filter(station__agency=version.agency)
        .select_related("station")
        .order_by("station__code", "code")
    )
    for box in boxes:
        own = by_box.get(box.pk, [])
        if len(own) == 1:
            continue
        problems.append(
            AreaProblem(
                "no_beat" if not own else "several_beats",
                box.station.name,
                0.0,
                box.location.x,
                box.location.y,
                tuple(b.code for b in own),
                box=box.name,
                geometry={"type": "Point", "coordinates": [box.location.x, box.location.y]},
            )
        )
    return problems


def _dropped_beats(version: BeatVersion, beats: list[Beat], reported: set[str]) -> list[AreaProblem]:
    """Beats of the active version that this one drops: neither their code nor their box is in it.

    A renamed beat of the same box is not dropped; an operating box left without a beat is already
    reported (``no_beat``, names in *reported*), so what remains are the beats of boxes that closed or
    merged, whose ground must now belong to someone else.
    """
    active = BeatVersion.objects.active().filter(agency=version.agency).exclude(pk=version.pk).first()
    if active is None:
        return []
    codes = {b.code for b in beats}
    boxes = {b.box_id for b in beats}
    gone = (
        active.beats.exclude(code__in=codes)
        .exclude(box_id__in=boxes)
        .select_related("box__station")
        .order_by("code")
    )
    problems = []
    for beat in gone:
        if beat.box.name in reported:
            continue
        shape = _shapely(beat.geom)
        spot = shape.representative_point()
        problems.append(
            AreaProblem(
                "dropped",
                beat.box.station.name,
                area_m2(shape),
                spot.x,
                spot.y,
                (beat.code,),
                box=beat.box.name,
                geometry=_geojson(shape),
            )
        )
    return problems


def as_multipolygon(geom: GEOSGeometry) -> MultiPolygon:
    if isinstance(geom, Polygon):
        return MultiPolygon(geom, srid=geom.srid)
    if isinstance(geom, MultiPolygon):
        return geom
    raise ValidationError(
        _("A beat must be a polygon or multipolygon, not %(type)s") % {"type": geom.geom_type}
    )


@dataclass(frozen=True)
class Activation:
    """What ``activate_version`` did: nothing (already active), a clean activation, or an override."""

    version: BeatVersion
    already_active: bool = False
    report: VersionReport | None = None
    override_reason: str = ""


class BeatCheckFailedError(ValidationError):
    """The version's check failed and no (permitted) reason to activate it anyway was given."""

    def __init__(self, report: VersionReport, message: str) -> None:
        super().__init__({"override_reason": [message]})
        self.report = report


@transaction.atomic
def activate_version(actor: Any, version: BeatVersion, *, override_reason: str = "") -> Activation:
    """Make *version* the agency's active set of beats and retire the one it replaces.

    The version must pass ``check_version``. A failing version goes live only when a planner allowed
    to override gives *override_reason*; the override, the reason and the problems are audited.
    Activating the version that is already active changes nothing and says so.
    """
    require_network_manager(actor, version.agency)
    version = BeatVersion.objects.select_for_update().select_related("agency").get(pk=version.pk)
    if version.status == BeatVersion.Status.ACTIVE:
        return Activation(version, already_active=True)
    if not version.beats.exists():
        raise ValidationError(_("A beat version without beats cannot be activated."))
    report = check_version(version)
    reason = override_reason.strip()
    if not report.passed:
        _require_override(actor, version, report, reason)
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
    transaction.on_commit(lambda: queue_replacement(actor, version.agency.code))
    if report.passed:
        return Activation(version, report=report)
    record(
        actor,
        "beat_version.override_check",
        version,
        after={"summary": report.summary(), "problems": [p.describe() for p in report.problems[:200]]},
        note=reason,
    )
    return Activation(version, report=report, override_reason=reason)


#: Run kinds queued when a beat version goes live, each placing one app's records (incidents,
#: households) on the new beats. The apps above geography add theirs from their ``AppConfig.ready``
#: with ``follow_beat_activation``, so geography names none of them.
_ACTIVATION_FOLLOWERS: list[str] = []


def follow_beat_activation(run_kind: str) -> None:
    """Queue the run *run_kind* (parameters ``agency`` and ``commit``) whenever beats are activated."""
    if run_kind not in _ACTIVATION_FOLLOWERS:
        _ACTIVATION_FOLLOWERS.append(run_kind)


def queue_replacement(actor: Any, agency_code: str) -> list[Any]:
    """Queue the re-placement of the agency's records on the beats just activated (one run per kind)."""
    return [
        start_run(
            kind, actor=actor, parameters={"agency": agency_code, "commit": True}, agency_code=agency_code
        )
        for kind in _ACTIVATION_FOLLOWERS
        if registry.is_registered(kind)
    ]


def _require_override(actor: Any, version: BeatVersion, report: VersionReport, reason: str) -> None:
    if not can_override_beat_check(actor, version.agency):
        raise BeatCheckFailedError(
            report,
            _("The check of %(version)s failed (%(summary)s); you may not activate it anyway.")
            % {"version": report.version.name, "summary": report.summary()},
        )
    if not reason:
        raise BeatCheckFailedError(
            report,
            _(
                "The check of %(version)s failed (%(summary)s). To activate it anyway, give the "
                "reason for the record."
            )
            % {"version": report.version.name, "summary": report.summary()},
        )
