"""In a real browser: a resident opens a box's public page and reads a newsletter; an officer records a
council meeting with its minutes and an opinion, and sees the report back on the previous meeting."""

from __future__ import annotations

import pytest

from koban.councils.models import Meeting
from koban.newsletters import services
from tests import clock
from tests.councils.world import build_council
from tests.factories import PASSWORD
from tests.newsletters.world import FINDER_MARK, build_issue_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TIMEOUT = 15000


def test_a_resident_reads_the_newsletter_on_the_public_page(live_server, page, cast):  # type: ignore[no-untyped-def]
    world = build_issue_world(cast)
    issue = services.generate_issue(cast.officer_a, cast.box_a, world.month)
    services.edit_greeting(cast.officer_a, issue, {"ja": "駅前交番です。", "en": "Hello from Ekimae Koban."})
    services.publish_issue(cast.officer_a, issue)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # A blocked inline script or style would show as a Content-Security-Policy error in the console.
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)

    page.goto(f"{live_server.url}/newsletters/boxes/{cast.box_a.pk}/")
    assert page.inner_text("h1").startswith("Ekimae Koban")
    assert page.locator("img.box-map").evaluate("img => img.complete && img.naturalWidth > 0")
    page.click(f"a[href='/newsletters/issues/{issue.pk}/?lang=en']")
    page.wait_for_selector("article.newsletter", timeout=TIMEOUT)
    assert "Hello from Ekimae Koban." in page.inner_text("article.newsletter")
    assert page.inner_text("#total-this") == "5"
    assert page.locator("img.nl-chart").evaluate("img => img.naturalWidth > 0")
    assert page.locator("img.nl-map-image").evaluate("img => img.naturalWidth > 0")
    assert FINDER_MARK not in page.content()
    response = page.request.get(f"{live_server.url}/newsletters/issues/{issue.pk}/pdf/?lang=ja")
    assert response.ok and response.body().startswith(b"%PDF")
    assert not errors, errors


def test_an_officer_records_a_council_meeting_with_minutes(live_server, page, cast):  # type: ignore[no-untyped-def]
    cw = build_council(cast)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "officer_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/councils/")
    page.click(f"a[href='/councils/{cw.council.pk}/']")
    page.click(f"a[href='/councils/{cw.council.pk}/meetings/new/']")
    page.fill("#id_held_on", clock.local_today().isoformat())
    page.fill("#id_place", "Ekimae community hall")
    page.select_option("#id_status", "held")
    page.fill("#id_agenda", "Report back; new opinions")
    page.check(f"input[name=attendees][value='{cw.chair.pk}']")
    page.fill("#id_minutes", "The chair thanked the box for the patrols.")
    page.click("form.meeting-form button[type=submit]")
    page.wait_for_selector("#report-back", timeout=TIMEOUT)
    assert "The chair thanked the box for the patrols." in page.inner_text(".minutes")
    assert "The underpass is dark at night" in page.inner_text("#report-back")
    page.select_option("#id_opinion-category", "speeding")
    page.fill("#id_opinion-summary", "Cars speed on the school road in the morning")
    page.click("form.opinion-form button[type=submit]")
    page.wait_for_selector("#opinions td", timeout=TIMEOUT)
    assert "Cars speed on the school road in the morning" in page.inner_text("#opinions")
    meeting = Meeting.objects.latest("id")
    assert meeting.status == Meeting.Status.HELD and list(meeting.attendees.all()) == [cw.chair]
    assert meeting.opinions.get().request.source == "council"
