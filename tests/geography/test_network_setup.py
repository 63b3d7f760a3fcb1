"""Setting up an agency, its stations and their areas from the command line or files."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from koban.audit.models import AuditEvent
from koban.geography.importers import BoxImportOptions, import_boxes
from koban.geography.models import AdminArea
from koban.organization.models import Agency, PoliceBox, PoliceStation
from tests.geography.test_derive import add_area, rect

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_an_agency_and_its_stations_are_a_dry_run_until_committed(tmp_path):  # type: ignore[no-untyped-def]
    stations = tmp_path / "stations.csv"
    stations.write_bytes("code,name,lon,lat\nabiko,我孫子警察署,140.0386,35.8799\n".encode("cp932"))
    args = ("setup_network", "--agency", "chiba", "--name", "千葉県警察", "--station", "kashiwa=柏警察署")
    assert "Dry run" in run(*args, "--stations", str(stations))
    assert not Agency.objects.exists()
    run(*args, "--stations", str(stations), "--commit")
    agency = Agency.objects.get(code="chiba")
    assert sorted(PoliceStation.objects.filter(agency=agency).values_list("name", flat=True)) == [
        "我孫子警察署",
        "柏警察署",
    ]
    assert PoliceStation.objects.get(code="abiko").location.x == pytest.approx(140.0386)
    assert AuditEvent.objects.filter(action="station.create").count() == 2
    # Again: nothing changes.
    assert "unchanged 2" in run(*args, "--stations", str(stations), "--commit")


def test_a_bad_station_file_names_the_line_and_field_and_writes_nothing(tmp_path):  # type: ignore[no-untyped-def]
    stations = tmp_path / "stations.csv"
    stations.write_text("code,name,lon,lat\nk,柏警察署,140,north\n,名無し,,\nk,柏2,,\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("setup_network", "--agency", "c", "--name", "C", "--stations", str(stations), "--commit")
    assert not Agency.objects.exists()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("setup_network", "--agency", "c", "--name", "C", "--stations", str(stations), stdout=out)
    text = out.getvalue()
    assert "line 2, field lat" in text and "line 3, field code" in text and "line 4, field code" in text


def test_a_station_gets_its_area_from_towns_municipalities_or_a_file(cast, tmp_path):  # type: ignore[no-untyped-def]
    add_area("12217-旭町一丁目", rect(139.70, 35.60, 139.71, 35.61))
    add_area("12217-旭町二丁目", rect(139.71, 35.60, 139.72, 35.61))
    add_area("12217", rect(139.70, 35.60, 139.73, 35.61), level="municipality")
    code = cast.agency.code
    run("station_area", "--agency", code, "--station", "N", "--towns", "12217-*", "--commit")
    cast.north.refresh_from_db()
    assert cast.north.area.extent == pytest.approx((139.70, 35.60, 139.72, 35.61))
    run("station_area", "--agency", code, "--station", "N", "--municipality", "12217", "--commit")
    cast.north.refresh_from_db()
    assert cast.north.area.extent == pytest.approx((139.70, 35.60, 139.73, 35.61))
    boundary = tmp_path / "areas.geojson"
    features = [
        {"type": "Feature", "properties": {"署": name}, "geometry": json.loads(rect(*box).geojson)}
        for name, box in (("南", (139.72, 35.60, 139.73, 35.61)), ("北", (139.70, 35.60, 139.71, 35.61)))
    ]
    boundary.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    run(
        "station_area",
        "--agency",
        code,
        "--station",
        "S",
        "--file",
        str(boundary),
        "--where",
        "署=南",
        "--commit",
    )
    cast.south.refresh_from_db()
    assert cast.south.area.extent == pytest.approx((139.72, 35.60, 139.73, 35.61))
    with pytest.raises(CommandError, match="1 error"):
        run("station_area", "--agency", code, "--station", "S", "--towns", "99999-x", "--commit")
    with pytest.raises(CommandError, match="1 error"):
        run("station_area", "--agency", code, "--station", "nope", "--towns", "12217-*")
    assert AdminArea.objects.count() == 3


def osm(tmp_path, points):  # type: ignore[no-untyped-def]
    features = [
        {"type": "Feature", "properties": {"name": n}, "geometry": {"type": "Point", "coordinates": [x, y]}}
        for n, x, y in points
    ]
    path = tmp_path / "police.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def test_osm_boxes_join_the_station_their_name_gives_twins_merge_and_outsiders_are_listed(cast, tmp_path):  # type: ignore[no-untyped-def]
    cast.north.name = "柏警察署"
    cast.north.area = rect(139.70, 35.60, 139.72, 35.61)
    cast.north.save()
    cast.south.name = "我孫子警察署"
    cast.south.area = rect(139.72, 35.60, 139.73, 35.61)
    cast.south.save()
    path = osm(
        tmp_path,
        [
            # Nearer to South's boxes, but its name says 柏.
            ("柏警察署花野井交番", 139.7245, 35.605),
            ("花野井交番", 139.7246, 35.6051),  # the same box again, 14 m away
            ("印西警察署浦部駐在所", 139.701, 35.601),  # a station not in the agency
            ("千葉駅前交番", 140.11, 35.61),  # outside the agency
        ],
    )
    options = BoxImportOptions(agency_code=cast.agency.code, mode="osm", inside_only=True)
    report = import_boxes(path, options, commit=True)
    assert report.committed, [i.describe() for i in report.issues]
    box = PoliceBox.objects.get(name="花野井交番")
    assert box.station == cast.north
    assert report.filtered == 1 and "千葉駅前交番" in " ".join(report.notes)
    warnings = {w.line_or_feature: w.message for w in report.warnings}
    assert "印西警察署" in warnings[3] and "merged" in warnings[2]
    assert report.skipped == 2


def test_inside_only_needs_the_agency_area(cast, tmp_path):  # type: ignore[no-untyped-def]
    path = osm(tmp_path, [("柏警察署花野井交番", 139.7245, 35.605)])
    options = BoxImportOptions(agency_code=cast.agency.code, mode="osm", inside_only=True)
    report = import_boxes(path, options, commit=True)
    assert [e.field for e in report.errors] == ["agency"] and not report.committed
