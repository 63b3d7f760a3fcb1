"""The audit trail page: who may see which part, filters, CSV export, and the unusual-reading report."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.utils import timezone

from koban.audit.models import AuditEvent
from koban.audit.services import record, record_read
from tests.factories import make_user

T0 = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def events(cast):  # type: ignore[no-untyped-def]
    """One change at each of North's box A, South's box C and another agency's station."""
    with transaction.atomic():
        north = record(cast.officer_a, "organization.policebox.update", cast.box_a, note="north change")
        south = record(cast.planner, "organization.policebox.update", cast.box_c, note="south change")
    return {"north": north, "south": south}


def _notes(response) -> set[str]:  # type: ignore[no-untyped-def]
    # Signing in is recorded too; these tests look at the changes only.
    return {e.note for e in response.context["page"] if e.action == "organization.policebox.update"}


def test_a_chief_reads_the_station_trail_only(cast, events):  # type: ignore[no-untyped-def]
    response = _client(cast.chief_north).get("/audit/")
    assert response.status_code == 200
    assert _notes(response) == {"north change"}
    assert "Audit trail" in response.text  # in the navigation and the title


def test_hq_reads_the_agency_trail_and_an_outsider_none_of_it(cast, events):  # type: ignore[no-untyped-def]
    assert _notes(_client(cast.planner).get("/audit/")) == {"north change", "south change"}
    assert _notes(_client(cast.outsider).get("/audit/")) == set()


@pytest.mark.parametrize("who", ["officer_a", "counsellor_a"])
def test_box_staff_get_404_and_no_link(cast, events, who):  # type: ignore[no-untyped-def]
    client = _client(getattr(cast, who))
    assert client.get("/audit/").status_code == 404
    assert client.get("/audit/unusual-reading/").status_code == 404
    assert 'href="/audit/"' not in client.get("/map/").text


def test_anonymous_users_are_sent_to_the_login(db):  # type: ignore[no-untyped-def]
    assert Client().get("/audit/").status_code == 302


def test_filters_narrow_the_trail(cast, events):  # type: ignore[no-untyped-def]
    client = _client(cast.planner)
    assert _notes(client.get("/audit/", {"actor": "officer_a"})) == {"north change"}
    assert _notes(client.get("/audit/", {"text": "south"})) == {"south change"}
    assert _notes(client.get("/audit/", {"action": "organization.policebox.update"})) == {
        "north change",
        "south change",
    }
    assert _notes(client.get("/audit/", {"kind": "lostfound.founditem"})) == set()  # not a choice: invalid
    day = timezone.localtime(events["north"].at).date()  # the filter takes local days
    assert len(_notes(client.get("/audit/", {"date_from": day.isoformat(), "date_to": day.isoformat()}))) == 2
    later = (day + datetime.timedelta(days=2)).isoformat()
    assert _notes(client.get("/audit/", {"date_from": later})) == set()


def test_a_reversed_date_range_is_refused_on_the_field(cast, events):  # type: ignore[no-untyped-def]
    response = _client(cast.planner).get("/audit/", {"date_from": "2026-03-05", "date_to": "2026-03-01"})
    assert response.status_code == 200
    assert "The end date is before the start date." in response.text


def test_the_trail_is_paginated(cast):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        for n in range(55):
            record(cast.officer_a, "organization.policebox.update", cast.box_a, note=f"n{n}")
    client = _client(cast.chief_north)
    changes = {"action": "organization.policebox.update"}
    first = client.get("/audit/", changes)
    assert len(first.context["page"]) == 50 and 'rel="next"' in first.text
    assert len(client.get("/audit/", {**changes, "page": 2}).context["page"]) == 5


def test_the_csv_export_holds_the_filtered_trail_and_is_itself_audited(cast, events):  # type: ignore[no-untyped-def]
    response = _client(cast.chief_north).get(
        "/audit/", {"export": "csv", "action": "organization.policebox.update"}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["note"] for row in rows] == ["north change"]
    assert rows[0]["actor_name"] == "officer_a" and rows[0]["action"] == "organization.policebox.update"
    export = AuditEvent.objects.get(action="audit.auditevent.read")
    assert export.actor == cast.chief_north and export.after["what"] == "csv export"
    assert export.after["ids"] == [str(events["north"].pk)] and export.station_id == cast.north.pk


@time_machine.travel(T0, tick=False)
def test_the_unusual_reading_report_lists_the_reader_far_above_the_peers(cast):  # type: ignore[no-untyped-def]
    officers = [cast.officer_a, cast.officer_b] + [
        make_user("box_officer", f"extra{n}", agency=cast.agency, station=cast.north, box=cast.box_a)
        for n in range(3)
    ]
    for officer, many in zip(officers, [400, 12, 10, 11, 9], strict=True):
        for _ in range(many // 3):
            record_read(officer, [cast.box_a, cast.box_a, cast.box_a], ["finder_name"])
    response = _client(cast.chief_north).get("/audit/unusual-reading/", {"days": 7, "k": 3, "min_count": 10})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.reader for row in rows] == [cast.officer_a]
    assert rows[0].finding.count == 399 and rows[0].peers == 5
    assert "officer_a" in response.text
    # Outside the window nothing is unusual.
    with time_machine.travel(T0 + datetime.timedelta(days=8), tick=False):
        later = _client(cast.chief_north).get("/audit/unusual-reading/", {"days": 7})
    assert later.context["rows"] == []


def test_bad_report_settings_are_refused_on_the_field(cast):  # type: ignore[no-untyped-def]
    response = _client(cast.planner).get("/audit/unusual-reading/", {"days": "0", "k": "abc"})
    assert response.status_code == 200
    assert 'id="error-days"' in response.text and 'id="error-k"' in response.text
