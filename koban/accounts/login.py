"""The login page: password (lockout by django-axes), then a TOTP code for users who enrolled.

After a right password, a user with a confirmed TOTP device is not signed in yet: the user's id and
the time are kept in the session and the code page asks for the code. Five wrong codes, or ten minutes,
end that attempt; django-otp also slows down repeated wrong codes on the device itself.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login

from koban.accounts.models import User
from koban.accounts.two_factor import confirmed_device
from koban.audit.services import record

PENDING_KEY = "koban_pending_login"
PENDING_SECONDS = 600
MAX_CODE_ATTEMPTS = 5


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class KobanLoginView(LoginView):
    def form_valid(self, form):  # type: ignore[no-untyped-def]
        user = form.get_user()
        if confirmed_device(user) is None:
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "since": timezone.now().timestamp(),
            "attempts": 0,
            "next": self.get_success_url(),
        }
        return redirect("login-code")


def _pending(request: HttpRequest) -> dict | None:  # type: ignore[type-arg]
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if timezone.now().timestamp() - pending["since"] > PENDING_SECONDS:
        del request.session[PENDING_KEY]
        return None
    return pending


def login_code(request: HttpRequest) -> HttpResponse:
    """Second step of signing in: the TOTP code."""
    pending = _pending(request)
    if pending is None:
        return redirect("login")
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    device = confirmed_device(user) if user else None
    if user is None or device is None:
        del request.session[PENDING_KEY]
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            del request.session[PENDING_KEY]
            user.backend = pending["backend"]  # type: ignore[attr-defined]  # as authenticate() sets it
            login(request, user)
            otp_login(request, device)
            target = pending["next"]
            safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
            return redirect(target if safe else "web:home")
        pending["attempts"] += 1
        with transaction.atomic():
            record(user.get_username(), "login.code_failed", user, after={"attempt": pending["attempts"]})
        if pending["attempts"] >= MAX_CODE_ATTEMPTS:
            del request.session[PENDING_KEY]
            return redirect("login")
        request.session[PENDING_KEY] = pending
        form.add_error("code", _("The code is not right. Try the current one."))
    return render(request, "registration/login_code.html", {"form": form})
