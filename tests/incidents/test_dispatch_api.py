"""The dispatch API: ranked officers and patrol cars with travel time, method and route; sending them
by officer ids or a car id; bad input answers 400 naming the field, others' ids 404."""

from __future__ import annotations

import datetime

import pytest

from koban.accounts.models import Role
from koban.audit.models import AuditEvent
from koban.incidents.models import Dispatch
from koban.incidents.services import intake_incident
from koban.rosters.models import DutyRecord, PatrolCar
from koban.rosters.services import assign_crew
from tests import clock
from tests.factories import PASSWORD, make_user
from tests.incidents.conftest import minutes_ago
from tests.personas import LAT, LON

URL = "/api/v1/incidents/"


def on_duty(box, *officers):  # type: ignore[no-untyped-def]
    for officer in officers:
        DutyRecord.objects.create(
            box=box, officer=officer, signed_on_at=clock.now() - datetime.timedelta(hours=2)
        )


@pytest.fixture
def incident(cast, theft):  # type: ignore[no-untyped-def]
    """An incident of box A, with box A's and box B's officers on duty."""
    on_duty(cast.box_a, cast.officer_a)
    on_duty(cast.box_b, cast.officer_b)
    return intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(5), lon=LON + 0.003, lat=LAT + 0.003
    ).incident


@pytest.fixture
def api(client, cast):  # type: ignore[no-untyped-def]
    assert client.login(username="officer_a", password=PASSWORD)
    return client


def post(client, incident, body):  # type: ignore[no-untyped-def]
    return client.post(f"{URL}{incident.pk}/dispatch/", body, content_type="application/json")


def test_suggestions_rank_officers_with_time_method_and_route(api, cast, incident):  # type: ignore[no-untyped-def]
    body = api.get(f"{URL}{incident.pk}/suggestions/").json()
    assert [(s["kind"], s["officers"][0]["id"]) for s in body] == [
        ("officer", cast.officer_a.pk),
        ("officer", cast.officer_b.pk),
    ]
    first = body[0]
    assert first["method"] == "straight_line" and first["preempts"] is False and first["unit"] is None
    assert first["travel_s"] == pytest.approx(first["distance_m"] / (15 / 3.6), abs=0.2)
    assert first["route"]["type"] == "LineString"
    assert first["route"]["coordinates"][0] == pytest.approx([LON + 0.003, LAT + 0.003])
    assert first["route"]["coordinates"][-1] == pytest.approx([cast.box_a.location.x, cast.box_a.location.y])


def test_backup_suggestions_and_dispatch_from_another_box(api, cast, incident):  # type: ignore[no-untyped-def]
    assert post(api, incident, {"officers": [cast.officer_a.pk]}).status_code == 200
    backup = api.get(f"{URL}{incident.pk}/suggestions/?backup=true").json()
    assert [s["officers"][0]["id"] for s in backup] == [cast.officer_b.pk]
    sent = post(api, incident, {"officers": [cast.officer_b.pk], "note": "backup"})
    assert sent.status_code == 200
    assert [d["box"] for d in sent.json()["properties"]["dispatches"]] == [cast.box_a.pk, cast.box_b.pk]
    assert AuditEvent.objects.filter(action="incident.dispatch", note=str(cast.box_b)).exists()
    # Officer B, sent as backup, sees the incident and records the arrival.
    api.logout()
    assert api.login(username="officer_b", password=PASSWORD)
    assert api.post(f"{URL}{incident.pk}/arrive/", {}, content_type="application/json").status_code == 200


def test_a_patrol_car_is_suggested_and_sent_by_its_id(api, cast, incident):  # type: ignore[no-untyped-def]
    car = PatrolCar.objects.create(call_sign="North 1", box=cast.box_b)
    assign_crew(
        cast.chief_north,
        car,
        [cast.officer_b],
        clock.now() - datetime.timedelta(hours=1),
        clock.now() + datetime.timedelta(hours=7),
    )
    body = api.get(f"{URL}{incident.pk}/suggestions/").json()
    unit = next(s for s in body if s["kind"] == "unit")
    assert unit["unit"] == {"id": car.pk, "call_sign": "North 1", "kind": "patrol_car"}
    assert [o["id"] for o in unit["officers"]] == [cast.officer_b.pk]
    assert not any(s["kind"] == "officer" and s["officers"][0]["id"] == cast.officer_b.pk for s in body)
    sent = post(api, incident, {"unit": car.pk})
    assert sent.status_code == 200
    assert sent.json()["properties"]["dispatches"][0]["unit"] == "North 1"
    dispatch = Dispatch.objects.get(incident=incident)
    assert dispatch.unit == car and list(dispatch.officers.all()) == [cast.officer_b]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"officers": ["x"]}, "officers"),
        ({"officers": "everyone"}, "officers"),
        ({"unit": "car"}, "unit"),
        ({"box": []}, "box"),
        ({}, "officers"),
        ({"note": "nobody named"}, "officers"),
    ],
)
def test_bad_input_answers_400_naming_the_field(api, incident, body, field):  # type: ignore[no-untyped-def]
    response = post(api, incident, body)
    assert response.status_code == 400
    assert field in response.json()
    assert not incident.dispatches.exists()


def test_officers_of_two_boxes_at_once_are_refused(api, cast, incident):  # type: ignore[no-untyped-def]
    response = post(api, incident, {"officers": [cast.officer_a.pk, cast.officer_b.pk]})
    assert response.status_code == 400 and "officers" in response.json()


def test_a_bad_backup_flag_answers_400(api, incident):  # type: ignore[no-untyped-def]
    response = api.get(f"{URL}{incident.pk}/suggestions/?backup=maybe")
    assert response.status_code == 400 and "backup" in response.json()


def test_ids_of_others_answer_404(api, cast, incident):  # type: ignore[no-untyped-def]
    officer_c = make_user(
        Role.BOX_OFFICER, "officer_c", agency=cast.agency, station=cast.south, box=cast.box_c
    )
    car_c = PatrolCar.objects.create(call_sign="South 1", box=cast.box_c)
    before = AuditEvent.objects.filter(action="access.denied").count()
    assert post(api, incident, {"officers": [officer_c.pk]}).status_code == 404
    assert post(api, incident, {"officers": [999999]}).status_code == 404
    assert post(api, incident, {"unit": car_c.pk}).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied").count() == before + 3
    assert not incident.dispatches.exists()


def test_a_counsellor_may_not_ask_or_send(client, cast, incident):  # type: ignore[no-untyped-def]
    assert client.login(username="counsellor_a", password=PASSWORD)
    assert client.get(f"{URL}{incident.pk}/suggestions/").status_code == 403
    assert post(client, incident, {"officers": [cast.officer_a.pk]}).status_code == 403
