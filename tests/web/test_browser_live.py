"""The live dashboard on a phone (390 × 844): a handover entry reaches the next shift without a reload."""

from __future__ import annotations

import pytest

from koban.accounts.models import Role
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TIMEOUT = 15000
PHONE = {"width": 390, "height": 844}


def _phone(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="en-US", viewport=PHONE, is_mobile=True, has_touch=True)
    return context, context.new_page()


def _log_in(page, url: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle", timeout=TIMEOUT)


def test_a_handover_entry_appears_on_the_next_officers_dashboard_and_goes_once_acknowledged(
    live_server, browser, cast, settings
):  # type: ignore[no-untyped-def]
    settings.KOBAN_DASHBOARD_LIVE_SECONDS = 1
    make_user(Role.BOX_OFFICER, "officer_a_next", agency=cast.agency, station=cast.north, box=cast.box_a)
    writer_context, writer = _phone(browser)
    reader_context, reader = _phone(browser)
    try:
        _log_in(reader, live_server.url, "officer_a_next")
        reader.goto(f"{live_server.url}/boxes/{cast.box_a.pk}/dashboard/")
        card = reader.locator("#dash-handover")
        card.locator("[data-testid=handover-none]").wait_for(timeout=TIMEOUT)
        # A mark that a reload would wipe out: the page must stay the same document throughout.
        reader.evaluate("window.__sameDocument = true")

        _log_in(writer, live_server.url, "officer_a")
        writer.goto(f"{live_server.url}/rosters/boxes/{cast.box_a.pk}/handover/")
        writer.select_option("#id_priority", "urgent")
        writer.fill("#id_text", "Lost child's mother calls back at 11:00")
        writer.locator("[data-testid=handover-form] button[type=submit]").tap()
        writer.wait_for_load_state("networkidle", timeout=TIMEOUT)
        assert writer.locator("[data-testid=handover-log]").inner_text().count("Lost child's mother") == 1

        entry = reader.locator("#dash-handover [data-testid=handover-waiting] li")
        entry.filter(has_text="Lost child's mother calls back at 11:00").wait_for(timeout=TIMEOUT)
        assert reader.evaluate("window.__sameDocument === true")
        assert "Urgent" in entry.inner_text()
        assert reader.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

        reader.locator("#dash-handover [data-testid=acknowledge]").tap()
        reader.locator("#dash-handover [data-testid=handover-none]").wait_for(timeout=TIMEOUT)
        assert reader.locator("#dash-handover", has_text="Lost child's mother").count() == 0
        assert reader.evaluate("window.__sameDocument === true")
        writer.reload()
        assert "officer_a_next" in writer.locator("[data-testid=handover-log]").inner_text()
    finally:
        writer_context.close()
        reader_context.close()
