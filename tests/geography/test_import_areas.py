"""Importing administrative areas: formats, encodings, CRSs, bad features, dry run and commit."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from koban.audit.models import AuditEvent
from koban.geography.importers import AreaImportOptions, import_areas, preset_options
from koban.geography.models import AdminArea
from tests.geography.test_import_support import (
    LAT,
    LON,
    english,  # noqa: F401  (autouse fixture)
    feature,
    polygon,
    square_ring,
    write_geojson,
    write_shapefile,
)

pytestmark = pytest.mark.django_db


def town_options(**overrides):  # type: ignore[no-untyped-def]
    values = {
        "level": AdminArea.Level.TOWN,
        "code_field": "code",
        "name_field": "name",
        "population_field": "pop",
        "households_field": "hh",
    }
    values.update(overrides)
    return AreaImportOptions(**values)


def good_features() -> list[dict]:
    return [
        feature({"code": "T1", "name": "本町一丁目", "pop": 120, "hh": 50}, polygon(square_ring(LON, LAT))),
        feature(
            {"code": "T2", "name": "本町二丁目", "pop": "80", "hh": "30"},
            polygon(square_ring(LON + 0.01, LAT)),
        ),
    ]


def test_a_dry_run_reports_what_it_would_create_and_writes_nothing(tmp_path):  # type: ignore[no-untyped-def]
    path = write_geojson(tmp_path / "towns.geojson", good_features())
    report = import_areas(path, town_options())
    assert report.ok
    assert report.created == 2
    assert not report.committed
    assert AdminArea.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_commit_writes_every_area_with_its_audit_row(tmp_path):  # type: ignore[no-untyped-def]
    path = write_geojson(tmp_path / "towns.geojson", good_features())
    report = import_areas(path, town_options(), commit=True)
    assert report.committed
    area = AdminArea.objects.get(level="town", code="T1")
    assert area.name == "本町一丁目"
    assert (area.population, area.households) == (120, 50)
    assert area.geom.srid == 4326
    assert area.geom.extent == pytest.approx((LON, LAT, LON + 0.01, LAT + 0.01))
    assert AuditEvent.objects.filter(action="admin_area.create").count() == 2


def test_a_second_import_updates_the_areas_it_already_has(tmp_path):  # type: ignore[no-untyped-def]
    path = write_geojson(tmp_path / "towns.geojson", good_features())
    import_areas(path, town_options(), commit=True)
    changed = good_features()
    changed[0]["properties"]["pop"] = 999
    report = import_areas(write_geojson(tmp_path / "towns2.geojson", changed), town_options(), commit=True)
    assert (report.created, report.updated) == (0, 2)
    assert AdminArea.objects.get(code="T1").population == 999


def _assert_nothing_written() -> None:
    assert AdminArea.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def _only_error(report):  # type: ignore[no-untyped-def]
    assert len(report.errors) == 1, [i.describe() for i in report.errors]
    return report.errors[0]


def test_a_missing_name_is_reported_with_its_feature_number_and_nothing_is_written(tmp_path):  # type: ignore[no-untyped-def]
    features = good_features()
    features[1]["properties"]["name"] = ""
    report = import_areas(write_geojson(tmp_path / "a.geojson", features), town_options(), commit=True)
    error = _only_error(report)
    assert (error.line_or_feature, error.field) == (2, "name")
    assert "feature 2" in error.describe()
    _assert_nothing_written()


def test_an_unparseable_population_names_the_field(tmp_path):  # type: ignore[no-untyped-def]
    features = good_features()
    features[0]["properties"]["pop"] = "many"
    report = import_areas(write_geojson(tmp_path / "a.geojson", features), town_options(), commit=True)
    error = _only_error(report)
    assert (error.line_or_feature, error.field) == (1, "pop")
    _assert_nothing_written()


def test_coordinates_out_of_range_are_rejected(tmp_path):  # type: ignore[no-untyped-def]
    features = good_features()
    features[1]["geometry"] = polygon(square_ring(200.0, LAT))
    report = import_areas(write_geojson(tmp_path / "a.geojson", features), town_options(), commit=True)
    error = _only_error(report)
    assert (error.line_or_feature, error.field) == (2, "geometry")
    assert "out of range" in error.message
    _assert_nothing_written()


def test_a_self_intersecting_polygon_is_repaired_with_a_warning(tmp_path):  # type: ignore[no-untyped-def]
    # A square whose left edge pinches inward into a small loop: a ring self-intersection.
    d = 0.0002
    ring = [[LON, LAT], [LON + 0.01, LAT], [LON + 0.01, LAT + 0.01], [LON, LAT + 0.01], [LON, LAT + 0.005]]
    ring += [[LON + d, LAT + 0.005 + d], [LON + d, LAT + 0.005 - d], [LON, LAT + 0.005], [LON, LAT]]
    features = [feature({"code": "T9", "name": "x", "pop": 1, "hh": 1}, polygon(ring))]
    report = import_areas(write_geojson(tmp_path / "a.geojson", features), town_options(), commit=True)
    assert report.ok
    warning = next(w for w in report.warnings if w.field == "geometry")
    assert warning.line_or_feature == 1
    assert "repaired" in warning.message
    assert AdminArea.objects.get(code="T9").geom.valid


def test_a_bow_tie_that_cannot_be_repaired_faithfully_is_rejected(tmp_path):  # type: ignore[no-untyped-def]
    ring = [[LON, LAT], [LON + 0.01, LAT + 0.01], [LON + 0.01, LAT], [LON, LAT + 0.01], [LON, LAT]]
    features = [*good_features(), feature({"code": "T3", "name": "x", "pop": 1, "hh": 1}, polygon(ring))]
    report = import_areas(write_geojson(tmp_path / "a.geojson", features), town_options(), commit=True)
    error = _only_error(report)
    assert (error.line_or_feature, error.field) == (3, "geometry")
    assert "rejected" in error.message
    _assert_nothing_written()


def test_a_degenerate_polygon_is_rejected(tmp_path):  # type: ignore[no-untyped-def]
    ring = [[LON, LAT], [LON + 0.01, LAT], [LON + 0.02, LAT], [LON, LAT]]
    features = [feature({"code": "T3", "name": "x", "pop": 1, "hh": 1}, polygon(ring)), *good_features()]
    report = import_areas(write_geojson(tmp_path / "a.geojson", features), town_options(), commit=True)
    error = _only_error(report)
    assert (error.line_or_feature, error.field) == (1, "geometry")
    _assert_nothing_written()


def test_points_are_not_areas(tmp_path):  # type: ignore[no-untyped-def]
    point = {"type": "Point", "coordinates": [LON, LAT]}
    features = [*good_features(), feature({"code": "T3", "name": "x", "pop": 1, "hh": 1}, point)]
    report = import_areas(write_geojson(tmp_path / "a.geojson", features), town_options(), commit=True)
    error = _only_error(report)
    assert (error.line_or_feature, error.field) == (3, "geometry")
    assert "Point" in error.message
    _assert_nothing_written()


def test_a_duplicate_code_is_an_error_unless_dissolving(tmp_path):  # type: ignore[no-untyped-def]
    features = good_features()
    features[1]["properties"]["code"] = "T1"
    path = write_geojson(tmp_path / "a.geojson", features)
    report = import_areas(path, town_options(), commit=True)
    error = _only_error(report)
    assert (error.line_or_feature, error.field) == (2, "code")
    assert "feature 1" in error.message
    _assert_nothing_written()

    report = import_areas(path, town_options(dissolve=True), commit=True)
    assert report.ok and report.created == 1
    area = AdminArea.objects.get(code="T1")
    assert area.population == 200
    assert len(area.geom) == 1  # the two touching squares dissolve into one polygon


def test_a_missing_field_in_the_file_is_a_file_error(tmp_path):  # type: ignore[no-untyped-def]
    path = write_geojson(tmp_path / "a.geojson", good_features())
    report = import_areas(path, town_options(population_field="JINKO"), commit=True)
    error = _only_error(report)
    assert (error.line_or_feature, error.field) == (0, "JINKO")
    _assert_nothing_written()


def test_a_projected_crs_is_converted_to_wgs84(tmp_path):  # type: ignore[no-untyped-def]
    # JGD2011 / Japan Plane Rectangular CS IX (EPSG:6677): origin 36°N 139°50'E.
    ring = [[0, 0], [1000, 0], [1000, 1000], [0, 1000], [0, 0]]
    features = [feature({"code": "P1", "name": "原点", "pop": 0, "hh": 0}, polygon(ring))]
    path = write_geojson(tmp_path / "plane.geojson", features, crs_epsg=6677)
    report = import_areas(path, town_options(), commit=True)
    assert report.ok, [i.describe() for i in report.issues]
    west, south, east, _north = AdminArea.objects.get(code="P1").geom.extent
    assert west == pytest.approx(139 + 50 / 60, abs=1e-4)
    assert south == pytest.approx(36.0, abs=1e-4)
    assert east - west == pytest.approx(1000 / 90_000, rel=0.05)


def _chome_rows():  # type: ignore[no-untyped-def]
    return [
        ({"KEY_CODE": "31201001001", "MOJI": "栄町", "JINKO": 300, "SETAI": 120}, square_ring(LON, LAT)),
        (
            {"KEY_CODE": "31201001002", "MOJI": "川端一丁目", "JINKO": 45, "SETAI": 20},
            square_ring(LON + 0.01, LAT),
        ),
    ]


CHOME_FIELDS = [("KEY_CODE", "C", 11), ("MOJI", "C", 40), ("JINKO", "N", 10), ("SETAI", "N", 10)]


def _chome_options(**overrides):  # type: ignore[no-untyped-def]
    values = {
        "level": AdminArea.Level.TOWN,
        "code_field": "KEY_CODE",
        "name_field": "MOJI",
        "population_field": "JINKO",
        "households_field": "SETAI",
    }
    values.update(overrides)
    return AreaImportOptions(**values)


def test_a_zipped_shift_jis_shapefile_in_jgd2000_keeps_its_japanese_names(tmp_path):  # type: ignore[no-untyped-def]
    archive = write_shapefile(tmp_path, "chome", CHOME_FIELDS, _chome_rows(), encoding="cp932", zip_it=True)
    report = import_areas(archive, _chome_options(), commit=True)
    assert report.ok, [i.describe() for i in report.issues]
    assert any("Shift_JIS" in w.message for w in report.warnings)
    names = dict(AdminArea.objects.values_list("code", "name"))
    assert names == {"31201001001": "栄町", "31201001002": "川端一丁目"}
    area = AdminArea.objects.get(code="31201001001")
    assert area.population == 300
    assert area.geom.extent == pytest.approx((LON, LAT, LON + 0.01, LAT + 0.01), abs=1e-6)


def test_a_utf8_shapefile_with_a_cpg_file_is_read_as_utf8(tmp_path):  # type: ignore[no-untyped-def]
    shp = write_shapefile(tmp_path, "chome", CHOME_FIELDS, _chome_rows(), encoding="utf-8", cpg="UTF-8")
    report = import_areas(shp, _chome_options(), commit=True)
    assert report.ok
    assert AdminArea.objects.get(code="31201001002").name == "川端一丁目"


def test_the_encoding_can_be_given_explicitly(tmp_path):  # type: ignore[no-untyped-def]
    shp = write_shapefile(tmp_path, "chome", CHOME_FIELDS, _chome_rows(), encoding="cp932", epsg=None)
    report = import_areas(shp, _chome_options(encoding="shift_jis"), commit=True)
    assert report.ok
    assert AdminArea.objects.get(code="31201001001").name == "栄町"
    # No .prj: WGS84 is assumed, with a warning.
    assert any("WGS84" in w.message for w in report.warnings)


def test_a_geopackage_is_read(tmp_path):  # type: ignore[no-untyped-def]
    ogr2ogr = shutil.which("ogr2ogr")
    if ogr2ogr is None:
        pytest.skip("ogr2ogr (gdal-bin) is not installed")
    source = write_geojson(tmp_path / "towns.geojson", good_features())
    target = tmp_path / "towns.gpkg"
    subprocess.run([ogr2ogr, "-f", "GPKG", str(target), str(source)], check=True, capture_output=True)
    report = import_areas(target, town_options(), commit=True)
    assert report.ok, [i.describe() for i in report.issues]
    assert AdminArea.objects.get(code="T2").name == "本町二丁目"


def test_parents_are_linked_one_level_up(tmp_path):  # type: ignore[no-untyped-def]
    municipality = write_geojson(
        tmp_path / "m.geojson",
        [
            feature(
                {"N03_001": "鳥取県", "N03_003": None, "N03_004": "鳥取市", "N03_007": "31201"},
                polygon(square_ring(LON, LAT, 0.05)),
            )
        ],
    )
    report = import_areas(municipality, preset_options("n03"), commit=True)
    assert report.ok
    assert any(w.field == "parent" or "parent" in w.message for w in report.warnings)  # no prefecture yet
    archive = write_shapefile(
        tmp_path, "chome", [*CHOME_FIELDS, ("KEN", "C", 2), ("CITY", "C", 3)],
        [({**r, "KEN": "31", "CITY": "201"}, ring) for r, ring in _chome_rows()], zip_it=True,
    )  # fmt: skip
    report = import_areas(archive, preset_options("chome"), commit=True)
    assert report.ok, [i.describe() for i in report.issues]
    town = AdminArea.objects.get(level="town", code="31201001001")
    assert town.parent is not None and town.parent.name == "鳥取市"


def test_the_command_is_a_dry_run_unless_commit(tmp_path, capsys):  # type: ignore[no-untyped-def]
    path = write_geojson(tmp_path / "towns.geojson", good_features())
    args = [str(path), "--level", "town", "--code-field", "code", "--name-field", "name"]
    call_command("import_areas", *args)
    assert AdminArea.objects.count() == 0
    assert "Dry run" in capsys.readouterr().out
    call_command("import_areas", *args, "--commit")
    assert AdminArea.objects.count() == 2


def test_the_command_fails_with_the_feature_number_of_each_error(tmp_path, capsys):  # type: ignore[no-untyped-def]
    features = good_features()
    features[1]["properties"]["code"] = None
    path = write_geojson(tmp_path / "towns.geojson", features)
    with pytest.raises(CommandError) as failure:
        call_command("import_areas", str(path), "--level", "town", "--code-field", "code",
                     "--name-field", "name", "--commit")  # fmt: skip
    assert failure.value.returncode == 1
    out = capsys.readouterr().out
    assert "feature 2, field code" in out
    assert AdminArea.objects.count() == 0
