"""In Chromium on a phone-sized screen: a volunteer signs in and records a patrol drawn on the map."""

from __future__ import annotations

import datetime

import pytest

from koban.volunteers.models import VolunteerActivity
from tests import clock
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 740}


def _draw(page, selector: str, offsets) -> None:  # type: ignore[no-untyped-def]
    """Draw a line with Leaflet.draw, clicking each vertex until it appears (clicks can be swallowed)."""
    page.click(f"{selector} .leaflet-draw-draw-polyline")
    box = page.locator(selector).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    vertices = f"{selector} .leaflet-marker-icon.leaflet-div-icon"
    for number, (dx, dy) in enumerate(offsets, start=1):
        for _attempt in range(3):
            page.mouse.move(x + dx, y + dy, steps=4)
            page.wait_for_timeout(150)
            page.mouse.down()
            page.mouse.up()
            try:
                page.wait_for_function(
                    "([selector, n]) => document.querySelectorAll(selector).length >= n",
                    arg=[vertices, number],
                    timeout=1500,
                )
                break
            except Exception:  # noqa: S112  (playwright's timeout: try the click again)
                continue
        page.wait_for_timeout(400)  # keep clicks apart, or Leaflet reads two of them as a double click
    page.click(f"{selector} .leaflet-draw-actions a:has-text('Finish')")


def test_a_volunteer_records_a_patrol_on_a_phone(live_server, browser, cast) -> None:  # type: ignore[no-untyped-def]
    from tests.accounts.matrix_community import build_community

    community = build_community(cast, clock.now())
    volunteer = community.people["volunteer"]
    volunteer.set_password(PASSWORD)
    volunteer.save()
    context = browser.new_context(locale="en-US", viewport=PHONE, is_mobile=True, has_touch=False)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/volunteers/activity/new/")
    page.fill("#id_username", volunteer.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#activity-map.map-loaded", timeout=15000)
    # The form fits the phone's width: nothing to scroll sideways.
    assert page.evaluate("document.querySelector('#activity-form').scrollWidth") <= PHONE["width"]
    assert page.is_checked("input[name=participants]")  # the volunteer is ticked as a participant
    page.select_option("#id_kind", "school_route")
    end = clock.local_now() - datetime.timedelta(minutes=5)
    page.fill("#id_started_at", (end - datetime.timedelta(minutes=40)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_ended_at", end.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#activity-map").scroll_into_view_if_needed()
    _draw(page, "#activity-map", ((-80, 0), (60, 0), (60, 50)))
    assert "MultiLineString" in page.input_value("#id_route")
    page.select_option("#id_observation_kind", "hazard")
    page.fill("#id_observation_note", "Street light out at the crossing")
    page.click("#activity-form button[type=submit]")
    page.wait_for_url("**/volunteers/activity/*/", timeout=15000)
    activity = VolunteerActivity.objects.exclude(pk=community.activity.pk).get()
    assert page.url.endswith(f"/volunteers/activity/{activity.pk}/")
    assert activity.kind == "school_route" and activity.source == "drawn" and len(activity.route[0]) == 3
    assert activity.participants.get().user == volunteer
    assert activity.observations.get().note == "Street light out at the crossing"
    assert "Street light out at the crossing" in page.inner_text("main")
    assert errors == []
    context.close()
