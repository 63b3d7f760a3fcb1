"""Importing police boxes from CSV (UTF-8 and Shift_JIS), GeoJSON and OpenStreetMap points."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from koban.audit.models import AuditEvent
from koban.geography.importers import BoxImportOptions, import_boxes
from koban.organization.models import PoliceBox, PoliceStation
from tests.geography.test_import_support import (
    LAT,
    LON,
    english,  # noqa: F401  (autouse fixture)
    feature,
    write_csv,
    write_geojson,
)

HEADER = [
    "code",
    "name",
    "kind",
    "station_code",
    "lat",
    "lon",
    "address",
    "phone",
    "status",
    "staffing_target",
]


def row(code: str, box_name: str, **values: str) -> list[str]:
    base = {
        "code": code,
        "name": box_name,
        "kind": "koban",
        "station_code": "N",
        "lat": f"{LAT + 0.002:.6f}",
        "lon": f"{LON + 0.002:.6f}",
        "address": "",
        "phone": "",
        "status": "",
        "staffing_target": "",
    }
    base.update(values)
    return [base[h] for h in HEADER]


def options(cast, **overrides):  # type: ignore[no-untyped-def]
    return BoxImportOptions(agency_code=cast.agency.code, **overrides)


def boxes_before(cast):  # type: ignore[no-untyped-def]
    return PoliceBox.objects.count(), PoliceStation.objects.count(), AuditEvent.objects.count()


def only_error(report):  # type: ignore[no-untyped-def]
    assert len(report.errors) == 1, [i.describe() for i in report.errors]
    return report.errors[0]


def test_a_utf8_csv_with_bom_and_japanese_headers_imports_on_commit(cast, tmp_path):  # type: ignore[no-untyped-def]
    rows = [
        ["コード", "名称", "種別", "警察署コード", "緯度", "経度", "住所", "電話番号"],
        ["D", "駅前交番", "交番", "N", "35.6021", "139.7021", "東京都港区1-1", "03-0000-0000"],
        ["E", "山手駐在所", "駐在所", "S", "35.6051", "139.7251", "", ""],
    ]
    path = write_csv(tmp_path / "boxes.csv", rows, encoding="utf-8-sig")
    report = import_boxes(path, options(cast), commit=True)
    assert report.committed, [i.describe() for i in report.issues]
    d = PoliceBox.objects.get(code="D")
    assert (d.name, d.kind, d.station, d.address) == ("駅前交番", "koban", cast.north, "東京都港区1-1")
    assert d.location.coords == pytest.approx((139.7021, 35.6021))
    assert PoliceBox.objects.get(code="E").kind == "chuzaisho"
    assert AuditEvent.objects.filter(action="box.create").count() == 2


def test_a_shift_jis_csv_keeps_its_japanese_names(cast, tmp_path):  # type: ignore[no-untyped-def]
    path = write_csv(
        tmp_path / "boxes.csv", [HEADER, row("D", "湯梨浜駐在所", kind="chuzaisho")], encoding="cp932"
    )
    report = import_boxes(path, options(cast), commit=True)
    assert report.committed
    assert PoliceBox.objects.get(code="D").name == "湯梨浜駐在所"
    assert any("Shift_JIS" in w.message for w in report.warnings)


def test_a_dry_run_writes_nothing(cast, tmp_path):  # type: ignore[no-untyped-def]
    before = boxes_before(cast)
    path = write_csv(tmp_path / "boxes.csv", [HEADER, row("D", "駅前交番"), row("E", "港交番")])
    report = import_boxes(path, options(cast))
    assert report.ok and report.created == 2 and not report.committed
    assert boxes_before(cast) == before


@pytest.mark.parametrize(
    ("bad", "field", "words"),
    [
        ({"name": ""}, "name", "missing"),
        ({"lat": "35.6x"}, "lat", "unparseable coordinate"),
        ({"lon": ""}, "lon", "missing coordinate"),
        ({"lat": "95.0"}, "lat", "out of range"),
        ({"lon": "1e300"}, "lon", "out of range"),
        ({"kind": "houseboat"}, "kind", "unknown kind"),
        ({"status": "merged"}, "status", "status"),
        ({"staffing_target": "-2"}, "staffing_target", "whole number"),
        ({"station_code": "Nowhere"}, "station_code", "unknown station"),
    ],
)
def test_each_bad_row_is_reported_with_its_line_and_field_and_nothing_is_written(
    cast, tmp_path, bad, field, words
):  # type: ignore[no-untyped-def]
    before = boxes_before(cast)
    path = write_csv(tmp_path / "boxes.csv", [HEADER, row("D", "駅前交番"), row("E", "港交番", **bad)])
    report = import_boxes(path, options(cast), commit=True)
    error = only_error(report)
    assert (error.line_or_feature, error.field) == (3, field)
    assert words in error.message
    assert error.describe().startswith("line 3")
    assert not report.committed
    assert boxes_before(cast) == before


def test_a_duplicate_code_names_both_lines(cast, tmp_path):  # type: ignore[no-untyped-def]
    before = boxes_before(cast)
    path = write_csv(
        tmp_path / "boxes.csv", [HEADER, row("D", "駅前交番"), row("X", "x"), row("D", "港交番")]
    )
    report = import_boxes(path, options(cast), commit=True)
    error = only_error(report)
    assert (error.line_or_feature, error.field) == (4, "code")
    assert "line 2" in error.message
    assert boxes_before(cast) == before


def test_unknown_stations_are_created_only_when_asked(cast, tmp_path):  # type: ignore[no-untyped-def]
    rows = [[*HEADER, "station_name"], [*row("D", "新町交番", station_code="W"), "西警察署"]]
    path = write_csv(tmp_path / "boxes.csv", rows)
    assert not import_boxes(path, options(cast), commit=True).ok
    report = import_boxes(path, options(cast, create_stations=True), commit=True)
    assert report.committed
    station = PoliceStation.objects.get(agency=cast.agency, code="W")
    assert station.name == "西警察署"
    assert PoliceBox.objects.get(code="D").station == station
    assert AuditEvent.objects.filter(action="station.create").count() == 1


def test_a_second_import_updates_changed_boxes_only(cast, tmp_path):  # type: ignore[no-untyped-def]
    first = write_csv(tmp_path / "a.csv", [HEADER, row("A", "Ekimae Koban", lat="35.605", lon="139.705")])
    report = import_boxes(first, options(cast), commit=True)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    second = write_csv(
        tmp_path / "b.csv", [HEADER, row("A", "Ekimae Koban", lat="35.605", lon="139.705", phone="110")]
    )
    report = import_boxes(second, options(cast), commit=True)
    assert report.updated == 1
    cast.box_a.refresh_from_db()
    assert cast.box_a.phone == "110"
    event = AuditEvent.objects.get(action="box.update")
    assert event.before["phone"] == "" and event.after["phone"] == "110"


def test_geojson_points_import_with_their_properties(cast, tmp_path):  # type: ignore[no-untyped-def]
    features = [
        feature(
            {"code": "G", "name": "北口交番", "station_code": "S"},
            {"type": "Point", "coordinates": [LON + 0.021, LAT]},
        ),
        feature({"code": "H", "name": "南口交番", "station_code": "S"}, None),
    ]
    report = import_boxes(write_geojson(tmp_path / "b.geojson", features), options(cast), commit=True)
    error = only_error(report)
    assert (error.line_or_feature, error.field, error.unit) == (2, "geometry", "feature")
    features.pop()
    report = import_boxes(write_geojson(tmp_path / "c.geojson", features), options(cast), commit=True)
    assert report.committed
    assert PoliceBox.objects.get(code="G").station == cast.south


def test_the_bbox_keeps_only_rows_inside_it(cast, tmp_path):  # type: ignore[no-untyped-def]
    rows = [HEADER, row("D", "内交番"), row("E", "外交番", lat="43.0", lon="141.3")]
    report = import_boxes(
        write_csv(tmp_path / "b.csv", rows), options(cast, bbox=(139, 35, 140, 36)), commit=True
    )
    assert report.committed and report.filtered == 1
    assert PoliceBox.objects.filter(code__in=["D", "E"]).count() == 1


def osm_point(name: str | None, lon: float, lat: float) -> dict:
    return feature({"name": name} if name else {}, {"type": "Point", "coordinates": [lon, lat]})


def test_osm_points_are_classified_by_their_name(cast, tmp_path):  # type: ignore[no-untyped-def]
    features = [
        osm_point("湖山警察署", 134.20, 35.50),
        osm_point("湖山警察署駅前交番", 134.21, 35.50),
        osm_point("山田駐在所", 134.25, 35.52),
        osm_point("大町派出所 (Omachi Police Box)", 134.19, 35.49),
        osm_point(None, 134.20, 35.51),
        osm_point("警察学校", 134.22, 35.51),
        osm_point("遠方交番", 140.0, 36.0),
    ]
    path = write_geojson(tmp_path / "police.geojson", features)
    report = import_boxes(path, options(cast, mode="osm", bbox=(134.0, 35.0, 134.5, 36.0)), commit=True)
    assert report.committed, [i.describe() for i in report.issues]
    assert (report.skipped, report.filtered) == (2, 1)
    assert {w.line_or_feature for w in report.warnings} == {5, 6}
    station = PoliceStation.objects.get(name="湖山警察署")
    boxes = {b.name: b for b in PoliceBox.objects.filter(station=station)}
    assert set(boxes) == {"駅前交番", "山田駐在所", "大町派出所"}
    assert boxes["山田駐在所"].kind == "chuzaisho"
    assert boxes["大町派出所"].kind == "koban"
    # The same file again changes nothing: codes come from positions.
    again = import_boxes(path, options(cast, mode="osm", bbox=(134.0, 35.0, 134.5, 36.0)), commit=True)
    assert (again.created, again.updated) == (0, 0)


def test_the_agency_must_exist(cast, tmp_path):  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "b.csv", [HEADER, row("D", "x")])
    report = import_boxes(path, BoxImportOptions(agency_code="NOPE"), commit=True)
    assert only_error(report).field == "agency"


def test_the_command_exits_non_zero_with_line_numbers(cast, tmp_path, capsys):  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "b.csv", [HEADER, row("D", "x", lat="north")])
    with pytest.raises(CommandError) as failure:
        call_command("import_boxes", str(path), "--agency", cast.agency.code, "--commit")
    assert failure.value.returncode == 1
    assert "line 2, field lat" in capsys.readouterr().out
    assert not PoliceBox.objects.filter(code="D").exists()


def test_the_command_commits_and_prints_a_summary(cast, tmp_path, capsys):  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "b.csv", [HEADER, row("D", "x")])
    call_command("import_boxes", str(path), "--agency", cast.agency.code, "--commit", "--user", "planner")
    assert "Import committed" in capsys.readouterr().out
    assert AuditEvent.objects.get(action="box.create").actor == cast.planner


def test_the_command_refuses_a_user_who_may_not_manage_the_network(cast, tmp_path):  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "b.csv", [HEADER, row("D", "x")])
    with pytest.raises(CommandError):
        call_command(
            "import_boxes", str(path), "--agency", cast.agency.code, "--commit", "--user", "officer_a"
        )


def test_extra_and_misspelt_columns_are_named_in_a_warning(cast, tmp_path):  # type: ignore[no-untyped-def]
    rows = [[*HEADER, "remarks", "staffing_targte"], [*row("D", "新町交番"), "x", "4"]]
    report = import_boxes(write_csv(tmp_path / "boxes.csv", rows), options(cast), commit=True)
    assert report.committed
    notes = [w.message for w in report.warnings]
    assert notes == ["columns not used by this import, ignored: remarks, staffing_targte"]
