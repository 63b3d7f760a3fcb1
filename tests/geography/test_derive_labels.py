"""Beats from the police's own labels: each town to the box they name most for it."""

from __future__ import annotations

import json
from io import StringIO

import pytest
import shapely
from django.core.management import CommandError, call_command

from koban.geography.derive import derive_beats
from koban.geography.labels import tally_labels
from koban.geography.models import AdminArea
from koban.organization.models import PoliceBox
from tests.geography.test_derive import _english, give_station_areas, grid_areas, shape  # noqa: F401
from tests.personas import LAT, LON

HEADER = "管轄警察署（発生地）,管轄交番・駐在所（発生地）,市区町村コード（発生地）,町丁目（発生地）"


def labels_file(tmp_path, rows: list[tuple[str, str, str, int]]):  # type: ignore[no-untyped-def]
    """A police file with *count* rows per (station, box, town)."""
    lines = [HEADER]
    for station, box, town, count in rows:
        lines += [f"{station},{box},M1,{town}"] * count
    path = tmp_path / "labels.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("cp932"))
    return path


@pytest.fixture
def towns(cast):  # type: ignore[no-untyped-def]
    give_station_areas(cast)
    grid_areas()
    for area in AdminArea.objects.filter(level="town"):
        area.code = f"M1-{area.code}"
        area.save()
    return cast


LABELS = [
    ("North", "Ekimae Koban", "Area T04", 3),  # B is nearer, but the police name A three times out of four
    ("North", "Yamate Chuzaisho", "Area T04", 1),
    ("North警察署", "Ekimae Koban", "Area T05", 1),  # a tie: the nearer of the two (B)
    ("North", "Yamate  Chuzaisho", "Area T05", 1),
    ("North", "新町交番", "Area T06", 2),  # a box only the labels know
    ("North", "Yamate Chuzaisho", "Area T06", 1),
    ("North", "Ekimae Koban", "Area T08", 1),  # a North box named for a South town
    ("North", "Ekimae Koban", "Nowhere 1", 1),
    ("Far", "Far Koban", "Area T00", 2),
]


def test_each_town_goes_to_the_box_the_labels_name_most(towns, tmp_path):  # type: ignore[no-untyped-def]
    tally = tally_labels(labels_file(tmp_path, LABELS), towns.agency)
    assert tally.rows == 13 and tally.rows_used == 10
    assert tally.unmatched_towns == {"Nowhere 1": 1} and tally.other_stations == {"Far": 2}
    version, report = derive_beats(towns.planner, towns.agency, labels=tally)
    new = PoliceBox.objects.get(name="新町交番")
    assert new.location_to_confirm and new.kind == "koban" and new.station == towns.north
    beats = {b.box.name: shape(b.geom) for b in version.beats.select_related("box")}
    t04, t05, t06, t07 = (
        shape(AdminArea.objects.get(code=f"M1-T0{n}").geom).representative_point() for n in (4, 5, 6, 7)
    )
    assert beats["Ekimae Koban"].contains(t04)
    assert beats["Yamate Chuzaisho"].contains(t05) and beats["Yamate Chuzaisho"].contains(t07)
    assert beats["新町交番"].contains(t06)
    assert shapely.bounds(beats["新町交番"]) == pytest.approx(
        (LON + 0.015, LAT, LON + 0.02, LAT + 0.005), abs=1e-9
    )
    jurisdictions = report.jurisdictions
    assert jurisdictions is not None and jurisdictions.created == ["新町交番"]
    assert jurisdictions.across_stations == 1
    rows = {b.box: (b.labelled, b.landing, b.agreeing) for b in jurisdictions.boxes}
    assert rows["Ekimae Koban"] == (5, 4, 3)
    assert rows["Yamate Chuzaisho"] == (3, 2, 1)
    assert rows["新町交番"] == (2, 3, 2)
    assert rows["Minato Koban"] == (0, 1, 0)
    assert (jurisdictions.agreeing, jurisdictions.landing) == (6, 10)
    assert report.check is not None and report.check.problems == []
    assert "Agreement with the labels: 6 of 10 rows (60.0 %)." in report.lines()


def test_the_command_derives_from_labels_and_names_a_bad_file(towns, tmp_path):  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command(
        "derive_beats",
        "--agency",
        towns.agency.code,
        "--from-labels",
        str(labels_file(tmp_path, LABELS)),
        "--user",
        towns.planner.username,
        stdout=out,
    )
    assert "新町交番" in out.getvalue() and "60.0 %" in out.getvalue()
    # The towns where labels and beats disagree, for a map.
    map_file = tmp_path / "disagree.geojson"
    call_command(
        "derive_beats",
        "--agency",
        towns.agency.code,
        "--from-labels",
        str(labels_file(tmp_path, LABELS)),
        "--disagreements",
        str(map_file),
        "--user",
        towns.planner.username,
        stdout=out,
    )
    features = json.loads(map_file.read_text(encoding="utf-8"))["features"]
    by_town = {f["properties"]["town"]: f["properties"] for f in features}
    assert set(by_town) == {"Area T04", "Area T05", "Area T06", "Area T08"}
    assert by_town["Area T04"]["box"] == "Ekimae Koban" and by_town["Area T04"]["labels"] == {
        "Ekimae Koban": 3,
        "Yamate Chuzaisho": 1,
    }
    assert features[0]["geometry"]["type"] == "MultiPolygon"
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(CommandError, match="missing column"):
        call_command(
            "derive_beats", "--agency", towns.agency.code, "--from-labels", str(bad), "--user", "planner"
        )


def test_placing_a_box_known_from_labels_clears_its_location_to_confirm(towns, tmp_path, client):  # type: ignore[no-untyped-def]
    from django.contrib.gis.geos import Point

    from koban.organization.services import update_box

    derive_beats(
        towns.planner, towns.agency, labels=tally_labels(labels_file(tmp_path, LABELS), towns.agency)
    )
    new = PoliceBox.objects.get(name="新町交番")
    client.force_login(towns.planner)
    feature = client.get(f"/api/v1/boxes/{new.pk}/").json()
    assert feature["properties"]["location_to_confirm"] is True
    update_box(towns.planner, new, phone="04-0000-0000")
    new.refresh_from_db()
    assert new.location_to_confirm
    update_box(towns.planner, new, location=Point(LON + 0.017, LAT + 0.002, srid=4326))
    new.refresh_from_db()
    assert not new.location_to_confirm


def test_a_planner_derives_beats_from_labels_as_a_run_dry_first_then_committed(towns, tmp_path, settings):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from koban.geography.jobs import start_derive_beats_from_labels
    from koban.geography.models import BeatVersion
    from koban.runs.models import JobRun
    from koban.runs.services import execute, start_commit

    settings.UPLOAD_DIR = tmp_path / "uploads"
    upload = SimpleUploadedFile("labels.csv", labels_file(tmp_path, LABELS).read_bytes())
    versions = BeatVersion.objects.count()
    dry = execute(start_derive_beats_from_labels(towns.planner, towns.agency, upload).pk)
    assert dry.status == JobRun.Status.DONE and dry.report["ok"] and not dry.report["committed"]
    assert any("Ekimae Koban" in line for line in dry.report["notes"])
    names = {f["properties"]["town"] for f in dry.report["disagreements"]["features"]}
    assert "Area T04" in names  # one of its four thefts names another box than its beat's
    assert BeatVersion.objects.count() == versions and not PoliceBox.objects.filter(name="新町交番").exists()
    done = execute(start_commit(dry, towns.planner).pk)
    assert done.report["committed"] and BeatVersion.objects.get(pk=done.report["version"]).status == "draft"
    assert PoliceBox.objects.get(name="新町交番").location_to_confirm


def test_only_a_network_manager_of_the_agency_may_start_it(towns, tmp_path, settings):  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied
    from django.core.files.uploadedfile import SimpleUploadedFile

    from koban.geography.jobs import start_derive_beats_from_labels

    settings.UPLOAD_DIR = tmp_path / "uploads"
    with pytest.raises(PermissionDenied):
        start_derive_beats_from_labels(towns.officer_a, towns.agency, SimpleUploadedFile("l.csv", b"x"))


def test_the_admin_starts_it_and_the_run_page_maps_the_disagreements(towns, tmp_path, settings, client):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from koban.runs.models import JobRun
    from koban.runs.services import execute

    settings.UPLOAD_DIR = tmp_path / "uploads"
    client.force_login(towns.planner)
    changelist = client.get("/admin/geography/beatversion/").content.decode()
    assert "/admin/geography/beatversion/from-labels/" in changelist
    assert client.get("/admin/geography/beatversion/from-labels/").status_code == 200
    upload = SimpleUploadedFile("labels.csv", labels_file(tmp_path, LABELS).read_bytes())
    answer = client.post(
        "/admin/geography/beatversion/from-labels/",
        {"agency": towns.agency.pk, "file": upload, "name": "From labels"},
    )
    run = JobRun.objects.get(kind="geography.derive_beats_from_labels")
    assert answer.status_code == 302 and answer["Location"] == f"/runs/{run.pk}/"
    execute(run.pk)
    page = client.get(f"/runs/{run.pk}/").content.decode()
    assert 'id="run-disagreements"' in page and "web/disagreement_map.js" in page and "Area T04" in page
    client.force_login(towns.officer_a)
    assert client.get("/admin/geography/beatversion/from-labels/").status_code in (302, 403)
