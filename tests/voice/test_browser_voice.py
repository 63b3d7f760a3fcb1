"""A resident files a request in the browser; the box's officer follows it to "done" with an action item.

The resident pins the place on the Leaflet map (a click fills the coordinates), is shown a similar
request already made nearby, sends the form without an account and lands on the request's public page.
officer_a finds it on the dashboard, turns it into a patrol-focus action item, moves it to done, and the
resident's public page shows the outcome.
"""

from __future__ import annotations

import pytest

from koban.voice.models import Action, Request, Status
from tests.factories import PASSWORD
from tests.voice.helpers import IN_A, file_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TIMEOUT = 15000


def test_a_resident_files_a_request_and_an_officer_follows_it_to_done(live_server, page, cast):  # type: ignore[no-untyped-def]
    earlier = file_request(IN_A, description="Earlier report of the same lamp")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/voice/new/")
    page.wait_for_selector("#voice-map.leaflet-container", timeout=TIMEOUT)
    page.select_option("#id_category", label="Dark street")
    # Click the map's centre: the pin fills the coordinates; then put them exactly inside beat A.
    page.click("#voice-map", position={"x": 300, "y": 180})
    assert page.input_value("#id_lon") != ""
    page.fill("#id_lon", f"{IN_A.x + 0.0001:.6f}")
    page.fill("#id_lat", f"{IN_A.y:.6f}")
    page.dispatch_event("#id_category", "change")
    page.wait_for_selector("#voice-similar:not([hidden])", timeout=TIMEOUT)
    page.fill("#id_description", "The lamp by the shrine is out <script>alert(1)</script>")
    page.fill("#id_reporter_email", "resident@example.jp")
    page.click("#voice-form button[type=submit]")
    page.wait_for_selector("#public-status", timeout=TIMEOUT)
    request = Request.objects.exclude(pk=earlier.pk).get()
    assert request.box == cast.box_a and page.inner_text("#public-status") == "Received"
    public_url = page.url

    page.goto(f"{live_server.url}/login/?next=/boxes/{cast.box_a.pk}/dashboard/")
    page.fill("#id_username", "officer_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#dash-open_requests", timeout=TIMEOUT)
    assert f"#{request.pk}" in page.inner_text("#dash-open_requests")
    page.click(f"#dash-open_requests a[href='/voice/requests/{request.pk}/']")
    page.wait_for_selector("#action-form", timeout=TIMEOUT)
    assert "<script>" in page.inner_text("dl.facts")  # shown as text, never run
    page.select_option("#id_kind", "patrol_focus")
    page.fill("#id_title", "Evening patrols by the shrine")
    page.fill("#id_due_on", "2026-06-30")
    page.fill("#id_weeks", "2")
    page.click("#action-form button[type=submit]")
    page.wait_for_selector("#action-state", timeout=TIMEOUT)
    action = Action.objects.get()
    assert list(action.requests.all()) == [request]
    page.goto(f"{live_server.url}/voice/requests/{request.pk}/")
    assert page.inner_text("#request-status") == "Action planned"
    page.select_option("#id_status", "done")
    page.fill("#id_note", "Lamp replaced by the city")
    page.click("#status-form button[type=submit]")
    page.wait_for_selector("#request-status:has-text('Done')", timeout=TIMEOUT)
    request.refresh_from_db()
    assert request.status == Status.DONE

    page.goto(public_url)
    assert page.inner_text("#public-status") == "Done"
    assert "Lamp replaced by the city" in page.content()
    assert errors == []
