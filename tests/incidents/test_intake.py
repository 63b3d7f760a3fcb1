from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from koban.audit.models import AuditEvent
from koban.incidents.models import Incident, IncidentEvent, Source, Status
from koban.incidents.services import intake_incident
from tests.incidents.conftest import minutes_ago
from tests.personas import LAT, LON


def test_intake_places_the_incident_in_its_beat_box_and_station(cast, theft):  # type: ignore[no-untyped-def]
    result = intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(3), lon=LON + 0.025, lat=LAT + 0.004
    )
    incident = result.incident
    assert result.created
    assert (incident.beat, incident.box, incident.station) == (cast.beat_c, cast.box_c, cast.south)
    assert incident.agency == cast.agency
    assert incident.priority == theft.default_priority
    assert incident.status == Status.RECEIVED
    assert not incident.outside_jurisdiction


def test_a_point_outside_every_beat_is_kept_and_flagged(cast, theft):  # type: ignore[no-untyped-def]
    incident = intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(3), lon=LON - 0.05, lat=LAT
    ).incident
    assert incident.pk and incident.outside_jurisdiction
    assert incident.beat is None and incident.box is None
    assert incident.agency == cast.agency
    assert IncidentEvent.objects.get(incident=incident).note


def test_an_address_alone_is_a_place_but_not_outside_jurisdiction(cast, theft):  # type: ignore[no-untyped-def]
    incident = intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(3), address="駅前1-2-3"
    ).incident
    assert incident.location is None and not incident.outside_jurisdiction


def test_it_refuses_an_incident_without_a_place(cast, theft):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        intake_incident(cast.officer_a, category=theft, received_at=minutes_ago(3))
    assert "location" in error.value.message_dict


def test_the_same_idempotency_key_gives_one_incident(cast, theft):  # type: ignore[no-untyped-def]
    first = intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(3), address="x", idempotency_key="k-1"
    )
    second = intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(2), address="y", idempotency_key="k-1"
    )
    assert first.created and not second.created
    assert second.incident.pk == first.incident.pk
    assert Incident.objects.count() == 1


def test_a_key_used_by_someone_who_cannot_see_it_is_refused(cast, theft):  # type: ignore[no-untyped-def]
    intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(3), address="x", idempotency_key="k"
    )
    with pytest.raises(ValidationError) as error:
        intake_incident(
            cast.officer_b, category=theft, received_at=minutes_ago(3), address="x", idempotency_key="k"
        )
    assert "idempotency_key" in error.value.message_dict
    assert Incident.objects.count() == 1


def test_it_rejects_arrival_before_receipt_and_saves_nothing(cast, theft):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        intake_incident(
            cast.officer_a,
            category=theft,
            received_at=minutes_ago(10),
            arrived_at=minutes_ago(20),
            lon=LON + 0.005,
            lat=LAT + 0.005,
        )
    assert list(error.value.message_dict) == ["arrived_at"]
    assert not Incident.objects.exists() and not IncidentEvent.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="incident").exists()


def test_it_rejects_times_in_the_future(cast, theft):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        intake_incident(cast.officer_a, category=theft, received_at=minutes_ago(-120), address="x")
    assert "received_at" in error.value.message_dict


def test_a_recorded_response_sets_the_status_and_history(cast, theft):  # type: ignore[no-untyped-def]
    incident = intake_incident(
        cast.officer_a,
        category=theft,
        source=Source.OFFICER,
        received_at=minutes_ago(30),
        dispatched_at=minutes_ago(29),
        arrived_at=minutes_ago(22),
        lon=LON + 0.005,
        lat=LAT + 0.005,
    ).incident
    assert incident.status == Status.ON_SCENE
    assert incident.response_seconds == pytest.approx(8 * 60, abs=1)
    actions = list(incident.events.values_list("action", flat=True))
    assert actions == ["received", "dispatched", "arrived"]


def test_a_counsellor_takes_a_report_but_cannot_record_a_response(cast, theft):  # type: ignore[no-untyped-def]
    report = intake_incident(
        cast.counsellor_a, category=theft, source=Source.WALK_IN, received_at=minutes_ago(5), address="x"
    )
    assert report.created
    with pytest.raises(PermissionDenied):
        intake_incident(
            cast.counsellor_a,
            category=theft,
            received_at=minutes_ago(5),
            arrived_at=minutes_ago(1),
            lon=LON + 0.005,
            lat=LAT + 0.005,
        )


def test_intake_writes_history_and_audit(cast, theft):  # type: ignore[no-untyped-def]
    incident = intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(3), address="x"
    ).incident
    event = IncidentEvent.objects.get(incident=incident)
    assert (event.action, event.to_status, event.actor) == ("received", Status.RECEIVED, cast.officer_a)
    audit = AuditEvent.objects.for_object(incident).get()
    assert audit.action == "incident.intake" and audit.actor == cast.officer_a
    assert audit.after["category"] == theft.pk


def test_received_times_are_kept_to_the_second(cast, theft):  # type: ignore[no-untyped-def]
    at = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    incident = intake_incident(cast.officer_a, category=theft, received_at=at, address="x").incident
    incident.refresh_from_db()
    assert incident.received_at == at
