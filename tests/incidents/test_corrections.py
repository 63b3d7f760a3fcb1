"""Correcting an incident's facts and reopening it: service, API and page."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from koban.audit.models import AuditEvent
from koban.incidents.models import Incident, IncidentCategory, Status
from koban.incidents.services import (
    cancel_incident,
    clear_incident,
    correct_incident,
    intake_incident,
    mark_arrived,
    reopen_incident,
)
from tests.factories import PASSWORD
from tests.personas import LAT, LON

NOW = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def incident(cast, theft) -> Incident:  # type: ignore[no-untyped-def]
    received = NOW - datetime.timedelta(minutes=20)
    return intake_incident(
        cast.officer_a,
        category=theft,
        received_at=received,
        lon=LON + 0.005,
        lat=LAT + 0.002,
        address="駅前1-1",
    ).incident


def login(client, username):  # type: ignore[no-untyped-def]
    assert client.login(username=username, password=PASSWORD)
    return client


def patch(client, incident, **body):  # type: ignore[no-untyped-def]
    return client.patch(f"/api/v1/incidents/{incident.pk}/", body, content_type="application/json")


def test_correcting_category_priority_address_and_description_is_recorded(client, cast, incident, assault):  # type: ignore[no-untyped-def]
    response = patch(
        login(client, "officer_a"),
        incident,
        category="assault",
        priority=1,
        address="駅前2-3",
        description="Two people fighting",
        reason="caller re-rang",
    )
    assert response.status_code == 200, response.json()
    props = response.json()["properties"]
    assert (props["category"], props["priority"], props["address"]) == ("assault", 1, "駅前2-3")
    assert props["status"] == Status.RECEIVED
    corrected = [e for e in props["events"] if e["action"] == "corrected"]
    assert len(corrected) == 1
    assert "駅前1-1 → 駅前2-3" in corrected[0]["note"] and "caller re-rang" in corrected[0]["note"]
    audit = AuditEvent.objects.get(action="incident.correct")
    assert audit.before["priority"] == assault.default_priority or audit.before["priority"] != 1
    assert audit.after["priority"] == 1 and audit.after["address"] == "駅前2-3"


def test_a_new_point_places_the_incident_again(client, cast, incident):  # type: ignore[no-untyped-def]
    response = patch(login(client, "chief_north"), incident, lon=LON + 0.015, lat=LAT + 0.002)
    assert response.status_code == 200, response.json()
    incident.refresh_from_db()
    assert (incident.box, incident.beat, incident.station) == (cast.box_b, cast.beat_b, cast.north)
    note = incident.events.get(action="corrected").note
    assert "A-1" in note and "B-1" in note


def test_a_point_outside_every_beat_is_flagged(cast, incident):  # type: ignore[no-untyped-def]
    changed = correct_incident(cast.planner, incident, lon=LON + 0.5, lat=LAT + 0.5)
    incident.refresh_from_db()
    assert "location" in changed
    assert incident.outside_jurisdiction and incident.box is None and incident.beat is None
    assert incident.agency == cast.agency


def test_nothing_changed_writes_nothing(cast, incident):  # type: ignore[no-untyped-def]
    assert correct_incident(cast.officer_a, incident, address="駅前1-1", priority=incident.priority) == []
    assert not incident.events.filter(action="corrected").exists()
    assert not AuditEvent.objects.filter(action="incident.correct").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"priority": 9}, "priority"),
        ({"lat": LAT}, "lon"),
        ({"lat": 1e150, "lon": LON}, "lat"),
        ({"category": "no-such"}, "category"),
        ({"address": "x" * 301}, "address"),
        ({"lon": "east", "lat": LAT}, "lon"),
    ],
)
def test_bad_corrections_name_the_field_and_change_nothing(client, cast, incident, body, field):  # type: ignore[no-untyped-def]
    response = patch(login(client, "officer_a"), incident, **body)
    assert response.status_code == 400
    assert field in response.json()
    assert not incident.events.filter(action="corrected").exists()
    assert Incident.objects.get(pk=incident.pk).box == cast.box_a


def test_an_inactive_category_is_refused(cast, incident, assault):  # type: ignore[no-untyped-def]
    IncidentCategory.objects.filter(pk=assault.pk).update(active=False)
    assault.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        correct_incident(cast.officer_a, incident, category=assault)
    assert "category" in excinfo.value.message_dict


def test_removing_the_address_of_an_incident_without_a_point_is_refused(cast, theft):  # type: ignore[no-untyped-def]
    incident = intake_incident(
        cast.officer_a, category=theft, received_at=NOW, address="北町3-4", agency=cast.agency
    ).incident
    with pytest.raises(ValidationError) as excinfo:
        correct_incident(cast.officer_a, incident, address="  ")
    assert "address" in excinfo.value.message_dict


@pytest.mark.parametrize(
    ("username", "status"), [("counsellor_a", 403), ("officer_b", 404), ("outsider", 404)]
)
def test_only_police_of_the_incident_may_correct_it(client, cast, incident, username, status):  # type: ignore[no-untyped-def]
    response = patch(login(client, username), incident, priority=1)
    assert response.status_code == status
    assert Incident.objects.get(pk=incident.pk).priority == incident.priority


def test_put_is_not_offered(client, cast, incident):  # type: ignore[no-untyped-def]
    response = login(client, "officer_a").put(
        f"/api/v1/incidents/{incident.pk}/", {"priority": 1}, content_type="application/json"
    )
    assert response.status_code == 405


def test_reopening_a_cleared_incident_goes_back_to_on_scene(client, cast, incident):  # type: ignore[no-untyped-def]
    mark_arrived(cast.officer_a, incident, at=NOW - datetime.timedelta(minutes=10))
    clear_incident(cast.officer_a, incident, at=NOW - datetime.timedelta(minutes=5))
    response = login(client, "officer_a").post(
        f"/api/v1/incidents/{incident.pk}/reopen/",
        {"note": "suspect came back"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    props = response.json()["properties"]
    assert props["status"] == Status.ON_SCENE and props["cleared_at"] is None
    last = props["events"][-1]
    assert (last["action"], last["from_status"], last["to_status"]) == ("reopened", "cleared", "on_scene")
    audit = AuditEvent.objects.get(action="incident.reopen")
    assert audit.before["status"] == "cleared" and audit.after["status"] == "on_scene"


def test_reopening_a_cancelled_call_makes_it_received_again(cast, incident):  # type: ignore[no-untyped-def]
    cancel_incident(cast.officer_a, incident, note="duplicate")
    reopened = reopen_incident(cast.chief_north, incident, "not a duplicate after all")
    assert reopened.status == Status.RECEIVED and reopened.is_open


def test_reopening_needs_a_reason_and_a_closed_incident(client, cast, incident):  # type: ignore[no-untyped-def]
    login(client, "officer_a")
    response = client.post(
        f"/api/v1/incidents/{incident.pk}/reopen/", {"note": "x"}, content_type="application/json"
    )
    assert response.status_code == 400 and "status" in response.json()
    cancel_incident(cast.officer_a, incident, note="duplicate")
    response = client.post(f"/api/v1/incidents/{incident.pk}/reopen/", {}, content_type="application/json")
    assert response.status_code == 400 and "note" in response.json()
    assert Incident.objects.get(pk=incident.pk).status == Status.CANCELLED


def test_a_counsellor_cannot_reopen(cast, incident):  # type: ignore[no-untyped-def]
    cancel_incident(cast.officer_a, incident, note="duplicate")
    with pytest.raises(PermissionDenied):
        reopen_incident(cast.counsellor_a, incident, "I think it was real")


def test_the_detail_page_corrects_and_reopens(client, cast, incident):  # type: ignore[no-untyped-def]
    login(client, "officer_a")
    page = client.get(f"/incidents/{incident.pk}/")
    assert b'id="correct"' in page.content
    response = client.post(
        f"/incidents/{incident.pk}/correct/",
        {
            "category": "theft",
            "priority": "2",
            "lat": "",
            "lon": "",
            "address": "駅前5-5",
            "description": "",
            "reason": "typo",
        },
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.address, incident.priority, incident.box) == ("駅前5-5", 2, cast.box_a)
    cancel_incident(cast.officer_a, incident, note="duplicate")
    assert b"Reopen" in client.get(f"/incidents/{incident.pk}/").content
    client.post(f"/incidents/{incident.pk}/reopen/", {"note": "real after all"})
    incident.refresh_from_db()
    assert incident.status == Status.RECEIVED


def test_a_bad_correction_on_the_page_shows_the_field(client, cast, incident):  # type: ignore[no-untyped-def]
    login(client, "officer_a")
    response = client.post(
        f"/incidents/{incident.pk}/correct/",
        {"category": "theft", "priority": "9", "address": "x"},
        follow=True,
    )
    assert "Priority" in response.content.decode()
    incident.refresh_from_db()
    assert incident.address == "駅前1-1"


def test_the_officer_who_took_an_address_only_call_may_place_it(cast, theft):  # type: ignore[no-untyped-def]
    incident = intake_incident(
        cast.officer_a, category=theft, received_at=NOW, address="北町3-4", agency=cast.agency
    ).incident
    with pytest.raises(PermissionDenied):
        correct_incident(cast.officer_b, incident, lon=LON + 0.015, lat=LAT + 0.002)
    correct_incident(cast.officer_a, incident, lon=LON + 0.015, lat=LAT + 0.002)
    incident.refresh_from_db()
    assert incident.box == cast.box_b and not incident.outside_jurisdiction
    # Now box B is responsible: its officers, not the one who took the call, correct it further.
    with pytest.raises(PermissionDenied):
        correct_incident(cast.officer_a, incident, priority=1)
