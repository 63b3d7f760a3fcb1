"""Passwords: a user changes their own; a station chief or an administrator resets someone else's.

A reset makes the current password unusable at once (ending that person's sessions), removes their
two-factor devices (so that someone who lost their phone can enrol again) and returns a one-time link with which the person sets a new one. The link is Django's password-reset token: it is
signed with the account's password hash and last sign-in, so it stops working as soon as it has been used
(replays get the same 404 as an unknown link, and are audited) and after ``PASSWORD_RESET_TIMEOUT``.
"""

from __future__ import annotations

from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from koban.accounts.access import passwords_resettable_by
from koban.accounts.models import User
from koban.audit.services import record, record_attempt


def change_own_password(form: PasswordChangeForm) -> None:
    """Save a valid change of one's own password, audited."""
    with transaction.atomic():
        user = form.save()
        record(user, "password.change", user)


def reset_password(actor: User, person_id: int) -> str:
    """Disable *person*'s password and return the path of a one-time link to set a new one."""
    with transaction.atomic():
        allowed = passwords_resettable_by(actor).filter(pk=person_id).values("pk")
        person = User.objects.select_for_update().filter(pk__in=allowed).first()
        if person is None:
            raise Http404("No such person")
        person.set_unusable_password()
        person.save(update_fields=["password"])
        # A reset is also the way back for someone who lost the phone with their authenticator app.
        removed, _ = TOTPDevice.objects.filter(user=person).delete()
        record(actor, "password.reset", person, after={"two_factor_devices_removed": removed})
        token = default_token_generator.make_token(person)
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    return reverse("accounts:set-password", args=[uid, token])


def person_for_link(uidb64: str, token: str, *, method: str) -> User:
    """The person a set-password link is for; an unknown, used or expired link raises 404 (audited)."""
    try:
        person_id = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, UnicodeDecodeError):
        person_id = None
    person = User.objects.filter(pk=person_id).first() if person_id else None
    if person is not None and default_token_generator.check_token(person, token):
        return person
    with transaction.atomic():
        after = {"method": method}
        if person is not None:
            record("set-password link", "password.link_refused", person, after=after)
        else:
            record_attempt("set-password link", "password.link_refused", User, after=after)
    raise Http404("No such link")


def set_password_from_link(form: SetPasswordForm) -> None:
    """Save the new password chosen through a one-time link, which is thereby used up."""
    with transaction.atomic():
        user = form.save()
        record(user, "password.set_from_link", user)
