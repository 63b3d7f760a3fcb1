"""Importing historical incidents as a background run (kind ``incidents.import``).

Parameters: ``file_format`` (hokkaido, chiba or generic), ``agency`` (code), ``skip_bad_rows``,
``encoding`` (empty: detected) and ``commit``; the file is the run's upload. Start it with
``start_incident_import``; a clean dry run can be committed from the run page.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from koban.accounts.access import agencies_overseen_by, is_hq
from koban.incidents.importers.formats import ImportFormatError
from koban.incidents.importers.loader import IncidentImportReport, import_incidents_file
from koban.incidents.placement import replace_incidents
from koban.organization.models import Agency
from koban.runs.models import JobRun
from koban.runs.registry import RunContext, register
from koban.runs.reports import failure_report, issues_json
from koban.runs.services import start_run


def summary(report: IncidentImportReport) -> str:
    """The one-line account of an incident import, as the command prints it."""
    return _(
        "%(read)s rows read, %(bad)s bad, %(ok)s valid; %(outside)s outside every beat,"
        " %(nolocation)s without a location; %(rate).0f rows/s."
    ) % {
        "read": report.rows_read,
        "bad": len(report.bad_rows),
        "ok": report.rows_valid,
        "outside": report.rows_outside,
        "nolocation": report.rows_without_location,
        "rate": report.rows_read / report.seconds if report.seconds else 0,
    }


def state(report: IncidentImportReport, skip_bad_rows: bool) -> str:
    if report.committed:
        return _("Imported %(n)s incidents (import #%(id)s).") % {
            "n": report.rows_imported,
            "id": report.batch_id,
        }
    if report.bad_rows and not skip_bad_rows:
        return _("Nothing was written: %(n)s error(s) must be fixed first.") % {"n": len(report.bad_rows)}
    return _("Dry run: nothing was written (run again with commit to import).")


@register("incidents.import", gettext_lazy("Import incidents"), commit_step=True)
def import_incidents_run(context: RunContext) -> dict[str, Any]:
    data = context.parameters
    agency = Agency.objects.filter(code=data.get("agency")).first()
    if agency is None:
        return failure_report(_("Unknown agency %(code)s.") % {"code": data.get("agency")})
    commit, skip = bool(data.get("commit")), bool(data.get("skip_bad_rows"))
    path = context.file()
    context.progress(_("reading the file"), 0, None)
    try:
        report = import_incidents_file(
            path,
            data.get("file_format") or "generic",
            agency=agency,
            actor=context.actor,
            commit=commit,
            skip_bad_rows=skip,
            encoding=data.get("encoding") or None,
            progress=context.progress,
            outside_confirmed=bool(data.get("outside_confirmed")),
        )
    except ImportFormatError as exc:
        return failure_report(str(exc))
    refused = bool(report.bad_rows) and not skip
    ignored = (
        _("Warning: columns not used by this format, ignored: %(names)s")
        % {"names": ", ".join(report.unused_columns)}
        + "\n"
        if report.unused_columns
        else ""
    )
    return {
        "summary": f"{summary(report)}\n{ignored}{state(report, skip)}",
        "ok": not refused,
        "failed": refused,
        "commit": commit,
        "committed": report.committed,
        "errors": issues_json(report.errors),
        "error_count": len(report.bad_rows),
        "figures": report.as_dict(),
    }


def start_incident_import(
    actor: Any,
    upload: Any,
    *,
    agency: Agency,
    file_format: str,
    skip_bad_rows: bool = False,
    encoding: str = "",
) -> JobRun:
    """Queue a dry run of importing the incidents of an uploaded file (HQ of *agency* only)."""
    if not is_hq(actor) or not agencies_overseen_by(actor).filter(pk=agency.pk).exists():
        raise PermissionDenied("Only HQ of the agency may import incidents")
    return start_run(
        "incidents.import",
        actor=actor,
        parameters={
            "file_format": file_format,
            "agency": agency.code,
            "skip_bad_rows": skip_bad_rows,
            "encoding": encoding,
            "commit": False,
        },
        agency_code=agency.code,
        upload=upload,
    )


@register("incidents.replace", gettext_lazy("Place incidents on the current beats"))
def replace_incidents_run(context: RunContext) -> dict[str, Any]:
    """Re-place an agency's incidents on its active beats (queued when a beat version goes live)."""
    data = context.parameters
    agency = Agency.objects.filter(code=data.get("agency")).first()
    if agency is None:
        return failure_report(_("Unknown agency %(code)s.") % {"code": data.get("agency")})
    context.progress(_("placing incidents on the current beats"), 0, None)
    result = replace_incidents(context.actor, agency, commit=bool(data.get("commit", True)))
    return {
        "summary": "\n".join(result.lines()),
        "ok": True,
        "commit": result.committed,
        "committed": result.committed,
        "figures": result.as_dict(),
    }
