"""The admin front-end: upload, dry-run report, confirmation; beat version actions; access."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from koban.audit.models import AuditEvent
from koban.geography.models import BeatVersion
from koban.organization.models import PoliceBox
from koban.runs.models import JobRun
from koban.runs.services import execute
from koban.runs.uploads import stored_path
from tests.factories import PASSWORD, make_beat, make_version, square
from tests.geography.test_import_support import LAT, LON, english  # noqa: F401  (autouse fixture)

IMPORT_BOXES = "admin:organization_policebox_import"

CSV = "code,name,kind,station_code,lat,lon\r\nD,駅前交番,koban,N,35.6021,139.7021\r\n"


@pytest.fixture
def uploads(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return settings.UPLOAD_DIR


def login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def upload(client: Client, content: str, name: str = "boxes.csv", **fields):  # type: ignore[no-untyped-def]
    data = {"file": SimpleUploadedFile(name, content.encode("utf-8")), "mode": "table", **fields}
    return client.post(reverse(IMPORT_BOXES), data)


def test_the_box_list_links_to_the_import_page(cast):  # type: ignore[no-untyped-def]
    client = login(cast.planner)
    response = client.get(reverse("admin:organization_policebox_changelist"))
    assert response.status_code == 200
    assert reverse(IMPORT_BOXES) in response.content.decode()
    page = client.get(reverse(IMPORT_BOXES))
    assert page.status_code == 200 and 'type="file"' in page.content.decode()


def test_network_pages_show_their_maps(cast):  # type: ignore[no-untyped-def]
    client = login(cast.planner)
    for url in (
        reverse("admin:organization_policebox_change", args=[cast.box_a.pk]),
        reverse("admin:organization_policestation_change", args=[cast.north.pk]),
        reverse("admin:geography_beat_change", args=[cast.beat_a.pk]),
        reverse("admin:geography_beatversion_change", args=[cast.version.pk]),
        reverse("admin:geography_adminarea_changelist"),
        reverse("admin:geography_roadsegment_changelist"),
        reverse("admin:organization_agency_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    beat_page = client.get(reverse("admin:geography_beat_change", args=[cast.beat_a.pk])).content.decode()
    assert "leaflet" in beat_page.lower()


def run_started_by(response) -> JobRun:  # type: ignore[no-untyped-def]
    """The run an upload started (the upload redirects to its page), executed as a worker would."""
    assert response.status_code == 302, response.content.decode()[:2000]
    run = JobRun.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[-1]))
    assert run.status == JobRun.Status.QUEUED
    return execute(run.pk)


def test_a_dry_run_then_confirm_imports_the_file_and_keeps_the_reports(cast, uploads):  # type: ignore[no-untyped-def]
    client = login(cast.planner)
    dry = run_started_by(upload(client, CSV, agency=cast.agency.pk))
    assert dry.status == JobRun.Status.DONE and dry.report["ok"] and not dry.report["committed"]
    assert not PoliceBox.objects.filter(code="D").exists()
    assert stored_path(dry.file_path) == uploads / dry.file_path

    page = client.get(reverse("web:run", args=[dry.pk])).content.decode()
    assert "Dry run: nothing was written" in page and reverse("web:run-commit", args=[dry.pk]) in page
    response = client.post(reverse("web:run-commit", args=[dry.pk]))
    committed = run_started_by(response)
    assert committed.previous == dry and committed.report["committed"]
    box = PoliceBox.objects.get(code="D")
    assert box.name == "駅前交番"
    assert AuditEvent.objects.get(action="box.create").actor == cast.planner
    # The same dry run cannot be committed twice.
    again = client.post(reverse("web:run-commit", args=[dry.pk]), follow=True)
    assert JobRun.objects.count() == 2
    assert "cannot be imported" in again.content.decode()


def test_errors_are_listed_with_their_line_and_nothing_can_be_confirmed(cast, uploads):  # type: ignore[no-untyped-def]
    bad = CSV + "E,港交番,koban,N,north,139.70\r\n"
    client = login(cast.planner)
    run = run_started_by(upload(client, bad, agency=cast.agency.pk))
    assert run.status == JobRun.Status.FAILED
    assert [(e["where"], e["field"]) for e in run.report["errors"]] == [("line 3", "lat")]
    html = client.get(reverse("web:run", args=[run.pk])).content.decode()
    assert "line 3" in html and reverse("web:run-commit", args=[run.pk]) not in html
    assert not PoliceBox.objects.filter(code__in=["D", "E"]).exists()


def test_people_who_do_not_manage_the_network_cannot_import(cast, uploads):  # type: ignore[no-untyped-def]
    cast.chief_north.is_staff = True
    cast.chief_north.save()
    client = login(cast.chief_north)
    assert client.get(reverse(IMPORT_BOXES)).status_code == 403
    assert upload(client, CSV, agency=cast.agency.pk).status_code == 403
    assert client.get(reverse("admin:organization_policebox_changelist")).status_code == 403


def test_area_import_page_accepts_a_preset(cast, uploads):  # type: ignore[no-untyped-def]
    geojson = (
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"N03_001":"鳥取県",'
        '"N03_003":null,"N03_004":"鳥取市","N03_007":"31201"},"geometry":{"type":"Polygon",'
        f'"coordinates":[[[{LON},{LAT}],[{LON + 0.1},{LAT}],[{LON + 0.1},{LAT + 0.1}],[{LON},{LAT}]]]}}}}]}}'
    )
    client = login(cast.planner)
    url = reverse("admin:geography_adminarea_import")
    response = client.post(
        url, {"file": SimpleUploadedFile("n03.geojson", geojson.encode()), "preset": "n03"}
    )
    dry = run_started_by(response)
    assert dry.report["ok"], dry.report
    committed = run_started_by(client.post(reverse("web:run-commit", args=[dry.pk])))
    assert committed.report["committed"]


def test_beat_versions_can_be_checked_and_activated_from_the_list(cast):  # type: ignore[no-untyped-def]
    draft = make_version(cast.agency, name="Draft")
    make_beat(draft, cast.box_a, square(LON, LAT), code="A-9")
    make_beat(draft, cast.box_b, square(LON + 0.005, LAT), code="B-9")
    client = login(cast.planner)
    url = reverse("admin:geography_beatversion_changelist")
    # The check runs in the background: the action opens its run page, which shows the report.
    check = run_started_by(
        client.post(url, {"action": "check_overlaps_and_gaps", "_selected_action": [draft.pk]})
    )
    assert check.kind == "geography.check_version" and check.status == JobRun.Status.DONE
    report = client.get(reverse("web:run", args=[check.pk])).content.decode()
    assert "1 overlap(s)" in report and "A-9" in report
    # The check fails: a confirmation page shows the problems on a map and asks for a reason.
    page = client.post(url, {"action": "activate", "_selected_action": [draft.pk]})
    assert page.status_code == 200
    assert "beat-check-map" in page.content.decode() and "override_reason" in page.content.decode()
    assert {f["properties"]["kind"] for f in page.context["map_data"]["problems"]["features"]} == {
        "overlap",
        "no_beat",
    }
    draft.refresh_from_db()
    assert draft.status == BeatVersion.Status.DRAFT
    confirm = {"action": "activate", "_selected_action": [draft.pk], "confirm_override": "yes"}
    again = client.post(url, confirm | {"override_reason": "  "})
    assert again.status_code == 200 and again.context["reason_error"]
    draft.refresh_from_db()
    assert draft.status == BeatVersion.Status.DRAFT
    done = client.post(url, confirm | {"override_reason": "Temporary while C is rebuilt"}, follow=True)
    assert "reason is recorded" in " ".join(str(m) for m in done.context["messages"])
    draft.refresh_from_db()
    cast.version.refresh_from_db()
    assert (draft.status, cast.version.status) == (BeatVersion.Status.ACTIVE, BeatVersion.Status.RETIRED)
    assert AuditEvent.objects.get(action="beat_version.override_check").note == "Temporary while C is rebuilt"
    same = client.post(url, {"action": "activate", "_selected_action": [draft.pk]}, follow=True)
    assert "already active" in " ".join(str(m) for m in same.context["messages"])


def test_a_clean_version_is_activated_from_the_list_without_a_confirmation(cast):  # type: ignore[no-untyped-def]
    draft = make_version(cast.agency, name="Clean")
    for beat in (cast.beat_a, cast.beat_b, cast.beat_c):
        make_beat(draft, beat.box, beat.geom, code=beat.code)
    url = reverse("admin:geography_beatversion_changelist")
    response = login(cast.planner).post(
        url, {"action": "activate", "_selected_action": [draft.pk]}, follow=True
    )
    assert "is now active" in " ".join(str(m) for m in response.context["messages"])
    draft.refresh_from_db()
    assert draft.status == BeatVersion.Status.ACTIVE


def test_editing_a_box_in_the_admin_goes_through_the_audited_service(cast):  # type: ignore[no-untyped-def]
    box = cast.box_a
    data = {
        "station": box.station_id,
        "code": box.code,
        "name": "駅前交番（新）",
        "kind": box.kind,
        "address": "",
        "phone": "03-1111-2222",
        "location": box.location.geojson,
        "status": box.status,
        "staffing_target": 4,
        "merged_into": "",
        "opened_on": "",
    }
    response = login(cast.planner).post(reverse("admin:organization_policebox_change", args=[box.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    box.refresh_from_db()
    assert (box.name, box.staffing_target) == ("駅前交番（新）", 4)
    event = AuditEvent.objects.get(action="box.update")
    assert event.before["name"] == "Ekimae Koban" and event.actor == cast.planner
