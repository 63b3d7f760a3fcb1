from __future__ import annotations

import pytest

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_logs_in_and_sees_the_beats_on_the_map(live_server, page, cast):  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/map/")
    page.fill("#id_username", "officer_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#network-map.map-loaded", timeout=15000)
    # Officers of North see the beats and boxes of their own station only.
    assert page.get_attribute("#network-map", "data-beats") == "2"
    assert page.locator("path.beat-shape").count() == 2
    assert page.locator("path.box-marker").count() == 2
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    assert errors == []
