"""Caller details (name, phone, relation): validated at intake, masked and read-audited like finders."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from koban.audit.models import AuditEvent
from koban.incidents.models import Incident
from koban.incidents.services import correct_incident, intake_incident
from tests.factories import sign_in
from tests.incidents.conftest import minutes_ago
from tests.personas import LAT, LON

IN_A = {"lon": LON + 0.005, "lat": LAT + 0.005}
CALLER = {"caller_name": "山田太郎", "caller_phone": "090-1234-5678", "caller_relation": "witness"}


@pytest.fixture
def called(cast, theft) -> Incident:  # type: ignore[no-untyped-def]
    return intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(5), **IN_A, **CALLER
    ).incident


def test_intake_keeps_the_caller_and_normalises_a_full_width_phone(cast, theft):  # type: ignore[no-untyped-def]
    incident = intake_incident(
        cast.officer_a,
        category=theft,
        received_at=minutes_ago(5),
        **IN_A,
        caller_phone="０９０-１２３４-５６７８",
    ).incident
    assert incident.caller_phone == "090-1234-5678"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("caller_phone", "call me maybe"),
        ("caller_phone", "12"),
        ("caller_phone", "1" * 16),
        ("caller_relation", "neighbour's cat"),
        ("caller_name", "x" * 101),
    ],
)
def test_bad_caller_details_are_refused_naming_the_field(cast, theft, field, value):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        intake_incident(cast.officer_a, category=theft, received_at=minutes_ago(5), **IN_A, **{field: value})
    assert list(error.value.message_dict) == [field]
    assert not Incident.objects.exists()


def test_the_box_officer_sees_the_caller_and_the_read_is_audited(client, called):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    page = client.get(f"/incidents/{called.pk}/").content.decode()
    assert "山田太郎" in page and "090-1234-5678" in page
    read = AuditEvent.objects.get(action="incidents.incident.read", object_id=str(called.pk))
    assert {"caller_name", "caller_phone"} <= set(read.after["fields"])


def test_a_counsellor_of_the_box_sees_the_caller_masked_and_nothing_is_audited(client, called):  # type: ignore[no-untyped-def]
    sign_in(client, "counsellor_a")
    page = client.get(f"/incidents/{called.pk}/").content.decode()
    assert "山***" in page and "***78" in page
    assert "山田太郎" not in page and "1234" not in page
    assert not AuditEvent.objects.filter(
        action="incidents.incident.read", after__fields__contains=["caller_name"]
    )


def test_the_api_detail_gives_the_caller_masked_or_not(client, called):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    caller = client.get(f"/api/v1/incidents/{called.pk}/").json()["properties"]["caller"]
    assert caller == {
        "name": "山田太郎",
        "phone": "090-1234-5678",
        "relation": "witness",
        "relation_label": "Witness",
        "masked": False,
    }
    sign_in(client, "counsellor_a")
    caller = client.get(f"/api/v1/incidents/{called.pk}/").json()["properties"]["caller"]
    assert caller["masked"] and caller["name"] == "山***" and caller["phone"] == "***78"


def test_the_api_refuses_a_bad_phone_with_a_400_naming_it(client, cast):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    body = {"category": "theft", **IN_A, "caller_phone": "phone: ask the desk"}
    response = client.post("/api/v1/incidents/", body, content_type="application/json")
    assert response.status_code == 400 and "caller_phone" in response.json()


def test_a_correction_changes_the_caller_without_writing_the_person_into_the_history(cast, called):  # type: ignore[no-untyped-def]
    changed = correct_incident(cast.officer_a, called, caller_phone="03-1111-2222")
    assert changed == ["caller_phone"]
    called.refresh_from_db()
    assert called.caller_phone == "03-1111-2222"
    note = called.events.get(action="corrected").note
    assert "03-1111-2222" not in note and "090" not in note


def test_a_correction_form_without_the_caller_fields_keeps_the_caller(client, called):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    post = {"category": "theft", "priority": "2", "address": "", "description": "", "reason": "typo"}
    client.post(f"/incidents/{called.pk}/correct/", post)
    called.refresh_from_db()
    assert called.caller_name == "山田太郎" and called.priority == 2
