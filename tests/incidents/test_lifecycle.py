from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from koban.audit.models import AuditEvent
from koban.incidents.lifecycle import can_transition
from koban.incidents.models import Status
from koban.incidents.services import (
    cancel_incident,
    clear_incident,
    dispatch_units,
    intake_incident,
    mark_arrived,
)
from tests.incidents.conftest import minutes_ago
from tests.personas import LAT, LON


@pytest.fixture
def incident(cast, theft):  # type: ignore[no-untyped-def]
    return intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(20), lon=LON + 0.005, lat=LAT + 0.002
    ).incident


@pytest.mark.parametrize(
    ("before", "after", "allowed"),
    [
        (Status.RECEIVED, Status.DISPATCHED, True),
        (Status.RECEIVED, Status.CLEARED, True),
        (Status.DISPATCHED, Status.ON_SCENE, True),
        (Status.ON_SCENE, Status.CLEARED, True),
        (Status.DISPATCHED, Status.CLEARED, False),
        (Status.ON_SCENE, Status.CANCELLED, False),
        (Status.CLEARED, Status.RECEIVED, False),
        (Status.CANCELLED, Status.DISPATCHED, False),
    ],
)
def test_transition_rules(before, after, allowed):  # type: ignore[no-untyped-def]
    assert can_transition(before, after) is allowed


def test_the_full_lifecycle_is_recorded(cast, incident):  # type: ignore[no-untyped-def]
    dispatch_units(cast.officer_a, incident, cast.box_a, [cast.officer_a], at=minutes_ago(19))
    mark_arrived(cast.officer_a, incident, at=minutes_ago(12))
    clear_incident(cast.officer_a, incident, at=minutes_ago(2), note="Bicycle found")
    incident.refresh_from_db()
    assert incident.status == Status.CLEARED
    assert incident.response_seconds == pytest.approx(8 * 60, abs=1)
    history = list(incident.events.values_list("from_status", "to_status"))
    assert history == [
        ("", Status.RECEIVED),
        (Status.RECEIVED, Status.DISPATCHED),
        (Status.DISPATCHED, Status.ON_SCENE),
        (Status.ON_SCENE, Status.CLEARED),
    ]
    actions = list(AuditEvent.objects.for_object(incident).order_by("id").values_list("action", flat=True))
    assert actions == ["incident.intake", "incident.dispatch", "incident.arrive", "incident.clear"]
    arrive = AuditEvent.objects.for_object(incident).get(action="incident.arrive")
    assert arrive.before["status"] == Status.DISPATCHED and arrive.after["status"] == Status.ON_SCENE
    assert incident.dispatches.get().arrived_at == incident.arrived_at


def test_a_cleared_incident_cannot_be_dispatched_again(cast, incident):  # type: ignore[no-untyped-def]
    clear_incident(cast.officer_a, incident, note="advice given")
    with pytest.raises(ValidationError) as error:
        dispatch_units(cast.officer_a, incident, cast.box_a)
    assert "status" in error.value.message_dict


def test_arrival_needs_a_dispatch_or_a_received_incident(cast, incident):  # type: ignore[no-untyped-def]
    cancel_incident(cast.officer_a, incident, note="duplicate call")
    with pytest.raises(ValidationError) as error:
        mark_arrived(cast.officer_a, incident)
    assert "status" in error.value.message_dict


def test_arrival_before_dispatch_is_refused(cast, incident):  # type: ignore[no-untyped-def]
    dispatch_units(cast.officer_a, incident, cast.box_a, at=minutes_ago(10))
    with pytest.raises(ValidationError) as error:
        mark_arrived(cast.officer_a, incident, at=minutes_ago(15))
    assert "arrived_at" in error.value.message_dict
    incident.refresh_from_db()
    assert incident.status == Status.DISPATCHED and incident.arrived_at is None


def test_cancelling_needs_a_reason(cast, incident):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        cancel_incident(cast.officer_a, incident, note=" ")
    assert "note" in error.value.message_dict


def test_a_counsellor_cannot_dispatch(cast, incident):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        dispatch_units(cast.counsellor_a, incident, cast.box_a)
    incident.refresh_from_db()
    assert incident.status == Status.RECEIVED and not incident.dispatches.exists()


def test_an_officer_cannot_dispatch_another_box(cast, incident):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        dispatch_units(cast.officer_a, incident, cast.box_c)


def test_the_chief_dispatches_any_box_of_the_station(cast, incident):  # type: ignore[no-untyped-def]
    dispatch_units(cast.chief_north, incident, cast.box_b, [cast.officer_b])
    incident.refresh_from_db()
    assert incident.status == Status.DISPATCHED
    assert list(incident.dispatches.get().officers.all()) == [cast.officer_b]


def test_officers_of_another_box_cannot_be_sent_with_this_one(cast, incident):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        dispatch_units(cast.chief_north, incident, cast.box_a, [cast.officer_b])
    assert "officers" in error.value.message_dict
