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
    page.click(".leaflet-draw-draw-polyline")
    box = page.locator("#patrol-map").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    vertices = page.locator("#patrol-map .leaflet-marker-icon.leaflet-div-icon")
    for number, (dx, dy) in enumerate(((-100, 0), (100, 0), (100, 80)), start=1):
        # Leaflet.draw follows the pointer with a marker: move there before clicking. Under load a click
        # can be swallowed, so wait for its vertex and click again if it did not appear.
        for _attempt in range(3):
            page.mouse.move(x + dx, y + dy, steps=4)
            page.wait_for_timeout(150)
            page.mouse.down()
            page.mouse.up()
            try:
                page.wait_for_function(
                    "([selector, n]) => document.querySelectorAll(selector).length >= n",
                    arg=["#patrol-map .leaflet-marker-icon.leaflet-div-icon", number],
                    timeout=1500,
                )
                break
            except Exception:  # noqa: S112  (playwright's timeout: try the click again)
                continue
        assert vertices.count() == number
        page.wait_for_timeout(400)  # keep clicks apart, or Leaflet reads two of them as a double click
    page.click(".leaflet-draw-actions a:has-text('Finish')")
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
