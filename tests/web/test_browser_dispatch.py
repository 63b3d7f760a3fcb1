"""On a phone (390 × 844): the incident page suggests the free officer, not the one already on another
incident, shows the way on the map, and dispatching him makes the box show him out."""

from __future__ import annotations

import datetime as dt

import pytest

from koban.accounts.models import Role
from koban.incidents.models import IncidentCategory
from koban.incidents.services import dispatch_units, intake_incident
from tests import clock
from tests.factories import PASSWORD, make_user
from tests.personas import LAT, LON
from tests.web import dashboard_data as data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TIMEOUT = 15000


def test_the_free_officer_is_suggested_and_dispatching_him_shows_him_out(live_server, browser, cast):  # type: ignore[no-untyped-def]
    now = clock.now()
    busy = make_user(Role.BOX_OFFICER, "officer_busy", agency=cast.agency, station=cast.north, box=cast.box_a)
    for officer in (cast.officer_a, busy):
        data.duty(cast.box_a, officer, now - dt.timedelta(hours=1))
    theft = IncidentCategory.objects.get(code="theft")
    earlier = intake_incident(
        cast.officer_a,
        category=theft,
        received_at=now - dt.timedelta(minutes=30),
        lon=LON + 0.002,
        lat=LAT + 0.002,
    ).incident
    dispatch_units(cast.officer_a, earlier, cast.box_a, [busy], at=now - dt.timedelta(minutes=25))
    incident = intake_incident(
        cast.officer_a,
        category=theft,
        received_at=now - dt.timedelta(minutes=2),
        lon=LON + 0.003,
        lat=LAT + 0.003,
    ).incident

    context = browser.new_context(
        locale="en-US", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    try:
        phone.goto(f"{live_server.url}/login/")
        phone.fill("#id_username", "officer_a")
        phone.fill("#id_password", PASSWORD)
        phone.click("button[type=submit]")
        phone.wait_for_load_state("networkidle", timeout=TIMEOUT)

        phone.goto(f"{live_server.url}/incidents/{incident.pk}/")
        rows = phone.locator("#dispatch-suggestions tr.suggestion")
        assert rows.count() == 1
        assert rows.first.get_attribute("data-key") == f"officer:{cast.officer_a.pk}"
        assert "officer_busy" not in phone.locator("#dispatch-suggestions table").inner_text()
        # The map draws the incident, the officer and his way (a straight line: no roads loaded).
        phone.wait_for_selector("#dispatch-map[data-routes='1']", timeout=TIMEOUT)
        assert phone.locator("#dispatch-map path.route-straight").count() == 1
        assert phone.locator("#dispatch-map path.dispatch-incident").count() == 1

        with phone.expect_navigation(timeout=TIMEOUT):
            rows.first.locator("button[type=submit]").tap()
        assert incident.dispatches.get().officers.get() == cast.officer_a

        phone.goto(f"{live_server.url}/boxes/{cast.box_a.pk}/dashboard/")
        on_duty = phone.locator("[data-testid=on-duty] li", has_text=str(cast.officer_a))
        assert on_duty.locator("[data-testid=away]").inner_text().endswith(f"#{incident.pk}")
        # Both officers are out on incidents: the box stands empty.
        assert phone.locator("[data-testid=box-empty]").is_visible()
    finally:
        context.close()
