"""The signed-in user's account page: API tokens (created, listed, revoked), password, two-factor."""

from __future__ import annotations

from base64 import b32encode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from koban.accounts.access import (
    can_lift_lockouts,
    may_use_two_factor,
    passwords_resettable_by,
    two_factor_required,
)
from koban.accounts.forms import ApiTokenForm
from koban.accounts.lockouts import current_lockouts, lift_lockout
from koban.accounts.login import CodeForm
from koban.accounts.models import ApiToken, User
from koban.accounts.passwords import (
    change_own_password,
    person_for_link,
    reset_password,
    set_password_from_link,
)
from koban.accounts.tokens import create_api_token, revoke_api_token
from koban.accounts.two_factor import confirm_device, confirmed_device, pending_device, qr_svg, remove_device


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _account_page(request: HttpRequest, form: ApiTokenForm, new_secret: str = "") -> HttpResponse:
    user = _user(request)
    context = {
        "tokens": ApiToken.objects.of_user(user),
        "now": timezone.now(),
        "form": form,
        "new_secret": new_secret,
        "can_lift_lockouts": can_lift_lockouts(user),
        "can_reset_passwords": passwords_resettable_by(user).exists(),
        "may_use_two_factor": may_use_two_factor(user),
    }
    return render(request, "accounts/account.html", context)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return _account_page(request, ApiTokenForm())


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a token and show its secret in this response only (never in a URL or a later page)."""
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _account_page(request, form)
    _token, secret = create_api_token(
        _user(request),
        name=form.cleaned_data["name"],
        scope=form.cleaned_data["scope"],
        days=form.cleaned_data["days"],
    )
    return _account_page(request, ApiTokenForm(), new_secret=secret)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = revoke_api_token(_user(request), token_id)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:account")


def _require_lockout_admin(request: HttpRequest) -> None:
    if not can_lift_lockouts(_user(request)):
        raise Http404("No such page")


@login_required
def lockouts(request: HttpRequest) -> HttpResponse:
    """Accounts and addresses locked after too many failed sign-ins, for administrators to lift."""
    _require_lockout_admin(request)
    context = {
        "lockouts": current_lockouts(timezone.now()),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "accounts/lockouts.html", context)


@login_required
@require_POST
def lockout_lift(request: HttpRequest) -> HttpResponse:
    _require_lockout_admin(request)
    kind, value = request.POST.get("kind", ""), request.POST.get("value", "")
    if kind not in ("username", "ip_address") or not value or "\x00" in value:
        raise Http404("No such lockout")
    lift_lockout(_user(request), kind, value)
    messages.success(request, _("The lockout of “%(value)s” is lifted.") % {"value": value})
    return redirect("accounts:lockouts")


# -- Passwords ------------------------------------------------------------------------------------------


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(_user(request), request.POST or None)
    if request.method == "POST" and form.is_valid():
        change_own_password(form)
        update_session_auth_hash(request, form.user)  # stay signed in on this terminal
        messages.success(request, _("Your password is changed."))
        return redirect("accounts:account")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def people(request: HttpRequest) -> HttpResponse:
    """The people whose password the user may reset (a chief's officers, an administrator's users)."""
    people = passwords_resettable_by(_user(request)).select_related("station", "box").order_by("username")
    if not people.exists():
        raise Http404("No such page")
    return render(request, "accounts/people.html", {"people": people})


@login_required
@require_POST
def password_reset(request: HttpRequest, person_id: int) -> HttpResponse:
    path = reset_password(_user(request), person_id)
    person = User.objects.get(pk=person_id)
    context = {"person": person, "link": request.build_absolute_uri(path)}
    return render(request, "accounts/password_reset_done.html", context)


def set_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Where a person whose password was reset chooses a new one, once."""
    person = person_for_link(uidb64, token, method=request.method or "")
    form = SetPasswordForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        set_password_from_link(form)
        messages.success(request, _("Your new password is set. Sign in with it."))
        return redirect("login")
    return render(request, "accounts/set_password.html", {"form": form, "person": person})


# -- Two-factor sign-in -----------------------------------------------------------------------------------


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Turn TOTP two-factor sign-in on (QR code, then one code to confirm) or see that it is on."""
    user = _user(request)
    if not may_use_two_factor(user):
        raise Http404("No such page")
    if confirmed_device(user) is not None and request.method != "POST":
        return render(
            request, "accounts/two_factor.html", {"enabled": True, "required": two_factor_required(user)}
        )
    device = pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if confirm_device(user, device, form.cleaned_data["code"].strip()):
            otp_login(request, device)
            messages.success(request, _("Two-factor sign-in is on."))
            return redirect("accounts:account")
        form.add_error("code", _("The code is not right. Try the current one."))
    context = {
        "enabled": False,
        "required": two_factor_required(user),
        "form": form,
        "qr_svg": qr_svg(device.config_url),
        "secret": b32encode(device.bin_key).decode(),
    }
    return render(request, "accounts/two_factor.html", context)


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not may_use_two_factor(user) or two_factor_required(user):
        raise Http404("No such page")
    remove_device(user)
    messages.success(request, _("Two-factor sign-in is off."))
    return redirect("accounts:account")
