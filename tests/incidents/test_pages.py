from __future__ import annotations

import datetime

from koban.incidents.models import Incident, Status
from koban.incidents.services import intake_incident
from tests.factories import PASSWORD
from tests.incidents.conftest import minutes_ago
from tests.personas import LAT, LON


def login(client, username):  # type: ignore[no-untyped-def]
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_intake_form_records_an_incident_once(client, cast):  # type: ignore[no-untyped-def]
    login(client, "officer_a")
    page = client.get("/incidents/new/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "intake-map" in page.text
    key = page.context["form"]["idempotency_key"].value()
    data = {
        "category": "theft",
        "source": "call_110",
        "received_at": minutes_ago(2).strftime("%Y-%m-%d %H:%M:%S"),
        "lat": LAT + 0.005,
        "lon": LON + 0.005,
        "idempotency_key": key,
    }
    first = client.post("/incidents/new/", data)
    second = client.post("/incidents/new/", data)
    assert first.status_code == 302 and second["Location"] == first["Location"]
    incident = Incident.objects.get()
    assert incident.box == cast.box_a


def test_the_intake_form_names_a_bad_latitude(client, cast):  # type: ignore[no-untyped-def]
    login(client, "officer_a")
    response = client.post(
        "/incidents/new/",
        {
            "category": "theft",
            "source": "call_110",
            "received_at": minutes_ago(2).strftime("%Y-%m-%d %H:%M:%S"),
            "lat": 95,
            "lon": LON,
            "idempotency_key": "x",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.context["form"].errors["lat"]
    assert not Incident.objects.exists()


def test_detail_page_shows_suggestions_and_history_and_runs_actions(client, cast, theft):  # type: ignore[no-untyped-def]
    incident = intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(10), lon=LON + 0.005, lat=LAT + 0.005
    ).incident
    login(client, "officer_a")
    page = client.get(f"/incidents/{incident.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Ekimae Koban" in page.text and "Dispatch suggestions" in page.text
    client.post(f"/incidents/{incident.pk}/dispatch/", {"box": cast.box_a.pk})
    client.post(f"/incidents/{incident.pk}/arrive/")
    client.post(f"/incidents/{incident.pk}/clear/", {"note": "done"})
    incident.refresh_from_db()
    assert incident.status == Status.CLEARED
    assert incident.events.count() == 4


def test_a_counsellor_sees_no_dispatch_button_and_cannot_post_one(client, cast, theft):  # type: ignore[no-untyped-def]
    incident = intake_incident(
        cast.counsellor_a, category=theft, received_at=minutes_ago(10), lon=LON + 0.005, lat=LAT + 0.005
    ).incident
    login(client, "counsellor_a")
    page = client.get(f"/incidents/{incident.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and 'name="box"' not in page.text
    assert client.post(f"/incidents/{incident.pk}/dispatch/", {"box": cast.box_a.pk}).status_code == 403


def test_the_list_hides_other_stations_incidents(client, cast, theft):  # type: ignore[no-untyped-def]
    other = intake_incident(
        cast.planner, category=theft, received_at=minutes_ago(10), lon=LON + 0.025, lat=LAT + 0.005
    ).incident
    login(client, "officer_a")
    assert client.get("/incidents/").status_code == 200
    assert client.get(f"/incidents/{other.pk}/").status_code == 404


def test_response_times_page_draws_a_chart(client, cast, theft):  # type: ignore[no-untyped-def]
    received = minutes_ago(30)
    intake_incident(
        cast.officer_a,
        category=theft,
        received_at=received,
        arrived_at=received + datetime.timedelta(minutes=9),
        lon=LON + 0.005,
        lat=LAT + 0.005,
    )
    login(client, "chief_north")
    page = client.get("/incidents/response-times/?by=box", HTTP_ACCEPT_LANGUAGE="ja")
    assert page.status_code == 200
    assert "<svg" in page.text and "9:00" in page.text and "Ekimae Koban" in page.text


def test_a_bad_action_time_is_reported_not_crashed(client, cast, theft):  # type: ignore[no-untyped-def]
    incident = intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(10), lon=LON + 0.005, lat=LAT + 0.005
    ).incident
    login(client, "officer_a")
    response = client.post(f"/incidents/{incident.pk}/arrive/", {"at": "yesterday-ish"})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.RECEIVED
