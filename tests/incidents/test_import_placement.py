"""Police open data without coordinates: placed by 町丁目, duplicates recognised, unknown dates reported."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.management import call_command
from django.utils import translation

from koban.geography.models import AdminArea
from koban.incidents.importers.loader import import_incidents_file
from koban.incidents.models import Incident, IncidentImport, LocationSource
from tests.personas import LAT, LON

COLUMNS = (
    "罪名,手口,管轄警察署（発生地）,管轄交番・駐在所（発生地）,市区町村コード（発生地）,都道府県（発生地）,"
    "市区町村（発生地）,町丁目（発生地）,発生年月日（始期）,発生時（始期）,発生場所,発生場所の詳細"
)


def row(town: str, date: str = "2022-02-10", box: str = "Ekimae Koban", muni: str = "122173") -> str:
    return f"窃盗,自転車盗,North,{box},{muni},千葉県,柏市,{town},{date},08,その他,駐車（輪）場"


def rect(west: float, south: float, east: float, north: float) -> MultiPolygon:
    ring = ((west, south), (east, south), (east, north), (west, north), (west, south))
    return MultiPolygon(Polygon(ring), srid=4326)


@pytest.fixture
def towns(cast):  # type: ignore[no-untyped-def]
    """Two census towns of 柏市 (12217): 旭町一丁目 in beat A-1 (box A), 旭町二丁目 in beat C-1 (box C)."""
    city = AdminArea.objects.create(
        level="municipality", code="12217", name="柏市", geom=rect(LON, LAT, LON + 0.03, LAT + 0.01)
    )
    for code, name, west in (
        ("12217-旭町一丁目", "旭町一丁目", LON),
        ("12217-旭町二丁目", "旭町二丁目", LON + 0.02),
    ):
        AdminArea.objects.create(
            level="town", code=code, name=name, parent=city, geom=rect(west, LAT, west + 0.01, LAT + 0.01)
        )
    return cast


def write(tmp_path, rows: list[str], name: str = "police.csv", header: str = COLUMNS, encoding="cp932"):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return path


def test_rows_are_placed_at_their_town_whatever_its_spelling(towns, tmp_path):  # type: ignore[no-untyped-def]
    path = write(tmp_path, [row("旭町１丁目"), row("旭町 2丁目", box="Central Koban")])
    report = import_incidents_file(path, "chiba", agency=towns.agency, commit=True)
    assert report.committed and report.rows_placed_by_area == 2
    first, second = Incident.objects.order_by("source_ref")
    assert (first.box, second.box) == (towns.box_a, towns.box_c)
    assert first.location_source == second.location_source == LocationSource.AREA
    assert first.source_box_label == "North Ekimae Koban"
    assert IncidentImport.objects.get().rows_placed_by_area == 2


def test_unmatched_town_names_are_listed_with_the_closest_names(towns, tmp_path):  # type: ignore[no-untyped-def]
    path = write(tmp_path, [row("旭町9丁目"), row("旭町9丁目"), row("本町1丁目", muni="999999")])
    report = import_incidents_file(path, "chiba", agency=towns.agency, commit=True)
    assert report.committed and report.rows_without_location == 3
    # The municipality without town areas is not listed: there was nothing to match against.
    rows, closest = report.unmatched_areas.pop("旭町9丁目")
    assert rows == 2 and sorted(closest) == ["旭町一丁目", "旭町二丁目"] and report.unmatched_areas == {}


def test_an_unknown_date_is_reported_and_left_out_not_a_bad_row(towns, tmp_path):  # type: ignore[no-untyped-def]
    path = write(tmp_path, [row("旭町１丁目"), row("旭町１丁目", date="不明")])
    report = import_incidents_file(path, "chiba", agency=towns.agency, commit=True)
    assert report.committed and report.bad_rows == []
    assert report.date_unknown_lines == [3] and Incident.objects.count() == 1
    assert IncidentImport.objects.get().rows_date_unknown == 1


def test_a_geocoded_copy_is_recognised_as_the_same_incidents(towns, tmp_path):  # type: ignore[no-untyped-def]
    rows = [row("旭町１丁目"), row("旭町１丁目"), row("旭町２丁目")]
    original = write(tmp_path, rows)
    first = import_incidents_file(original, "chiba", agency=towns.agency, commit=True)
    # Two identical rows are two thefts, not one.
    assert first.rows_imported == 3 and first.rows_duplicate == 0
    copy_rows = [f"{i},{r},柏市旭町,{LAT + 0.005},{LON + 0.005}" for i, r in enumerate(rows)]
    copy = write(tmp_path, copy_rows, "geocoded.csv", "," + COLUMNS + ",住所,lat,lon", "utf-8")
    second = import_incidents_file(copy, "chiba", agency=towns.agency, commit=True)
    assert second.rows_duplicate == 3 and second.rows_imported == 0
    assert second.duplicate_of_imports == [first.batch_id] and second.duplicate_lines == [2, 3, 4]
    assert Incident.objects.count() == 3
    out = StringIO()
    with translation.override("en"):
        call_command(
            "import_incidents", str(copy), "--format", "chiba", "--agency", towns.agency.code, stdout=out
        )
    assert f"3 rows were already imported (imports #{first.batch_id}" in out.getvalue()


def test_rows_of_other_municipalities_can_be_left_out(towns, tmp_path):  # type: ignore[no-untyped-def]
    path = write(
        tmp_path, [row("旭町１丁目"), row("本町1丁目", muni="121011"), row("x", "不明", muni="121011")]
    )
    report = import_incidents_file(path, "chiba", agency=towns.agency, commit=True, municipalities=["12217"])
    assert report.rows_imported == 1 and report.rows_filtered == 2 and report.date_unknown_lines == []


@pytest.mark.parametrize("address", ["千葉県柏市旭町２丁目５番３号", "柏市 旭町2-5-3", "柏市旭町二丁目"])
def test_an_address_alone_is_placed_at_its_town(towns, theft, address):  # type: ignore[no-untyped-def]
    from koban.incidents.services import intake_incident
    from tests.clock import minutes_ago

    incident = intake_incident(
        towns.officer_a, category=theft, received_at=minutes_ago(3), address=address
    ).incident
    assert incident.location_source == LocationSource.AREA
    assert (incident.box, incident.station) == (towns.box_c, towns.south)


def test_an_address_no_town_matches_is_kept_with_a_note_to_place_it(towns, theft):  # type: ignore[no-untyped-def]
    from koban.incidents.services import intake_incident
    from tests.clock import minutes_ago

    incident = intake_incident(
        towns.officer_a, category=theft, received_at=minutes_ago(3), address="柏市本町9-9"
    ).incident
    assert incident.location is None and incident.location_source == ""
    with translation.override("en"):
        assert "place the incident on the map" in incident.events.get().note
