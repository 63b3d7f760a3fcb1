"""Adding stops, observations and patrol cards to a patrol through the API."""

from __future__ import annotations

import datetime

import pytest

from koban.audit.models import AuditEvent
from koban.patrols import services
from koban.patrols.models import Observation, PatrolCard, PatrolStop
from tests.factories import PASSWORD
from tests.patrols.helpers import T0

pytestmark = pytest.mark.django_db
LINE = {"type": "LineString", "coordinates": [[139.701, 35.6015], [139.705, 35.6015]]}
MINUTE = datetime.timedelta(minutes=1)


def _login(client, username):  # type: ignore[no-untyped-def]
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def patrol(cast):  # type: ignore[no-untyped-def]
    return services.record_drawn_patrol(
        cast.officer_a,
        cast.box_a,
        LINE,
        officers=[cast.officer_a],
        started_at=T0,
        ended_at=T0 + datetime.timedelta(hours=1),
    )


def _post(client, patrol, what, body):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/patrols/{patrol.pk}/{what}/", body, content_type="application/json")


def test_a_stop_an_observation_and_a_card_are_added(client, cast, patrol):  # type: ignore[no-untyped-def]
    _login(client, "officer_a")
    stop = {
        "lon": 139.702,
        "lat": 35.6015,
        "arrived_at": (T0 + 10 * MINUTE).isoformat(),
        "left_at": (T0 + 20 * MINUTE).isoformat(),
        "note": "crossing watch",
    }
    response = _post(client, patrol, "stops", stop)
    assert response.status_code == 201, response.json()
    observation = {
        "kind": "hazard",
        "observed_at": (T0 + 25 * MINUTE).isoformat(),
        "note": "broken street light",
    }
    response = _post(client, patrol, "observations", observation)
    assert response.status_code == 201, response.json()
    card = {"address": "北町1-2-3", "left_at": (T0 + 30 * MINUTE).isoformat(), "lon": 139.703, "lat": 35.6016}
    response = _post(client, patrol, "cards", card)
    assert response.status_code == 201, response.json()
    props = response.json()["properties"]
    assert [s["dwell_minutes"] for s in props["stops"] if not s["detected"]] == [10]
    assert props["observations"][0]["note"] == "broken street light"
    assert props["cards"][0]["address"] == "北町1-2-3"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"patrols.add_stop", "patrols.add_observation", "patrols.add_card"} <= actions


@pytest.mark.parametrize(
    ("what", "body", "field"),
    [
        (
            "stops",
            {
                "lon": 139.702,
                "arrived_at": (T0 + MINUTE).isoformat(),
                "left_at": (T0 + 2 * MINUTE).isoformat(),
            },
            "lat",
        ),
        (
            "stops",
            {
                "lon": 139.702,
                "lat": 1e150,
                "arrived_at": (T0 + MINUTE).isoformat(),
                "left_at": (T0 + 2 * MINUTE).isoformat(),
            },
            "point",
        ),
        (
            "stops",
            {
                "lon": 139.702,
                "lat": 35.6,
                "arrived_at": (T0 + 5 * MINUTE).isoformat(),
                "left_at": (T0 + MINUTE).isoformat(),
            },
            "left_at",
        ),
        (
            "stops",
            {
                "lon": 139.702,
                "lat": 35.6,
                "arrived_at": (T0 - 60 * MINUTE).isoformat(),
                "left_at": (T0 + MINUTE).isoformat(),
            },
            "arrived_at",
        ),
        ("observations", {"kind": "ufo", "observed_at": (T0 + MINUTE).isoformat(), "note": "x"}, "kind"),
        ("observations", {"kind": "hazard", "observed_at": (T0 + MINUTE).isoformat(), "note": ""}, "note"),
        (
            "observations",
            {"kind": "hazard", "observed_at": (T0 + MINUTE).isoformat(), "note": "x", "lon": 139.7},
            "point",
        ),
        ("cards", {"address": "", "left_at": (T0 + MINUTE).isoformat()}, "address"),
        ("cards", {"address": "北町", "left_at": "noon"}, "left_at"),
        ("cards", {"address": "北町", "left_at": (T0 + 5 * 60 * MINUTE).isoformat()}, "left_at"),
    ],
)
def test_bad_records_name_the_field_and_write_nothing(client, cast, patrol, what, body, field):  # type: ignore[no-untyped-def]
    response = _post(_login(client, "officer_a"), patrol, what, body)
    assert response.status_code == 400
    assert field in response.json()
    assert not PatrolStop.objects.filter(patrol=patrol, detected=False).exists()
    assert not Observation.objects.exists() and not PatrolCard.objects.exists()


@pytest.mark.parametrize(
    # A counsellor reads the box's patrols but adds nothing; another box's officer does not see them.
    ("username", "status"),
    [("counsellor_a", 403), ("officer_b", 404), ("outsider", 404)],
)
def test_only_those_who_patrol_the_box_add_records(client, cast, patrol, username, status):  # type: ignore[no-untyped-def]
    body = {"address": "北町", "left_at": (T0 + MINUTE).isoformat()}
    assert _post(_login(client, username), patrol, "cards", body).status_code == status
    assert not PatrolCard.objects.exists()


def test_the_chief_adds_records_to_a_patrol_of_the_station(client, cast, patrol):  # type: ignore[no-untyped-def]
    body = {"kind": "advice", "observed_at": (T0 + MINUTE).isoformat(), "note": "crime prevention talk"}
    assert _post(_login(client, "chief_north"), patrol, "observations", body).status_code == 201
