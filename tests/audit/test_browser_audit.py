"""A station chief reviews the station's audit trail in the browser: filters, pages, export, report."""

from __future__ import annotations

import pytest
from django.db import transaction

from koban.audit.services import record
from tests.factories import PASSWORD
from tests.lostfound.helpers import receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_chief_reviews_and_exports_the_station_trail(live_server, page, cast):  # type: ignore[no-untyped-def]
    item = receive(cast.officer_a, cast.box_a)
    with transaction.atomic():
        record(cast.planner, "organization.policebox.update", cast.box_c, note="south only")
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "chief_north")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.click("nav.main-nav >> text=Audit trail")
    page.wait_for_selector("#audit-events")
    trail = page.inner_text("#audit-events")
    assert "lostfound.receive_item" in trail and "login" in trail  # the chief's own sign-in is there too
    assert "south only" not in page.inner_text("#audit-events")  # another station's event

    # Reading the finder's details leaves a read row the chief then finds with the filters.
    page.goto(f"{live_server.url}/lost-found/items/{item.pk}/")
    page.goto(f"{live_server.url}/audit/")
    page.fill("#audit-filters input[name=text]", item.receipt_number)
    page.select_option("#audit-filters select[name=action]", "lostfound.founditem.read")
    page.click("#audit-filters button[type=submit]")
    page.wait_for_url("**/audit/?*")
    assert page.locator("#audit-events tbody tr.audit-read").count() == 1
    assert "finder_name" in page.inner_text("#audit-events")

    with page.expect_download() as download:
        page.click("#audit-export")
    assert download.value.suggested_filename.startswith("audit-trail-")

    page.click("nav.sub-nav >> text=Unusual reading")
    page.wait_for_selector("#unusual-readers")
    assert "No unusual reading in this window." in page.inner_text("#unusual-readers")
