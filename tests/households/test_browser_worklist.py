"""On a phone: an officer opens the worklist, sees the route on the map and records a visit."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point

from koban.households import services
from koban.households.models import Household, Visit
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def test_an_officer_records_a_visit_from_the_worklist_on_a_phone(live_server, browser, cast):  # type: ignore[no-untyped-def]
    for i in range(3):
        services.add_household(
            cast.officer_a, point=Point(139.702 + i * 0.002, 35.603, srid=4326), address=f"Ekimae 7-{i + 1}"
        )
    context = browser.new_context(locale="en-US", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{live_server.url}/households/")
        page.fill("#id_username", "officer_a")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("#worklist-map.map-loaded", timeout=15000)
        assert page.locator("#worklist-map .route-number").count() == 3
        assert page.locator("#worklist li.stop").count() == 3
        first = page.locator("#worklist li.stop").first
        household_id = int(first.get_attribute("data-household"))
        # Tapping a number on the map brings its household's form into view.
        page.locator("#worklist-map .route-number").first.tap()
        first.locator("input[value=refused]").check()
        button = first.locator("button[type=submit]")
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        button.tap()
        page.wait_for_selector(".messages .success", timeout=15000)
        assert "recorded" in page.inner_text(".messages")
        # Back on the worklist: the refused household has been reached and is no longer due.
        assert page.locator("#worklist li.stop").count() == 2
        visit = Visit.objects.get()
        assert (visit.household_id, visit.outcome, visit.officer_id) == (
            household_id,
            "refused",
            cast.officer_a.pk,
        )
        assert Household.objects.get(pk=household_id).last_contact_at is not None
        assert errors == []
    finally:
        context.close()
