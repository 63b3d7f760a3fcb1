from __future__ import annotations

import datetime

import pytest
from django.contrib.gis.geos import LineString

from koban.geography.models import RoadSegment
from koban.patrols import services
from tests import clock
from tests.factories import PASSWORD
from tests.patrols.helpers import T0

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_coverage_map_colours_patrolled_and_unpatrolled_streets(live_server, page, cast):  # type: ignore[no-untyped-def]
    for name, lat in (("First", 35.602), ("Second", 35.605), ("Third", 35.608)):
        RoadSegment.objects.create(
            name=name,
            geom=LineString((139.701, lat), (139.709, lat), srid=4326),
            length_m=725,
            kind="residential",
        )
    services.record_drawn_patrol(
        cast.officer_a,
        cast.box_a,
        {"type": "LineString", "coordinates": [[139.701, 35.6021], [139.709, 35.6021]]},
        officers=[cast.officer_a],
        started_at=T0,
        ended_at=T0 + datetime.timedelta(minutes=30),
    )
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/patrols/coverage/?beat={cast.beat_a.pk}&date=2026-03-04")
    page.fill("#id_username", "officer_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#coverage-map.map-loaded", timeout=15000)
    assert page.locator("path.segment-covered").count() == 1
    assert page.locator("path.segment-uncovered").count() == 2
    assert page.inner_text("#coverage-percent").strip().startswith("33.3")
    assert errors == []


def test_an_officer_draws_a_route_on_the_map_and_saves_the_patrol(live_server, page, cast):  # type: ignore[no-untyped-def]

    from koban.patrols.models import Patrol

    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/patrols/new/")
    page.fill("#id_username", "officer_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#patrol-map.map-loaded", timeout=15000)
    box = page.locator("#patrol-map").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # Each click adds a corner (no roads here: the corners are joined by straight lines).
    for number, (dx, dy) in enumerate(((-100, 0), (100, 0), (100, 80)), start=1):
        page.mouse.click(x + dx, y + dy)
        page.wait_for_function(
            "(n) => document.querySelector('#patrol-map').dataset.corners === String(n)",
            arg=number,
            timeout=5000,
        )
        page.wait_for_timeout(400)  # keep clicks apart, or Leaflet reads two of them as a double click
    page.wait_for_function(
        "() => document.querySelector('#patrol-map').dataset.snapped === '0/2'", timeout=15000
    )
    assert "MultiLineString" in page.input_value("#id_route")
    end = clock.local_now() - datetime.timedelta(minutes=5)
    page.fill("#id_started_at", (end - datetime.timedelta(minutes=45)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_ended_at", end.strftime("%Y-%m-%dT%H:%M"))
    page.click("#patrol-form button[type=submit]")
    page.wait_for_selector("#patrol-map.map-loaded", timeout=15000)
    patrol = Patrol.objects.get()
    assert page.url.endswith(f"/patrols/{patrol.pk}/")
    assert patrol.source == "drawn" and len(patrol.route[0]) == 3 and patrol.distance_m > 50
    assert errors == []
