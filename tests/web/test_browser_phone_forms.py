"""Forms on a phone (390 × 844): a place is set by tapping a map, officers are chosen by tapping chips."""

from __future__ import annotations

import json
import re

import pytest

from tests.personas import LAT, LON
from tests.web.test_browser_phone import PHONE, TIMEOUT, _log_in, _overflow, _phone_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    context, page = _phone_page(browser, PHONE)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == []


def _tap_map_at(page, selector: str, fx: float, fy: float) -> None:  # type: ignore[no-untyped-def]
    box = page.locator(selector).bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)


@pytest.mark.parametrize(
    ("path", "lat_name", "lon_name"),
    [
        ("/lost-found/items/new/", "found_lat", "found_lon"),
        ("/lost-found/reports/new/", "lost_lat", "lost_lon"),
    ],
)
def test_tapping_the_map_fills_latitude_then_longitude(live_server, phone, cast, path, lat_name, lon_name):  # type: ignore[no-untyped-def]
    _log_in(phone, live_server.url, "officer_a")
    phone.goto(f"{live_server.url}{path}")
    # The page does not load Leaflet itself: the picker brings it, then draws the beats to tap on.
    phone.wait_for_selector(".map-picker.map-loaded", timeout=TIMEOUT)
    lat, lon = phone.locator(f"input[name={lat_name}]"), phone.locator(f"input[name={lon_name}]")
    assert lat.input_value() == "" and lon.input_value() == ""
    # Latitude is asked before longitude, as a place is read.
    order = phone.evaluate(
        "([a, b]) => document.querySelector(`input[name=${a}]`).compareDocumentPosition("
        "document.querySelector(`input[name=${b}]`)) & Node.DOCUMENT_POSITION_FOLLOWING",
        [lat_name, lon_name],
    )
    assert order
    phone.locator(".map-picker").scroll_into_view_if_needed()
    _tap_map_at(phone, ".map-picker", 0.5, 0.5)
    phone.wait_for_function(
        "(name) => document.querySelector(`input[name=${name}]`).value !== ''", arg=lat_name, timeout=TIMEOUT
    )
    # The map fits the officer's beats (one 0.01° square here), so its centre lies inside that square.
    assert LAT <= float(lat.input_value()) <= LAT + 0.01
    assert LON <= float(lon.input_value()) <= LON + 0.01
    first = (lat.input_value(), lon.input_value())
    _tap_map_at(phone, ".map-picker", 0.25, 0.25)
    phone.wait_for_function(
        "([name, old]) => document.querySelector(`input[name=${name}]`).value !== old",
        arg=[lat_name, first[0]],
        timeout=TIMEOUT,
    )
    # Up and to the left: further north, further west.
    assert float(lat.input_value()) > float(first[0]) and float(lon.input_value()) < float(first[1])
    assert phone.locator(".map-picker .leaflet-marker-icon").count() == 1
    assert _overflow(phone) <= 0


def test_typing_a_place_moves_the_marker(live_server, phone, cast):  # type: ignore[no-untyped-def]
    _log_in(phone, live_server.url, "officer_a")
    phone.goto(f"{live_server.url}/lost-found/items/new/")
    phone.wait_for_selector(".map-picker.map-loaded", timeout=TIMEOUT)
    assert phone.locator(".map-picker .leaflet-marker-icon").count() == 0
    phone.fill("input[name=found_lat]", f"{LAT + 0.005:.6f}")
    phone.fill("input[name=found_lon]", f"{LON + 0.005:.6f}")
    phone.locator("input[name=found_lon]").dispatch_event("change")
    phone.wait_for_selector(".map-picker .leaflet-marker-icon", timeout=TIMEOUT)


def test_officers_are_chosen_by_tapping_chips(live_server, phone, cast):  # type: ignore[no-untyped-def]
    _log_in(phone, live_server.url, "officer_a")
    phone.goto(f"{live_server.url}/patrols/new/")
    assert phone.locator("select[name=officers]").count() == 0
    chips = phone.locator("div.chips label")
    assert chips.count() >= 2
    chip = chips.filter(has_text="officer_b")
    box = chip.bounding_box()
    assert box["height"] >= 44  # a finger-sized target
    checkbox = chip.locator("input[type=checkbox]")
    was = checkbox.is_checked()
    before = chip.evaluate("e => getComputedStyle(e).backgroundColor")
    chip.tap()
    assert checkbox.is_checked() is not was
    assert chip.evaluate("e => getComputedStyle(e).backgroundColor") != before
    chip.tap()
    assert checkbox.is_checked() is was
    assert _overflow(phone) <= 0


def _street_in_beat_a() -> None:
    """An L-shaped street in beat A: east along its south part, then north."""
    from django.contrib.gis.geos import LineString

    from koban.geography.models import RoadSegment

    corner = (LON + 0.006, LAT + 0.002)
    for a, b in (((LON + 0.002, LAT + 0.002), corner), (corner, (LON + 0.006, LAT + 0.008))):
        RoadSegment.objects.create(name="Ekimae-dori", geom=LineString(a, b, srid=4326), length_m=500)


def _tap_corner(page, x: float, y: float, number: int) -> None:  # type: ignore[no-untyped-def]
    page.touchscreen.tap(x, y)
    page.wait_for_function(
        "(n) => document.querySelector('#patrol-map').dataset.corners === String(n)",
        arg=number,
        timeout=TIMEOUT,
    )
    page.wait_for_timeout(400)  # keep taps apart, or Leaflet reads two of them as a double tap


def _snapped(page, legs: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(
        "(legs) => document.querySelector('#patrol-map').dataset.snapped === legs", arg=legs, timeout=TIMEOUT
    )


def test_a_patrol_drawn_on_a_phone_follows_the_streets(live_server, phone, cast):  # type: ignore[no-untyped-def]
    import datetime

    from koban.patrols.models import Patrol
    from tests import clock

    _street_in_beat_a()
    _log_in(phone, live_server.url, "officer_a")
    phone.goto(f"{live_server.url}/patrols/new/")
    phone.wait_for_selector("#patrol-map.map-loaded", timeout=TIMEOUT)
    # The map comes before the form on a phone, and shows the streets.
    assert (
        phone.locator("#patrol-map").bounding_box()["y"] < phone.locator("#patrol-form").bounding_box()["y"]
    )
    street = phone.locator("#patrol-map path.street")
    assert street.count() == 1
    assert phone.locator("[data-testid=snap-note]").is_hidden()
    box = street.bounding_box()
    west_end = (box["x"] + 6, box["y"] + box["height"] - 4)  # a little off the street
    north_end = (box["x"] + box["width"] - 5, box["y"] + 8)
    _tap_corner(phone, *west_end, 1)
    _tap_corner(phone, *north_end, 2)
    _snapped(phone, "1/1")
    [line] = json.loads(phone.input_value("#id_route"))["coordinates"]
    # Two taps became a route round the street's corner, with its ends moved onto the street.
    assert len(line) >= 3
    assert any(abs(x - (LON + 0.006)) < 1e-5 and abs(y - (LAT + 0.002)) < 1e-5 for x, y in line)
    assert abs(line[0][1] - (LAT + 0.002)) < 1e-5 and abs(line[-1][0] - (LON + 0.006)) < 1e-5
    # A third tap in the middle of nowhere is joined straight, and the page says so; undo drops it.
    map_box = phone.locator("#patrol-map").bounding_box()
    _tap_corner(phone, map_box["x"] + 15, map_box["y"] + map_box["height"] - 15, 3)
    _snapped(phone, "1/2")
    assert "far from any street" in phone.locator("[data-testid=snap-note]").inner_text()
    phone.locator("[data-testid=route-undo]").tap()
    _snapped(phone, "1/1")
    assert json.loads(phone.input_value("#id_route"))["coordinates"] == [line]
    end = clock.local_now() - datetime.timedelta(minutes=5)
    phone.fill("#id_started_at", (end - datetime.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"))
    phone.fill("#id_ended_at", end.strftime("%Y-%m-%dT%H:%M"))
    phone.locator("#patrol-form button[type=submit]").tap()
    phone.wait_for_url(re.compile(r"/patrols/\d+/$"), timeout=TIMEOUT)
    patrol = Patrol.objects.get()
    assert len(patrol.route[0]) == len(line) and patrol.source == "drawn"


def test_without_streets_the_drawing_page_says_routes_stay_straight(live_server, phone, cast):  # type: ignore[no-untyped-def]
    _log_in(phone, live_server.url, "officer_a")
    phone.goto(f"{live_server.url}/patrols/new/")
    phone.wait_for_selector("#patrol-map.map-loaded", timeout=TIMEOUT)
    assert phone.locator("#patrol-map path.street").count() == 0
    note = phone.locator("[data-testid=snap-note]")
    assert note.is_visible() and "straight lines" in note.inner_text()
