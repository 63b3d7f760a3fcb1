"""Importing beats (受持区) into a new draft beat version of an agency.

Each feature is one beat: a polygon, a beat code, an optional name, and the code of the box that
covers it (box codes are unique within a station, so a station code field may be given to tell
boxes apart). The beats go into a new *draft* version, never into the active one; after the import
the version is checked for overlaps and gaps, and a planner activates it once it is right.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from django.utils.translation import gettext as _

from koban.accounts.access import agencies_importable_by
from koban.audit.services import record, snapshot
from koban.geography.importers.core import (
    AUDIT_EACH_OBJECT_UP_TO,
    ImportReport,
    Progress,
    Ticker,
    clean_polygon,
    parse_count,
    to_geos,
    write_all,
)
from koban.geography.importers.readers import ReadError, open_vector
from koban.geography.models import Beat, BeatVersion
from koban.geography.services import check_version
from koban.lib.geo import area_m2
from koban.organization.models import Agency, PoliceBox


@dataclass
class BeatImportOptions:
    """Which agency receives the new version and which fields hold each beat's values."""

    agency_code: str
    version_name: str = ""
    code_field: str = "code"
    name_field: str | None = "name"
    box_field: str = "box_code"
    station_field: str | None = None
    population_field: str | None = None
    households_field: str | None = None
    note: str = ""
    encoding: str | None = None
    srid: int | None = None
    layer: str | None = None


@dataclass
class _BeatPlan:
    number: int
    code: str
    name: str
    box: PoliceBox
    geom: shapely.MultiPolygon
    population: int | None
    households: int | None


def import_beats(
    path: str | Path,
    options: BeatImportOptions,
    *,
    commit: bool = False,
    actor: Any = "import_beats",
    progress: Progress | None = None,
    source_name: str | None = None,
) -> ImportReport:
    """Validate every beat, then (only if there is no error) create a draft version holding them all."""
    path = Path(path)
    file_name = source_name or path.name
    report = ImportReport("beats", file_name, commit=commit)
    agency = agencies_importable_by(actor).filter(code=options.agency_code).first()
    if agency is None:
        report.error(0, "agency", _("unknown agency %(code)s") % {"code": options.agency_code})
        return report
    try:
        source = open_vector(path, layer=options.layer, encoding=options.encoding, srid=options.srid)
    except ReadError as exc:
        report.error(0, "", str(exc))
        return report
    for note in source.warnings:
        report.warn(0, "", note)
    for role, name in _wanted_fields(options):
        if name not in source.fields:
            report.error(
                0,
                name,
                _("the file has no field %(name)s for the %(role)s (fields: %(fields)s)")
                % {"name": name, "role": role, "fields": ", ".join(source.fields)},
            )
    if not report.ok:
        return report
    plans = _plan(source, options, agency, report, progress)
    if not plans and report.ok:
        report.error(0, "", _("the file has no beats"))
    return write_all(report, lambda: _write(plans, options, agency, report, actor, file_name), progress)


def _wanted_fields(options: BeatImportOptions) -> list[tuple[str, str]]:
    wanted = [("beat code", options.code_field), ("box code", options.box_field)]
    for role, name in (
        ("name", options.name_field),
        ("station code", options.station_field),
        ("population", options.population_field),
        ("households", options.households_field),
    ):
        if name:
            wanted.append((role, name))
    return wanted


def _box_index(agency: Agency) -> dict[str, list[PoliceBox]]:
    index: dict[str, list[PoliceBox]] = {}
    for box in PoliceBox.objects.filter(station__agency=agency).select_related("station"):
        index.setdefault(box.code, []).append(box)
    return index


def _plan(
    source, options: BeatImportOptions, agency: Agency, report: ImportReport, progress: Progress | None
) -> list[_BeatPlan]:  # type: ignore[no-untyped-def]
    boxes = _box_index(agency)
    first_seen: dict[str, int] = {}
    plans = []
    ticker = Ticker(progress, _("checking"), source.feature_count)
    for feature in source.features(only=[name for _role, name in _wanted_fields(options)]):
        ticker.tick()
        report.total += 1
        number, values = feature.number, feature.properties
        errors_before = len(report.errors)
        code = (values.get(options.code_field) or "").strip()
        if not code:
            report.error(number, options.code_field, _("missing value"))
        elif code in first_seen:
            report.error(
                number,
                options.code_field,
                _("duplicate code %(code)s (first at feature %(first)s)")
                % {"code": code, "first": first_seen[code]},
            )
        else:
            first_seen[code] = number
        box = _find_box(report, number, values, options, boxes)
        population = parse_count(
            report, number, options.population_field or "", values.get(options.population_field or "")
        )
        households = parse_count(
            report, number, options.households_field or "", values.get(options.households_field or "")
        )
        geom = clean_polygon(report, number, feature.geometry, feature.geometry_error)
        if len(report.errors) > errors_before or box is None or geom is None:
            continue
        name = (values.get(options.name_field) or "").strip() if options.name_field else ""
        plans.append(_BeatPlan(number, code[:40], name[:200], box, geom, population, households))
    ticker.finish()
    return plans


def _find_box(
    report: ImportReport,
    number: int,
    values: dict[str, str | None],
    options: BeatImportOptions,
    boxes: dict[str, list[PoliceBox]],
) -> PoliceBox | None:
    box_code = (values.get(options.box_field) or "").strip()
    if not box_code:
        report.error(number, options.box_field, _("missing value"))
        return None
    candidates = boxes.get(box_code, [])
    station_code = (values.get(options.station_field) or "").strip() if options.station_field else ""
    if station_code:
        candidates = [b for b in candidates if b.station.code == station_code]
    if not candidates:
        where = _(" in station %(station)s") % {"station": station_code} if station_code else ""
        report.error(
            number, options.box_field, _("unknown box %(code)s%(where)s") % {"code": box_code, "where": where}
        )
        return None
    if len(candidates) > 1:
        stations = ", ".join(sorted(b.station.code for b in candidates))
        report.error(
            number,
            options.box_field,
            _("box code %(code)s exists in several stations (%(stations)s); give the station code field")
            % {"code": box_code, "stations": stations},
        )
        return None
    return candidates[0]


def _write(
    plans: list[_BeatPlan],
    options: BeatImportOptions,
    agency: Agency,
    report: ImportReport,
    actor: Any,
    file_name: str,
) -> None:
    version = BeatVersion.objects.create(
        agency=agency,
        name=(options.version_name or _("Imported from %(file)s") % {"file": file_name})[:200],
        status=BeatVersion.Status.DRAFT,
        source=file_name[:300],
        note=options.note,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record(actor, "beat_version.create", version, after=snapshot(version), note=file_name)
    beats = [
        Beat(
            version=version,
            box=plan.box,
            code=plan.code,
            name=plan.name,
            geom=to_geos(plan.geom),
            area_m2=area_m2(plan.geom),
            population=plan.population,
            households=plan.households,
        )
        for plan in plans
    ]
    Beat.objects.bulk_create(beats, batch_size=500)
    report.tally("beat_version", "created")
    report.tally("beat", "created", len(beats))
    if len(beats) <= AUDIT_EACH_OBJECT_UP_TO:
        for beat in beats:
            record(actor, "beat.create", beat, after=snapshot(beat), note=file_name)
    else:
        record(
            actor,
            "beat_version.import",
            version,
            after={"file": file_name, "beats": len(beats)},
            note=_("Imported %(n)s beats from %(file)s") % {"n": len(beats), "file": file_name},
        )
    report.extra["version_id"] = version.pk
    check = check_version(version)
    report.extra["overlaps"] = len(check.overlaps)
    report.extra["gaps"] = len(check.gaps)
    report.notes.extend(check.notes)
    if check.passed:
        report.notes.append(_("The imported beats pass the activation check."))
    else:
        # Warnings, not notes: the draft can only go live with a planner's recorded reason.
        report.notes.append(
            _("The imported beats fail the activation check (%(summary)s).") % {"summary": check.summary()}
        )
    for problem in check.problems:
        report.warn(0, problem.kind, problem.describe())
