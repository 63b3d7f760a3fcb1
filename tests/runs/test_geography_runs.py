"""Beat derivation and version checks as background runs, and who may start them."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from koban.geography.jobs import start_derive_beats, start_import, start_version_check
from koban.geography.models import BeatVersion
from koban.runs.models import JobRun
from koban.runs.services import execute
from tests.factories import make_beat, make_version, square
from tests.geography.test_derive import give_station_areas, grid_areas
from tests.runs.test_runs import LAT, LON, box_csv


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.UPLOAD_DIR = tmp_path / "uploads"


def test_derive_beats_in_the_background_saves_a_draft_and_keeps_its_report(cast):  # type: ignore[no-untyped-def]
    give_station_areas(cast)
    grid_areas()
    out = io.StringIO()
    call_command(
        "derive_beats", "--agency", cast.agency.code, "--user", "planner", "--background", stdout=out
    )
    run = JobRun.objects.get()
    assert f"Queued background run {run.pk}" in out.getvalue()
    assert BeatVersion.objects.count() == 1  # nothing derived yet
    run = execute(run.pk)
    assert run.status == JobRun.Status.DONE, run.report
    draft = BeatVersion.objects.get(pk=run.report["version"])
    assert draft.status == BeatVersion.Status.DRAFT and draft.beats.count() == 3
    assert run.report["summary"].startswith(f"Saved draft beat version {draft.pk}")
    assert any("3 beats" in note for note in run.report["notes"])


def test_background_derivation_cannot_also_activate(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="--activate"):
        call_command(
            "derive_beats", "--agency", cast.agency.code, "--user", "planner", "--background", "--activate"
        )
    assert not JobRun.objects.exists()


def test_a_version_check_run_reports_overlaps(cast):  # type: ignore[no-untyped-def]
    draft = make_version(cast.agency, name="Draft")
    make_beat(draft, cast.box_a, square(LON, LAT), code="A-9")
    make_beat(draft, cast.box_b, square(LON + 0.005, LAT), code="B-9")
    run = execute(start_version_check(cast.planner, draft).pk)
    assert run.status == JobRun.Status.DONE and not run.report["ok"]
    assert run.report["summary"].startswith("Draft: 1 overlap(s), 0 gap(s)")
    assert any("A-9" in note and "B-9" in note and "overlap" in note for note in run.report["notes"])


def test_only_hq_of_the_agency_may_start_runs(cast):  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile("boxes.csv", box_csv(1))
    with pytest.raises(PermissionDenied):
        start_import(cast.outsider, "boxes", upload, {"agency": cast.agency.code, "mode": "table"})
    with pytest.raises(PermissionDenied):
        start_version_check(cast.outsider, cast.version)
    with pytest.raises(PermissionDenied):
        start_derive_beats(cast.chief_north, cast.agency)
    assert not JobRun.objects.exists()
