"""Long work of the household registry as background runs (``koban.runs``).

- ``households.import``: an uploaded address list (CSV or GeoJSON) with parameters ``agency`` (code)
  and ``encoding``, plus ``commit``; a dry run until committed (the run page offers the commit).

Pages start it with ``start_household_import``, which checks that the actor may import for the agency.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from koban.accounts.access import agencies_importing_households_for
from koban.households.importer import HouseholdImportOptions, import_households
from koban.households.placement import replace_households
from koban.organization.models import Agency
from koban.runs.models import JobRun
from koban.runs.registry import RunContext, register
from koban.runs.reports import failure_report
from koban.runs.services import start_run


@register("households.import", gettext_lazy("Import households and businesses"), commit_step=True)
def import_households_run(context: RunContext) -> dict[str, Any]:
    path: Path = context.file()
    context.progress(_("reading the file"), 0, None)
    data = context.parameters
    report = import_households(
        path,
        HouseholdImportOptions(
            agency_code=str(data.get("agency") or ""), encoding=data.get("encoding") or None
        ),
        commit=bool(data.get("commit")),
        actor=context.actor,
        progress=context.progress,
        source_name=context.run.file_name or path.name,
    )
    return {**report.as_json(), "failed": not report.ok, **report.extra}


def start_household_import(actor: Any, upload: Any, agency_code: str, commit: bool = False) -> JobRun:
    """Queue the import of an uploaded address list for the agency (a dry run unless *commit*)."""
    if not agencies_importing_households_for(actor).filter(code=agency_code).exists():
        raise PermissionDenied(_("You may not import addresses for this agency."))
    return start_run(
        "households.import",
        actor=actor,
        parameters={"agency": agency_code, "encoding": "", "commit": commit},
        agency_code=agency_code,
        upload=upload,
    )


@register("households.replace", gettext_lazy("Place households on the current beats"))
def replace_households_run(context: RunContext) -> dict[str, Any]:
    """Re-place an agency's addresses on its active beats (queued when a beat version goes live)."""
    data = context.parameters
    agency = Agency.objects.filter(code=data.get("agency")).first()
    if agency is None:
        return failure_report(_("Unknown agency %(code)s.") % {"code": data.get("agency")})
    context.progress(_("placing households on the current beats"), 0, None)
    result = replace_households(context.actor, agency, commit=bool(data.get("commit", True)))
    summary = _(
        "%(moved)d of %(n)d addresses change beat, %(boxes)d of them box; %(unplaced)d are outside every beat."
    ) % {
        "moved": result.moved,
        "n": result.households,
        "boxes": result.changed_box,
        "unplaced": result.unplaced,
    }
    return {
        "summary": summary,
        "ok": True,
        "commit": result.committed,
        "committed": result.committed,
        "figures": result.as_dict(),
    }
