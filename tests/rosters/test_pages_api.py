"""Roster API and pages: access rules, generation answers, on-duty and the empty-hours report."""

from __future__ import annotations

import datetime as dt

import pytest

from koban.rosters.generation import generate_month_roster
from koban.rosters.models import RosterEntry
from tests.factories import sign_in
from tests.rosters.conftest import tokyo


def login(client, username: str) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, username)


@pytest.fixture
def april(cast, squad):  # type: ignore[no-untyped-def]
    generate_month_roster(cast.chief_north, cast.box_a, 2026, 3, accept_gaps=True)
    return generate_month_roster(cast.chief_north, cast.box_a, 2026, 4)


def test_api_lists_entries_of_a_box_in_a_range(client, cast, april):
    login(client, "officer_a")
    response = client.get(f"/api/v1/roster-entries/?box={cast.box_a.id}&start=2026-04-04&end=2026-04-04")
    assert response.status_code == 200
    codes = {(row["officer_name"], row["shift_code"]) for row in response.json()["results"]}
    assert ("officer_a", "T") in codes


def test_api_entries_of_another_station_are_forbidden(client, cast, april):
    login(client, "officer_a")
    assert client.get(f"/api/v1/roster-entries/?box={cast.box_c.id}").status_code == 404


def test_api_bad_date_is_named(client, cast, april):
    login(client, "officer_a")
    response = client.get(f"/api/v1/roster-entries/?box={cast.box_a.id}&start=2026-13-01")
    assert response.status_code == 400 and "start" in response.json()


def test_api_generate_answers_409_with_the_gaps(client, cast, squad):
    squad.plan.valid_from = dt.date(2026, 5, 1)  # nothing runs in from 30 April
    squad.plan.save()
    login(client, "chief_north")
    response = client.post(
        "/api/v1/roster-entries/generate/",
        {"box": cast.box_a.id, "year": 2026, "month": 5},
        content_type="application/json",
    )
    assert response.status_code == 409
    body = response.json()
    assert not body["saved"] and body["unstaffed_hours"] == pytest.approx(8.5)
    assert not RosterEntry.objects.exists()


def test_api_officer_may_not_generate(client, cast, squad):
    login(client, "officer_a")
    response = client.post(
        "/api/v1/roster-entries/generate/",
        {"box": cast.box_a.id, "year": 2026, "month": 5, "accept_gaps": True},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_api_leave_with_end_before_start_is_400(client, cast, squad):
    login(client, "chief_north")
    response = client.post(
        "/api/v1/roster-entries/leave/",
        {
            "box": cast.box_a.id,
            "officer": cast.officer_a.id,
            "start": "2026-04-05T09:00+09:00",
            "end": "2026-04-04T09:00+09:00",
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "end" in response.json()


def test_api_on_duty_at_a_moment(client, cast, april):
    login(client, "chief_north")
    response = client.get("/api/v1/on-duty/?at=2026-04-04T12:00%2B09:00")
    rows = {row["box"]: row for row in response.json()}
    assert rows[cast.box_a.id]["staffed"] and rows[cast.box_a.id]["officers"][0]["name"] == "officer_a"
    assert not rows[cast.box_b.id]["staffed"]
    assert cast.box_c.id not in rows


def test_api_empty_hours_counts_a_hand_built_gap(client, cast, april):
    from koban.rosters.services import record_leave

    record_leave(cast.chief_north, cast.box_a, cast.officer_a, tokyo(2026, 4, 4, 12), tokyo(2026, 4, 4, 15))
    login(client, "chief_north")
    response = client.get(f"/api/v1/empty-hours/?box={cast.box_a.id}&start=2026-04-04&end=2026-04-05")
    [row] = response.json()["boxes"]
    assert row["unstaffed_hours"] == pytest.approx(3.0) and row["covered_hours"] == 0
    [station] = response.json()["stations"]
    assert station["unstaffed_hours"] == pytest.approx(3.0) and station["boxes_with_gaps"] == 1


def test_month_page_shows_the_grid_and_gaps(client, cast, april):
    login(client, "chief_north")
    response = client.get(f"/rosters/boxes/{cast.box_a.id}/2026/4/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "officer_a2" in response.text and "Duty (24 h)" in response.text
    assert "Generate the roster" in response.text


def test_generate_page_previews_gaps_before_saving(client, cast, squad):
    squad.plan.members.filter(group=2).delete()  # every third day without a duty group
    login(client, "chief_north")
    response = client.post(
        f"/rosters/boxes/{cast.box_a.id}/generate/", {"year": 2026, "month": 5}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200 and "Save it anyway" in response.text
    assert not RosterEntry.objects.exists()
    confirmed = client.post(
        f"/rosters/boxes/{cast.box_a.id}/generate/", {"year": 2026, "month": 5, "accept_gaps": "on"}
    )
    assert confirmed.status_code == 302 and RosterEntry.objects.exists()


def test_leave_page_is_for_chiefs_only(client, cast, squad):
    login(client, "officer_a")
    assert client.get(f"/rosters/boxes/{cast.box_a.id}/leave/").status_code == 403
    login(client, "chief_north")
    response = client.post(
        f"/rosters/boxes/{cast.box_a.id}/leave/",
        {"officer": cast.officer_a.id, "start": "2026-04-05T12:00", "end": "2026-04-05T10:00"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200 and "The end must be after the start." in response.text


def test_empty_report_page_and_index(client, cast, april):
    login(client, "chief_north")
    response = client.get("/rosters/empty/?start=2026-04-01&end=2026-04-07", HTTP_ACCEPT_LANGUAGE="en")
    assert (
        response.status_code == 200
        and "Ekimae Koban" in response.text
        and "Yamate Chuzaisho" in response.text
    )
    assert "Minato Koban" not in response.text
    assert client.get("/rosters/").status_code == 200


def test_api_chief_creates_a_plan_and_an_officer_cannot(client, cast):
    payload = {
        "box": cast.box_b.id,
        "pattern": "chuzaisho",
        "anchor": "2026-04-06",
        "valid_from": "2026-04-01",
        "cover_name": "Family of officer_b",
        "members": [{"officer": cast.officer_b.id, "group": 0}],
    }
    login(client, "officer_b")
    assert client.post("/api/v1/shift-plans/", payload, content_type="application/json").status_code == 403
    login(client, "chief_north")
    bad = dict(payload, members=[{"officer": cast.officer_b.id, "group": 3}])
    response = client.post("/api/v1/shift-plans/", bad, content_type="application/json")
    assert response.status_code == 400 and "members" in response.json()
    response = client.post("/api/v1/shift-plans/", payload, content_type="application/json")
    assert response.status_code == 201, response.json()
    listed = client.get(f"/api/v1/shift-plans/?box={cast.box_b.id}").json()["results"]
    assert listed[0]["members"] == [{"officer": cast.officer_b.id, "group": 0}]
    generated = client.post(
        "/api/v1/roster-entries/generate/",
        {"box": cast.box_b.id, "year": 2026, "month": 4, "accept_gaps": True},
        content_type="application/json",
    ).json()
    # A chuzaisho's officer lives there: outside duty hours the box is on call, not empty, so the
    # month generates without a single empty hour (it used to warn every night).
    assert generated["saved"] and generated["unstaffed_hours"] == 0
    assert generated["on_call_hours"] > 300 and generated["problems"] == []


def test_plan_page_puts_a_box_on_a_pattern(client, cast):
    from koban.rosters.models import BoxShiftPlan, ShiftPattern

    login(client, "officer_a")
    assert client.get(f"/rosters/boxes/{cast.box_a.id}/plan/").status_code == 403
    login(client, "chief_north")
    pattern = ShiftPattern.objects.get(code="mpd-4-group")
    data = {
        "pattern": pattern.pk,
        "valid_from": "2026-05-01",
        "anchor": "2026-05-01",
        f"group_{cast.officer_a.id}": "5",
    }
    response = client.post(f"/rosters/boxes/{cast.box_a.id}/plan/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "does not exist in this pattern" in response.text
    data[f"group_{cast.officer_a.id}"] = "2"
    response = client.post(f"/rosters/boxes/{cast.box_a.id}/plan/", data)
    assert response.status_code == 302
    plan = BoxShiftPlan.objects.get(box=cast.box_a)
    assert [(m.officer, m.group) for m in plan.members.all()] == [(cast.officer_a, 1)]
