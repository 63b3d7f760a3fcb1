"""Sign-in lockout (django-axes) and the audit of sign-ins, failures, sign-outs and lockouts."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client

from koban.accounts.models import Role
from koban.audit.models import AuditEvent
from tests.factories import PASSWORD, make_user

T0 = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)


def _login(username: str, password: str, address: str = "10.1.1.1") -> int:
    response = Client(REMOTE_ADDR=address).post("/login/", {"username": username, "password": password})
    return response.status_code


def test_twenty_failures_lock_the_account_even_for_the_right_password(cast):  # type: ignore[no-untyped-def]
    name = cast.officer_a.username
    with time_machine.travel(T0, tick=False):
        assert [_login(name, "wrong", f"10.0.0.{i}") for i in range(19)] == [200] * 19
        assert _login(name, PASSWORD, "10.9.9.9") == 302  # 19 failures: still open; success resets
        codes = [_login(name, "wrong", f"10.0.1.{i}") for i in range(20)]
        assert codes[:19] == [200] * 19 and codes[19] == 429
        assert _login(name, PASSWORD, "10.9.9.9") == 429
        assert _login(cast.officer_b.username, PASSWORD, "10.9.9.9") == 302  # other accounts still work
    with time_machine.travel(T0 + dt.timedelta(minutes=31), tick=False):
        assert _login(name, PASSWORD, "10.9.9.9") == 302  # the delay has passed


def test_twenty_failures_from_one_address_lock_that_address(cast):  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False):
        for i in range(20):
            _login(f"nobody{i}", "wrong", "10.2.2.2")
        assert _login(cast.officer_a.username, PASSWORD, "10.2.2.2") == 429
        assert _login(cast.officer_a.username, PASSWORD, "10.3.3.3") == 302


def test_an_administrator_lifts_a_lockout_and_it_is_audited(cast):  # type: ignore[no-untyped-def]
    admin = make_user(Role.ADMINISTRATOR, agency=cast.agency)
    name = cast.officer_a.username
    with time_machine.travel(T0, tick=False):
        for i in range(20):
            _login(name, "wrong", f"10.0.0.{i}")
        assert _login(name, PASSWORD) == 429
        officer = Client()
        officer.force_login(cast.chief_north)
        assert officer.get("/account/lockouts/").status_code == 404
        assert officer.post("/account/lockouts/lift/", {"kind": "username", "value": name}).status_code == 404
        client = Client()
        client.force_login(admin)
        page = client.get("/account/lockouts/")
        assert [(lock.kind, lock.value) for lock in page.context["lockouts"]] == [("username", name)]
        assert client.post("/account/lockouts/lift/", {"kind": "username", "value": name}).status_code == 302
        assert _login(name, PASSWORD) == 302
    lifted = AuditEvent.objects.get(action="login.lockout_lifted")
    assert lifted.actor == admin and lifted.object_id == str(cast.officer_a.pk)
    assert AuditEvent.objects.filter(action="login.locked", object_id=str(cast.officer_a.pk)).exists()


def test_sign_in_failure_and_sign_out_are_audited_without_the_password(cast):  # type: ignore[no-untyped-def]
    client = Client()
    client.post("/login/", {"username": "no-such-user", "password": "s3cret-guess"})
    client.post("/login/", {"username": cast.officer_a.username, "password": "s3cret-guess"})
    client.post("/login/", {"username": cast.officer_a.username, "password": PASSWORD})
    client.post("/logout/")
    events = list(AuditEvent.objects.order_by("id").values_list("action", "actor_name", "object_id"))
    officer = (cast.officer_a.username, str(cast.officer_a.pk))
    assert events == [
        ("login.failed", "no-such-user", ""),
        ("login.failed", *officer),
        ("login", *officer),
        ("logout", *officer),
    ]
    assert "s3cret-guess" not in str(list(AuditEvent.objects.values_list("after", "note")))
