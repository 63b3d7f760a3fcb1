"""The officer's main pages on a phone (390 × 844, and the smaller 375 × 667): nothing wider than the
screen, a small menu bar, lists shown as cards.

On a phone the navigation collapses behind one "Menu" button (a CSS-only toggle: the CSP allows no
inline scripts), tables scroll inside their own box or become cards, and an officer signs on, goes
out on patrol and sees the box empty on the same screen.
"""

from __future__ import annotations

import datetime as dt

import pytest

from koban.accounts.models import Role
from tests import clock
from tests.factories import PASSWORD, make_user
from tests.personas import LAT, LON
from tests.web import dashboard_data as data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TIMEOUT = 15000
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 375, "height": 667}
# The collapsed menu bar may take at most this share of the screen height (it took a quarter).
MENU_SHARE = 0.12


def _phone_page(browser, viewport):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="en-US", viewport=viewport, is_mobile=True, has_touch=True)
    return context, context.new_page()


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    context, page = _phone_page(browser, PHONE)
    yield page
    context.close()


@pytest.fixture(params=[PHONE, SMALL_PHONE], ids=["390x844", "375x667"])
def any_phone(browser, request):  # type: ignore[no-untyped-def]
    context, page = _phone_page(browser, request.param)
    yield page
    context.close()


def _log_in(page, url: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle", timeout=TIMEOUT)


def _overflow(page) -> int:  # type: ignore[no-untyped-def]
    """How many pixels the page is wider than the screen (0 when it fits)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def _header_height(page) -> float:  # type: ignore[no-untyped-def]
    return float(page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height"))


def _officer_pages(cast, incident_id: int, item_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    today = clock.local_today()
    return [
        f"/boxes/{cast.box_a.pk}/dashboard/",
        "/incidents/",
        "/incidents/new/",
        f"/incidents/{incident_id}/",
        "/counter/",
        f"/counter/boxes/{cast.box_a.pk}/",
        "/lost-found/",
        "/lost-found/items/new/",
        f"/lost-found/items/{item_id}/",
        "/lost-found/reports/",
        "/lost-found/reports/new/",
        "/lost-found/today/",
        "/patrols/",
        "/patrols/new/",
        "/rosters/",
        f"/rosters/boxes/{cast.box_a.pk}/{today.year}/{today.month}/",
        "/rosters/empty/",
        "/rosters/empty/month/",
        "/rosters/leave-requests/",
    ]


def test_officer_pages_fit_a_phone_and_the_menu_stays_small(live_server, any_phone, cast):  # type: ignore[no-untyped-def]
    phone = any_phone
    now = clock.now()
    data.duty(cast.box_a, cast.officer_a, now - dt.timedelta(hours=2))
    incident = data.incident(
        cast.box_a,
        now - dt.timedelta(minutes=30),
        lon=LON + 0.002,
        lat=LAT + 0.003,
        address="駅前一丁目 " * 6,
    )
    task = data.found_item_with_task(cast.box_a, cast.officer_a, now, clock.local_today())
    for i in range(3):
        data.counter_matter(cast.box_a, cast.officer_a, now - dt.timedelta(minutes=5 + i))
    data.patrol(cast.box_a, cast.officer_a, now - dt.timedelta(hours=5), [(LON, LAT), (LON + 0.003, LAT)])
    _log_in(phone, live_server.url, "officer_a")
    problems = []
    for path in _officer_pages(cast, incident.pk, task.item_id):
        phone.goto(f"{live_server.url}{path}")
        phone.wait_for_load_state("networkidle", timeout=TIMEOUT)
        if "/login/" in phone.url:
            problems.append(f"{path}: sent to the login")
            continue
        extra = _overflow(phone)
        if extra > 0:
            problems.append(f"{path}: {extra} px wider than the screen")
        share = _header_height(phone) / phone.viewport_size["height"]
        if share >= MENU_SHARE:
            problems.append(f"{path}: the menu takes {share:.0%} of the screen")
    assert not problems, "\n".join(problems)


def test_the_menu_opens_with_one_tap_and_closes_again(live_server, phone, cast):  # type: ignore[no-untyped-def]
    _log_in(phone, live_server.url, "officer_a")
    phone.goto(f"{live_server.url}/incidents/")
    nav = phone.locator(".main-nav")
    assert not nav.is_visible()
    phone.locator("[data-testid=menu-toggle]").tap()
    assert nav.is_visible()
    assert phone.locator(".main-nav a", has_text="Lost & found").is_visible()
    assert _overflow(phone) <= 0
    phone.locator("[data-testid=menu-toggle]").tap()
    assert not nav.is_visible()


def test_an_officer_signs_on_goes_out_and_the_box_shows_empty(live_server, phone, cast):  # type: ignore[no-untyped-def]
    now = clock.now()
    data.duty(cast.box_a, cast.officer_a, now - dt.timedelta(minutes=10))
    _log_in(phone, live_server.url, "officer_a")
    phone.goto(f"{live_server.url}/boxes/{cast.box_a.pk}/dashboard/")
    phone.locator("[data-testid=sign-on]").tap()
    phone.wait_for_selector("[data-testid=sign-off]", timeout=TIMEOUT)
    assert phone.locator("[data-testid=box-empty]").count() == 0
    phone.locator("[data-testid=go-out]").tap()
    phone.wait_for_selector("[data-testid=back-in-box]", timeout=TIMEOUT)
    assert phone.locator("[data-testid=box-empty]").is_visible()
    assert _overflow(phone) <= 0
    phone.locator("[data-testid=back-in-box]").tap()
    phone.wait_for_selector("[data-testid=go-out]", timeout=TIMEOUT)
    assert phone.locator("[data-testid=box-empty]").count() == 0


def _card_labels(page, table: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The labels the first row of *table* shows before its values (what CSS draws from data-label)."""
    return list(
        page.evaluate(
            """(selector) => Array.from(document.querySelectorAll(selector + ' tbody tr:first-child td'))
                 .map((td) => getComputedStyle(td, '::before').content.replace(/^"|"$/g, ''))""",
            table,
        )
    )


def test_lists_become_cards_on_a_phone_and_stay_tables_on_a_desktop(live_server, phone, page, cast):  # type: ignore[no-untyped-def]
    now = clock.now()
    data.incident(
        cast.box_a, now - dt.timedelta(minutes=30), lon=LON + 0.002, lat=LAT + 0.003, address="駅前一丁目"
    )
    data.found_item_with_task(cast.box_a, cast.officer_a, now, clock.local_today())
    data.patrol(cast.box_a, cast.officer_a, now - dt.timedelta(hours=5), [(LON, LAT), (LON + 0.003, LAT)])
    _log_in(phone, live_server.url, "officer_a")
    for path, first_labels in [
        ("/incidents/", ["#", "Received", "Category"]),
        ("/lost-found/", ["Receipt", "Police box", "Category"]),
        ("/patrols/", ["Started", "Police box", "Officers"]),
    ]:
        phone.goto(f"{live_server.url}{path}")
        table = "table.phone-cards"
        # Each row is a block (a card) as wide as the list, the column headings are hidden and every
        # cell carries its heading as a label.
        assert phone.locator(f"{table} thead").evaluate("e => e.getBoundingClientRect().height") <= 1
        row = phone.locator(f"{table} tbody tr").first
        assert row.evaluate("e => getComputedStyle(e).display") == "block", path
        assert row.bounding_box()["width"] <= PHONE["width"], path
        assert _card_labels(phone, table)[:3] == first_labels, path
        assert _overflow(phone) <= 0, path
    _log_in(page, live_server.url, "officer_a")
    page.goto(f"{live_server.url}/lost-found/")
    assert page.locator("table.phone-cards thead").is_visible()
    assert (
        page.locator("table.phone-cards tbody tr").first.evaluate("e => getComputedStyle(e).display")
        == "table-row"
    )


def test_the_chief_sees_the_box_empty_while_every_officer_is_out(live_server, browser, cast):  # type: ignore[no-untyped-def]
    """Done when: two officers sign on from their phones and go on patrol; the chief's screen shows the
    box empty until one of them is back."""
    now = clock.now()
    second = make_user(Role.BOX_OFFICER, "officer_a2", agency=cast.agency, station=cast.north, box=cast.box_a)
    dashboard = f"{live_server.url}/boxes/{cast.box_a.pk}/dashboard/"
    phones = []
    for officer in (cast.officer_a, second):
        data.duty(cast.box_a, officer, now - dt.timedelta(minutes=10))
        context, page = _phone_page(browser, PHONE)
        phones.append((context, page))
        _log_in(page, live_server.url, officer.username)
        page.goto(dashboard)
        page.locator("[data-testid=sign-on]").tap()
        page.wait_for_selector("[data-testid=sign-off]", timeout=TIMEOUT)
    chief_context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    chief = chief_context.new_page()
    try:
        _log_in(chief, live_server.url, "chief_north")
        chief.goto(dashboard)
        assert chief.locator("[data-testid=box-empty]").count() == 0
        assert chief.locator("[data-testid=on-duty] li").count() == 2

        for _context, page in phones:
            page.select_option("select[name=kind]", "patrol")
            page.locator("[data-testid=go-out]").tap()
            page.wait_for_selector("[data-testid=back-in-box]", timeout=TIMEOUT)
            chief.reload()
            if page is phones[0][1]:
                # One officer is still in: the box is staffed.
                assert chief.locator("[data-testid=box-empty]").count() == 0
        assert chief.locator("[data-testid=box-empty]").is_visible()
        assert chief.locator("[data-testid=away]").count() == 2

        back = phones[1][1]
        back.locator("[data-testid=back-in-box]").tap()
        back.wait_for_selector("[data-testid=go-out]", timeout=TIMEOUT)
        chief.reload()
        assert chief.locator("[data-testid=box-empty]").count() == 0
        assert chief.locator("[data-testid=away]").count() == 1
    finally:
        chief_context.close()
        for context, _page in phones:
            context.close()
