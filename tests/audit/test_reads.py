"""Reads of personal data leave ONE audit row per request, naming the records and the fields shown."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client

from koban.audit.models import AuditEvent
from koban.counter.models import CounterCategory, Outcome
from koban.counter.services import record_matter
from koban.incidents.models import IncidentCategory
from koban.incidents.services import intake_incident
from koban.patrols import services as patrols
from tests.lostfound.helpers import receive
from tests.personas import LAT, LON

T0 = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)
LINE = {"type": "LineString", "coordinates": [[139.701, 35.6015], [139.705, 35.6015]]}


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _reads():  # type: ignore[no-untyped-def]
    return AuditEvent.objects.filter(action__endswith=".read")


def test_the_holding_box_reading_a_finder_leaves_one_row_with_the_fields(cast):  # type: ignore[no-untyped-def]
    item = receive(cast.officer_a, cast.box_a)
    response = _client(cast.officer_a).get(f"/lost-found/items/{item.pk}/")
    assert response.status_code == 200 and "山田太郎" in response.text
    read = _reads().get()
    assert read.action == "lostfound.founditem.read" and read.actor == cast.officer_a
    assert read.object_id == str(item.pk) and read.records_read == 1
    assert read.after["fields"] == ["finder_contact", "finder_email", "finder_name"]
    assert read.after["path"] == f"/lost-found/items/{item.pk}/"
    assert read.station_id == cast.north.pk and read.agency_id == cast.agency.pk


def test_masked_details_leave_no_read_row(cast):  # type: ignore[no-untyped-def]
    item = receive(cast.officer_a, cast.box_a)
    response = _client(cast.officer_b).get(f"/lost-found/items/{item.pk}/")
    assert response.status_code == 200 and "山田太郎" not in response.text
    assert not _reads().exists()


def test_a_refused_request_leaves_no_read_row(cast):  # type: ignore[no-untyped-def]
    item = receive(cast.officer_a, cast.box_a)
    response = _client(cast.outsider).get(f"/lost-found/items/{item.pk}/")
    assert response.status_code in (403, 404)
    assert not _reads().exists()


def test_an_api_list_of_items_is_one_row_naming_every_item(cast):  # type: ignore[no-untyped-def]
    items = [receive(cast.officer_a, cast.box_a, day=f"2026-01-1{n}") for n in range(3)]
    response = _client(cast.chief_north).get("/api/v1/lost-found/items/")
    assert response.status_code == 200
    read = _reads().get()
    assert read.records_read == 3 and read.object_id == "*"
    assert sorted(read.after["ids"]) == sorted(str(i.pk) for i in items)
    assert read.station_id == cast.north.pk


def test_the_receipt_records_the_finder_read(cast):  # type: ignore[no-untyped-def]
    item = receive(cast.officer_a, cast.box_a)
    assert _client(cast.officer_a).get(f"/lost-found/items/{item.pk}/receipt/").status_code == 200
    assert _reads().get().after["fields"] == ["finder_name"]


@time_machine.travel(T0, tick=False)
def test_the_counter_log_records_the_persons_in_custody_it_shows(cast):  # type: ignore[no-untyped-def]
    custody = CounterCategory.objects.get(code="lost-child")
    directions = CounterCategory.objects.get(code="directions")
    now = T0  # the log shows today's matters
    shown = []
    for n in range(2):
        matter, _ = record_matter(
            cast.officer_a,
            cast.box_a,
            received_at=now - datetime.timedelta(minutes=10 + n),
            category=custody,
            summary="Child found at the exit",
            person_description=f"Child {n}, red cap",
            outcome=Outcome.OPEN,
        )
        shown.append(str(matter.pk))
    record_matter(
        cast.officer_a,
        cast.box_a,
        received_at=now - datetime.timedelta(minutes=5),
        category=directions,
        summary="Way",
    )
    assert _client(cast.officer_a).get(f"/counter/boxes/{cast.box_a.pk}/").status_code == 200
    read = _reads().get()
    assert read.action == "counter.countermatter.read" and sorted(read.after["ids"]) == sorted(shown)
    assert read.after["fields"] == ["handed_over_to", "person_description"]


def test_a_patrol_page_records_its_cards_and_observations(cast):  # type: ignore[no-untyped-def]
    patrol = patrols.record_drawn_patrol(
        cast.officer_a,
        cast.box_a,
        LINE,
        officers=[cast.officer_a],
        started_at=T0,
        ended_at=T0 + datetime.timedelta(hours=1),
    )
    card = patrols.add_card(
        cast.officer_a, patrol, address="1-2-3 Ekimae", left_at=T0 + datetime.timedelta(minutes=5)
    )
    assert _client(cast.chief_north).get(f"/patrols/{patrol.pk}/").status_code == 200
    read = _reads().get(action="patrols.patrolcard.read")
    assert read.after["ids"] == [str(card.pk)] and read.actor == cast.chief_north
    assert read.station_id == cast.north.pk
    assert _client(cast.officer_a).get(f"/api/v1/patrols/{patrol.pk}/").status_code == 200
    assert _reads().filter(action="patrols.patrolcard.read").count() == 2


def test_an_incident_with_a_description_records_its_read(cast):  # type: ignore[no-untyped-def]
    theft = IncidentCategory.objects.get(code="theft")
    incident = intake_incident(
        cast.officer_a,
        category=theft,
        received_at=T0,
        lon=LON + 0.005,
        lat=LAT + 0.005,
        description="Caller Sato, 090-0000-1111, bicycle taken",
    ).incident
    assert _client(cast.officer_a).get(f"/incidents/{incident.pk}/").status_code == 200
    read = _reads().get()
    assert read.action == "incidents.incident.read" and read.after["fields"] == ["description"]


@pytest.mark.parametrize("url", ["/lost-found/", "/lost-found/reports/"])
def test_lists_without_personal_fields_leave_no_row(cast, url):  # type: ignore[no-untyped-def]
    receive(cast.officer_a, cast.box_a)
    assert _client(cast.officer_a).get(url).status_code == 200
    assert not _reads().exists()


def test_a_read_row_for_many_records_costs_a_few_queries_not_one_per_record(
    cast, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    from koban.audit.services import record_read

    patrol = patrols.record_drawn_patrol(
        cast.officer_a,
        cast.box_a,
        LINE,
        officers=[cast.officer_a],
        started_at=T0,
        ended_at=T0 + datetime.timedelta(hours=1),
    )
    for n in range(12):
        patrols.add_card(
            cast.officer_a, patrol, address=f"{n}-1 Ekimae", left_at=T0 + datetime.timedelta(minutes=n)
        )
    cards = list(patrol.cards.all())
    # The boxes' stations in one query, the station's agency in one, the row itself in one.
    with django_assert_max_num_queries(3):
        read = record_read(cast.officer_a, cards, ["address"])
    assert read is not None and read.records_read == 12 and read.station_id == cast.north.pk


@time_machine.travel(T0, tick=False)
def test_a_log_shown_again_with_a_form_error_still_records_its_read(cast):  # type: ignore[no-untyped-def]
    record_matter(
        cast.officer_a,
        cast.box_a,
        received_at=T0 - datetime.timedelta(minutes=10),
        category=CounterCategory.objects.get(code="lost-child"),
        summary="Child found at the exit",
        person_description="Child, red cap",
        outcome=Outcome.OPEN,
    )
    response = _client(cast.officer_a).post(f"/counter/boxes/{cast.box_a.pk}/", {"summary": ""})
    assert response.status_code == 400 and "Child, red cap" in response.text
    assert _reads().get().action == "counter.countermatter.read"
