"""The import commands: a progress bar on stderr when run inline, a queued run with --background."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from koban.organization.models import PoliceBox
from koban.runs.models import JobRun
from koban.runs.progressbar import ProgressBar
from koban.runs.services import execute
from tests.runs.test_runs import box_csv


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return settings.UPLOAD_DIR


def test_the_progress_bar_shows_stage_share_and_count() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream)
    bar("checking", 500, 1000)
    bar("checking", 1000, 1000)
    bar("writing", 0, None)
    bar.close()
    lines = stream.getvalue().split("\n")
    assert lines[0].endswith("checking [##############################] 100 % 1000/1000")
    assert "checking [###############---------------]  50 % 500/1000" in lines[0]
    assert lines[1] == "\rwriting…"


def test_an_inline_import_draws_its_progress_on_stderr(cast, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "boxes.csv"
    path.write_bytes(box_csv(600))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_boxes", str(path), "--agency", cast.agency.code, stdout=out, stderr=err)
    assert "checking [" in err.getvalue() and "100 % 600/600" in err.getvalue()
    assert "Dry run: nothing was written" in out.getvalue()
    assert not JobRun.objects.exists()


def test_background_queues_a_run_that_a_worker_completes(cast, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "boxes.csv"
    path.write_bytes(box_csv(3))
    out = io.StringIO()
    call_command(
        "import_boxes",
        str(path),
        "--agency",
        cast.agency.code,
        "--commit",
        "--background",
        "--user",
        cast.planner.username,
        stdout=out,
    )
    run = JobRun.objects.get()
    assert f"Queued background run {run.pk}" in out.getvalue()
    assert run.status == JobRun.Status.QUEUED and run.started_by == cast.planner
    assert run.parameters["commit"] is True and run.agency_code == cast.agency.code
    assert not PoliceBox.objects.filter(code__startswith="R").exists()
    path.unlink()  # the run reads its own stored copy
    assert execute(run.pk).status == JobRun.Status.DONE
    assert PoliceBox.objects.filter(code__startswith="R").count() == 3
