from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from koban.lib.geo import distance_m
from tests.personas import LAT, LON


@pytest.fixture
def client(cast):  # type: ignore[no-untyped-def]
    api = APIClient()
    api.force_authenticate(cast.officer_a)
    return api


def test_it_answers_beat_box_station_and_distances(client, cast):  # type: ignore[no-untyped-def]
    lon, lat = LON + 0.012, LAT + 0.002  # inside beat B, nearer to box B than to A
    response = client.get("/api/v1/locate", {"lat": lat, "lon": lon})
    assert response.status_code == 200
    body = response.json()
    assert body["beat"]["code"] == "B-1"
    assert body["box"]["id"] == cast.box_b.id
    assert body["station"]["code"] == "N"
    expected = distance_m(lon, lat, cast.box_b.location.x, cast.box_b.location.y)
    assert body["distance_to_box_m"] == pytest.approx(expected, rel=1e-6)
    assert body["nearest_box"]["id"] == cast.box_b.id


def test_the_nearest_box_can_differ_from_the_beat_box(client, cast):  # type: ignore[no-untyped-def]
    cast.box_a.location.x = LON + 0.002  # box A sits at the west end of its beat
    cast.box_a.save()
    lon, lat = LON + 0.0099, LAT + 0.005  # in beat A, just west of the A/B boundary, nearer to B
    body = client.get("/api/v1/locate", {"lat": lat, "lon": lon}).json()
    assert body["box"]["id"] == cast.box_a.id
    assert body["nearest_box"]["id"] == cast.box_b.id
    assert body["distance_to_nearest_box_m"] < body["distance_to_box_m"]


def test_a_point_outside_every_beat_still_gets_the_nearest_box(client, cast):  # type: ignore[no-untyped-def]
    body = client.get("/api/v1/locate", {"lat": LAT - 0.05, "lon": LON}).json()
    assert body["beat"] is None and body["box"] is None and body["station"] is None
    assert body["nearest_box"]["id"] == cast.box_a.id
    assert body["distance_to_nearest_box_m"] > 5000


def test_draft_beats_are_not_used(client, cast):  # type: ignore[no-untyped-def]
    cast.version.status = "draft"
    cast.version.save()
    body = client.get("/api/v1/locate", {"lat": LAT + 0.005, "lon": LON + 0.005}).json()
    assert body["beat"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lon": LON}, "lat"),
        ({"lat": "north", "lon": LON}, "lat"),
        ({"lat": LAT, "lon": 1e200}, "lon"),
        ({"lat": 95, "lon": LON}, "lat"),
        ({"lat": LAT, "lon": "nan"}, "lon"),
    ],
)
def test_it_names_the_bad_parameter(client, params, field):  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/locate", params)
    assert response.status_code == 400
    assert field in response.json()


def test_it_needs_a_login(cast):  # type: ignore[no-untyped-def]
    response = APIClient().get("/api/v1/locate", {"lat": LAT, "lon": LON})
    assert response.status_code in (401, 403)
