from __future__ import annotations

import datetime

import pytest

from koban.audit.models import AuditEvent
from koban.incidents.models import Incident, IncidentEvent, Status
from koban.incidents.services import intake_incident
from koban.rosters.models import DutyRecord
from tests import clock
from tests.factories import PASSWORD
from tests.incidents.conftest import minutes_ago
from tests.personas import LAT, LON

URL = "/api/v1/incidents/"


def login(client, username):  # type: ignore[no-untyped-def]
    assert client.login(username=username, password=PASSWORD)
    return client


def intake(client, **fields):  # type: ignore[no-untyped-def]
    body = {"category": "theft", "lat": LAT + 0.005, "lon": LON + 0.005} | fields
    headers = {}
    if "key" in body:
        headers["HTTP_IDEMPOTENCY_KEY"] = body.pop("key")
    return client.post(URL, body, content_type="application/json", **headers)


def test_intake_answers_201_with_the_beat_and_box(client, cast):  # type: ignore[no-untyped-def]
    response = intake(login(client, "officer_a"))
    assert response.status_code == 201, response.json()
    props = response.json()["properties"]
    assert props["box"] == cast.box_a.pk and props["beat_code"] == "A-1"
    assert props["status"] == Status.RECEIVED and not props["outside_jurisdiction"]


def test_the_same_idempotency_key_answers_200_with_the_same_incident(client, cast):  # type: ignore[no-untyped-def]
    login(client, "officer_a")
    first = intake(client, key="call-0042")
    second = intake(client, key="call-0042", description="resubmitted after a timeout")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Incident.objects.count() == 1


def test_the_key_may_also_come_as_a_field(client, cast):  # type: ignore[no-untyped-def]
    login(client, "officer_a")
    assert intake(client, idempotency_key="f-1").status_code == 201
    assert intake(client, idempotency_key="f-1").status_code == 200


def test_arrival_before_receipt_answers_400_naming_arrived_at(client, cast):  # type: ignore[no-untyped-def]
    received = clock.now() - datetime.timedelta(minutes=10)
    response = intake(
        login(client, "officer_a"),
        received_at=received.isoformat(),
        arrived_at=(received - datetime.timedelta(minutes=1)).isoformat(),
    )
    assert response.status_code == 400
    assert list(response.json()) == ["arrived_at"]
    assert not Incident.objects.exists() and not IncidentEvent.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"lat": 1e150}, "lat"),
        ({"lon": "east"}, "lon"),
        ({"category": "no-such"}, "category"),
        ({"priority": 9}, "priority"),
        ({"lat": None, "lon": None}, "location"),
    ],
)
def test_bad_input_names_the_field(client, cast, fields, field):  # type: ignore[no-untyped-def]
    response = intake(login(client, "officer_a"), **fields)
    assert response.status_code == 400
    assert field in response.json()
    assert not Incident.objects.exists()


def test_a_point_outside_every_beat_is_created_and_flagged(client, cast):  # type: ignore[no-untyped-def]
    response = intake(login(client, "officer_a"), lon=LON - 0.2)
    assert response.status_code == 201
    assert response.json()["properties"]["outside_jurisdiction"] is True


def test_the_list_follows_the_access_rules(client, cast, theft):  # type: ignore[no-untyped-def]
    for lon in (LON + 0.005, LON + 0.015, LON + 0.025):
        intake_incident(cast.planner, category=theft, received_at=minutes_ago(5), lon=lon, lat=LAT + 0.005)
    seen = {}
    for username in ("officer_a", "chief_north", "planner", "outsider"):
        client.logout()
        login(client, username)
        features = client.get(URL).json()["features"]
        seen[username] = sorted(f["properties"]["box_name"] for f in features)
    assert seen["officer_a"] == ["Ekimae Koban"]
    assert seen["chief_north"] == ["Ekimae Koban", "Yamate Chuzaisho"]
    assert seen["planner"] == ["Ekimae Koban", "Minato Koban", "Yamate Chuzaisho"]
    assert seen["outsider"] == []


def test_list_filters_by_status_and_rejects_unknown_ones(client, cast, theft):  # type: ignore[no-untyped-def]
    intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(5), lon=LON + 0.005, lat=LAT + 0.005
    )
    login(client, "officer_a")
    assert len(client.get(URL + "?status=open").json()["features"]) == 1
    assert len(client.get(URL + "?status=cleared").json()["features"]) == 0
    bad = client.get(URL + "?status=lost")
    assert bad.status_code == 400 and "status" in bad.json()


def test_status_actions_through_the_api(client, cast):  # type: ignore[no-untyped-def]
    login(client, "officer_a")
    incident_id = intake(client, received_at=minutes_ago(15).isoformat()).json()["id"]
    base = f"{URL}{incident_id}/"
    sent = client.post(
        base + "dispatch/",
        {"box": cast.box_a.pk, "officers": [cast.officer_a.pk]},
        content_type="application/json",
    )
    assert sent.status_code == 200, sent.json()
    assert client.post(base + "arrive/", {}, content_type="application/json").status_code == 200
    cleared = client.post(base + "clear/", {"note": "settled"}, content_type="application/json")
    assert cleared.status_code == 200
    body = cleared.json()
    assert body["properties"]["status"] == Status.CLEARED
    assert [e["action"] for e in body["properties"]["events"]] == [
        "received",
        "dispatched",
        "arrived",
        "cleared",
    ]
    assert AuditEvent.objects.filter(object_type="incidents.incident").count() == 4
    again = client.post(base + "arrive/", {}, content_type="application/json")
    assert again.status_code == 400 and "status" in again.json()


def test_a_counsellor_cannot_dispatch(client, cast):  # type: ignore[no-untyped-def]
    login(client, "counsellor_a")
    created = intake(client)
    assert created.status_code == 201
    response = client.post(
        f"{URL}{created.json()['id']}/dispatch/", {"box": cast.box_a.pk}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Incident.objects.get().status == Status.RECEIVED


def test_suggestions_endpoint(client, cast):  # type: ignore[no-untyped-def]
    DutyRecord.objects.create(box=cast.box_a, officer=cast.officer_a, signed_on_at=minutes_ago(120))
    login(client, "officer_a")
    incident_id = intake(client).json()["id"]
    suggestions = client.get(f"{URL}{incident_id}/suggestions/").json()
    assert suggestions[0]["box"] == cast.box_a.pk and suggestions[0]["method"] == "straight_line"
    assert suggestions[0]["officers"][0]["id"] == cast.officer_a.pk


def test_response_time_endpoint(client, cast, theft):  # type: ignore[no-untyped-def]
    received = minutes_ago(30)
    for seconds in (240, 480, 720):
        intake_incident(
            cast.officer_a,
            category=theft,
            received_at=received,
            arrived_at=received + datetime.timedelta(seconds=seconds),
            lon=LON + 0.005,
            lat=LAT + 0.005,
        )
    login(client, "officer_a")
    body = client.get("/api/v1/incident-response-times?by=box").json()
    assert body["benchmark_seconds"] == 496
    assert body["groups"][0]["median_s"] == pytest.approx(480)
    assert body["overall"]["count"] == 3
    assert client.get("/api/v1/incident-response-times?by=planet").status_code == 400


def test_categories_endpoint(client, cast):  # type: ignore[no-untyped-def]
    codes = [c["code"] for c in login(client, "officer_a").get("/api/v1/incident-categories/").json()]
    assert "theft" in codes and "lost_child" in codes


def test_impossible_dates_in_filters_answer_400(client, cast):  # type: ignore[no-untyped-def]
    response = login(client, "officer_a").get(URL + "?from=2025-13-45")
    assert response.status_code == 400 and "from" in response.json()


def test_a_point_in_sydney_answers_400_until_an_officer_confirms_it(client, cast):  # type: ignore[no-untyped-def]
    login(client, "officer_a")
    refused = intake(client, lat=-33.86, lon=151.21)
    assert refused.status_code == 400
    assert "km away" in str(refused.json()["outside_confirmed"])
    confirmed = intake(client, lat=-33.86, lon=151.21, outside_confirmed=True)
    assert confirmed.status_code == 201
    assert confirmed.json()["properties"]["outside_jurisdiction"] is True


def test_response_times_give_mean_and_median_against_the_national_mean(client, cast, theft, settings):  # type: ignore[no-untyped-def]
    settings.KOBAN_RESPONSE_BENCHMARK_SECONDS = 496
    received = minutes_ago(60)
    # Skewed like real responses: median 330 s (under 8:16) but mean 600 s (over it).
    for seconds in (240, 300, 360, 1500):
        intake_incident(
            cast.officer_a,
            category=theft,
            received_at=received,
            arrived_at=received + datetime.timedelta(seconds=seconds),
            lon=LON + 0.005,
            lat=LAT + 0.005,
        )
    login(client, "officer_a")
    body = client.get("/api/v1/incident-response-times?by=box").json()
    assert body["benchmark_is"] == "national_mean"
    overall = body["overall"]
    assert (overall["mean_s"], overall["median_s"]) == (pytest.approx(600), pytest.approx(330))
    assert overall["mean_above_benchmark"] is True
    page = client.get("/incidents/response-times/?by=box").content.decode()
    assert "10:00" in page and "5:30" in page and "8:16" in page
    section = client.get(f"/boxes/{cast.box_a.pk}/dashboard/sections/response_times/").content.decode()
    assert 'data-testid="response-mean" class="slow">10:00' in section
    assert 'data-testid="response-median">5:30' in section
