"""Importing the real Japanese files in ../shared/data (each test skips when its file is absent)."""

from __future__ import annotations

import zipfile

import pytest

from koban.geography.importers import BoxImportOptions, import_areas, import_boxes, preset_options
from koban.geography.models import AdminArea
from koban.organization.models import PoliceBox, PoliceStation
from tests.factories import make_agency
from tests.geography.test_import_support import english, read_dbf  # noqa: F401  (autouse fixture)
from tests.shared_data import shared_path

pytestmark = [pytest.mark.django_db, pytest.mark.shared_data]

TOTTORI_BBOX = (133.10, 35.05, 134.55, 35.65)


def test_osm_police_points_of_tottori_become_stations_and_boxes():  # type: ignore[no-untyped-def]
    path = shared_path("japan-police-osm-2014", "police.geojson")
    agency = make_agency("31", "鳥取県警察")
    report = import_boxes(
        path, BoxImportOptions(agency_code=agency.code, mode="osm", bbox=TOTTORI_BBOX), commit=True
    )
    assert report.committed, [i.describe() for i in report.errors[:10]]
    assert report.total == 12_440
    assert report.filtered > 12_000
    stations = PoliceStation.objects.filter(agency=agency)
    boxes = PoliceBox.objects.filter(station__agency=agency)
    assert stations.filter(name__endswith="警察署").count() == stations.count() >= 5
    assert boxes.filter(kind="chuzaisho").exists() and boxes.filter(kind="koban").exists()
    # Names are Japanese text, not mojibake, and every box has a station.
    assert all(b.name.endswith(("交番", "駐在所", "派出所")) for b in boxes)
    for issue in report.warnings:
        assert issue.line_or_feature > 0 and issue.field == "name"


def test_n03_municipalities_of_tottori():  # type: ignore[no-untyped-def]
    path = shared_path("japan-boundaries", "municipalities-n03-2021", "N03-21_31_210101_s0010.json")
    report = import_areas(path, preset_options("n03"), commit=True)
    assert report.committed, [i.describe() for i in report.errors]
    assert AdminArea.objects.filter(level="municipality").count() == 19
    assert AdminArea.objects.get(level="municipality", code="31201").name == "鳥取市"
    assert AdminArea.objects.get(level="municipality", code="31370").name == "湯梨浜町"


def test_tottori_chome_shapefile_in_shift_jis_and_jgd2000():  # type: ignore[no-untyped-def]
    path = shared_path("japan-boundaries", "chome-2015-tottori", "31-tottori-all.shp")
    records = read_dbf(path.with_suffix(".dbf").read_bytes(), "cp932")
    report = import_areas(path, preset_options("chome"), commit=True)
    assert report.committed, [i.describe() for i in report.errors]
    towns = AdminArea.objects.filter(level="town")
    assert towns.count() == len({r["KEY_CODE"] for r in records})
    # Population and households add up to the file's own totals (pieces of one town are summed).
    assert sum(t.population or 0 for t in towns) == sum(int(r["JINKO"]) for r in records)
    assert sum(t.households or 0 for t in towns) == sum(int(r["SETAI"]) for r in records)
    first = records[0]
    assert towns.get(code=first["KEY_CODE"]).name == first["MOJI"] == "立川町３丁目"
    assert towns.filter(name__endswith="町").count() > 100
    west, south, east, north = towns.get(code=first["KEY_CODE"]).geom.extent
    assert 134.2 < west < east < 134.3 and 35.4 < south < north < 35.6
    # The one self-intersecting polygon of the file is repaired and reported.
    assert [w.line_or_feature for w in report.warnings if w.field == "geometry"] == [1681]


def test_estat_basic_unit_blocks_dissolved_into_towns():  # type: ignore[no-untyped-def]
    path = shared_path("estat-census2020-basic-unit-blocks", "B002005212020DDSWC12217_kashiwa.zip")
    with zipfile.ZipFile(path) as archive:
        records = read_dbf(archive.read("r2kb12217.dbf"), "cp932")
    report = import_areas(path, preset_options("estat-towns"), commit=True)
    assert report.committed, [i.describe() for i in report.errors]
    towns = AdminArea.objects.filter(level="town")
    assert towns.count() == len({r["S_NAME"] for r in records}) == 306
    assert sum(t.population or 0 for t in towns) == 426_468
    assert sum(t.households or 0 for t in towns) == 188_022
    assert towns.get(code="12217-柏五丁目").name == "柏五丁目"


def test_estat_basic_unit_blocks_kept_as_blocks_in_a_dry_run():  # type: ignore[no-untyped-def]
    path = shared_path("estat-census2020-basic-unit-blocks", "B002005212020DDSWC03201_morioka.zip")
    report = import_areas(path, preset_options("estat-blocks"))
    assert report.ok, [i.describe() for i in report.errors]
    assert report.total == 6_873
    assert report.created == 6_873
    assert not report.committed and AdminArea.objects.count() == 0


def test_n03_of_chiba_reports_and_skips_the_unassigned_land():  # type: ignore[no-untyped-def]
    path = shared_path("japan-boundaries", "municipalities-n03-2021", "N03-21_12_210101_s0010.json")
    report = import_areas(path, preset_options("n03"), commit=True)
    assert report.committed, [i.describe() for i in report.errors]
    assert report.skipped == 1
    assert [w.field for w in report.warnings if "所属未定地" in w.message] == ["N03_007"]
    assert AdminArea.objects.get(level="municipality", code="12217").name == "柏市"
