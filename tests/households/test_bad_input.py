"""Bad input to the household pages and API answers a clear 400 or 404 naming the field, never a 500."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point

from koban.households import services
from koban.households.models import Household, Visit
from tests.factories import sign_in

pytestmark = pytest.mark.django_db

HUGE = 10**20


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lon": 139.704, "lat": 35.604, "address": "Ekimae\x00 1"}, "address"),
        ({"lon": 200, "lat": 35.604, "address": "Ekimae 1"}, "lon"),
        ({"lon": 139.704, "lat": 35.604, "address": "Ekimae 1", "building": HUGE}, "building"),
        ({"lon": 139.704, "lat": 35.604, "address": "Ekimae 1", "kind": "castle"}, "kind"),
        ({"lon": 139.704, "lat": 35.604, "address": "x" * 301}, "address"),
    ],
)
def test_a_bad_household_is_a_field_error(cast, client, body, field):
    sign_in(client, "officer_a")
    response = client.post("/api/v1/households/", body, content_type="application/json")
    assert response.status_code == 400 and field in response.json()
    assert not Household.objects.exists()


def test_bad_visits_and_ids_are_refused_cleanly(cast, client):
    household = services.add_household(
        cast.officer_a, point=Point(139.704, 35.604, srid=4326), address="Ekimae 2"
    )
    sign_in(client, "officer_a")
    url = f"/api/v1/households/{household.pk}/visits/"
    far = client.post(
        url, {"visited_at": "2999-01-01T10:00:00+09:00", "outcome": "met"}, content_type="application/json"
    )
    assert far.status_code == 400 and "visited_at" in far.json()
    category = client.post(
        url,
        {"visited_at": "2026-06-10T09:00:00+09:00", "outcome": "met", "request_category": "no_such"},
        content_type="application/json",
    )
    assert category.status_code == 400 and "request_category" in category.json()
    assert not Visit.objects.exists()
    assert client.get("/api/v1/households/abc/").status_code == 404
    assert client.get(f"/api/v1/households/{HUGE}/").status_code == 404
    assert client.get("/households/999999999/").status_code == 404
    assert client.get("/api/v1/households/", {"box": "x"}).status_code == 400
