"""Long work of the police network as background runs: imports, beat derivation, version checks.

Each function below is a registered kind of ``koban.runs`` (start one with
``koban.runs.services.start_run(kind, ...)``; see its docstring):

- ``geography.import_boxes`` / ``geography.import_areas`` / ``geography.import_beats``: an uploaded file
  and the import options as parameters (the admin form's cleaned values: ``agency`` as a code, ``mode``,
  ``bbox``, fields, ``encoding``, ``srid``, ``layer`` …) plus ``commit``; a dry run until committed.
- ``geography.derive_beats``: parameters ``agency`` (code), ``level``, ``station`` (code or empty),
  ``name``; saves a new draft version.
- ``geography.check_version``: parameter ``version`` (id); reports overlaps and gaps.
- ``geography.activate_version``: parameters ``version`` (id) and ``override_reason``; activates the
  version when its check passes (or with a reason, for planners allowed to override).

Pages and the API start them through the verbs at the end of this module, which check that the
actor manages the network (and oversees the agency)::

    run = start_import(request.user, "boxes", request.FILES["file"], {"agency": "T", "mode": "table"})
    run = start_derive_beats(request.user, agency, level="town")
    run = start_version_check(request.user, version)
    run = start_version_activation(request.user, version, override_reason="")
    # -> a queued koban.runs JobRun: poll run.status / run.progress_* / run.report, cancel with
    #    koban.runs.services.request_cancel, commit a clean import dry run with start_commit.

Check the upload size first (``koban.runs.uploads.upload_rejection(request)``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from koban.accounts.access import agencies_overseen_by, require_network_manager
from koban.geography.derive import derive_beats
from koban.geography.derive_labels import disagreements_geojson
from koban.geography.importers.areas import AreaImportOptions, import_areas, preset_options
from koban.geography.importers.beats import BeatImportOptions, import_beats
from koban.geography.importers.boxes import BoxImportOptions, import_boxes
from koban.geography.importers.core import ImportReport
from koban.geography.importers.readers import ReadError
from koban.geography.labels import tally_labels
from koban.geography.models import BeatVersion
from koban.geography.services import BeatCheckFailedError, activate_version, check_version
from koban.organization.models import Agency, PoliceStation
from koban.runs.models import JobRun
from koban.runs.registry import RunContext, register
from koban.runs.reports import failure_report
from koban.runs.services import start_run


def _blank_to_none(data: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: (data.get(name) or None) for name in names}


def box_options(data: dict[str, Any]) -> BoxImportOptions:
    return BoxImportOptions(
        agency_code=data["agency"],
        mode=data.get("mode") or "table",
        create_stations=bool(data.get("create_stations")),
        bbox=tuple(data["bbox"]) if data.get("bbox") else None,  # type: ignore[arg-type]
        outside_confirmed=bool(data.get("outside_confirmed")),
        inside_only=bool(data.get("inside_only")),
        **_blank_to_none(data, "encoding", "srid", "layer"),
    )


def area_options(data: dict[str, Any]) -> AreaImportOptions:
    """Area import options from form-shaped values; a field given beside a preset replaces its getter."""
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
    fields["source"] = data.get("source") or None
    if data.get("preset"):
        options = preset_options(data["preset"], **fields)
        if fields["code_field"]:
            options.code_getter = None
        if fields["name_field"]:
            options.name_getter = None
        if fields["parent_field"]:
            options.parent_getter = None
    else:
        options = AreaImportOptions(**{k: v for k, v in fields.items() if v is not None})
    if data.get("dissolve"):
        options.dissolve = True
    if data.get("no_dissolve"):
        options.dissolve = False
    return options


def beat_options(data: dict[str, Any]) -> BeatImportOptions:
    return BeatImportOptions(
        agency_code=data["agency"],
        version_name=data.get("version_name") or "",
        code_field=data.get("code_field") or "code",
        name_field=data.get("name_field") or None,
        box_field=data.get("box_field") or "box_code",
        note=data.get("note") or "",
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


# Towns kept in a run's report for the map of disagreements (the count is always complete).
DISAGREEMENTS_KEPT = 500


@register(
    "geography.derive_beats_from_labels",
    gettext_lazy("Derive beats from the police's labels"),
    commit_step=True,
)
def derive_beats_from_labels_run(context: RunContext) -> dict[str, Any]:
    """Derive beats from the box labels of a police open-data file (the run's upload).

    A dry run until committed: the draft version is derived, reported and rolled back, so the planner
    reads the agreement per box and the map of towns where beats and labels disagree first; the
    committed run saves the same draft (not active: activate it after the check).
    """
    data = context.parameters
    agency = Agency.objects.filter(code=data.get("agency")).first()
    if agency is None:
        return failure_report(_("Unknown agency %(code)s.") % {"code": data.get("agency")})
    commit = bool(data.get("commit"))
    context.progress(_("reading the labels"), 0, None)
    try:
        labels = tally_labels(context.file(), agency, encoding=data.get("encoding") or None)
    except ReadError as exc:
        return failure_report(str(exc))
    try:
        with transaction.atomic():
            version, report = derive_beats(
                context.actor,
                agency,
                area_level="town",
                name=data.get("name") or None,
                progress=lambda message: context.progress(message, 0, None),
                labels=labels,
            )
            disagreements = disagreements_geojson(report.jurisdictions) if report.jurisdictions else None
            if not commit:
                transaction.set_rollback(True)
    except ValidationError as exc:
        return failure_report("; ".join(exc.messages))
    if disagreements is not None:
        disagreements["features"] = disagreements["features"][:DISAGREEMENTS_KEPT]
    summary = (
        _("Saved draft beat version %(pk)d: %(name)s (not active)") % {"pk": version.pk, "name": version.name}
        if commit
        else _("Dry run: nothing was written (run again with commit to save the draft).")
    )
    return {
        "summary": summary,
        "ok": True,
        "commit": commit,
        "committed": commit,
        "notes": report.lines(),
        "version": version.pk if commit else None,
        "disagreements": disagreements,
    }


@register("geography.check_version", gettext_lazy("Check a beat version for overlaps and gaps"))
def check_version_run(context: RunContext) -> dict[str, Any]:
    version = BeatVersion.objects.filter(pk=int(context.parameters.get("version") or 0)).first()
    if version is None:
        return failure_report(_("Unknown beat version."))
    context.progress(_("checking overlaps and gaps"), 0, None)
    report = check_version(version)
    return {
        "summary": f"{version.name}: {report.summary()}",
        "ok": report.passed,
        "committed": False,
        "notes": [problem.describe() for problem in report.problems] + [str(note) for note in report.notes],
        "version": version.pk,
    }


@register("geography.activate_version", gettext_lazy("Activate a beat version"))
def activate_version_run(context: RunContext) -> dict[str, Any]:
    """Check the version and make it the agency's active beats (``activate_version`` does both)."""
    version = BeatVersion.objects.filter(pk=int(context.parameters.get("version") or 0)).first()
    if version is None:
        return failure_report(_("Unknown beat version."))
    context.progress(_("checking and activating"), 0, None)
    try:
        result = activate_version(
            context.actor, version, override_reason=str(context.parameters.get("override_reason") or "")
        )
    except BeatCheckFailedError as exc:
        return {
            **failure_report("; ".join(exc.messages)),
            "notes": [problem.describe() for problem in exc.report.problems],
        }
    except (ValidationError, PermissionDenied) as exc:
        return failure_report("; ".join(getattr(exc, "messages", [str(exc)])))
    if result.already_active:
        summary = _("%(version)s is already the active version.") % {"version": version.name}
    elif result.override_reason:
        summary = _("%(version)s is now active although its check failed (reason: %(reason)s).") % {
            "version": version.name,
            "reason": result.override_reason,
        }
    else:
        summary = _("%(version)s passed its check and is now active.") % {"version": version.name}
    notes = [problem.describe() for problem in result.report.problems] if result.report else []
    return {"summary": summary, "ok": True, "committed": True, "notes": notes, "version": version.pk}


# -- Starting runs (pages, API) -------------------------------------------------------------------------

IMPORT_KINDS = {
    "boxes": "geography.import_boxes",
    "areas": "geography.import_areas",
    "beats": "geography.import_beats",
}


def _require_agency(actor: Any, code: str) -> None:
    require_network_manager(actor)
    if code and not agencies_overseen_by(actor).filter(code=code).exists():
        raise PermissionDenied("This agency is not overseen by the user")


def start_import(actor: Any, what: str, upload: Any, options: dict[str, Any], commit: bool = False) -> JobRun:
    """Queue the import of an uploaded file (a dry run unless *commit*) of "boxes", "areas" or "beats".

    *options* are the admin form's values (``agency`` as a code for boxes and beats).
    """
    agency_code = str(options.get("agency") or "")
    _require_agency(actor, agency_code)
    return start_run(
        IMPORT_KINDS[what],
        actor=actor,
        parameters={**options, "commit": commit},
        agency_code=agency_code,
        upload=upload,
    )


def start_derive_beats(
    actor: Any, agency: Agency, *, level: str = "town", station: PoliceStation | None = None, name: str = ""
) -> JobRun:
    """Queue the derivation of a new draft beat version of *agency*."""
    _require_agency(actor, agency.code)
    return start_run(
        "geography.derive_beats",
        actor=actor,
        parameters={
            "agency": agency.code,
            "level": level,
            "station": station.code if station else "",
            "name": name,
        },
        agency_code=agency.code,
        title=_("Derive beats: %(agency)s") % {"agency": agency.name},
    )


def start_derive_beats_from_labels(
    actor: Any, agency: Agency, upload: Any, *, name: str = "", encoding: str = ""
) -> JobRun:
    """Queue a dry run of deriving *agency*'s beats from the labels of an uploaded police file."""
    _require_agency(actor, agency.code)
    return start_run(
        "geography.derive_beats_from_labels",
        actor=actor,
        parameters={"agency": agency.code, "name": name, "encoding": encoding, "commit": False},
        agency_code=agency.code,
        upload=upload,
        title=_("Derive beats from labels: %(agency)s") % {"agency": agency.name},
    )


def start_version_check(actor: Any, version: BeatVersion) -> JobRun:
    """Queue the overlap and gap check of a beat version."""
    _require_agency(actor, version.agency.code)
    return start_run(
        "geography.check_version",
        actor=actor,
        parameters={"version": version.pk},
        agency_code=version.agency.code,
        title=_("Check beat version %(name)s") % {"name": version.name},
    )


def start_version_activation(actor: Any, version: BeatVersion, *, override_reason: str = "") -> JobRun:
    """Queue the activation of a beat version (its check runs first; see ``activate_version``)."""
    _require_agency(actor, version.agency.code)
    return start_run(
        "geography.activate_version",
        actor=actor,
        parameters={"version": version.pk, "override_reason": override_reason.strip()},
        agency_code=version.agency.code,
        title=_("Activate beat version %(name)s") % {"name": version.name},
    )
