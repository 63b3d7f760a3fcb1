"""On a phone (390 × 844) an officer sees the incident's map, attaches a photo and sees its thumbnail."""

from __future__ import annotations

import datetime as dt

import pytest

from koban.incidents.models import IncidentCategory
from koban.incidents.services import intake_incident
from tests import clock
from tests.attachments.files import image_bytes
from tests.factories import PASSWORD
from tests.personas import LAT, LON

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TIMEOUT = 15000


def test_an_officer_attaches_a_photo_from_a_phone_and_sees_the_thumbnail(  # type: ignore[no-untyped-def]
    live_server, browser, cast, tmp_path
):
    theft = IncidentCategory.objects.get(code="theft")
    received = clock.now() - dt.timedelta(minutes=20)
    incident = intake_incident(
        cast.officer_a, category=theft, received_at=received, lon=LON + 0.003, lat=LAT + 0.003
    ).incident
    picture = tmp_path / "scene.jpg"
    picture.write_bytes(image_bytes(size=(1200, 900)))
    context = browser.new_context(
        locale="en-US", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "officer_a")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle", timeout=TIMEOUT)
        page.goto(f"{live_server.url}/incidents/{incident.pk}/")
        # The map draws the incident, its beat and its box without any tile server.
        page.locator("#incident-map[data-ready='3']").wait_for(timeout=TIMEOUT)
        assert page.locator("#incident-map .leaflet-interactive").count() >= 3
        panel = page.locator("[data-testid=attachments]")
        panel.locator("input[type=file]").set_input_files(str(picture))
        panel.locator("input[name=caption]").fill("現場の写真")
        panel.locator("button", has_text="Attach").tap()
        page.wait_for_load_state("networkidle", timeout=TIMEOUT)
        thumbnail = page.locator("[data-testid=attachment-thumbnail]")
        thumbnail.wait_for(timeout=TIMEOUT)
        # The image really loaded (served by the checked view), at thumbnail size.
        natural = page.evaluate("document.querySelector('[data-testid=attachment-thumbnail]').naturalWidth")
        assert natural == 320
        box = thumbnail.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390
        assert int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth")) <= 0
    finally:
        context.close()
