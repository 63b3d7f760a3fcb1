"""Importing beats into a new draft version, with the overlap and gap check afterwards."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from koban.audit.models import AuditEvent
from koban.geography.importers import BeatImportOptions, import_beats
from koban.geography.models import Beat, BeatVersion
from tests.factories import make_box
from tests.geography.test_import_support import (
    LAT,
    LON,
    english,  # noqa: F401  (autouse fixture)
    feature,
    polygon,
    square_ring,
    write_geojson,
)


def beat(code: str, box: str, lon: float, size: float = 0.01, **extra) -> dict:  # type: ignore[no-untyped-def]
    return feature(
        {"code": code, "name": f"{code}地区", "box_code": box, **extra}, polygon(square_ring(lon, LAT, size))
    )


def counts() -> tuple[int, int, int]:
    return BeatVersion.objects.count(), Beat.objects.count(), AuditEvent.objects.count()


def test_beats_go_into_a_new_draft_version_with_their_audit_rows(cast, tmp_path):  # type: ignore[no-untyped-def]
    path = write_geojson(tmp_path / "beats.geojson", [beat("A-2", "A", LON), beat("B-2", "B", LON + 0.01)])
    report = import_beats(
        path, BeatImportOptions(agency_code=cast.agency.code, version_name="2025年改定"), commit=True
    )
    assert report.committed, [i.describe() for i in report.issues]
    version = BeatVersion.objects.get(pk=report.extra["version_id"])
    assert (version.name, version.status, version.agency) == ("2025年改定", "draft", cast.agency)
    beats = {b.code: b for b in version.beats.all()}
    assert beats["A-2"].box == cast.box_a and beats["A-2"].name == "A-2地区"
    assert beats["A-2"].area_m2 == pytest.approx(906 * 1112, rel=0.02)
    assert AuditEvent.objects.filter(action="beat.create").count() == 2
    assert AuditEvent.objects.filter(action="beat_version.create").count() == 1
    cast.version.refresh_from_db()
    assert cast.version.status == "active"  # the active set is untouched


def test_overlaps_are_reported_after_the_import(cast, tmp_path):  # type: ignore[no-untyped-def]
    path = write_geojson(tmp_path / "beats.geojson", [beat("A-2", "A", LON), beat("B-2", "B", LON + 0.005)])
    report = import_beats(path, BeatImportOptions(agency_code=cast.agency.code))
    assert report.ok and report.extra["overlaps"] == 1
    # The check's problems are warnings of the import, so its summary counts them.
    assert any("A-2" in w.message and "B-2" in w.message for w in report.warnings)
    assert any("fail the activation check" in note for note in report.notes)


def test_a_dry_run_writes_nothing(cast, tmp_path):  # type: ignore[no-untyped-def]
    before = counts()
    path = write_geojson(tmp_path / "beats.geojson", [beat("A-2", "A", LON)])
    report = import_beats(path, BeatImportOptions(agency_code=cast.agency.code))
    assert report.ok and report.created == 2 and not report.committed  # the version and its beat
    assert counts() == before


@pytest.mark.parametrize(
    ("bad", "field", "words"),
    [
        ({"box_code": "Z"}, "box_code", "unknown box"),
        ({"box_code": ""}, "box_code", "missing"),
        ({"code": ""}, "code", "missing"),
        ({"code": "A-2"}, "code", "duplicate"),
        ({"pop": "lots"}, "pop", "whole number"),
    ],
)
def test_each_bad_beat_is_reported_and_nothing_is_written(cast, tmp_path, bad, field, words):  # type: ignore[no-untyped-def]
    before = counts()
    second = beat("B-2", "B", LON + 0.01, pop="10")
    second["properties"].update(bad)
    path = write_geojson(tmp_path / "beats.geojson", [beat("A-2", "A", LON, pop="5"), second])
    report = import_beats(
        path, BeatImportOptions(agency_code=cast.agency.code, population_field="pop"), commit=True
    )
    assert len(report.errors) == 1, [i.describe() for i in report.errors]
    error = report.errors[0]
    assert (error.line_or_feature, error.field) == (2, field)
    assert words in error.message
    assert counts() == before


def test_a_box_code_used_by_two_stations_needs_the_station_field(cast, tmp_path):  # type: ignore[no-untyped-def]
    make_box(cast.south, code="A", name="Other A")
    features = [beat("A-2", "A", LON, station="N")]
    path = write_geojson(tmp_path / "beats.geojson", features)
    report = import_beats(path, BeatImportOptions(agency_code=cast.agency.code))
    assert "several stations" in report.errors[0].message
    report = import_beats(
        path, BeatImportOptions(agency_code=cast.agency.code, station_field="station"), commit=True
    )
    assert report.committed
    assert Beat.objects.get(code="A-2").box == cast.box_a


def test_the_command_prints_the_check_and_fails_on_errors(cast, tmp_path, capsys):  # type: ignore[no-untyped-def]
    path = write_geojson(tmp_path / "beats.geojson", [beat("A-2", "A", LON), beat("B-2", "B", LON + 0.005)])
    call_command("import_beats", str(path), "--agency", cast.agency.code, "--commit")
    out = capsys.readouterr().out
    assert "overlap" in out and "Import committed" in out
    bad = write_geojson(tmp_path / "bad.geojson", [beat("A-3", "nope", LON)])
    with pytest.raises(CommandError):
        call_command("import_beats", str(bad), "--agency", cast.agency.code, "--commit")
    assert "feature 1, field box_code" in capsys.readouterr().out
