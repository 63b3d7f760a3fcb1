"""A planner tries to activate a broken beat version and sees its problems on a map first."""

from __future__ import annotations

import pytest

from koban.audit.models import AuditEvent
from koban.geography.models import BeatVersion
from tests.factories import PASSWORD, make_beat, make_version, square
from tests.personas import LAT, LON

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_broken_version_goes_live_only_with_a_reason_after_the_map(live_server, page, cast):  # type: ignore[no-untyped-def]
    draft = make_version(cast.agency, name="Broken draft")
    make_beat(draft, cast.box_a, square(LON, LAT), code="A-9")
    make_beat(draft, cast.box_b, square(LON + 0.005, LAT), code="B-9")  # overlaps A-9; C has no beat
    page.goto(f"{live_server.url}/admin/geography/beatversion/")
    page.fill("#id_username", "planner")
    page.fill("#id_password", PASSWORD)
    page.click("[type=submit]")
    page.wait_for_selector("#result_list")
    page.check(f"input[name=_selected_action][value='{draft.pk}']")
    page.select_option("select[name=action]", "activate")
    page.click("button[name=index], input[name=index], .actions button[type=submit]")
    page.wait_for_selector("#beat-check-map[data-ready]", timeout=15000)
    assert page.get_attribute("#beat-check-map", "data-ready") == "2"
    assert page.locator("path.check-overlap").count() == 1
    assert page.locator("path.check-no_beat").count() == 1
    assert page.locator("path.check-beat").count() == 2
    assert "Minato Koban" in page.inner_text(".beat-check-problems")
    page.fill("#id_override_reason", "South beats follow after the survey")
    page.click("text=Activate despite the problems")
    page.wait_for_selector(".messagelist")
    draft.refresh_from_db()
    assert draft.status == BeatVersion.Status.ACTIVE
    assert (
        AuditEvent.objects.get(action="beat_version.override_check").note
        == "South beats follow after the survey"
    )
