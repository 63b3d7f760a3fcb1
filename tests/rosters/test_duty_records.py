"""Sign-on/sign-off records: who is actually on duty, and who may record it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from koban.audit.models import AuditEvent
from koban.rosters.models import EntryKind, EntrySource, RosterEntry
from koban.rosters.queries import is_box_staffed, on_duty_officers
from koban.rosters.services import record_actual_duty, sign_off
from tests import clock
from tests.factories import sign_in
from tests.rosters.conftest import tokyo


def _rostered(cast, start, hours=24):  # type: ignore[no-untyped-def]
    return RosterEntry.objects.create(
        box=cast.box_a,
        officer=cast.officer_a,
        start=start,
        end=start + dt.timedelta(hours=hours),
        kind=EntryKind.DUTY,
        source=EntrySource.MANUAL,
    )


@pytest.mark.dates
def test_actual_records_replace_the_rostered_shift(cast):
    start = clock.now() - dt.timedelta(hours=10)
    _rostered(cast, start)
    # Rostered, no sign-on yet: the roster counts.
    assert on_duty_officers([cast.box_a.id], start + dt.timedelta(hours=1))[cast.box_a.id] == [cast.officer_a]
    # Signed on an hour late and off after four hours: only those four hours count.
    duty = record_actual_duty(cast.officer_a, cast.box_a, cast.officer_a, start + dt.timedelta(hours=1))
    sign_off(cast.officer_a, duty, start + dt.timedelta(hours=5))
    assert not is_box_staffed(cast.box_a, start + dt.timedelta(minutes=30))
    assert is_box_staffed(cast.box_a, start + dt.timedelta(hours=2))
    assert not is_box_staffed(cast.box_a, start + dt.timedelta(hours=6))
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"rosters.duty.sign_on", "rosters.duty.sign_off"} <= actions


def test_an_open_record_replaces_only_its_own_shift_not_the_next_rostered_one(cast, time_machine):
    # A double duty after a swap: two 24-hour shifts back to back, the first still signed on.
    start = tokyo(2026, 11, 30, 8, 30)
    time_machine.move_to(start + dt.timedelta(hours=16), tick=False)
    _rostered(cast, start)
    _rostered(cast, start + dt.timedelta(hours=24))
    record_actual_duty(cast.officer_a, cast.box_a, cast.officer_a, start + dt.timedelta(minutes=4))
    assert not is_box_staffed(cast.box_a, start + dt.timedelta(minutes=2))  # signed on late
    assert is_box_staffed(cast.box_a, start + dt.timedelta(hours=20))
    # Beyond the open record's limit the second rostered shift still counts.
    assert is_box_staffed(cast.box_a, start + dt.timedelta(hours=40))


@pytest.mark.dates
def test_open_sign_on_counts_without_a_roster(cast):
    record_actual_duty(cast.chief_north, cast.box_b, cast.officer_b, clock.now() - dt.timedelta(hours=1))
    assert on_duty_officers([cast.box_b.id], clock.now())[cast.box_b.id] == [cast.officer_b]


def test_counsellors_have_no_sign_on(cast):
    with pytest.raises(PermissionDenied):
        record_actual_duty(cast.counsellor_a, cast.box_a, cast.counsellor_a, clock.now())
    with pytest.raises(ValidationError) as err:
        record_actual_duty(cast.chief_north, cast.box_a, cast.counsellor_a, clock.now())
    assert "officer" in err.value.message_dict


def test_officer_signs_on_only_themself_at_their_own_box(cast):
    with pytest.raises(PermissionDenied):
        record_actual_duty(cast.officer_a, cast.box_b, cast.officer_a, clock.now())
    with pytest.raises(PermissionDenied):
        record_actual_duty(cast.officer_a, cast.box_a, cast.officer_b, clock.now())


def test_future_sign_on_and_double_sign_on_are_refused(cast):
    with pytest.raises(ValidationError) as err:
        record_actual_duty(cast.officer_a, cast.box_a, cast.officer_a, clock.now() + dt.timedelta(hours=1))
    assert "signed_on_at" in err.value.message_dict
    record_actual_duty(cast.officer_a, cast.box_a, cast.officer_a, clock.now() - dt.timedelta(minutes=30))
    with pytest.raises(ValidationError):
        record_actual_duty(cast.officer_a, cast.box_a, cast.officer_a, clock.now() - dt.timedelta(minutes=10))


def test_api_sign_on_and_off(client, cast):
    sign_in(client, "officer_a")
    on = (clock.now() - dt.timedelta(hours=2)).isoformat()
    response = client.post(
        "/api/v1/duty-records/",
        {"box": cast.box_a.id, "officer": cast.officer_a.id, "signed_on_at": on},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    off = clock.now().isoformat()
    response = client.post(
        f"/api/v1/duty-records/{response.json()['id']}/sign-off/",
        {"signed_off_at": off},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["signed_off_at"]
    sign_in(client, "counsellor_a")
    response = client.post(
        "/api/v1/duty-records/",
        {"box": cast.box_a.id, "officer": cast.counsellor_a.id, "signed_on_at": on},
        content_type="application/json",
    )
    assert response.status_code == 403
