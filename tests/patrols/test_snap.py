"""Drawing a patrol over the street network: the snapping endpoint, its refusals and its notes."""

from __future__ import annotations

import json

import pytest
from django.contrib.gis.geos import LineString

from koban.geography.models import RoadSegment
from tests.personas import LAT, LON

pytestmark = pytest.mark.django_db
URL = "/patrols/snap/"


def _post(client, body):  # type: ignore[no-untyped-def]
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json")


def _l_street() -> None:
    """A street east along the beat's south edge, then north at its east end."""
    corner = (LON + 0.004, LAT + 0.001)
    for a, b in (((LON + 0.0, LAT + 0.001), corner), (corner, (LON + 0.004, LAT + 0.006))):
        RoadSegment.objects.create(name="Ekimae-dori", geom=LineString(a, b, srid=4326), length_m=400)


def test_taps_on_the_street_are_joined_round_the_corner(client, cast):  # type: ignore[no-untyped-def]
    _l_street()
    client.force_login(cast.officer_a)
    response = _post(client, {"points": [[LON + 0.001, LAT + 0.0012], [LON + 0.0042, LAT + 0.005]]})
    assert response.status_code == 200
    answer = response.json()
    assert answer["roads_loaded"] is True and answer["on_roads"] == [True] and "note" not in answer
    coords = answer["coordinates"]
    assert any(abs(x - (LON + 0.004)) < 1e-6 and abs(y - (LAT + 0.001)) < 1e-6 for x, y in coords)
    # The ends are moved onto the street.
    assert abs(coords[0][1] - (LAT + 0.001)) < 1e-6 and abs(coords[-1][0] - (LON + 0.004)) < 1e-6


def test_without_streets_the_route_stays_straight_and_the_answer_says_so(client, cast):  # type: ignore[no-untyped-def]
    client.force_login(cast.officer_a)
    taps = [[LON + 0.001, LAT + 0.001], [LON + 0.003, LAT + 0.004], [LON + 0.005, LAT + 0.002]]
    answer = _post(client, {"points": taps}).json()
    assert answer["coordinates"] == taps and answer["on_roads"] == [False, False]
    assert answer["roads_loaded"] is False and "straight lines" in answer["note"]


def test_a_tap_in_a_park_is_a_straight_leg_with_a_note(client, cast):  # type: ignore[no-untyped-def]
    _l_street()
    client.force_login(cast.officer_a)
    answer = _post(client, {"points": [[LON + 0.001, LAT + 0.001], [LON + 0.002, LAT + 0.005]]}).json()
    assert answer["roads_loaded"] is True and answer["on_roads"] == [False]
    assert "far from any street" in answer["note"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "must be JSON"),
        ({"points": [[LON, LAT]]}, "between 2 and 200 points"),
        ({"points": [[LON, LAT]] * 201}, "between 2 and 200 points"),
        ({"points": [[LON, LAT], [LON, "north"]]}, "Point 2: The latitude"),
        ({"points": [[LON, LAT], [999, LAT]]}, "Point 2: The longitude"),
        ({"points": [[LON, LAT], [True, LAT]]}, "Point 2 is not"),
        ({"points": [[LON, LAT], [LON, LAT, 3]]}, "Point 2 is not"),
        ({"points": [[LON, LAT], [LON + 0.5, LAT]]}, "too far apart"),
        ([1, 2], "between 2 and 200 points"),
    ],
)
def test_bad_points_get_a_clear_error(client, cast, body, message):  # type: ignore[no-untyped-def]
    client.force_login(cast.officer_a)
    response = _post(client, body)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_only_people_who_record_patrols_may_ask(client, cast):  # type: ignore[no-untyped-def]
    body = {"points": [[LON, LAT], [LON + 0.001, LAT]]}
    assert _post(client, body).status_code == 302  # to the login
    client.force_login(cast.counsellor_a)
    assert _post(client, body).status_code == 403
    client.force_login(cast.officer_a)
    assert client.get(URL).status_code == 405
