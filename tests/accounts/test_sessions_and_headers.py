"""Page sessions end at browser close and when idle; every page has a CSP; signed-in answers are no-store."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client

from koban.audit.models import AuditEvent
from tests.factories import PASSWORD, bearer, make_api_token

T0 = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)


def _signed_in(username: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_the_session_cookie_ends_with_the_browser(cast):  # type: ignore[no-untyped-def]
    client = _signed_in(cast.officer_a.username)
    cookie = client.cookies["sessionid"]
    assert not cookie["expires"] and not cookie["max-age"]


def test_thirty_idle_minutes_end_the_session(cast):  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False):
        client = _signed_in(cast.officer_a.username)
    with time_machine.travel(T0 + dt.timedelta(minutes=25), tick=False):
        assert client.get("/account/").status_code == 200  # active: the idle clock restarts
    with time_machine.travel(T0 + dt.timedelta(minutes=54), tick=False):
        assert client.get("/account/").status_code == 200
    with time_machine.travel(T0 + dt.timedelta(minutes=85), tick=False):
        response = client.get("/account/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    logout = AuditEvent.objects.get(action="logout")
    assert logout.after["reason"] == "idle"


def test_a_shared_terminal_setting_shortens_the_idle_time(cast, settings):  # type: ignore[no-untyped-def]
    settings.KOBAN_SESSION_IDLE_MINUTES = 10
    with time_machine.travel(T0, tick=False):
        client = _signed_in(cast.officer_a.username)
    with time_machine.travel(T0 + dt.timedelta(minutes=11), tick=False):
        assert client.get("/account/").status_code == 302


def test_pages_admin_and_api_docs_carry_a_content_security_policy(cast, client):  # type: ignore[no-untyped-def]
    client.force_login(cast.planner)
    for url in ("/login/", "/account/", "/map/", "/admin/login/", "/api/docs/", "/api/redoc/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy, url
        assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0], url
        assert "frame-ancestors 'none'" in policy, url


def test_the_api_docs_need_no_inline_script(cast, client):  # type: ignore[no-untyped-def]
    client.force_login(cast.planner)
    page = client.get("/api/docs/").content.decode()
    assert "<script>" not in page
    assert client.get("/api/docs/", {"script": ""})["Content-Type"].startswith("application/javascript")


def test_answers_to_signed_in_users_and_tokens_are_not_stored(cast, client):  # type: ignore[no-untyped-def]
    client.force_login(cast.officer_a)
    for url in ("/", "/account/", "/api/v1/boxes/"):
        assert "no-store" in client.get(url).get("Cache-Control", ""), url
    secret = make_api_token(cast.officer_a, scope="read")
    answer = Client().get("/api/v1/locate", {"lat": 35.605, "lon": 139.705}, **bearer(secret))
    assert answer.status_code == 200 and "no-store" in answer["Cache-Control"]
    assert "no-store" not in Client().get("/static/web/koban.css").get("Cache-Control", "")
