"""Bulk import of historical incidents: bad rows reported by line, nothing half-written."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from koban.audit.models import AuditEvent
from koban.incidents.importers.formats import ImportFormatError
from koban.incidents.importers.loader import import_incidents_file
from koban.incidents.models import Incident, IncidentImport
from tests.personas import LAT, LON
from tests.shared_data import shared_path

HEADER = "received_at,category,lon,lat,address,priority,description,arrived_at\n"
GOOD = [
    f"2025-03-01T10:00:00+09:00,theft,{LON + 0.005},{LAT + 0.005},,,,\n",  # beat A-1
    f"2025-03-01T11:00:00,assault,{LON + 0.025},{LAT + 0.005},,1,fight,2025-03-01T11:07:00\n",  # C-1
    f"2025-03-02T09:30:00+09:00,other,{LON - 0.3},{LAT},,,,\n",  # outside every beat
    "2025-03-02T09:45:00+09:00,theft,,,札幌市中央区北5条西4丁目,,,\n",  # address only
]
BAD = [
    f"2025-03-03T10:00:00+09:00,theft,{LON},{LAT},,,,2025-03-03T09:00:00+09:00\n",  # line 6: arrival first
    f"2025-03-03T10:00:00+09:00,theft,1e150,{LAT},,,,\n",  # line 7: longitude
    f"not-a-date,theft,{LON},{LAT},,,,\n",  # line 8
    f"2025-03-03T10:00:00+09:00,piracy,{LON},{LAT},,,,\n",  # line 9
    "2025-03-03T10:00:00+09:00,theft,,,,,,\n",  # line 10: no place
]


def write(tmp_path, rows, encoding="utf-8"):  # type: ignore[no-untyped-def]
    path = tmp_path / "incidents.csv"
    path.write_text(HEADER + "".join(rows), encoding=encoding)
    return path


def test_a_valid_file_is_imported_with_beats_assigned(cast, tmp_path):  # type: ignore[no-untyped-def]
    report = import_incidents_file(write(tmp_path, GOOD), "generic", agency=cast.agency, commit=True)
    assert report.committed and report.rows_imported == 4 and not report.bad_rows
    assert (report.rows_outside, report.rows_without_location) == (1, 1)
    by_line = {i.source_ref: i for i in Incident.objects.all()}
    assert (by_line["line 2"].beat, by_line["line 2"].box) == (cast.beat_a, cast.box_a)
    assert (by_line["line 3"].box, by_line["line 3"].station) == (cast.box_c, cast.south)
    assert by_line["line 3"].response_seconds == 420 and by_line["line 3"].priority == 1
    assert by_line["line 4"].outside_jurisdiction and by_line["line 4"].box is None
    assert by_line["line 5"].location is None and not by_line["line 5"].outside_jurisdiction
    batch = IncidentImport.objects.get()
    audit = AuditEvent.objects.get(action="incident.import")
    assert audit.object_id == str(batch.pk) and audit.after["rows_imported"] == 4


def test_bad_rows_are_reported_by_line_and_nothing_is_written(cast, tmp_path):  # type: ignore[no-untyped-def]
    report = import_incidents_file(write(tmp_path, GOOD + BAD), "generic", agency=cast.agency, commit=True)
    assert not report.committed
    issues = {bad.line_or_feature: bad for bad in report.bad_rows}
    assert sorted(issues) == [6, 7, 8, 9, 10]
    assert issues[6].field == "arrived_at"
    assert issues[7].field == "lon" and "longitude" in issues[7].message
    assert issues[8].field == "received_at"
    assert issues[9].field == "category"
    assert "place" in issues[10].message
    assert issues[6].describe().startswith("line 6, field arrived_at: ")
    assert not Incident.objects.exists() and not IncidentImport.objects.exists()
    assert not AuditEvent.objects.exists()


def test_skip_bad_rows_writes_the_good_ones(cast, tmp_path):  # type: ignore[no-untyped-def]
    report = import_incidents_file(
        write(tmp_path, GOOD + BAD), "generic", agency=cast.agency, commit=True, skip_bad_rows=True
    )
    assert report.committed and report.rows_imported == 4 and len(report.bad_rows) == 5
    assert Incident.objects.count() == 4


def test_a_dry_run_reports_but_writes_nothing(cast, tmp_path):  # type: ignore[no-untyped-def]
    report = import_incidents_file(write(tmp_path, GOOD), "generic", agency=cast.agency)
    assert not report.committed and report.rows_imported == 4 and report.rows_outside == 1
    assert not Incident.objects.exists()


def test_the_same_file_is_not_imported_twice(cast, tmp_path):  # type: ignore[no-untyped-def]
    path = write(tmp_path, GOOD)
    import_incidents_file(path, "generic", agency=cast.agency, commit=True)
    with pytest.raises(ImportFormatError):
        import_incidents_file(path, "generic", agency=cast.agency, commit=True)
    assert Incident.objects.count() == 4


def test_bulk_load_restores_indexes_and_keys(cast, tmp_path):  # type: ignore[no-untyped-def]
    from django.db import connection

    def schema():  # type: ignore[no-untyped-def]
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'incidents_incident'")
            indexes = sorted(r[0] for r in cursor.fetchall())
            cursor.execute(
                "SELECT conname, condeferred FROM pg_constraint WHERE conrelid = 'incidents_incident'::regclass"
            )
            return indexes, sorted(cursor.fetchall())

    before = schema()
    report = import_incidents_file(
        write(tmp_path, GOOD), "generic", agency=cast.agency, commit=True, bulk_load=True
    )
    assert report.committed and Incident.objects.filter(box=cast.box_a).count() == 1
    assert report.foreign_key_checks == "whole table" and schema() == before
    refused = import_incidents_file(
        write(tmp_path, GOOD + BAD), "generic", agency=cast.agency, commit=True, bulk_load=True
    )
    assert not refused.committed and len(refused.errors) == 5
    assert Incident.objects.count() == 4 and schema() == before


def test_a_shift_jis_police_file_is_read(cast, tmp_path):  # type: ignore[no-untyped-def]
    text = (
        "罪名,手口,管轄警察署（発生地）,管轄交番・駐在所（発生地）,市区町村コード（発生地）,都道府県（発生地）,"
        "市区町村（発生地）,町丁目（発生地）,発生年月日（始期）,発生時（始期）,発生場所\n"
        "窃盗,自転車盗,千葉中央,京成千葉中央駅前交番,121011,千葉県,千葉市中央区,新宿１丁目,2022-02-10,08,その他\n"
        "窃盗,車上ねらい,千葉中央,本千葉交番,121011,千葉県,千葉市中央区,本千葉町,不明,,道路上\n"
        "窃盗,自転車盗,千葉中央,本千葉交番,121011,千葉県,千葉市中央区,本千葉町,2022-02-30,,道路上\n"
        "窃盗,自転車盗,千葉中央,本千葉交番,121011,千葉県,千葉市中央区,本千葉町,2022-03-01,25,道路上\n"
    )
    path = tmp_path / "chiba.csv"
    path.write_bytes(text.encode("cp932"))
    report = import_incidents_file(path, "chiba", agency=cast.agency, skip_bad_rows=True, commit=True)
    assert report.encoding == "cp932"
    # The unknown date (不明) is no bad row: it is reported on its own and left out.
    assert [(b.line_or_feature, b.field) for b in report.bad_rows] == [
        (4, "発生年月日（始期）"),
        (5, "発生時（始期）"),
    ]
    assert report.date_unknown_lines == [3]
    incident = Incident.objects.get()
    assert incident.category.code == "bicycle_theft"
    assert incident.address == "千葉県千葉市中央区新宿１丁目"
    assert incident.source_box_label == "千葉中央 京成千葉中央駅前交番"
    assert incident.received_at.hour + 0 == 23  # 08:00 in Tokyo is 23:00 UTC the day before
    assert incident.location is None


def test_missing_columns_are_named(cast, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "x.csv"
    path.write_text("when,what\n2025-01-01,theft\n")
    with pytest.raises(ImportFormatError, match="received_at"):
        import_incidents_file(path, "generic", agency=cast.agency)


def test_the_command_prints_bad_lines_and_fails_on_commit(cast, tmp_path):  # type: ignore[no-untyped-def]
    out = StringIO()
    with translation.override("en"), pytest.raises(CommandError):
        call_command(
            "import_incidents",
            str(write(tmp_path, GOOD + BAD)),
            "--format",
            "generic",
            "--commit",
            "--agency",
            cast.agency.code,
            stdout=out,
        )
    assert "line 6, field arrived_at: " in out.getvalue()
    assert not Incident.objects.exists()


@pytest.mark.shared_data
def test_the_hokkaido_open_data_file_reads_without_a_crash(cast):  # type: ignore[no-untyped-def]
    path = shared_path("hokkaido-police-crime-2018", "hokkaido_police_crimes_2018_geocoded.csv")
    report = import_incidents_file(path, "hokkaido", agency=cast.agency)
    assert report.rows_read == 6616
    assert report.rows_valid + len(report.bad_rows) == 6616
    # Rows with an unknown date (不明) are reported and left out; the two rows geocoded to (0, 0)
    # are refused by line; all others are kept.
    assert 0 < len(report.date_unknown_lines) < 100
    outside = [bad for bad in report.bad_rows if "outside the jurisdiction" in bad.message]
    assert len(outside) == 2 and all("(0.00000, 0.00000)" in bad.message for bad in outside)
    assert all(bad.field == "発生年月日（始期）" for bad in report.bad_rows if bad not in outside)
    # No Hokkaido beats are loaded: every located row is outside jurisdiction.
    written = report.rows_valid - len(report.date_unknown_lines)
    assert report.rows_outside + report.rows_without_location == written
    assert not Incident.objects.exists()


@pytest.mark.shared_data
@pytest.mark.parametrize(
    "name", ["chiba_2022zitensyatou_original_sjis.csv", "chiba_2022zitensyatou_geocoded.csv"]
)
def test_the_chiba_open_data_files_read_without_a_crash(cast, name):  # type: ignore[no-untyped-def]
    path = shared_path("chiba-police-bicycle-theft-2022", name)
    report = import_incidents_file(path, "chiba", agency=cast.agency)
    assert report.rows_read == 7346
    assert report.encoding == ("cp932" if "sjis" in name else "utf-8")
    # Every row reads; the 105 rows dated 不明 are reported on their own, not as bad rows.
    assert report.bad_rows == [] and len(report.date_unknown_lines) == 105
    written = report.rows_valid - 105
    if "geocoded" in name:
        assert report.rows_outside == written
    else:
        # No town areas are loaded here: nothing can be placed by its 町丁目.
        assert report.rows_without_location == written
        assert report.unmatched_areas == {}


def test_bad_rows_are_reported_in_the_active_language(cast, tmp_path):  # type: ignore[no-untyped-def]
    with translation.override("ja"):
        report = import_incidents_file(write(tmp_path, GOOD + BAD), "generic", agency=cast.agency)
    reasons = {bad.line_or_feature: bad.describe() for bad in report.bad_rows}
    assert "到着が受理" in reasons[6]
    assert "ISO 8601 形式の日時ではありません" in reasons[8]
    assert "不明な区分" in reasons[9]
    assert "場所がありません" in reasons[10]


def test_columns_the_format_does_not_read_are_reported(cast, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "extra.csv"
    path.write_text(
        "received_at,category,lat,lon,address,description,remarks\n"
        "2025-06-01T10:00:00+09:00,theft,35.605,139.705,,bicycle,ignored\n",
        encoding="utf-8",
    )
    report = import_incidents_file(path, "generic", agency=cast.agency)
    assert "remarks" in report.unused_columns
    assert "received_at" not in report.unused_columns


@pytest.mark.parametrize("control", ["\x00", "\x07"], ids=["NUL", "bell"])
def test_control_characters_in_a_row_are_reported_by_line_and_column_and_nothing_is_written(  # type: ignore[no-untyped-def]
    cast, tmp_path, control
):
    rows = [GOOD[0], f"2025-03-01T12:00:00+09:00,theft,{LON + 0.005},{LAT + 0.005},,,a{control}b,\n"]
    report = import_incidents_file(write(tmp_path, rows), "generic", agency=cast.agency, commit=True)
    assert not report.committed
    assert [(bad.line_or_feature, bad.field) for bad in report.bad_rows] == [(3, "description")]
    assert Incident.objects.count() == 0


def test_a_dry_run_stages_the_rows_and_leaves_the_incident_table_alone(cast, tmp_path):  # type: ignore[no-untyped-def]
    report = import_incidents_file(write(tmp_path, GOOD), "generic", agency=cast.agency)
    assert not report.committed and report.rows_valid == 4 and report.rows_outside == 1
    assert report.foreign_key_checks == "" and "insert" not in report.stages
    assert not Incident.objects.exists() and not IncidentImport.objects.exists()


def test_the_written_rows_keys_are_checked_once_per_key_and_a_missing_one_writes_nothing(  # type: ignore[no-untyped-def]
    cast, tmp_path, monkeypatch
):
    from django.db import connection

    from koban.incidents.importers import loader

    report = import_incidents_file(write(tmp_path, GOOD[:2]), "generic", agency=cast.agency, commit=True)
    assert report.committed and report.foreign_key_checks == "per key"
    assert Incident.objects.filter(box=cast.box_a).count() == 1
    assert AuditEvent.objects.filter(action="incident.import").count() == 1  # audit triggers ran again

    staged = loader._stage

    def box_deleted_meanwhile(cursor, *args):  # type: ignore[no-untyped-def]
        staged(cursor, *args)
        cursor.execute(f"UPDATE {loader._STAGING} SET box_id = -1 WHERE box_id IS NOT NULL")

    monkeypatch.setattr(loader, "_stage", box_deleted_meanwhile)
    report = import_incidents_file(write(tmp_path, GOOD[1:2]), "generic", agency=cast.agency, commit=True)
    assert not report.committed and report.rows_imported == 0
    assert [(issue.line_or_feature, "could not be written" in issue.message) for issue in report.errors] == [
        (0, True)
    ]
    assert Incident.objects.count() == 2 and IncidentImport.objects.count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"
