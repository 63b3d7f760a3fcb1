"""Optional TOTP two-factor sign-in (django-otp) for HQ planners and administrators.

A user enrols on the account page by scanning a QR code into an authenticator app and confirming one
code; from then on the login asks for a code after the password. ``KOBAN_TOTP_REQUIRED`` makes it
mandatory for HQ and administrators: until they have enrolled, their pages lead to the enrolment page.
"""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from koban.accounts.models import User
from koban.audit.services import record

DEVICE_NAME = "authenticator app"


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device *user* is enrolling (a fresh secret the first time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_svg(text: str) -> str:
    """*text* as a QR code in an inline SVG element (no image request, nothing for the CSP to allow)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = image.to_string(encoding="unicode")
    return svg[svg.index("<svg") :]


def confirm_device(user: User, device: TOTPDevice, code: str) -> bool:
    """Turn two-factor on for *user* if *code* matches the pending device; audited."""
    if device.user_id != user.pk or not device.verify_token(code):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record(user, "two_factor.enable", user)
    return True


def remove_device(user: User) -> None:
    """Turn two-factor off for *user* (where it is not required); audited."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        record(user, "two_factor.disable", user)
