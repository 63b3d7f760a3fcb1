"""The incident page's map: the point, its beat's outline and its box, embedded in the page."""

from __future__ import annotations

import json
import re

import pytest

from koban.incidents.maps import incident_map
from koban.incidents.models import IncidentCategory
from koban.incidents.services import intake_incident
from tests.factories import sign_in
from tests.incidents.conftest import minutes_ago
from tests.personas import LAT, LON


def test_the_map_holds_the_point_the_beat_and_the_box(client, cast):  # type: ignore[no-untyped-def]
    theft = IncidentCategory.objects.get(code="theft")
    incident = intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(5), lon=LON + 0.005, lat=LAT + 0.004
    ).incident
    sign_in(client, "officer_a")
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    found = re.search(r'<script id="incident-map-config" type="application/json">(.*?)</script>', page, re.S)
    assert found is not None and 'data-testid="incident-map"' in page
    config = json.loads(found.group(1))
    assert config["incident"]["coordinates"] == [pytest.approx(LON + 0.005), pytest.approx(LAT + 0.004)]
    assert config["beat"]["type"] == "MultiPolygon" and config["labels"]["beat"] == "Beat A-1"
    assert config["box"]["coordinates"] == [
        pytest.approx(cast.box_a.location.x),
        pytest.approx(cast.box_a.location.y),
    ]


def test_an_incident_without_a_place_has_no_map(cast):  # type: ignore[no-untyped-def]
    theft = IncidentCategory.objects.get(code="theft")
    incident = intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(5), address="不明1"
    ).incident
    assert incident_map(incident) is None
