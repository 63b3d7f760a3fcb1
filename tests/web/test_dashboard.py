"""The box dashboard: access, what each section shows, the empty-box warning, the query budget."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from koban.accounts.models import Role
from koban.incidents.models import Status
from koban.rosters.handover import write_handover
from tests import clock
from tests.factories import make_user, sign_in
from tests.personas import LAT, LON
from tests.web import dashboard_data as data


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    # Beat coverage is cached by beat and week; ids repeat between tests of one run.
    cache.clear()
    yield
    cache.clear()


def _login(client, username: str) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, username)


def _dashboard(client, box_id: int):  # type: ignore[no-untyped-def]
    return client.get(f"/boxes/{box_id}/dashboard/", HTTP_ACCEPT_LANGUAGE="en")


def test_an_officer_lands_on_their_box_dashboard(client, cast):  # type: ignore[no-untyped-def]
    _login(client, "officer_a")
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == f"/boxes/{cast.box_a.id}/dashboard/"


def test_a_chief_starts_on_the_map_and_picks_a_box_of_the_station(client, cast):  # type: ignore[no-untyped-def]
    _login(client, "chief_north")
    assert client.get("/")["Location"] == "/map/"
    picker = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
    assert picker.status_code == 200
    assert f"/boxes/{cast.box_a.id}/dashboard/" in picker.text
    assert f"/boxes/{cast.box_b.id}/dashboard/" in picker.text
    assert f"/boxes/{cast.box_c.id}/dashboard/" not in picker.text
    assert _dashboard(client, cast.box_b.id).status_code == 200


def test_an_officer_of_another_station_is_refused(client, cast):  # type: ignore[no-untyped-def]
    make_user(Role.BOX_OFFICER, "officer_c", agency=cast.agency, station=cast.south, box=cast.box_c)
    _login(client, "officer_c")
    assert _dashboard(client, cast.box_a.id).status_code == 404
    assert client.get(f"/boxes/{cast.box_a.id}/briefing.pdf").status_code == 404
    assert client.get(f"/boxes/{cast.box_a.id}/dashboard/incidents.geojson").status_code == 404
    assert client.get(f"/boxes/{cast.box_a.id}/dashboard/uncovered.geojson").status_code == 404
    assert client.get(f"/boxes/{cast.box_a.id}/dashboard/sections/open_incidents/").status_code == 404
    assert _dashboard(client, cast.box_c.id).status_code == 200


def test_another_agencys_planner_is_refused(client, cast):  # type: ignore[no-untyped-def]
    _login(client, "outsider")
    assert _dashboard(client, cast.box_a.id).status_code == 404


def test_the_dashboard_needs_a_login(client, cast):  # type: ignore[no-untyped-def]
    response = client.get(f"/boxes/{cast.box_a.id}/dashboard/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.dates
def test_sections_show_the_data_of_each_app(client, cast):  # type: ignore[no-untyped-def]
    now = clock.now()
    data.duty(cast.box_a, cast.officer_a, now - dt.timedelta(hours=2))
    data.duty(cast.box_a, cast.counsellor_a, now + dt.timedelta(hours=22))  # the next shift
    data.incident(
        cast.box_a, now - dt.timedelta(hours=3), lon=LON + 0.002, lat=LAT + 0.002, address="駅前1丁目"
    )
    data.incident(
        cast.box_a,
        now - dt.timedelta(days=3),
        lon=LON + 0.003,
        lat=LAT + 0.004,
        code="burglary",
        response_s=300,
    )
    data.incident(
        cast.box_a,
        now - dt.timedelta(days=20),
        lon=LON + 0.004,
        lat=LAT + 0.004,
        code="burglary",
        status=Status.CLEARED,
    )
    data.incident(
        cast.box_b, now - dt.timedelta(hours=1), lon=LON + 0.015, lat=LAT + 0.005, address="山手の事件"
    )
    # "Today" whatever the instant: an hour or half an hour ago, unless that was yesterday.
    data.found_item_with_task(
        cast.box_a,
        cast.officer_a,
        now,
        clock.local_today(),
        handed_in_at=clock.earlier_today(dt.timedelta(hours=1)),
    )
    data.counter_matter(cast.box_a, cast.officer_a, clock.earlier_today(dt.timedelta(minutes=30)))
    data.patrol(
        cast.box_a,
        cast.officer_a,
        now - dt.timedelta(hours=1),
        [(LON + 0.0005, LAT + 0.005), (LON + 0.0095, LAT + 0.005)],
    )
    _login(client, "officer_a")
    page = _dashboard(client, cast.box_a.id)
    assert page.status_code == 200
    sections = page.context["sections"]
    by_key = {s.key: s.context for s in sections}
    assert {
        "on_duty",
        "open_incidents",
        "incident_map",
        "counter_today",
        "lost_found",
        "response_times",
        "unpatrolled",
    } <= set(by_key)
    # On duty and next shift (rosters).
    assert [o.username for o in by_key["on_duty"]["officers"]] == ["officer_a"]
    assert not by_key["on_duty"]["empty"]
    assert [o.username for o in by_key["on_duty"]["next"]["officers"]] == ["counsellor_a"]
    # Open incidents of this box only, oldest first (incidents).
    assert by_key["open_incidents"]["total"] == 2
    assert "駅前1丁目" in page.text and "山手の事件" not in page.text
    # Counts by category in SQL: 2 in 7 days, 3 in 30 days.
    assert by_key["incident_map"]["total_7"] == 2 and by_key["incident_map"]["total_30"] == 3
    burglary = next(r for r in by_key["incident_map"]["rows"] if r["code"] == "burglary")
    assert (burglary["last_7"], burglary["last_30"]) == (1, 2)
    # Response times (incidents' figures): one response of 5:00.
    assert by_key["response_times"]["count"] == 1
    assert by_key["response_times"]["median_display"] == "5:00"
    assert by_key["response_times"]["median_faster"]
    # Lost and found, counter, patrols.
    assert by_key["lost_found"]["tasks_total"] == 1 and by_key["lost_found"]["received_today"] == 1
    assert by_key["counter_today"]["total"] == 1
    assert 0 < by_key["unpatrolled"]["percent"] < 100
    assert by_key["unpatrolled"]["uncovered"]["features"]
    # The map configuration carries the beat and the unpatrolled parts.
    config = page.context["dashboard_map_config"]
    assert config["beats"]["features"][0]["properties"]["code"] == "A-1"
    uncovered = client.get(config["uncoveredUrl"]).json()
    assert uncovered["features"] and not any(f["properties"]["covered"] for f in uncovered["features"])


@pytest.mark.dates
def test_an_empty_box_is_flagged(client, cast):  # type: ignore[no-untyped-def]
    now = clock.now()
    data.duty(cast.box_a, cast.officer_a, now - dt.timedelta(hours=30))  # ended six hours ago
    _login(client, "officer_a")
    page = _dashboard(client, cast.box_a.id)
    assert 'data-testid="box-empty"' in page.text
    assert "Box empty now" in page.text
    data.duty(cast.box_a, cast.officer_a, now - dt.timedelta(hours=1))
    page = _dashboard(client, cast.box_a.id)
    assert 'data-testid="box-empty"' not in page.text
    assert 'data-testid="on-duty"' in page.text


def test_the_map_points_follow_the_chosen_period(client, cast):  # type: ignore[no-untyped-def]
    now = clock.now()
    data.incident(cast.box_a, now - dt.timedelta(days=2), lon=LON + 0.002, lat=LAT + 0.002)
    data.incident(cast.box_a, now - dt.timedelta(days=12), lon=LON + 0.003, lat=LAT + 0.003)
    data.incident(cast.box_a, now - dt.timedelta(days=45), lon=LON + 0.004, lat=LAT + 0.004)
    _login(client, "officer_a")
    url = f"/boxes/{cast.box_a.id}/dashboard/incidents.geojson"
    assert len(client.get(url, {"days": 7}).json()["features"]) == 1
    week30 = client.get(url, {"days": 30}).json()
    assert len(week30["features"]) == 2
    assert week30["features"][0]["geometry"]["coordinates"] == [round(LON + 0.002, 6), round(LAT + 0.002, 6)]
    bad = client.get(url, {"days": 5}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and b"days" in bad.content


def test_a_section_refreshes_on_its_own(client, cast):  # type: ignore[no-untyped-def]
    data.incident(cast.box_a, clock.now() - dt.timedelta(minutes=5), lon=LON + 0.002, lat=LAT + 0.002)
    _login(client, "officer_a")
    response = client.get(
        f"/boxes/{cast.box_a.id}/dashboard/sections/open_incidents/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert 'id="dash-open_incidents"' in response.text and "<html" not in response.text
    assert client.get(f"/boxes/{cast.box_a.id}/dashboard/sections/nothing/").status_code == 404


def test_the_dashboard_keeps_a_query_budget_with_many_incidents(client, cast, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    now = clock.now()
    data.many_incidents(cast.box_a, now, 2000, bounds=(LON, LAT, LON + 0.01, LAT + 0.01))
    data.duty(cast.box_a, cast.officer_a, now - dt.timedelta(hours=2))
    for hours in range(5):
        data.counter_matter(cast.box_a, cast.officer_a, now - dt.timedelta(minutes=10 + hours))
        data.found_item_with_task(cast.box_a, cast.officer_a, now, clock.local_today())
        data.patrol(
            cast.box_a,
            cast.officer_a,
            now - dt.timedelta(hours=3 + hours),
            [(LON + 0.001, LAT + 0.001 * hours), (LON + 0.009, LAT + 0.001 * hours)],
        )
    data.households(cast, 300)
    for n in range(3):
        write_handover(cast.chief_north, cast.box_a, f"Instruction {n}", now)
    _login(client, "officer_a")
    _dashboard(client, cast.box_a.id)  # warm caches (categories of the session, the content types)
    # Presence (who is in the box) reads roster, sign-ons, leave, cover and each away source (outings,
    # patrols, dispatches) once, and the officer's own duty buttons: a fixed number whatever the data.
    # Volunteer activity in the beat: its list and the box's groups (for reminders), two more.
    # The handover entries waiting for the officer: one.
    with django_assert_max_num_queries(43):
        page = _dashboard(client, cast.box_a.id)
    assert page.status_code == 200
    open_incidents = next(s.context for s in page.context["sections"] if s.key == "open_incidents")
    assert open_incidents["total"] > 15  # a limited list and a count
    assert len(open_incidents["incidents"]) == 15
    handover = next(s.context for s in page.context["sections"] if s.key == "handover")
    assert handover["total"] == 3
    visits_due = next(s.context for s in page.context["sections"] if s.key == "visits_due")
    assert visits_due["counts"]["households"] == 300 and visits_due["counts"]["due"] == 150
    with django_assert_max_num_queries(8):
        points = client.get(f"/boxes/{cast.box_a.id}/dashboard/incidents.geojson", {"days": 30})
    assert 0 < len(points.json()["features"]) <= 3000


def test_coverage_follows_new_patrols_despite_the_cache(client, cast):  # type: ignore[no-untyped-def]
    now = clock.now()
    _login(client, "officer_a")

    def percent() -> float:
        page = _dashboard(client, cast.box_a.id)
        return next(s.context for s in page.context["sections"] if s.key == "unpatrolled")["percent"]

    assert percent() == 0.0
    data.patrol(
        cast.box_a,
        cast.officer_a,
        now - dt.timedelta(hours=1),
        [(LON + 0.0005, LAT + 0.005), (LON + 0.0095, LAT + 0.005)],
    )
    first = percent()
    assert first > 0
    assert percent() == first  # from the cache
    data.patrol(
        cast.box_a,
        cast.officer_a,
        now - dt.timedelta(hours=2),
        [(LON + 0.005, LAT + 0.0005), (LON + 0.005, LAT + 0.0095)],
    )
    assert percent() > first
