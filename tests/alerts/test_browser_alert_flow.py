"""The alert flow in a real browser: an officer drafts a suspicious-person alert, the station chief approves
it, the delivery runs on the task queue, a subscriber in the area receives the e-mail on a local SMTP server,
the alert's page shows the progress and the Atom feed of the area lists it."""

from __future__ import annotations

import pytest
from lxml import etree

from koban.alerts.models import Alert
from tests.alerts.helpers import subscriber
from tests.alerts.test_worker import run_worker_until_idle
from tests.factories import PASSWORD, square
from tests.personas import LAT, LON

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TIMEOUT = 15000


def sign_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_officer_drafts_chief_approves_subscriber_receives(live_server, page, cast, smtp):  # type: ignore[no-untyped-def]
    subscriber("neighbour@example.jp", language="en")
    subscriber("far-away@example.jp", square(LON + 0.5, LAT + 0.5, 0.01), language="en")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # The officer of box A drafts the alert from the structured form; the area is the box's beat.
    sign_in(page, live_server.url, "officer_a")
    page.goto(f"{live_server.url}/alerts/")
    page.click("a[href='/alerts/new/suspicious_person/']")
    page.wait_for_selector("#id_place", timeout=TIMEOUT)
    page.fill("#id_occurred_at", "2026-06-10T09:40")
    page.fill("#id_place", "Ekimae 1-chome crossing")
    page.fill("#id_what_happened", "A man in a car asked two pupils to get in.")
    page.select_option("#id_sex", "male")
    page.select_option("#id_age_range", "50s")
    page.fill("#id_height_cm", "168")
    page.select_option("#id_build", "heavy")
    page.fill("#id_clothing", "white shirt, glasses")
    page.fill("#id_vehicle", "silver minivan")
    page.click("#alert-form button[type=submit]")
    page.wait_for_selector("#alert-state", timeout=TIMEOUT)
    assert page.inner_text("#alert-state") == "Draft (waiting for approval)"
    assert page.locator("#approve").count() == 0
    alert = Alert.objects.get()

    # The station chief approves it.
    sign_in(page, live_server.url, "chief_north")
    page.goto(f"{live_server.url}/alerts/{alert.pk}/")
    page.click("#approve")
    page.wait_for_selector("#alert-progress", timeout=TIMEOUT)
    assert page.inner_text("#alert-state") == "Released"

    # The delivery worker runs (synchronously here); the page's progress panel follows by itself.
    run_worker_until_idle()
    page.locator("#alert-progress", has_text="1 of 1").wait_for(timeout=TIMEOUT)
    assert page.locator("#alert-progress[hx-trigger]").count() == 0  # finished: no more polling

    (message,) = smtp.messages
    assert message["To"] == "neighbour@example.jp"
    assert message["Subject"] == "Suspicious person near Ekimae 1-chome crossing"
    body = message.get_payload(decode=True).decode()
    assert "a man, in the fifties, about 168 cm tall, heavy build" in body and "silver minivan" in body

    # The Atom feed of box A's beat lists it, with its CAP XML.
    feed = page.request.get(f"{live_server.url}/alerts/feeds/box/{cast.box_a.pk}.atom")
    entries = etree.fromstring(feed.body()).findall("{http://www.w3.org/2005/Atom}entry")
    assert [e.findtext("{http://www.w3.org/2005/Atom}title") for e in entries] == [
        "Suspicious person near Ekimae 1-chome crossing"
    ]
    page.goto(f"{live_server.url}/alerts/public/{alert.pk}/")
    assert "silver minivan" in page.inner_text("main")
    assert not errors, errors
