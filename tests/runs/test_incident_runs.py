"""Importing historical incidents as a background run: report by line, commit step, cancellation."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from koban.incidents.jobs import start_incident_import
from koban.incidents.models import Incident, IncidentCategory, IncidentImport
from koban.runs.models import JobRun
from koban.runs.services import execute, start_commit
from tests.incidents.test_import import BAD, GOOD, HEADER
from tests.personas import LAT, LON
from tests.runs.test_runs import cancel_from_elsewhere


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.UPLOAD_DIR = tmp_path / "uploads"


def upload(rows: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile("incidents.csv", (HEADER + "".join(rows)).encode())


def test_a_dry_run_then_its_commit_imports_the_incidents(cast):  # type: ignore[no-untyped-def]
    dry = execute(
        start_incident_import(cast.planner, upload(GOOD), agency=cast.agency, file_format="generic").pk
    )
    assert dry.status == JobRun.Status.DONE and dry.report["ok"] and not dry.report["committed"]
    assert "4 rows read, 0 bad, 4 valid" in dry.report["summary"]
    assert not Incident.objects.exists()
    committed = execute(start_commit(dry, cast.planner).pk)
    assert committed.report["committed"] and Incident.objects.count() == 4


def test_bad_rows_fail_the_run_and_are_kept_with_their_line(cast):  # type: ignore[no-untyped-def]
    run = start_incident_import(cast.planner, upload(GOOD + BAD), agency=cast.agency, file_format="generic")
    run = execute(run.pk)
    assert run.status == JobRun.Status.FAILED and run.report["error_count"] == 5
    assert [e["where"] for e in run.report["errors"]] == ["line 6", "line 7", "line 8", "line 9", "line 10"]
    assert not Incident.objects.exists() and not IncidentImport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_cancelling_during_the_copy_writes_nothing(cast, monkeypatch):  # type: ignore[no-untyped-def]
    from koban.runs import registry

    monkeypatch.setattr(registry, "PROGRESS_INTERVAL_S", 0)
    IncidentCategory.objects.get_or_create(code="theft", defaults={"labels": {"en": "Theft"}})
    row = f"2025-03-01T10:00:00+09:00,theft,{LON + 0.005},{LAT + 0.005},,,,\n"
    run = start_incident_import(
        cast.planner, upload([row] * 12_000), agency=cast.agency, file_format="generic"
    )

    def echo(stage: str, done: int, total: int | None) -> None:
        if done == 5000:
            cancel_from_elsewhere(run.pk)

    run = execute(run.pk, echo=echo)
    assert run.status == JobRun.Status.CANCELLED
    assert run.progress_done == 5000
    assert not Incident.objects.exists() and not IncidentImport.objects.exists()


def test_the_command_draws_progress_and_can_queue(cast, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "incidents.csv"
    path.write_text(HEADER + "".join(GOOD), encoding="utf-8")
    err = io.StringIO()
    call_command(
        "import_incidents",
        str(path),
        "--format",
        "generic",
        "--agency",
        cast.agency.code,
        stdout=io.StringIO(),
        stderr=err,
    )
    assert "reading, checking and writing rows: 4" in err.getvalue()
    out = io.StringIO()
    call_command(
        "import_incidents",
        str(path),
        "--format",
        "generic",
        "--agency",
        cast.agency.code,
        "--background",
        "--commit",
        stdout=out,
    )
    run = JobRun.objects.get()
    assert f"Queued background run {run.pk}" in out.getvalue() and run.parameters["commit"]
    assert execute(run.pk).report["committed"] and Incident.objects.count() == 4
