"""Who is actually in the box (空き交番): sign-on from the dashboard, going out, patrols, dispatches,
the chuzaisho rule, leave requests, counter cover and the empty-box hours built on them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from koban.audit.models import AuditEvent
from koban.incidents.models import Dispatch, Incident, IncidentCategory, Status
from koban.rosters import services
from koban.rosters.models import DutyRecord, EntryKind, LeaveRequest, Outing, RosterEntry
from koban.rosters.presence import box_states
from koban.rosters.reports import box_gaps
from tests import clock
from tests.factories import sign_in
from tests.personas import LAT, LON
from tests.web import dashboard_data as data


def _state(box, at=None):  # type: ignore[no-untyped-def]
    at = at or clock.now()
    return box_states([box], at, at + dt.timedelta(seconds=1))[box.pk].presence.state_at(at)


def _dashboard_on_duty(client, box):  # type: ignore[no-untyped-def]
    page = client.get(f"/boxes/{box.pk}/dashboard/")
    assert page.status_code == 200
    return {s.key: s.context for s in page.context["sections"]}["on_duty"], page.content.decode()


@pytest.mark.dates
def test_one_tap_sign_on_takes_the_shift_from_the_roster(client, cast):
    now = clock.now()
    shift = data.duty(cast.box_a, cast.officer_a, now - dt.timedelta(minutes=20), hours=24)
    sign_in(client, "officer_a")
    section, html = _dashboard_on_duty(client, cast.box_a)
    assert 'data-testid="sign-on"' in html and section["me"]["shift"] == shift
    response = client.post(
        f"/rosters/boxes/{cast.box_a.pk}/sign-on/", {"next": f"/boxes/{cast.box_a.pk}/dashboard/"}
    )
    assert response.status_code == 302 and response["Location"] == f"/boxes/{cast.box_a.pk}/dashboard/"
    duty = DutyRecord.objects.get(officer=cast.officer_a)
    assert duty.roster_entry == shift and duty.expected_off_at == shift.end and duty.signed_off_at is None
    # The open record ends with the shift, not after the 30-hour limit.
    assert duty.interval()[1] == shift.end
    section, html = _dashboard_on_duty(client, cast.box_a)
    assert 'data-testid="sign-off"' in html and 'data-testid="go-out"' in html
    client.post(f"/rosters/duty/{duty.pk}/sign-off/")
    duty.refresh_from_db()
    assert duty.signed_off_at is not None
    assert {"rosters.duty.sign_on", "rosters.duty.sign_off"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


def test_sign_on_outside_a_shift_asks_to_confirm(client, cast):
    sign_in(client, "officer_a")
    response = client.post(f"/rosters/boxes/{cast.box_a.pk}/sign-on/")
    assert response.status_code == 409
    assert 'data-testid="outside-shift"' in response.content.decode()
    assert not DutyRecord.objects.exists()
    response = client.post(f"/rosters/boxes/{cast.box_a.pk}/sign-on/", {"confirm_outside_shift": "1"})
    assert response.status_code == 302
    duty = DutyRecord.objects.get(officer=cast.officer_a)
    assert duty.roster_entry is None and duty.expected_off_at is None


def test_api_sign_on_names_the_confirmation_field(client, cast):
    sign_in(client, "officer_a")
    response = client.post("/api/v1/sign-on/", {}, content_type="application/json")
    assert response.status_code == 400 and "confirm_outside_shift" in response.json()
    response = client.post(
        "/api/v1/sign-on/", {"confirm_outside_shift": True}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["box"] == cast.box_a.pk
    # Signing on twice is refused, naming the field.
    again = client.post("/api/v1/sign-on/", {"confirm_outside_shift": True}, content_type="application/json")
    assert again.status_code == 400 and "signed_on_at" in again.json()
    off = client.post(
        f"/api/v1/duty-records/{response.json()['id']}/sign-off/", {}, content_type="application/json"
    )
    assert off.status_code == 200 and off.json()["signed_off_at"]


def test_a_counsellor_cannot_sign_on_as_police(client, cast):
    sign_in(client, "counsellor_a")
    response = client.post(f"/rosters/boxes/{cast.box_a.pk}/sign-on/", {"confirm_outside_shift": "1"})
    assert response.status_code == 403
    assert not DutyRecord.objects.exists()


def test_going_out_empties_the_box_until_the_officer_is_back(client, cast):
    now = clock.now()
    data.duty(cast.box_a, cast.officer_a, now - dt.timedelta(hours=2))
    sign_in(client, "officer_a")
    client.post(f"/rosters/boxes/{cast.box_a.pk}/sign-on/")
    assert _state(cast.box_a) == "staffed"
    response = client.post(f"/rosters/boxes/{cast.box_a.pk}/out/", {"kind": "patrol"})
    assert response.status_code == 302
    outing = Outing.objects.get(officer=cast.officer_a, ended_at__isnull=True)
    # The chief's screen: the box stands empty while its only officer is out.
    sign_in(client, "chief_north")
    section, html = _dashboard_on_duty(client, cast.box_a)
    assert section["empty"] and section["all_out"] and 'data-testid="box-empty"' in html
    assert 'data-testid="away"' in html
    assert _state(cast.box_a, clock.now() + dt.timedelta(seconds=1)) == "empty"
    # Going out twice is refused; another officer cannot bring them back.
    with pytest.raises(ValidationError):
        services.go_out(cast.officer_a, cast.box_a, cast.officer_a, clock.now(), "visit")
    with pytest.raises(PermissionDenied):
        services.come_back(cast.officer_b, outing, clock.now())
    sign_in(client, "officer_a")
    client.post(f"/rosters/outings/{outing.pk}/back/")
    outing.refresh_from_db()
    assert outing.ended_at is not None
    assert _state(cast.box_a, clock.now() + dt.timedelta(seconds=1)) == "staffed"
    assert {"rosters.outing.start", "rosters.outing.end"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


def test_bad_outing_kind_is_a_named_error(cast):
    with pytest.raises(ValidationError) as err:
        services.go_out(cast.officer_a, cast.box_a, cast.officer_a, clock.now(), "nap")
    assert "kind" in err.value.message_dict


@pytest.mark.dates
def test_a_recorded_patrol_counts_as_out(cast):
    now = clock.now()
    data.duty(cast.box_a, cast.officer_a, now - dt.timedelta(hours=5))
    data.patrol(
        cast.box_a, cast.officer_a, now - dt.timedelta(hours=3), [(LON, LAT), (LON + 0.001, LAT)], minutes=60
    )
    gaps = box_gaps([cast.box_a], now - dt.timedelta(hours=4), now)[0]
    assert gaps.unstaffed_seconds == 3600
    assert gaps.unstaffed == [(now - dt.timedelta(hours=3), now - dt.timedelta(hours=2))]


def _dispatched(cast, officer, sent, cleared=None):  # type: ignore[no-untyped-def]
    category = IncidentCategory.objects.get(code="theft")
    incident = Incident.objects.create(
        agency=cast.agency,
        category=category,
        priority=3,
        box=cast.box_c,
        station=cast.south,
        location=cast.box_c.location,
        status=Status.CLEARED if cleared else Status.DISPATCHED,
        received_at=sent - dt.timedelta(minutes=2),
        dispatched_at=sent,
        cleared_at=cleared,
    )
    dispatch = Dispatch.objects.create(incident=incident, box=cast.box_a, dispatched_at=sent)
    dispatch.officers.add(officer)
    return incident


@pytest.mark.dates
def test_an_officer_dispatched_to_an_open_incident_is_out_until_it_is_cleared(cast):
    now = clock.now()
    data.duty(cast.box_a, cast.officer_a, now - dt.timedelta(hours=5))
    # Backup sent to another box's incident: out from dispatch until clearing.
    _dispatched(
        cast, cast.officer_a, now - dt.timedelta(hours=4), cleared=now - dt.timedelta(hours=3, minutes=30)
    )
    open_incident = _dispatched(cast, cast.officer_a, now - dt.timedelta(minutes=10))
    assert _state(cast.box_a) == "empty"
    gaps = box_gaps([cast.box_a], now - dt.timedelta(hours=5), now)[0]
    assert gaps.unstaffed_seconds == 30 * 60 + 10 * 60
    open_incident.cleared_at = now - dt.timedelta(minutes=1)
    open_incident.save(update_fields=["cleared_at"])
    assert _state(cast.box_a) == "staffed"


def test_a_second_officer_in_the_box_keeps_it_staffed(cast):
    from koban.accounts.models import Role
    from tests.factories import make_user

    now = clock.now()
    other = make_user(Role.BOX_OFFICER, "officer_a2", agency=cast.agency, station=cast.north, box=cast.box_a)
    data.duty(cast.box_a, cast.officer_a, now - dt.timedelta(hours=2))
    data.duty(cast.box_a, other, now - dt.timedelta(hours=2))
    _dispatched(cast, cast.officer_a, now - dt.timedelta(minutes=10))
    assert _state(cast.box_a) == "staffed"


def _chuzaisho_day(cast, day):  # type: ignore[no-untyped-def]
    start = dt.datetime.combine(day, dt.time(8, 30), tzinfo=clock.TOKYO)
    return RosterEntry.objects.create(
        box=cast.box_b,
        officer=cast.officer_b,
        start=start,
        end=start + dt.timedelta(hours=8, minutes=45),
        kind=EntryKind.DAY_SHIFT,
    )


def test_a_chuzaisho_is_on_call_outside_hours_and_empty_only_while_its_officer_is_away(cast):
    assert cast.box_b.is_residential
    day = dt.date(2026, 6, 9)
    _chuzaisho_day(cast, day)
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=clock.TOKYO)
    window = (midnight, midnight + dt.timedelta(days=1))
    gaps = box_gaps([cast.box_b], *window)[0]
    assert gaps.unstaffed == [] and gaps.on_call_seconds == (24 * 3600 - (8 * 3600 + 45 * 60))
    # Out on a night call 21:00–22:30, the family took walk-ins 21:00–21:40 and recorded it.
    evening = midnight + dt.timedelta(hours=21)
    Outing.objects.create(
        box=cast.box_b,
        officer=cast.officer_b,
        kind="call",
        started_at=evening,
        ended_at=evening + dt.timedelta(minutes=90),
    )
    services.record_cover(
        cast.officer_b, cast.box_b, evening, evening + dt.timedelta(minutes=40), "Spouse of officer_b"
    )
    gaps = box_gaps([cast.box_b], *window)[0]
    assert gaps.unstaffed_seconds == 90 * 60
    assert gaps.covered_seconds == 40 * 60 and gaps.uncovered_seconds == 50 * 60
    assert gaps.unstaffed_text == "1:30"


def test_a_chuzaisho_officer_on_leave_leaves_the_box_empty(cast):
    day = dt.date(2026, 6, 9)
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=clock.TOKYO)
    services.record_leave(
        cast.chief_north, cast.box_b, cast.officer_b, midnight, midnight + dt.timedelta(days=1)
    )
    gaps = box_gaps([cast.box_b], midnight, midnight + dt.timedelta(days=1))[0]
    assert gaps.unstaffed_seconds == 24 * 3600 and gaps.on_call_seconds == 0


def test_leave_is_requested_by_the_officer_and_approved_by_the_chief(client, cast):
    start = (clock.now() + dt.timedelta(days=3)).replace(second=0, microsecond=0)
    duty = data.duty(cast.box_a, cast.officer_a, start - dt.timedelta(hours=2))
    sign_in(client, "officer_a")
    form = {
        "start": f"{start.astimezone(clock.TOKYO):%Y-%m-%dT%H:%M}",
        "end": f"{(start + dt.timedelta(days=1)).astimezone(clock.TOKYO):%Y-%m-%dT%H:%M}",
        "note": "family",
    }
    assert client.post("/rosters/leave-requests/", form).status_code == 302
    leave = LeaveRequest.objects.get(officer=cast.officer_a)
    assert leave.status == LeaveRequest.Status.PENDING
    assert not RosterEntry.objects.filter(kind=EntryKind.LEAVE).exists()  # nothing changes before approval
    # An overlapping second request names the field.
    again = client.post("/rosters/leave-requests/", form)
    assert again.status_code == 200 and 'class="errorlist' in again.content.decode()
    assert LeaveRequest.objects.count() == 1
    # The officer cannot approve it; another box's officer does not see it.
    assert (
        client.post(f"/rosters/leave-requests/{leave.pk}/decide/", {"decision": "approve"}).status_code == 403
    )
    sign_in(client, "officer_b")
    assert (
        client.post(f"/rosters/leave-requests/{leave.pk}/decide/", {"decision": "approve"}).status_code == 404
    )
    sign_in(client, "chief_north")
    page = client.get("/rosters/leave-requests/")
    assert 'data-testid="to-decide"' in page.content.decode()
    assert (
        client.post(f"/rosters/leave-requests/{leave.pk}/decide/", {"decision": "approve"}).status_code == 302
    )
    leave.refresh_from_db()
    assert leave.status == LeaveRequest.Status.APPROVED and leave.leave_entry is not None
    duty.refresh_from_db()
    assert duty.end == start  # the duty was cut where the leave begins
    assert "rosters.leave_request.approve" in set(AuditEvent.objects.values_list("action", flat=True))


def test_leave_requests_through_the_api(client, cast):
    start = clock.now() + dt.timedelta(days=10)
    sign_in(client, "officer_a")
    body = {"start": start.isoformat(), "end": (start + dt.timedelta(days=2)).isoformat(), "note": "trip"}
    created = client.post("/api/v1/leave-requests/", body, content_type="application/json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    overlap = client.post("/api/v1/leave-requests/", body, content_type="application/json")
    assert overlap.status_code == 400 and "start" in overlap.json()
    assert (
        client.post(f"/api/v1/leave-requests/{pk}/approve/", {}, content_type="application/json").status_code
        == 403
    )
    sign_in(client, "chief_north")
    listed = client.get("/api/v1/leave-requests/?status=pending").json()["results"]
    assert [r["id"] for r in listed] == [pk]
    refused = client.post(
        f"/api/v1/leave-requests/{pk}/refuse/", {"note": "festival"}, content_type="application/json"
    )
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    decided_twice = client.post(f"/api/v1/leave-requests/{pk}/approve/", {}, content_type="application/json")
    assert decided_twice.status_code == 400 and "status" in decided_twice.json()


def test_counter_cover_by_hand_page_and_api(client, cast):
    start = (clock.now() - dt.timedelta(hours=3)).replace(second=0, microsecond=0)
    sign_in(client, "officer_b")
    form = {
        "start": f"{start.astimezone(clock.TOKYO):%Y-%m-%dT%H:%M}",
        "end": f"{(start + dt.timedelta(hours=1)).astimezone(clock.TOKYO):%Y-%m-%dT%H:%M}",
        "cover_name": "Spouse",
    }
    assert client.post(f"/rosters/boxes/{cast.box_b.pk}/cover/", form).status_code == 302
    entry = RosterEntry.objects.get(kind=EntryKind.COVER)
    assert entry.cover_name == "Spouse" and entry.officer is None
    # Another box's officer may not enter cover at box B; the overlap is refused by name.
    sign_in(client, "officer_a")
    assert client.get(f"/rosters/boxes/{cast.box_b.pk}/cover/").status_code == 403
    sign_in(client, "chief_north")
    body = {
        "box": cast.box_b.pk,
        "start": start.isoformat(),
        "end": (start + dt.timedelta(minutes=30)).isoformat(),
        "cover_name": "Counsellor",
    }
    overlap = client.post("/api/v1/counter-cover/", body, content_type="application/json")
    assert overlap.status_code == 400 and "start" in overlap.json()
    body["start"] = (start - dt.timedelta(hours=1)).isoformat()
    body["end"] = start.isoformat()
    assert client.post("/api/v1/counter-cover/", body, content_type="application/json").status_code == 201


def test_empty_hours_keep_their_minutes_in_the_api_and_the_monthly_report(client, cast):
    day = dt.date(2026, 5, 12)
    start = dt.datetime.combine(day, dt.time(8, 30), tzinfo=clock.TOKYO)
    data.duty(cast.box_a, cast.officer_a, start)
    # Out for seven minutes and twenty seconds: a gap the old 0.1 h rounding hid.
    Outing.objects.create(
        box=cast.box_a,
        officer=cast.officer_a,
        kind="patrol",
        started_at=start + dt.timedelta(hours=3),
        ended_at=start + dt.timedelta(hours=3, minutes=7, seconds=20),
    )
    sign_in(client, "chief_north")
    body = client.get(f"/api/v1/empty-hours/?box={cast.box_a.pk}&start=2026-05-13&end=2026-05-13").json()
    row = body["boxes"][0]
    # 13 May: empty 08:30 onwards of the 24 h shift ends at 08:30 on the 13th, the rest of the day empty.
    assert row["unstaffed_seconds"] == 24 * 3600 - (8 * 3600 + 30 * 60)
    day_body = client.get(f"/api/v1/empty-hours/?box={cast.box_a.pk}&start=2026-05-12&end=2026-05-12").json()
    assert day_body["boxes"][0]["unstaffed_seconds"] == 8 * 3600 + 30 * 60 + 7 * 60 + 20
    month = client.get(f"/api/v1/empty-hours/?box={cast.box_a.pk}&month=2026-05").json()
    assert month["start"].startswith("2026-04-30T15:00") and month["end"].startswith("2026-05-31T15:00")
    assert month["boxes"][0]["unstaffed_seconds"] == 31 * 24 * 3600 - 24 * 3600 + 7 * 60 + 20
    bad = client.get("/api/v1/empty-hours/?month=2026-13")
    assert bad.status_code == 400 and "month" in bad.json()
    page = client.get("/rosters/empty/month/?month=2026-05")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="monthly-boxes"' in html
    assert "720:07" in html  # 30 days and 7 min 20 s: the minutes are there
    csv = client.get(f"/rosters/empty/month/?month=2026-05&station={cast.north.pk}&format=csv")
    assert csv["Content-Type"].startswith("text/csv") and "720:07" in csv.content.decode("utf-8-sig")
    assert client.get("/rosters/empty/month/?month=May").status_code == 200
