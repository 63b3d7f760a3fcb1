"""An owner on a phone (390 × 844, not signed in) searches the public notice and finds their item."""

from __future__ import annotations

import datetime

import pytest

from tests import clock
from tests.lostfound.helpers import receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TIMEOUT = 15000


def test_an_owner_on_a_phone_searches_the_notice_and_finds_the_umbrella(browser, live_server, cast):  # type: ignore[no-untyped-def]
    cast.box_a.station.phone = "03-1234-0110"
    cast.box_a.station.save()
    handed = clock.now() - datetime.timedelta(days=3)
    umbrella = receive(
        cast.officer_a,
        cast.box_a,
        code="umbrella",
        description="紺色の傘 持ち手が木",
        finder_name="FINDERNAME",
        handed_in_at=handed,
        now=handed + datetime.timedelta(minutes=5),
    )
    receive(cast.officer_a, cast.box_a, description="黒い財布", handed_in_at=handed, now=handed)
    context = browser.new_context(
        locale="ja-JP", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/lost-found/notices/")
        assert "拾得物公告" in page.inner_text("h1")
        page.locator("[data-testid=menu-toggle]").tap()  # on a phone the switch sits in the menu
        page.select_option("#language-select", "en")  # the language switch submits on change
        page.wait_for_selector("h1:has-text('Found property notice')", timeout=TIMEOUT)
        page.fill("input[name=q]", "かさ")
        page.click("form.filters button[type=submit]")
        page.wait_for_load_state("networkidle", timeout=TIMEOUT)
        rows = page.locator("[data-testid=notice-row]")
        assert rows.count() == 1
        text = rows.first.inner_text()
        assert umbrella.receipt_number in text and "Umbrella" in text and "紺色の傘" in text
        assert "North Station (03-1234-0110)" in rows.first.locator("[data-testid=office]").inner_text()
        assert "FINDERNAME" not in page.content()
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    finally:
        context.close()
