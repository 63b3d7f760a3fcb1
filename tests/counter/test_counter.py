"""The counter log: who may record, validation, duplicate guard, audit, API and pages."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from koban.audit.models import AuditEvent
from koban.counter.models import CounterCategory, CounterMatter, Outcome
from koban.counter.services import record_matter, update_matter
from tests import clock
from tests.clock import minutes_ago
from tests.factories import PASSWORD


def category(code: str) -> CounterCategory:
    return CounterCategory.objects.get(code=code)


def test_categories_are_seeded_with_custody_flags(db):
    assert category("directions").label("ja") == "地理案内"
    assert category("lost-child").custody and category("elderly-wanderer").custody
    assert not category("directions").custody


def test_counsellor_records_directions_and_audit_row_is_written(cast):
    matter, created = record_matter(
        cast.counsellor_a,
        cast.box_a,
        received_at=minutes_ago(10),
        category=category("directions"),
        summary="  Way to the city hall  ",
    )
    assert created and matter.handled_by == cast.counsellor_a and matter.summary == "Way to the city hall"
    event = AuditEvent.objects.get(action="counter.matter.create")
    assert event.actor == cast.counsellor_a and event.after["summary"] == "Way to the city hall"


def test_officer_of_another_box_may_not_record(cast):
    with pytest.raises(PermissionDenied):
        record_matter(
            cast.officer_b,
            cast.box_a,
            received_at=minutes_ago(5),
            category=category("directions"),
            summary="x",
        )
    assert not CounterMatter.objects.exists()


@pytest.mark.dates
def test_future_receipt_and_missing_summary_are_named(cast):
    with pytest.raises(ValidationError) as err:
        record_matter(
            cast.officer_a,
            cast.box_a,
            received_at=clock.now() + dt.timedelta(hours=2),
            category=category("consultation"),
            summary=" ",
        )
    assert set(err.value.message_dict) == {"received_at", "summary"}
    assert not CounterMatter.objects.exists() and not AuditEvent.objects.exists()


def test_custody_needs_a_description_and_handover_after_receipt(cast):
    with pytest.raises(ValidationError) as err:
        record_matter(
            cast.officer_a,
            cast.box_a,
            received_at=minutes_ago(30),
            category=category("lost-child"),
            summary="Child found crying at the station exit",
            outcome=Outcome.HANDED_OVER,
            handed_over_to="Mother",
            handed_over_at=minutes_ago(60),
        )
    assert set(err.value.message_dict) == {"person_description", "handed_over_at"}
    matter, _ = record_matter(
        cast.officer_a,
        cast.box_a,
        received_at=minutes_ago(30),
        category=category("lost-child"),
        summary="Child found crying at the station exit",
        person_description="Boy, about 5, red cap",
        outcome=Outcome.OPEN,
    )
    update_matter(
        cast.counsellor_a,
        matter,
        outcome=Outcome.HANDED_OVER,
        handed_over_to="Mother",
        handed_over_at=minutes_ago(5),
    )
    matter.refresh_from_db()
    assert matter.handed_over_to == "Mother"
    update = AuditEvent.objects.get(action="counter.matter.update")
    assert update.before["outcome"] == "open" and update.after["outcome"] == "handed_over"


def test_custody_fields_on_a_directions_matter_are_refused(cast):
    with pytest.raises(ValidationError) as err:
        record_matter(
            cast.officer_a,
            cast.box_a,
            received_at=minutes_ago(5),
            category=category("directions"),
            summary="Way to the bank",
            handed_over_to="Someone",
        )
    assert "handed_over_to" in err.value.message_dict


def test_handler_must_work_at_the_box(cast):
    with pytest.raises(ValidationError) as err:
        record_matter(
            cast.officer_a,
            cast.box_a,
            received_at=minutes_ago(5),
            category=category("directions"),
            summary="x",
            handled_by=cast.officer_b,
        )
    assert "handled_by" in err.value.message_dict


def test_repeated_submission_token_returns_the_first_record(cast):
    token = uuid.uuid4()
    kwargs = {"received_at": minutes_ago(5), "category": category("report"), "summary": "Bicycle stolen"}
    first, created = record_matter(cast.officer_a, cast.box_a, client_token=token, **kwargs)
    again, created_again = record_matter(cast.officer_a, cast.box_a, client_token=token, **kwargs)
    assert created and not created_again and first.pk == again.pk
    assert CounterMatter.objects.count() == 1


# -- API ----------------------------------------------------------------------------------------------


def api_login(client, username: str) -> None:  # type: ignore[no-untyped-def]
    assert client.login(username=username, password=PASSWORD)


def payload(box_id: int, **extra):  # type: ignore[no-untyped-def]
    data = {
        "box": box_id,
        "received_at": minutes_ago(15).isoformat(),
        "channel": "walk_in",
        "category": "directions",
        "summary": "Way to the museum",
    }
    data.update(extra)
    return data


def test_api_counsellor_creates_and_lists(client, cast):
    api_login(client, "counsellor_a")
    response = client.post(
        "/api/v1/counter-matters/", payload(cast.box_a.id), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["handled_by"] == cast.counsellor_a.id
    listed = client.get(f"/api/v1/counter-matters/?box={cast.box_a.id}").json()
    assert listed["count"] == 1 and listed["results"][0]["category"] == "directions"


def test_api_officer_of_another_box_gets_404(client, cast):
    api_login(client, "officer_b")
    response = client.post(
        "/api/v1/counter-matters/", payload(cast.box_a.id), content_type="application/json"
    )
    assert response.status_code == 404
    api_login(client, "officer_a")
    assert (
        client.post(
            "/api/v1/counter-matters/", payload(cast.box_c.id), content_type="application/json"
        ).status_code
        == 404
    )
    assert not CounterMatter.objects.exists()


def test_api_bad_time_is_a_400_naming_the_field(client, cast):
    api_login(client, "officer_a")
    future = (clock.now() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        "/api/v1/counter-matters/",
        payload(cast.box_a.id, received_at=future),
        content_type="application/json",
    )
    assert response.status_code == 400 and "received_at" in response.json()


def test_api_duplicate_token_answers_200_with_the_same_record(client, cast):
    api_login(client, "officer_a")
    data = payload(cast.box_a.id, client_token=str(uuid.uuid4()))
    first = client.post("/api/v1/counter-matters/", data, content_type="application/json")
    second = client.post("/api/v1/counter-matters/", data, content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]


def test_api_patch_completes_the_outcome(client, cast):
    api_login(client, "officer_a")
    created = client.post(
        "/api/v1/counter-matters/", payload(cast.box_a.id), content_type="application/json"
    ).json()
    response = client.patch(
        f"/api/v1/counter-matters/{created['id']}/", {"outcome": "referred"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["outcome"] == "referred"


def test_api_chief_of_another_station_cannot_see_matters(client, cast):
    record_matter(
        cast.officer_a, cast.box_a, received_at=minutes_ago(5), category=category("other"), summary="x"
    )
    api_login(client, "outsider")
    assert client.get("/api/v1/counter-matters/").json()["count"] == 0
    api_login(client, "chief_north")
    assert client.get("/api/v1/counter-matters/").json()["count"] == 1


# -- Pages --------------------------------------------------------------------------------------------


def page_data(**extra):  # type: ignore[no-untyped-def]
    data = {
        "category": category("directions").pk,
        "channel": "walk_in",
        "received_at": timezone.localtime(minutes_ago(3)).strftime("%Y-%m-%dT%H:%M"),
        "summary": "Way to the post office",
        "outcome": "resolved",
        "client_token": str(uuid.uuid4()),
    }
    data.update(extra)
    return data


@pytest.mark.dates
def test_page_counsellor_records_with_htmx_and_sees_the_list(client, cast):
    api_login(client, "counsellor_a")
    data = page_data(handled_by=cast.counsellor_a.pk)
    response = client.post(
        f"/counter/boxes/{cast.box_a.id}/", data, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "Way to the post office" in response.text and "<html" not in response.text
    assert CounterMatter.objects.get().handled_by == cast.counsellor_a


def test_page_officer_of_another_box_gets_404(client, cast):
    api_login(client, "officer_b")
    response = client.post(f"/counter/boxes/{cast.box_a.id}/", page_data(handled_by=cast.officer_b.pk))
    assert response.status_code == 404
    assert not CounterMatter.objects.exists()


@pytest.mark.dates
def test_page_future_time_is_shown_on_the_field(client, cast):
    api_login(client, "officer_a")
    future = timezone.localtime(clock.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/counter/boxes/{cast.box_a.id}/",
        page_data(handled_by=cast.officer_a.pk, received_at=future),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and "This time is in the future." in response.text
    assert not CounterMatter.objects.exists()


@pytest.mark.dates
def test_page_log_and_edit(client, cast):
    matter, _ = record_matter(
        cast.officer_a,
        cast.box_a,
        received_at=minutes_ago(5),
        category=category("complaint"),
        summary="Noise",
    )
    api_login(client, "officer_a")
    assert "Noise" in client.get(f"/counter/boxes/{cast.box_a.id}/?period=week").text
    assert client.get("/counter/").status_code == 302
    data = page_data(
        category=category("complaint").pk, summary="Noise at night", handled_by=cast.officer_a.pk
    )
    data.pop("client_token")
    response = client.post(f"/counter/matters/{matter.pk}/edit/", data)
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.summary == "Noise at night"


def test_page_an_outcome_note_beyond_the_text_limit_is_named(client, cast):
    api_login(client, "officer_a")
    response = client.post(
        f"/counter/boxes/{cast.box_a.id}/",
        page_data(handled_by=cast.officer_a.pk, outcome_note="x" * 10_001),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and "at most 10000 characters" in response.text
    assert not CounterMatter.objects.exists()
