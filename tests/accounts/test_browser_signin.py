"""In Chromium: the login lock-out, and pages that still work under the Content-Security-Policy."""

from __future__ import annotations

import pytest

from koban.accounts.models import Role
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, url: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_twenty_wrong_passwords_lock_the_login(live_server, page, cast, settings):  # type: ignore[no-untyped-def]
    for _ in range(19):
        _log_in(page, live_server.url, "officer_a", "wrong password")
        assert page.locator("p.error").count() == 1
    _log_in(page, live_server.url, "officer_a", "wrong password")
    assert page.locator("#locked-out").is_visible()
    _log_in(page, live_server.url, "officer_a", PASSWORD)  # even the right password is refused now
    assert page.locator("#locked-out").is_visible()
    assert page.locator("a.user-name").count() == 0


def test_admin_api_docs_and_map_run_under_the_policy(live_server, page, cast):  # type: ignore[no-untyped-def]
    make_user(Role.ADMINISTRATOR, username="root", is_staff=True, is_superuser=True)
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _log_in(page, live_server.url, "root", PASSWORD)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20000)
    page.goto(f"{live_server.url}/api/redoc/")
    page.wait_for_selector("[role=navigation], .menu-content", timeout=45000)  # a big schema, a busy CI
    page.goto(f"{live_server.url}/admin/")
    page.wait_for_selector("#site-name")
    page.goto(f"{live_server.url}/admin/organization/policebox/{cast.box_a.pk}/change/")
    page.wait_for_selector(".leaflet-container", timeout=15000)
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("#network-map.map-loaded", timeout=15000)
    # ReDoc's own web font (Google) and "powered by" logo (its CDN) are refused, as any third party is;
    # nothing of this site is.
    third_party = ("https://fonts.googleapis.com", "https://cdn.redoc.ly")
    assert [text for text in violations if not any(host in text for host in third_party)] == []
    assert errors == []
