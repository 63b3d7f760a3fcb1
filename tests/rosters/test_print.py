"""The printed month roster (勤務表): officers × days, shift codes, legend, hours; bad months are 400."""

from __future__ import annotations

import pytest

from koban.audit.models import AuditEvent
from koban.rosters.generation import generate_month_roster
from koban.rosters.models import RosterEntry
from tests.clock import tokyo
from tests.factories import sign_in
from tests.pdftext import pdf_pages, pdf_text


@pytest.fixture
def june(cast, squad):  # type: ignore[no-untyped-def]
    return generate_month_roster(cast.chief_north, cast.box_a, 2026, 6, accept_gaps=True)


def test_box_roster_prints_officers_codes_and_hours(client, cast, squad, june):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    response = client.get(f"/rosters/boxes/{cast.box_a.pk}/print/", {"month": "2026-06", "lang": "en"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="roster-A-202606-en.pdf"'
    text = pdf_text(response.content)
    assert "Roster 2026-6" in text and "Ekimae Koban" in text
    for officer in squad.officers:
        assert str(officer) in text
    # Three groups one day apart on 当番 → 非番 → 公休: 10 duties of 24 h each in June's 30 days,
    # and the day off of every 7th cycle worked as an 8.75 h day shift; a shift counts on its first day.
    for officer in squad.officers:
        row = next(line for line in text.splitlines() if line.strip().startswith(str(officer))).split()
        entries = RosterEntry.objects.filter(
            officer=officer, start__gte=tokyo(2026, 6, 1), start__lt=tokyo(2026, 7, 1)
        )
        duties = entries.filter(shift_code="T").count()
        day_shifts = entries.filter(shift_code="N").count()
        assert duties == 10 and row.count("T") == 10
        assert float(row[-3]) == 24 * duties + 8.75 * day_shifts
        assert row[-2] == str(duties + day_shifts)
    assert "Duty (24 h)" in text and "08:30, 24 h" in text  # the legend


def test_roster_in_japanese_follows_the_users_language(client, cast, squad, june):  # type: ignore[no-untyped-def]
    cast.officer_a.language = "ja"
    cast.officer_a.save(update_fields=["language"])
    sign_in(client, "officer_a")
    response = client.get(f"/rosters/boxes/{cast.box_a.pk}/print/", {"month": "2026-06"})
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "当番" in text and "勤務日数" in text and "勤務時間合計" in text  # legend and headings
    assert "Officer" not in text and "Duty days" not in text


def test_station_roster_has_a_page_per_box(client, cast, squad, june):  # type: ignore[no-untyped-def]
    sign_in(client, "chief_north")
    response = client.get(f"/rosters/stations/{cast.north.pk}/print/", {"month": "2026-06", "lang": "en"})
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Ekimae Koban" in text and "Yamate Chuzaisho" in text and "Minato Koban" not in text
    assert pdf_pages(response.content) >= 2


@pytest.mark.parametrize("month", ["2026-13", "june", "2026-6-1", "1800-01", "2026-00"])
def test_bad_month_is_a_400_naming_the_parameter(client, cast, squad, month):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    response = client.get(f"/rosters/boxes/{cast.box_a.pk}/print/", {"month": month, "lang": "en"})
    assert response.status_code == 400
    assert response.content.decode().startswith("month:")


def test_bad_language_is_a_400(client, cast, squad):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    response = client.get(f"/rosters/boxes/{cast.box_a.pk}/print/", {"lang": "xx"})
    assert response.status_code == 400


def test_another_stations_roster_is_404_and_audited(client, cast, squad):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    assert client.get(f"/rosters/boxes/{cast.box_c.pk}/print/", {"month": "2026-06"}).status_code == 404
    assert client.get(f"/rosters/stations/{cast.south.pk}/print/", {"month": "2026-06"}).status_code == 404
    assert client.get("/rosters/boxes/999999/print/").status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", actor=cast.officer_a).count() == 3


def test_month_page_links_to_the_printout(client, cast, squad, june):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    page = client.get(f"/rosters/boxes/{cast.box_a.pk}/2026/6/").content.decode()
    assert f"/rosters/boxes/{cast.box_a.pk}/print/?month=2026-6" in page
