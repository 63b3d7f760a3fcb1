"""Beat versions through the API: upload a file as a draft, check it and activate it, as background runs."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from koban.audit.models import AuditEvent
from koban.geography.models import BeatVersion
from koban.runs.models import JobRun
from koban.runs.services import execute
from tests.factories import PASSWORD, make_beat, make_version, square
from tests.geography.test_import_support import LAT, LON, feature, polygon, square_ring

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.UPLOAD_DIR = tmp_path / "uploads"


def _login(client, username):  # type: ignore[no-untyped-def]
    assert client.login(username=username, password=PASSWORD)
    return client


def beats_file(offsets=(0.0, 0.01, 0.02), name="beats.geojson") -> SimpleUploadedFile:  # type: ignore[no-untyped-def]
    features = [
        feature(
            {"code": f"{box}-2", "name": f"{box}-2", "box_code": box},
            polygon(square_ring(LON + dx, LAT, 0.01)),
        )
        for box, dx in zip("ABC", offsets, strict=True)
    ]
    body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    return SimpleUploadedFile(name, body, content_type="application/geo+json")


def _upload(client, agency_code, **fields):  # type: ignore[no-untyped-def]
    data = {
        "file": beats_file(),
        "agency": agency_code,
        "version_name": "2027 revision",
        "commit": "true",
    } | fields
    return client.post("/api/v1/beat-versions/upload/", data)


def _run(response) -> JobRun:  # type: ignore[no-untyped-def]
    assert response.status_code == 202, response.json()
    return execute(response.json()["id"])


def test_upload_check_and_activate_a_new_version(client, cast):  # type: ignore[no-untyped-def]
    _login(client, "planner")
    run = _run(_upload(client, cast.agency.code))
    assert run.status == JobRun.Status.DONE, run.report
    draft = BeatVersion.objects.get(name="2027 revision")
    assert draft.status == BeatVersion.Status.DRAFT
    listed = client.get("/api/v1/beat-versions/").json()["results"]
    assert {(v["name"], v["beat_count"]) for v in listed} >= {("2027 revision", 3)}

    run = _run(client.post(f"/api/v1/beat-versions/{draft.pk}/check/"))
    assert run.status == JobRun.Status.DONE and run.report["ok"], run.report
    followed = client.get(f"/api/v1/runs/{run.pk}/").json()
    assert followed["status"] == "done" and followed["report"]["ok"] is True

    run = _run(
        client.post(f"/api/v1/beat-versions/{draft.pk}/activate/", {}, content_type="application/json")
    )
    assert run.status == JobRun.Status.DONE, run.report
    draft.refresh_from_db()
    cast.version.refresh_from_db()
    assert (draft.status, cast.version.status) == ("active", "retired")
    assert AuditEvent.objects.filter(action="beat_version.activate", object_id=str(draft.pk)).exists()


def test_a_dry_run_upload_reports_and_writes_nothing(client, cast):  # type: ignore[no-untyped-def]
    run = _run(_upload(_login(client, "planner"), cast.agency.code, commit="false"))
    assert run.status == JobRun.Status.DONE and run.report["ok"] and not run.report["committed"]
    assert not BeatVersion.objects.filter(name="2027 revision").exists()
    committed = _run(client.post(f"/api/v1/runs/{run.pk}/commit/"))
    assert committed.status == JobRun.Status.DONE and committed.report["committed"]
    assert BeatVersion.objects.filter(name="2027 revision").exists()


def test_a_failing_version_is_not_activated_without_a_reason(client, cast):  # type: ignore[no-untyped-def]
    draft = make_version(cast.agency, name="Overlapping")
    make_beat(draft, cast.box_a, square(LON, LAT), code="A-9")
    make_beat(draft, cast.box_b, square(LON + 0.005, LAT), code="B-9")
    make_beat(draft, cast.box_c, square(LON + 0.02, LAT), code="C-9")
    _login(client, "planner")
    run = _run(
        client.post(f"/api/v1/beat-versions/{draft.pk}/activate/", {}, content_type="application/json")
    )
    assert run.status == JobRun.Status.FAILED
    assert "Overlapping" in run.report["summary"] and any("A-9" in n for n in run.report["notes"])
    draft.refresh_from_db()
    assert draft.status == BeatVersion.Status.DRAFT


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"file": ""}, "file"),
        ({"file": SimpleUploadedFile("beats.exe", b"MZ")}, "file"),
        ({"agency": "NOPE"}, "agency"),
        ({"srid": "0"}, "srid"),
    ],
)
def test_bad_uploads_name_the_field_and_start_nothing(client, cast, fields, field):  # type: ignore[no-untyped-def]
    response = _upload(_login(client, "planner"), cast.agency.code, **fields)
    assert response.status_code == 400 and field in response.json()
    assert not JobRun.objects.exists()


def test_a_file_over_the_limit_is_refused_before_a_run_starts(client, cast, settings):  # type: ignore[no-untyped-def]
    settings.UPLOAD_MAX_BYTES = 1_000
    big = SimpleUploadedFile("beats.geojson", b" " * 5_000 + beats_file().read())
    response = _upload(_login(client, "planner"), cast.agency.code, file=big)
    assert response.status_code == 400 and "too large" in response.json()["file"][0]
    assert not JobRun.objects.exists()


def test_an_overlong_override_reason_is_refused(client, cast):  # type: ignore[no-untyped-def]
    url = f"/api/v1/beat-versions/{cast.version.pk}/activate/"
    body = {"override_reason": "x" * 2001}
    response = _login(client, "planner").post(url, body, content_type="application/json")
    assert response.status_code == 400 and "override_reason" in response.json()
    assert not JobRun.objects.exists()


@pytest.mark.parametrize("username", ["officer_a", "chief_north"])
def test_box_staff_and_chiefs_cannot_touch_beat_versions(client, cast, username):  # type: ignore[no-untyped-def]
    _login(client, username)
    assert client.get("/api/v1/beat-versions/").json()["results"] == []
    assert client.post(f"/api/v1/beat-versions/{cast.version.pk}/check/").status_code == 404
    assert _upload(client, cast.agency.code).status_code == 403
    assert not JobRun.objects.exists()


def test_hq_of_another_agency_sees_neither_the_versions_nor_the_runs(client, cast):  # type: ignore[no-untyped-def]
    run = _run(_login(client, "planner").post(f"/api/v1/beat-versions/{cast.version.pk}/check/"))
    _login(client, "outsider")
    assert client.post(f"/api/v1/beat-versions/{cast.version.pk}/activate/").status_code == 404
    assert client.get(f"/api/v1/runs/{run.pk}/").status_code == 404
    assert client.post(f"/api/v1/runs/{run.pk}/cancel/").status_code == 404
    assert _upload(client, cast.agency.code).status_code == 403
    assert JobRun.objects.count() == 1


def test_a_queued_run_can_be_cancelled_and_only_dry_runs_committed(client, cast):  # type: ignore[no-untyped-def]
    _login(client, "planner")
    queued = client.post(f"/api/v1/beat-versions/{cast.version.pk}/check/").json()
    response = client.post(f"/api/v1/runs/{queued['id']}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    response = client.post(f"/api/v1/runs/{queued['id']}/commit/")
    assert response.status_code == 400 and "status" in response.json()
