"""Lost-property workflows through the API and pages: dispose, complete a task, close a loss report,
move an item to the station's custody."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from koban.audit.models import AuditEvent
from koban.lostfound import services
from koban.lostfound.clocks import State
from koban.lostfound.models import FoundItem, ItemTask, LossReport
from tests.factories import sign_in
from tests.lostfound.helpers import at, category, receive

pytestmark = pytest.mark.django_db
NOW = at("2026-02-01", "09:00")


@pytest.fixture(autouse=True)
def frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        yield


def _login(client, username):  # type: ignore[no-untyped-def]
    sign_in(client, username)
    return client


def _post(client, url, body=None):  # type: ignore[no-untyped-def]
    return client.post(url, body or {}, content_type="application/json")


@pytest.fixture
def umbrella(cast) -> FoundItem:  # type: ignore[no-untyped-def]
    return receive(cast.officer_a, cast.box_a, code="umbrella", value_estimate=500)


@pytest.fixture
def report(cast) -> LossReport:  # type: ignore[no-untyped-def]
    return services.report_loss(
        cast.officer_a,
        cast.box_a,
        category=category("wallet"),
        description="茶色の財布",
        owner_name="佐藤花子",
        owner_contact="03-1234-5678",
        lost_from=at("2026-01-20", "08:00"),
        lost_to=at("2026-01-20", "09:00"),
        reported_at=at("2026-01-20", "12:00"),
    )


# -- Disposal ---------------------------------------------------------------------------------------


def test_an_officer_disposes_of_a_cheap_bulky_item_through_the_api(client, cast, umbrella):  # type: ignore[no-untyped-def]
    response = _post(
        _login(client, "officer_a"), f"/api/v1/lost-found/items/{umbrella.pk}/dispose/", {"note": "sold"}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == State.DISPOSED and response.json()["disposal_note"] == "sold"
    audit = AuditEvent.objects.get(action="lostfound.dispose_item")
    assert audit.before["state"] != State.DISPOSED and audit.after["state"] == State.DISPOSED


def test_disposal_needs_a_note_and_a_disposable_item(client, cast, umbrella):  # type: ignore[no-untyped-def]
    _login(client, "officer_a")
    response = _post(client, f"/api/v1/lost-found/items/{umbrella.pk}/dispose/", {"note": "  "})
    assert response.status_code == 400 and "note" in response.json()
    wallet = receive(cast.officer_a, cast.box_a, day="2026-01-30")
    response = _post(client, f"/api/v1/lost-found/items/{wallet.pk}/dispose/", {"note": "sold"})
    assert response.status_code == 400 and "state" in response.json()
    assert not FoundItem.objects.filter(state=State.DISPOSED).exists()


@pytest.mark.parametrize(
    ("username", "status"), [("counsellor_a", 403), ("officer_b", 403), ("outsider", 404)]
)
def test_only_police_of_the_box_dispose(client, cast, umbrella, username, status):  # type: ignore[no-untyped-def]
    response = _post(
        _login(client, username), f"/api/v1/lost-found/items/{umbrella.pk}/dispose/", {"note": "sold"}
    )
    assert response.status_code == status
    assert FoundItem.objects.get(pk=umbrella.pk).state != State.DISPOSED


def test_the_page_refuses_disposal_by_a_counsellor(client, cast, umbrella):  # type: ignore[no-untyped-def]
    _login(client, "officer_a")
    assert b"Record disposal" in client.get(f"/lost-found/items/{umbrella.pk}/").content
    _login(client, "counsellor_a")
    assert b"Record disposal" not in client.get(f"/lost-found/items/{umbrella.pk}/").content
    assert client.post(f"/lost-found/items/{umbrella.pk}/dispose/", {"note": "sold"}).status_code == 403


# -- Tasks ------------------------------------------------------------------------------------------


@pytest.fixture
def task(cast, umbrella) -> ItemTask:  # type: ignore[no-untyped-def]
    services.advance_clocks(datetime.date(2026, 1, 30))
    return ItemTask.objects.get(item=umbrella, kind=ItemTask.Kind.DISPOSE_BULKY)


def test_completing_a_task_through_the_api(client, cast, task):  # type: ignore[no-untyped-def]
    response = _post(
        _login(client, "counsellor_a"),
        f"/api/v1/lost-found/tasks/{task.pk}/complete/",
        {"note": "kept for now"},
    )
    assert response.status_code == 200, response.json()
    task.refresh_from_db()
    assert task.done_at == NOW and task.done_by == cast.counsellor_a and task.done_note == "kept for now"
    assert AuditEvent.objects.filter(action="lostfound.complete_task", object_id=str(task.pk)).exists()
    # Done tasks leave the list: a second tick answers 404.
    assert _post(client, f"/api/v1/lost-found/tasks/{task.pk}/complete/").status_code == 404


def test_a_too_long_task_note_is_refused(client, cast, task):  # type: ignore[no-untyped-def]
    response = _post(
        _login(client, "officer_a"), f"/api/v1/lost-found/tasks/{task.pk}/complete/", {"note": "x" * 301}
    )
    assert response.status_code == 400 and "note" in response.json()
    assert ItemTask.objects.get(pk=task.pk).done_at is None


def test_another_box_cannot_complete_the_task(client, cast, task):  # type: ignore[no-untyped-def]
    assert (
        _post(_login(client, "officer_b"), f"/api/v1/lost-found/tasks/{task.pk}/complete/").status_code == 404
    )
    assert ItemTask.objects.get(pk=task.pk).done_at is None


# -- Loss reports -----------------------------------------------------------------------------------


def test_closing_a_loss_report_through_the_api(client, cast, report):  # type: ignore[no-untyped-def]
    response = _post(
        _login(client, "officer_a"),
        f"/api/v1/lost-found/reports/{report.pk}/close/",
        {"note": "owner found it at home"},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == LossReport.Status.CLOSED
    audit = AuditEvent.objects.get(action="lostfound.close_report")
    assert (audit.before["status"], audit.after["status"], audit.note) == (
        "open",
        "closed",
        "owner found it at home",
    )
    again = _post(client, f"/api/v1/lost-found/reports/{report.pk}/close/")
    assert again.status_code == 400 and "status" in again.json()


@pytest.mark.parametrize(("username", "status"), [("officer_b", 403), ("outsider", 404)])
def test_only_the_box_closes_its_reports(client, cast, report, username, status):  # type: ignore[no-untyped-def]
    assert (
        _post(_login(client, username), f"/api/v1/lost-found/reports/{report.pk}/close/").status_code
        == status
    )
    assert LossReport.objects.get(pk=report.pk).status == LossReport.Status.OPEN


def test_the_report_page_closes_the_report(client, cast, report):  # type: ignore[no-untyped-def]
    _login(client, "officer_a")
    assert b'id="close-report"' in client.get(f"/lost-found/reports/{report.pk}/").content
    response = client.post(f"/lost-found/reports/{report.pk}/close/", {"note": "withdrawn"})
    assert response.status_code == 302
    assert LossReport.objects.get(pk=report.pk).status == LossReport.Status.CLOSED
    assert b'id="close-report"' not in client.get(f"/lost-found/reports/{report.pk}/").content
    _login(client, "officer_b")
    assert client.post(f"/lost-found/reports/{report.pk}/close/").status_code == 403


# -- Station custody --------------------------------------------------------------------------------


def test_moving_an_item_to_the_station_is_recorded(client, cast, umbrella):  # type: ignore[no-untyped-def]
    response = _post(
        _login(client, "officer_a"),
        f"/api/v1/lost-found/items/{umbrella.pk}/transfer/",
        {"storage_location": "North Station store room 2", "note": "box full"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (
        body["custody_station"] == cast.north.pk and body["storage_location"] == "North Station store room 2"
    )
    umbrella.refresh_from_db()
    assert umbrella.custody_since == NOW and umbrella.box == cast.box_a
    audit = AuditEvent.objects.get(action="lostfound.transfer_to_station")
    assert audit.before["custody_station"] is None and audit.after["custody_station"] == cast.north.pk
    assert audit.note == "box full"
    again = _post(client, f"/api/v1/lost-found/items/{umbrella.pk}/transfer/", {"storage_location": "safe"})
    assert again.status_code == 400 and "state" in again.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"storage_location": ""}, "storage_location"),
        ({}, "storage_location"),
        ({"storage_location": "safe", "at": "2026-03-01T10:00:00+09:00"}, "at"),
        ({"storage_location": "safe", "at": "2026-01-01T10:00:00+09:00"}, "at"),
        ({"storage_location": "safe", "at": "yesterday"}, "at"),
    ],
)
def test_bad_transfers_name_the_field(client, cast, umbrella, body, field):  # type: ignore[no-untyped-def]
    response = _post(_login(client, "officer_a"), f"/api/v1/lost-found/items/{umbrella.pk}/transfer/", body)
    assert response.status_code == 400 and field in response.json()
    assert FoundItem.objects.get(pk=umbrella.pk).custody_station is None


def test_the_transfer_service_checks_who_asks(cast, umbrella):  # type: ignore[no-untyped-def]
    with pytest.raises(services.PermissionDenied):
        services.transfer_to_station(cast.officer_b, umbrella, storage_location="safe")
    assert FoundItem.objects.get(pk=umbrella.pk).custody_station is None


def test_a_disposed_item_cannot_move(cast, umbrella):  # type: ignore[no-untyped-def]
    services.dispose_item(cast.officer_a, umbrella, note="sold")
    with pytest.raises(services.ValidationError):
        services.transfer_to_station(cast.officer_a, umbrella, storage_location="safe")


@pytest.mark.parametrize(("username", "status"), [("officer_b", 403), ("outsider", 404)])
def test_only_the_box_moves_its_items(client, cast, umbrella, username, status):  # type: ignore[no-untyped-def]
    response = _post(
        _login(client, username),
        f"/api/v1/lost-found/items/{umbrella.pk}/transfer/",
        {"storage_location": "safe"},
    )
    assert response.status_code == status
    assert FoundItem.objects.get(pk=umbrella.pk).custody_station is None


def test_the_item_page_moves_the_item_to_the_station(client, cast, umbrella):  # type: ignore[no-untyped-def]
    _login(client, "counsellor_a")
    assert b'id="transfer"' in client.get(f"/lost-found/items/{umbrella.pk}/").content
    client.post(f"/lost-found/items/{umbrella.pk}/transfer/", {"storage_location": "金庫"})
    page = client.get(f"/lost-found/items/{umbrella.pk}/").content.decode()
    assert "金庫" in page and "North Station" in page and 'id="transfer"' not in page
