"""Verbs of background runs: start, record progress, request a cancel, execute and finish.

Usage from a view, an API endpoint or a command (the kind is registered in the owning app's jobs.py)::

    from koban.runs.services import start_run
    run = start_run("geography.import_boxes", actor=request.user, parameters={...},
                    upload=request.FILES["file"], agency_code="T", title=...)
    # -> a queued JobRun; a worker picks it up. Show /runs/<run.pk>/ to follow it.

    run = start_run(..., background=False); execute(run.pk, echo=progress_bar)   # inline (CLI)

Kinds of the geography app: ``geography.import_boxes``, ``geography.import_areas``,
``geography.import_beats`` (parameters: the import options and ``commit``), ``geography.derive_beats``
and ``geography.check_version``; of incidents: ``incidents.import``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from koban.audit.services import record
from koban.runs import registry
from koban.runs.models import JobRun
from koban.runs.registry import Progress, RunCancelledError, RunContext, RunFileMissingError
from koban.runs.reports import failure_report
from koban.runs.uploads import store_upload

logger = logging.getLogger(__name__)


@transaction.atomic
def start_run(
    kind: str,
    *,
    actor: Any,
    parameters: dict[str, Any],
    title: str = "",
    agency_code: str = "",
    upload: Any = None,
    file_path: str = "",
    file_name: str = "",
    previous: JobRun | None = None,
    background: bool = True,
) -> JobRun:
    """Record a queued run of *kind* (storing *upload* where workers can read it) and queue its job.

    With ``background=False`` nothing is queued: the caller runs it with ``execute`` (the CLI does).
    """
    registered = registry.kind(kind)
    if upload is not None:
        file_path, file_name = store_upload(upload)
    user = actor if getattr(actor, "is_authenticated", False) else None
    run = JobRun.objects.create(
        kind=kind,
        title=(title or f"{registered.title}{': ' + file_name if file_name else ''}")[:200],
        parameters=parameters,
        file_path=file_path,
        file_name=file_name,
        started_by=user,
        started_by_label=(user.get_username() if user else str(actor or "system"))[:150],
        agency_code=agency_code,
        language=translation.get_language() or "",
        previous=previous,
    )
    record(actor, "run.start", run, after={"kind": kind, "parameters": parameters, "file": file_name})
    if background:
        from koban.runs.jobs import run_job

        run_job.defer(run_id=run.pk)
    return run


def start_commit(run: JobRun, actor: Any) -> JobRun:
    """Start the committing run of a successful dry run (same kind, file and options)."""
    if not (
        registry.kind(run.kind).commit_step and run.status == JobRun.Status.DONE and run.report.get("ok")
    ):
        raise ValueError("only a successful dry run can be committed")
    if run.parameters.get("commit"):
        raise ValueError("this run already committed")
    return start_run(
        run.kind,
        actor=actor,
        parameters={**run.parameters, "commit": True},
        title=run.title,
        agency_code=run.agency_code,
        file_path=run.file_path,
        file_name=run.file_name,
        previous=run,
    )


def record_progress(run_id: int, stage: str, done: int, total: int | None, *, write: bool = True) -> bool:
    """Write a run's progress (when *write*) and answer whether someone asked to cancel it."""
    if write:
        JobRun.objects.filter(pk=run_id).update(
            progress_message=stage[:200], progress_done=done, progress_total=total
        )
    return JobRun.objects.filter(pk=run_id, cancel_requested=True).exists()


@transaction.atomic
def request_cancel(run: JobRun, actor: Any) -> JobRun:
    """Cancel a queued run at once; ask a running one to stop at its next progress check."""
    run = JobRun.objects.select_for_update().get(pk=run.pk)
    if run.finished:
        return run
    if run.status == JobRun.Status.QUEUED:
        run.status = JobRun.Status.CANCELLED
        run.finished_at = timezone.now()
        run.report = failure_report(_("Cancelled before it started."))
    run.cancel_requested = True
    run.save(update_fields=["status", "finished_at", "report", "cancel_requested"])
    record(actor, "run.cancel", run)
    return run


def execute(run_id: int, echo: Progress | None = None, actor: Any = None) -> JobRun:
    """Run a queued run to its end (the body of the worker's job, and of inline CLI runs).

    A cancelled run ends ``cancelled`` and a crashing one ``failed``: both keep the report as far as it
    got, and the kinds write inside one transaction, so neither leaves anything half-written.
    """
    claimed = JobRun.objects.filter(pk=run_id, status=JobRun.Status.QUEUED).update(
        status=JobRun.Status.RUNNING, started_at=timezone.now()
    )
    run = JobRun.objects.select_related("started_by").get(pk=run_id)
    if not claimed:
        return run  # cancelled before it started, or already run by another worker
    context = RunContext(
        run, actor or run.started_by or run.started_by_label, echo, base_depth=len(connection.atomic_blocks)
    )
    with translation.override(run.language or None):
        try:
            report = registry.kind(run.kind).run(context)
        except RunCancelledError:
            return _finish(
                run, JobRun.Status.CANCELLED, _partial(context, _("Cancelled: nothing was written."))
            )
        except RunFileMissingError as exc:
            return _finish(run, JobRun.Status.FAILED, failure_report(str(exc)), str(exc))
        except Exception as exc:
            logger.exception("run %s (%s) failed", run.pk, run.kind)
            message = _("The run failed: %(error)s. Nothing was written.") % {"error": exc}
            return _finish(run, JobRun.Status.FAILED, _partial(context, message), repr(exc))
        finally:
            context.close()
    return _finish(run, JobRun.Status.FAILED if report.get("failed") else JobRun.Status.DONE, report)


def _partial(context: RunContext, message: str) -> dict[str, Any]:
    """The report as far as the run got, with *message* first."""
    report = context.partial_report() if context.partial_report else {}
    summary = report.get("summary", "")
    return {
        **report,
        "summary": f"{message}\n{summary}".strip(),
        "ok": False,
        "failed": True,
        "committed": False,
    }


def _finish(run: JobRun, status: str, report: dict[str, Any], error: str = "") -> JobRun:
    with transaction.atomic():
        JobRun.objects.filter(pk=run.pk).update(
            status=status, report=report, error=error[:2000], finished_at=timezone.now()
        )
        run.refresh_from_db()
        record(run.started_by or run.started_by_label, f"run.{status}", run)
    return run
