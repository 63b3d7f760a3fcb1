"""The map layers are GeoJSON FeatureCollections that validate against RFC 7946."""

from __future__ import annotations

import geojson_validator
import pytest
import shapely
from django.contrib.gis.geos import MultiPolygon, Polygon
from rest_framework.test import APIClient

from tests.factories import make_beat
from tests.personas import LAT, LON


@pytest.fixture
def api(cast):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(cast.planner)
    return client


def assert_rfc7946(collection):  # type: ignore[no-untyped-def]
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection
    assert geojson_validator.validate_structure(collection, check_crs=True) == {}
    problems = geojson_validator.validate_geometries(collection)
    assert problems["invalid"] == {}, problems["invalid"]
    assert "excessive_coordinate_precision" not in problems["problematic"]


@pytest.mark.parametrize("layer", ["beats", "boxes", "stations", "areas"])
def test_layers_are_valid_rfc7946(api, layer):  # type: ignore[no-untyped-def]
    response = api.get(f"/api/v1/{layer}/")
    assert response.status_code == 200
    assert_rfc7946(response.json())


def test_clockwise_input_rings_come_out_counter_clockwise_and_rounded(api, cast):  # type: ignore[no-untyped-def]
    # A clockwise exterior ring with a counter-clockwise hole and 9-decimal coordinates.
    exterior = [(LON, LAT), (LON, LAT + 0.01), (LON + 0.010000001, LAT + 0.01), (LON + 0.01, LAT), (LON, LAT)]
    hole = [
        (LON + 0.004, LAT + 0.004),
        (LON + 0.006, LAT + 0.004),
        (LON + 0.006, LAT + 0.006),
        (LON + 0.004, LAT + 0.004),
    ]
    beat = make_beat(cast.version, cast.box_a, MultiPolygon(Polygon(exterior, hole), srid=4326), code="A-2")
    feature = next(f for f in api.get("/api/v1/beats/").json()["features"] if f["id"] == beat.id)
    rings = feature["geometry"]["coordinates"][0]
    assert shapely.LinearRing(rings[0]).is_ccw
    assert not shapely.LinearRing(rings[1]).is_ccw
    assert all(len(repr(value).split(".")[-1]) <= 7 for ring in rings for point in ring for value in point)
    assert feature["geometry"]["coordinates"][0][0][0] == [LON, LAT]
