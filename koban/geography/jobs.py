"""Long work of the police network as background runs: imports, beat derivation, version checks.

Each function below is a registered kind of ``koban.runs`` (start one with
``koban.runs.services.start_run(kind, ...)``; see its docstring):

- ``geography.import_boxes`` / ``geography.import_areas`` / ``geography.import_beats``: an uploaded file
  and the import options as parameters (the admin form's cleaned values: ``agency`` as a code, ``mode``,
  ``bbox``, fields, ``encoding``, ``srid``, ``layer`` …) plus ``commit``; a dry run until committed.
- ``geography.derive_beats``: parameters ``agency`` (code), ``level``, ``station`` (code or empty),
  ``name``; saves a new draft version.
- ``geography.check_version``: parameter ``version`` (id); reports overlaps and gaps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from koban.geography.derive import derive_beats
from koban.geography.importers.areas import AreaImportOptions, import_areas, preset_options
from koban.geography.importers.beats import BeatImportOptions, import_beats
from koban.geography.importers.boxes import BoxImportOptions, import_boxes
from koban.geography.importers.core import ImportReport
from koban.geography.models import BeatVersion
from koban.geography.services import check_version
from koban.organization.models import Agency, PoliceStation
from koban.runs.registry import RunContext, register
from koban.runs.reports import failure_report


def _blank_to_none(data: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: (data.get(name) or None) for name in names}


def box_options(data: dict[str, Any]) -> BoxImportOptions:
    return BoxImportOptions(
        agency_code=data["agency"],
        mode=data.get("mode") or "table",
        create_stations=bool(data.get("create_stations")),
        bbox=tuple(data["bbox"]) if data.get("bbox") else None,  # type: ignore[arg-type]
        **_blank_to_none(data, "encoding", "srid", "layer"),
    )


def area_options(data: dict[str, Any]) -> AreaImportOptions:
    fields = _blank_to_none(
        data,
        "level",
        "code_field",
        "name_field",
        "population_field",
        "households_field",
        "parent_field",
        "encoding",
        "srid",
        "layer",
    )
    if data.get("preset"):
        options = preset_options(data["preset"], **fields)
        options.dissolve = options.dissolve or bool(data.get("dissolve"))
        return options
    options = AreaImportOptions(**{k: v for k, v in fields.items() if v is not None})
    options.dissolve = bool(data.get("dissolve"))
    return options


def beat_options(data: dict[str, Any]) -> BeatImportOptions:
    return BeatImportOptions(
        agency_code=data["agency"],
        version_name=data.get("version_name") or "",
        code_field=data.get("code_field") or "code",
        name_field=data.get("name_field") or None,
        box_field=data.get("box_field") or "box_code",
        **_blank_to_none(
            data, "station_field", "population_field", "households_field", "encoding", "srid", "layer"
        ),
    )


def _import(context: RunContext, importer: Any, options: Any) -> dict[str, Any]:
    path: Path = context.file()
    context.progress(_("reading the file"), 0, None)
    report: ImportReport = importer(
        path,
        options,
        commit=bool(context.parameters.get("commit")),
        actor=context.actor,
        progress=context.progress,
        source_name=context.run.file_name or path.name,
    )
    return {**report.as_json(), "failed": not report.ok}


@register("geography.import_boxes", gettext_lazy("Import police boxes"), commit_step=True)
def import_boxes_run(context: RunContext) -> dict[str, Any]:
    return _import(context, import_boxes, box_options(context.parameters))


@register("geography.import_areas", gettext_lazy("Import administrative areas"), commit_step=True)
def import_areas_run(context: RunContext) -> dict[str, Any]:
    return _import(context, import_areas, area_options(context.parameters))


@register("geography.import_beats", gettext_lazy("Import beats"), commit_step=True)
def import_beats_run(context: RunContext) -> dict[str, Any]:
    return _import(context, import_beats, beat_options(context.parameters))


@register("geography.derive_beats", gettext_lazy("Derive beats"))
def derive_beats_run(context: RunContext) -> dict[str, Any]:
    """Derive a draft beat version; the report lists what to look at before activating it."""
    data = context.parameters
    agency = Agency.objects.filter(code=data.get("agency")).first()
    if agency is None:
        return failure_report(_("Unknown agency %(code)s.") % {"code": data.get("agency")})
    station = None
    if data.get("station"):
        station = PoliceStation.objects.filter(agency=agency, code=data["station"]).first()
        if station is None:
            return failure_report(_("Unknown station %(code)s.") % {"code": data["station"]})
    context.progress(_("deriving beats"), 0, None)
    try:
        version, report = derive_beats(
            context.actor,
            agency,
            area_level=data.get("level") or "town",
            station=station,
            name=data.get("name") or None,
            progress=lambda message: context.progress(message, 0, None),
        )
    except ValidationError as exc:
        return failure_report("; ".join(exc.messages))
    lines = report.lines()
    return {
        "summary": _("Saved draft beat version %(pk)d: %(name)s (not active)")
        % {"pk": version.pk, "name": version.name},
        "ok": True,
        "committed": True,
        "notes": lines,
        "version": version.pk,
    }


@register("geography.check_version", gettext_lazy("Check a beat version for overlaps and gaps"))
def check_version_run(context: RunContext) -> dict[str, Any]:
    version = BeatVersion.objects.filter(pk=int(context.parameters.get("version") or 0)).first()
    if version is None:
        return failure_report(_("Unknown beat version."))
    context.progress(_("checking overlaps and gaps"), 0, None)
    report = check_version(version)
    return {
        "summary": _("%(version)s: %(overlaps)d overlap(s), %(gaps)d gap(s).")
        % {"version": version.name, "overlaps": len(report.overlaps), "gaps": len(report.gaps)},
        "ok": not report.problems,
        "committed": False,
        "notes": [problem.describe() for problem in report.problems],
        "version": version.pk,
    }
