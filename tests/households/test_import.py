"""Importing address lists: placed in beats in bulk, bad rows named by line and field, nothing written
on errors or in a dry run, unplaceable addresses and duplicates reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from koban.audit.models import AuditEvent
from koban.households.importer import HouseholdImportOptions, import_households
from koban.households.models import Household, Kind

pytestmark = pytest.mark.django_db

HEADER = "address,lon,lat,kind,name,building\n"


def _csv(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "addresses.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def _run(path: Path, commit: bool = True, agency: str = "T1"):  # type: ignore[no-untyped-def]
    return import_households(path, HouseholdImportOptions(agency_code=agency), commit=commit, actor="test")


def test_rows_are_placed_in_their_beats_and_units_in_their_building(cast, tmp_path):
    path = _csv(
        tmp_path,
        "本町1-1,139.705,35.605,,,\n"
        "山手2-2,139.715,35.605,business,Bakery,\n"
        "Corp 5,139.725,35.605,共同住宅,,\n"
        "Corp 5 101,139.725,35.605,,,Corp 5\n",
    )
    report = _run(path)
    assert report.committed and report.created == 4, report.summary()
    by_address = {h.address: h for h in Household.objects.select_related("building")}
    assert by_address["本町1-1"].beat == cast.beat_a and by_address["本町1-1"].box == cast.box_a
    assert by_address["山手2-2"].box == cast.box_b and by_address["山手2-2"].name == "Bakery"
    unit = by_address["Corp 5 101"]
    assert unit.kind == Kind.APARTMENT_UNIT and unit.building == by_address["Corp 5"]
    assert unit.box == cast.box_c
    assert AuditEvent.objects.filter(action="household.import").count() == 1


def test_a_dry_run_writes_nothing_but_reports_the_same(cast, tmp_path):
    report = _run(_csv(tmp_path, "本町1-1,139.705,35.605,,,\n"), commit=False)
    assert report.ok and not report.committed and report.created == 1
    assert not Household.objects.exists()


def test_bad_rows_name_line_and_field_and_nothing_is_written(cast, tmp_path):
    path = _csv(
        tmp_path,
        "本町1-1,139.705,35.605,,,\n"  # line 2: fine
        ",139.705,35.605,,,\n"  # line 3: no address
        "本町1-3,abc,35.605,,,\n"  # line 4: bad longitude
        "本町1-4,139.705,95,,,\n"  # line 5: latitude out of range
        "本町1-5,139.705,35.605,castle,,\n"  # line 6: unknown kind
        "本町1-6,139.705,35.605,house,Tanaka,\n"  # line 7: a named home
        "本町1-7,139.705,35.605,,,Nowhere Tower\n",  # line 8: unknown building
    )
    report = _run(path)
    found = {(issue.line_or_feature, issue.field) for issue in report.errors}
    assert found == {(3, "address"), (4, "lon"), (5, "lat"), (6, "kind"), (7, "name"), (8, "building")}
    assert any("line 4, field lon" in issue.describe() for issue in report.errors)
    assert not report.committed and not Household.objects.exists()


def test_an_address_in_no_beat_is_imported_unplaced_with_a_warning(cast, tmp_path):
    report = _run(_csv(tmp_path, "本町1-1,139.705,35.605,,,\nFar 1,139.90,35.90,,,\n"))
    assert report.committed
    far = Household.objects.get(address="Far 1")
    assert far.beat is None and far.box is None
    assert [(w.line_or_feature, w.field) for w in report.warnings] == [(3, "lon")]
    assert "lies in no beat" in report.warnings[0].message
    assert report.extra["unplaced"] == 1


def test_duplicates_in_the_file_and_in_the_registry_are_reported_not_imported(cast, tmp_path):
    _run(_csv(tmp_path, "本町1丁目2番3号,139.705,35.605,,,\n"))
    existing = Household.objects.get()
    path = _csv(
        tmp_path, "本町１－２－３,139.705,35.605,,,\n山手4-5,139.715,35.605,,,\n山手4-5,139.716,35.605,,,\n"
    )
    report = _run(path)
    assert report.committed and report.created == 1
    messages = {w.line_or_feature: w.message for w in report.warnings}
    assert f"household no. {existing.pk}" in messages[2]
    assert "line or feature 3" in messages[4]
    assert Household.objects.count() == 2


def test_geojson_points_are_imported_and_other_geometries_named_by_feature(cast, tmp_path):
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [139.705, 35.605]},
            "properties": {"住所": "本町9-9"},
        },
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[139.7, 35.6], [139.71, 35.6]]},
            "properties": {"address": "x"},
        },
    ]
    path = tmp_path / "addresses.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    report = _run(path)
    assert [(e.line_or_feature, e.field) for e in report.errors] == [(2, "geometry")]
    assert "feature 2" in report.errors[0].describe()
    features.pop()
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    assert _run(path).created == 1


def test_a_missing_column_and_another_agency_are_file_errors(cast, tmp_path):
    report = _run(_csv(tmp_path, "本町1-1,139.705\n", header="address,lon\n"))
    assert [(e.line_or_feature, e.field) for e in report.errors] == [(0, "lat")]
    report = import_households(
        _csv(tmp_path, "本町1-1,139.705,35.605,,,\n"),
        HouseholdImportOptions(agency_code="T1"),
        commit=True,
        actor=cast.outsider,
    )
    assert [(e.line_or_feature, e.field) for e in report.errors] == [(0, "agency")]


def test_the_command_is_a_dry_run_unless_commit(cast, tmp_path, capsys):
    path = _csv(tmp_path, "本町1-1,139.705,35.605,,,\n")
    call_command("import_households", str(path), "--agency", "T1")
    assert not Household.objects.exists()
    call_command("import_households", str(path), "--agency", "T1", "--commit")
    assert Household.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("import_households", str(_csv(tmp_path, ",1,2,,,\n")), "--agency", "T1", "--commit")
