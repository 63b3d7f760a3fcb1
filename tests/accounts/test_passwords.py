"""Password change, reset by a chief or an administrator with a one-time link, and the password policy."""

from __future__ import annotations

from django.test import Client

from koban.accounts.models import Role
from koban.audit.models import AuditEvent
from tests.factories import PASSWORD, make_user

NEW = "a-long-new-passphrase-42"


def _reset_link(actor, person) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(actor)
    response = client.post(f"/account/people/{person.pk}/password-reset/")
    assert response.status_code == 200
    return response.context["link"].split("testserver", 1)[1]


def test_a_user_changes_their_password_within_the_policy(cast, client):  # type: ignore[no-untyped-def]
    client.force_login(cast.officer_a)
    short = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "short1", "new_password2": "short1"},
    )
    assert "new_password2" in short.context["form"].errors
    response = client.post(
        "/account/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    cast.officer_a.refresh_from_db()
    assert cast.officer_a.check_password(NEW)
    assert client.get("/account/").status_code == 200  # still signed in here
    assert AuditEvent.objects.filter(action="password.change", object_id=str(cast.officer_a.pk)).exists()


def test_a_chief_resets_an_officers_password_with_a_one_time_link(cast):  # type: ignore[no-untyped-def]
    link = _reset_link(cast.chief_north, cast.officer_a)
    cast.officer_a.refresh_from_db()
    assert not cast.officer_a.has_usable_password()  # the old password stops working at once
    person = Client()
    assert person.get(link).status_code == 200
    assert person.post(link, {"new_password1": NEW, "new_password2": NEW}).status_code == 302
    cast.officer_a.refresh_from_db()
    assert cast.officer_a.check_password(NEW)
    replay = Client().post(
        link, {"new_password1": "another-passphrase-77", "new_password2": "another-passphrase-77"}
    )
    unknown = Client().get("/account/set-password/MQ/abc-def/")
    assert replay.status_code == unknown.status_code == 404
    cast.officer_a.refresh_from_db()
    assert cast.officer_a.check_password(NEW)
    actions = list(
        AuditEvent.objects.for_object(cast.officer_a).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["password.reset", "password.set_from_link", "password.link_refused"]


def test_who_may_reset_whose_password(cast, client):  # type: ignore[no-untyped-def]
    admin = make_user(Role.ADMINISTRATOR, agency=cast.agency)
    client.force_login(cast.chief_north)
    assert client.post(f"/account/people/{cast.planner.pk}/password-reset/").status_code == 404
    assert client.post(f"/account/people/{admin.pk}/password-reset/").status_code == 404
    officer_c = make_user(Role.BOX_OFFICER, box=cast.box_c, station=cast.south)
    assert client.post(f"/account/people/{officer_c.pk}/password-reset/").status_code == 404
    client.force_login(cast.officer_a)
    assert client.get("/account/people/").status_code == 404
    assert client.post(f"/account/people/{cast.officer_b.pk}/password-reset/").status_code == 404
    assert _reset_link(admin, cast.planner).startswith("/account/set-password/")
    cast.officer_b.refresh_from_db()
    assert cast.officer_b.has_usable_password()
