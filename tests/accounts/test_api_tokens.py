"""API tokens: a program calls the API with ``Authorization: Bearer`` and no password."""

from __future__ import annotations

import base64
import datetime as dt
from unittest import mock

import time_machine
from django.test import Client

from koban.accounts.models import ApiToken
from koban.audit.models import AuditEvent
from tests.factories import PASSWORD, bearer, make_api_token
from tests.personas import LAT, LON

T0 = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)
LOCATE = "/api/v1/locate"
POINT = {"lat": LAT + 0.005, "lon": LON + 0.005}


def test_a_token_reads_the_api_without_any_password_hash(cast):  # type: ignore[no-untyped-def]
    secret = make_api_token(cast.officer_a, scope="read")
    with mock.patch("django.contrib.auth.hashers.identify_hasher") as hasher:
        response = Client().get(LOCATE, POINT, **bearer(secret))
    assert response.status_code == 200
    assert response.json()["box"]["id"] == cast.box_a.id
    hasher.assert_not_called()


def test_http_basic_is_refused(cast):  # type: ignore[no-untyped-def]
    credentials = base64.b64encode(f"{cast.officer_a.username}:{PASSWORD}".encode()).decode()
    response = Client().get(LOCATE, POINT, HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert response.status_code in (401, 403)


def test_the_secret_is_stored_only_as_a_digest(cast):  # type: ignore[no-untyped-def]
    secret = make_api_token(cast.officer_a)
    token = ApiToken.objects.get(user=cast.officer_a)
    assert secret.startswith("koban_")
    assert secret not in (token.digest, token.token_key)
    assert len(token.digest) == 128  # SHA-512, hex


def test_a_wrong_expired_or_revoked_token_gets_the_same_answer(cast, client):  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False):
        expired = make_api_token(cast.officer_a, days=1)
        revoked = make_api_token(cast.officer_a, days=30)
    client.force_login(cast.officer_a)
    token = ApiToken.objects.get(name="test program", expiry__gt=T0 + dt.timedelta(days=2))
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        answers = [
            Client().get(LOCATE, POINT, **bearer(secret))
            for secret in (expired, revoked, "koban_" + "0" * 64)
        ]
    assert {(r.status_code, r.content) for r in answers} == {(answers[2].status_code, answers[2].content)}
    assert answers[0].status_code == 401
    refusals = AuditEvent.objects.filter(action="api_token.refused").order_by("id")
    assert [event.after["reason"] for event in refusals] == ["expired", "revoked"]


def test_a_read_only_token_cannot_write_and_the_refusal_is_audited(cast):  # type: ignore[no-untyped-def]
    secret = make_api_token(cast.officer_a, scope="read")
    response = Client().post(
        "/api/v1/counter-matters/", {"box": cast.box_a.id}, content_type="application/json", **bearer(secret)
    )
    missing = Client().get("/api/v1/incidents/999999/", **bearer(secret))
    assert response.status_code == missing.status_code == 404
    assert response.json() == {"detail": "Not found."}
    event = AuditEvent.objects.get(action="api_token.refused")
    assert event.after["reason"] == "read-only" and event.after["method"] == "POST"


def test_a_write_token_writes_without_a_csrf_token(cast):  # type: ignore[no-untyped-def]
    secret = make_api_token(cast.officer_a, scope="write")
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/counter-matters/", {}, content_type="application/json", **bearer(secret)
    )
    assert response.status_code == 400  # reached validation: authenticated, allowed, no CSRF needed


def test_bad_token_attempts_are_throttled_per_address(cast, settings):  # type: ignore[no-untyped-def]
    secret = make_api_token(cast.officer_a)
    for _ in range(20):
        assert Client().get(LOCATE, POINT, **bearer("koban_wrong")).status_code == 401
    assert Client().get(LOCATE, POINT, **bearer("koban_wrong")).status_code == 429
    assert Client().get(LOCATE, POINT, **bearer(secret)).status_code == 429  # the address waits
    assert Client().get(LOCATE, POINT, REMOTE_ADDR="10.0.0.9", **bearer(secret)).status_code == 200


def test_tokens_are_created_listed_and_revoked_on_the_account_page(cast, client):  # type: ignore[no-untyped-def]
    client.force_login(cast.officer_a)
    response = client.post("/account/tokens/new/", {"name": "Patrol app", "scope": "write", "days": 90})
    assert response.status_code == 200
    secret = response.context["new_secret"]
    assert secret.startswith("koban_") and secret in response.content.decode()
    page = client.get("/account/").content.decode()
    assert "Patrol app" in page and secret not in page
    assert Client().get(LOCATE, POINT, **bearer(secret)).status_code == 200
    token = ApiToken.objects.get(name="Patrol app")
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    assert Client().get(LOCATE, POINT, **bearer(secret)).status_code == 401
    actions = list(AuditEvent.objects.for_object(token).values_list("action", flat=True))
    assert sorted(actions) == ["api_token.create", "api_token.refused", "api_token.revoke"]


def test_bad_token_forms_name_the_field(cast, client):  # type: ignore[no-untyped-def]
    client.force_login(cast.officer_a)
    response = client.post("/account/tokens/new/", {"name": "x", "scope": "admin", "days": 5000})
    assert set(response.context["form"].errors) == {"scope", "days"}
    assert not ApiToken.objects.exists()


def test_nobody_revokes_another_users_token(cast, client):  # type: ignore[no-untyped-def]
    make_api_token(cast.officer_b)
    token = ApiToken.objects.get(user=cast.officer_b)
    client.force_login(cast.officer_a)
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_requests_beyond_the_user_rate_wait(cast, settings):  # type: ignore[no-untyped-def]
    from rest_framework.throttling import SimpleRateThrottle

    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "3/minute"}
    secret = make_api_token(cast.officer_a, scope="read")
    with mock.patch.object(SimpleRateThrottle, "THROTTLE_RATES", rates):
        with time_machine.travel(T0, tick=False):
            codes = [Client().get(LOCATE, POINT, **bearer(secret)).status_code for _ in range(4)]
        with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
            later = Client().get(LOCATE, POINT, **bearer(secret)).status_code
    assert codes == [200, 200, 200, 429] and later == 200
