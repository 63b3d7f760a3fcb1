"""Patrol cars and their crews through the API: the chief assigns a shift's crew, officers read it."""

from __future__ import annotations

import datetime as dt

import pytest

from koban.audit.models import AuditEvent
from koban.rosters.models import CrewAssignment, PatrolCar
from tests import clock
from tests.factories import PASSWORD

URL = "/api/v1/patrol-cars/"


@pytest.fixture
def car(cast):  # type: ignore[no-untyped-def]
    return PatrolCar.objects.create(call_sign="North 1", box=cast.box_a)


def shift(hours: int = 8) -> dict[str, str]:
    start = clock.now() - dt.timedelta(hours=1)
    return {"start": start.isoformat(), "end": (start + dt.timedelta(hours=hours)).isoformat()}


def test_the_chief_assigns_a_crew_and_officers_see_it_riding_now(client, cast, car):  # type: ignore[no-untyped-def]
    assert client.login(username="chief_north", password=PASSWORD)
    body = {"officers": [cast.officer_a.pk, cast.officer_b.pk]} | shift()
    response = client.post(f"{URL}{car.pk}/crew/", body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["crew_now"] == ["officer_a", "officer_b"]
    assert AuditEvent.objects.filter(action="rosters.crew.assign").count() == 1
    client.logout()
    assert client.login(username="officer_b", password=PASSWORD)
    listed = client.get(URL).json()["results"]
    assert [(c["call_sign"], c["crew_now"]) for c in listed] == [("North 1", ["officer_a", "officer_b"])]
    # An officer may read the crews but not assign them.
    again = client.post(
        f"{URL}{car.pk}/crew/", {"officers": [cast.officer_b.pk]} | shift(), content_type="application/json"
    )
    assert again.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"officers": []} | shift(), "officers"),
        ({"officers": ["x"]} | shift(), "officers"),
        ({"officers": [999999]} | shift(), "officers"),
        ({"officers": [1], "start": "yesterday", "end": "2026-06-10T20:00:00+09:00"}, "start"),
        ({"officers": [1]} | shift(hours=-2), "end"),
    ],
)
def test_bad_crews_answer_400_naming_the_field(client, cast, car, body, field):  # type: ignore[no-untyped-def]
    if body["officers"] == [1]:
        body = body | {"officers": [cast.officer_a.pk]}
    assert client.login(username="chief_north", password=PASSWORD)
    response = client.post(f"{URL}{car.pk}/crew/", body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert not CrewAssignment.objects.exists()


def test_another_agency_gets_404(client, car):  # type: ignore[no-untyped-def]
    assert client.login(username="outsider", password=PASSWORD)
    assert client.get(f"{URL}{car.pk}/").status_code == 404
    assert client.get(URL).json()["results"] == []
