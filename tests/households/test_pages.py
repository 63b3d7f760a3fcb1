"""The household pages: worklist and visit entry, adding on the map, duplicates, coverage, import."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile

from koban.households import services
from koban.households.coverage import coverage
from koban.households.models import Household, Kind, Outcome, Visit
from koban.organization.models import PoliceBox
from koban.runs.models import JobRun
from tests.clock import now
from tests.factories import sign_in

pytestmark = pytest.mark.django_db


def _add(cast, address: str, lon: float = 139.704, lat: float = 35.604, **fields) -> Household:  # type: ignore[no-untyped-def]
    return services.add_household(cast.officer_a, point=Point(lon, lat, srid=4326), address=address, **fields)


def test_the_officer_sees_the_due_households_of_the_box_as_a_route(cast, client):
    due = _add(cast, "Ekimae 1-1")
    reached = _add(cast, "Ekimae 1-2", lon=139.706)
    services.record_visit(
        cast.officer_a, reached, visited_at=now() - dt.timedelta(days=3), outcome=Outcome.MET
    )
    _add(cast, "Yamate 5", lon=139.714)  # box B's
    sign_in(client, "officer_a")
    response = client.get("/households/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ekimae 1-1" in page and "Ekimae 1-2" not in page and "Yamate 5" not in page
    assert f'id="stop-{due.pk}"' in page and "worklist-route" in page


def test_a_visit_recorded_from_the_worklist_returns_to_it(cast, client):
    household = _add(cast, "Ekimae 2-1")
    sign_in(client, "officer_a")
    visited = (now() - dt.timedelta(minutes=20)).astimezone(dt.timezone(dt.timedelta(hours=9)))
    response = client.post(
        f"/households/{household.pk}/visit/",
        {
            f"v{household.pk}-visited_at": visited.strftime("%Y-%m-%dT%H:%M"),
            f"v{household.pk}-outcome": "met",
            f"v{household.pk}-topics": ["fraud", "disaster"],
            "next": "/households/?budget=60&per_visit=5",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/households/?budget=60&per_visit=5"
    visit = Visit.objects.get()
    assert (visit.officer, visit.outcome, visit.topics) == (cast.officer_a, "met", ["fraud", "disaster"])
    # A bad visit stays on the page with the error; nothing is written.
    response = client.post(f"/households/{household.pk}/visit/", {f"v{household.pk}-outcome": "chatted"})
    assert response.status_code == 400 and Visit.objects.count() == 1


def test_another_box_cannot_record_a_visit_and_the_attempt_is_audited(cast, client):
    from koban.audit.models import AuditEvent

    household = _add(cast, "Ekimae 2-2")
    sign_in(client, "officer_b")
    response = client.post(f"/households/{household.pk}/visit/", {f"v{household.pk}-outcome": "met"})
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", object_id=str(household.pk)).exists()


def test_hq_is_sent_to_coverage_and_counsellors_have_no_worklist(cast, client):
    sign_in(client, "planner")
    assert client.get("/households/")["Location"] == "/households/coverage/"
    sign_in(client, "counsellor_a")
    assert client.get("/households/").status_code == 403


def test_an_address_is_added_by_clicking_the_map(cast, client):
    sign_in(client, "officer_a")
    assert client.get("/households/add/").status_code == 200
    response = client.post(
        "/households/add/",
        {"lon": "139.7031", "lat": "35.6031", "address": "Ekimae 3-3", "kind": "house", "can_enter": "on"},
    )
    household = Household.objects.get()
    assert response.status_code == 302 and household.box == cast.box_a
    response = client.post(
        "/households/add/", {"lon": "139.85", "lat": "35.75", "address": "Far 1", "kind": "house"}
    )
    assert response.status_code == 400 and "cannot be placed" in response.content.decode()
    response = client.post("/households/add/", {"address": "No place", "kind": "house"})
    assert response.status_code == 400 and "Click the map" in response.content.decode()


def test_duplicates_are_suggested_and_merged_with_their_visits(cast, client):
    first = _add(cast, "Ekimae 4-4")
    second = _add(cast, "駅前四丁目四番地の二", lon=139.70401)  # a second spelling, one metre away
    services.record_visit(
        cast.officer_a, second, visited_at=now() - dt.timedelta(days=1), outcome=Outcome.MET
    )
    sign_in(client, "officer_a")
    page = client.get("/households/duplicates/").content.decode()
    assert f"({first.pk})" in page and f"({second.pk})" in page
    response = client.post("/households/merge/", {"keep": first.pk, "duplicate": second.pk})
    assert response.status_code == 302
    first.refresh_from_db()
    assert not Household.objects.filter(pk=second.pk).exists()
    assert Visit.objects.get().household == first and first.last_contact_at is not None


def test_coverage_counts_on_a_small_world(cast):
    at = now()
    homes = [_add(cast, f"Ekimae 5-{i}", lon=139.701 + i * 0.001) for i in range(4)]
    building = _add(cast, "Tower", kind=Kind.APARTMENT_BUILDING, can_enter=False)
    units = [_add(cast, f"Tower {i}", kind=Kind.APARTMENT_UNIT, building=building) for i in range(2)]
    _add(cast, "Yamate 9", lon=139.714)  # box B, never visited
    ago = lambda days: at - dt.timedelta(days=days)  # noqa: E731
    services.record_visit(cast.officer_a, homes[0], visited_at=ago(10), outcome=Outcome.MET)
    services.record_visit(cast.officer_a, homes[0], visited_at=ago(5), outcome=Outcome.MET)
    services.record_visit(cast.officer_a, homes[1], visited_at=ago(20), outcome=Outcome.REFUSED)
    services.record_visit(cast.officer_a, homes[2], visited_at=ago(30), outcome=Outcome.ABSENT)
    services.record_visit(
        cast.officer_a, homes[3], visited_at=ago(400), outcome=Outcome.MET
    )  # before the period
    services.record_visit(cast.officer_a, units[0], visited_at=ago(3), outcome=Outcome.COULD_NOT_ENTER)
    result = coverage(PoliceBox.objects.filter(station=cast.north), ago(365), at)
    a = result.by_box[cast.box_a.pk]
    # 4 homes + 2 units are visited (the building through its units); homes 0 and 1 were reached.
    assert (a.households, a.visited, a.never) == (6, 2, 3)
    assert a.cannot_enter == 1
    assert a.refusal_rate == pytest.approx(1 / 3)  # 1 refusal among 3 visits that reached someone
    assert result.by_box[cast.box_b.pk].households == 1 and result.by_box[cast.box_b.pk].visited == 0
    assert result.total.households == 7
    assert result.by_station[cast.north.pk].households == 7
    assert sum(m["visits"] for m in result.months) == 5


def test_the_coverage_page_shows_figures_and_never_an_address(cast, client):
    household = _add(cast, "SECRET-ADDRESS 1")
    services.record_visit(
        cast.officer_a, household, visited_at=now() - dt.timedelta(days=2), outcome=Outcome.MET
    )
    for user in ("planner", "chief_north", "officer_a"):
        sign_in(client, user)
        response = client.get("/households/coverage/")
        page = response.content.decode()
        assert response.status_code == 200 and "SECRET-ADDRESS" not in page
        assert "100 %" in page
    sign_in(client, "outsider")
    assert "100 %" not in client.get("/households/coverage/").content.decode()


def test_hq_starts_an_import_run_from_the_page(cast, client, settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path
    sign_in(client, "planner")
    upload = SimpleUploadedFile(
        "list.csv", b"address,lon,lat\nEkimae 6-6,139.705,35.605\n", content_type="text/csv"
    )
    response = client.post("/households/import/", {"file": upload, "agency": cast.agency.code})
    run = JobRun.objects.get(kind="households.import")
    assert response.status_code == 302 and response["Location"] == f"/runs/{run.pk}/"
    assert run.parameters["commit"] is False
    sign_in(client, "officer_a")
    assert client.get("/households/import/").status_code == 404


def test_the_coverage_api_answers_figures_for_the_users_scope(cast, client):
    household = _add(cast, "Ekimae 8-8")
    services.record_visit(
        cast.officer_a, household, visited_at=now() - dt.timedelta(days=2), outcome=Outcome.REFUSED
    )
    sign_in(client, "planner")
    body = client.get("/api/v1/households/coverage", {"months": 3}).json()
    assert body["total"]["households"] == 1 and body["total"]["refusal_rate"] == 1.0
    assert body["boxes"][str(cast.box_a.pk)]["visited"] == 1
    assert "Ekimae" not in str(body)
    assert client.get("/api/v1/households/coverage", {"months": 99}).status_code == 400
    sign_in(client, "outsider")
    assert client.get("/api/v1/households/coverage").json()["total"]["households"] == 0
