"""Optional TOTP two-factor sign-in for HQ and administrators, required where the deployment says so."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from koban.audit.models import AuditEvent
from tests.factories import PASSWORD

T0 = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)


def _code(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def _enrol(user) -> TOTPDevice:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    page = client.get("/account/two-factor/")
    assert "<svg" in page.content.decode() and page.context["secret"]
    device = TOTPDevice.objects.get(user=user)
    assert client.post("/account/two-factor/", {"code": _code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_a_planner_turns_two_factor_on_and_then_needs_the_code(cast):  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False):
        device = _enrol(cast.planner)
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False) as clock:
        client = Client()
        response = client.post("/login/", {"username": "planner", "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == "/login/code/"
        assert client.get("/account/").status_code == 302  # not signed in before the code
        wrong = client.post("/login/code/", {"code": "000000" if _code(device) != "000000" else "111111"})
        assert "code" in wrong.context["form"].errors
        clock.shift(2)  # django-otp makes the next try wait a second after a wrong code
        assert client.post("/login/code/", {"code": _code(device)}).status_code == 302
        assert client.get("/account/").status_code == 200
    actions = list(
        AuditEvent.objects.for_object(cast.planner).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["login", "two_factor.enable", "login.code_failed", "login"]


def test_box_staff_have_no_two_factor_page(cast, client):  # type: ignore[no-untyped-def]
    client.force_login(cast.officer_a)
    assert client.get("/account/two-factor/").status_code == 404


def test_where_required_hq_must_enrol_before_anything_else(cast, settings):  # type: ignore[no-untyped-def]
    settings.KOBAN_TOTP_REQUIRED = True
    planner = Client()
    planner.post("/login/", {"username": "planner", "password": PASSWORD})
    response = planner.get("/map/")
    assert response.status_code == 302 and response["Location"] == "/account/two-factor/"
    assert planner.get("/account/two-factor/").status_code == 200
    officer = Client()
    officer.post("/login/", {"username": "officer_a", "password": PASSWORD})
    assert officer.get("/map/").status_code == 200


def test_the_admin_login_leads_to_the_one_login_page(client):  # type: ignore[no-untyped-def]
    response = client.get("/admin/login/", {"next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/login/?next=%2Fadmin%2F"


def test_a_password_reset_removes_a_lost_authenticator(cast):  # type: ignore[no-untyped-def]
    from koban.accounts.models import Role
    from tests.factories import make_user

    with time_machine.travel(T0, tick=False):
        _enrol(cast.planner)
    admin = make_user(Role.ADMINISTRATOR, agency=cast.agency)
    client = Client()
    client.force_login(admin)
    assert client.post(f"/account/people/{cast.planner.pk}/password-reset/").status_code == 200
    assert not TOTPDevice.objects.filter(user=cast.planner).exists()
    event = AuditEvent.objects.get(action="password.reset")
    assert event.after == {"two_factor_devices_removed": 1}


def test_where_required_a_session_without_the_code_must_sign_in_again(cast, settings):  # type: ignore[no-untyped-def]
    settings.KOBAN_TOTP_REQUIRED = True
    old_session = Client()
    old_session.force_login(cast.planner)
    with time_machine.travel(T0, tick=False):
        _enrol(cast.planner)
    response = old_session.get("/map/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert old_session.get("/account/").status_code == 302
