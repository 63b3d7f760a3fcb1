"""Pages of background runs: recent runs for HQ, one run's progress and report, cancel and commit.

The run page polls its status part with htmx every second while the run is queued or running; once
it has ended the part carries the kept report (bad rows with their line or feature numbers) and, for
a clean dry run of an import, the button that commits it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from koban.accounts.access import access_run, can_manage_network, runs_visible_to
from koban.runs import registry
from koban.runs.models import JobRun
from koban.runs.services import request_cancel, start_commit
from koban.runs.uploads import stored_path

RECENT_RUNS = 50


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    if not can_manage_network(request.user):  # type: ignore[arg-type]
        raise Http404
    runs = runs_visible_to(request.user).recent()[:RECENT_RUNS]  # type: ignore[arg-type]
    return render(request, "web/runs/list.html", {"runs": runs})


@login_required
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = access_run(request.user, run_id)  # type: ignore[arg-type]
    context = {"run": run, "can_commit": _can_commit(run)}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "web/runs/_status.html", context)
    return render(request, "web/runs/run.html", context)


def _can_commit(run: JobRun) -> bool:
    """A finished, clean dry run of an import whose file is still there, not yet committed."""
    return (
        run.status == JobRun.Status.DONE
        and registry.kind(run.kind).commit_step
        and bool(run.report.get("ok"))
        and not run.parameters.get("commit")
        and stored_path(run.file_path) is not None
        and not run.followups.exists()
    )


@login_required
@require_POST
def run_cancel(request: HttpRequest, run_id: int) -> HttpResponse:
    run = access_run(request.user, run_id)  # type: ignore[arg-type]
    request_cancel(run, request.user)
    messages.info(request, _("Cancel requested: the run stops at its next check and writes nothing."))
    return redirect("web:run", run_id=run.pk)


@login_required
@require_POST
def run_commit(request: HttpRequest, run_id: int) -> HttpResponse:
    run = access_run(request.user, run_id)  # type: ignore[arg-type]
    if not _can_commit(run):
        messages.error(
            request, _("This run cannot be imported (it is not a clean dry run, or its file expired).")
        )
        return redirect("web:run", run_id=run.pk)
    committing = start_commit(run, request.user)
    return redirect("web:run", run_id=committing.pk)
