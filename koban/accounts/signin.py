"""Sign-ins, failed sign-ins, sign-outs and lockouts, written to the audit trail.

Connected to Django's and django-axes' signals in ``AccountsConfig.ready``, so the page login, the admin
login and any other use of ``authenticate`` are covered. A failed attempt records the user name that was
typed (never the password), whether or not such a user exists.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from koban.accounts.middleware import LAST_SEEN_KEY
from koban.accounts.models import User
from koban.audit.services import record, record_attempt


def client_address(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or ""


def on_logged_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = timezone.now().timestamp()  # the idle clock starts now
    with transaction.atomic():
        record(user, "login", user, after={"address": client_address(request)})


def on_logged_out(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is None:
        return
    reason = getattr(request, "koban_logout_reason", "user")
    with transaction.atomic():
        record(user, "logout", user, after={"address": client_address(request), "reason": reason})


def _attempted(username: str, action: str, after: dict[str, Any]) -> None:
    """One audit row about *username*: on the user when the name exists, else on the name alone."""
    user = User.objects.filter(username=username).first() if username else None
    with transaction.atomic():
        if user is not None:
            record(username, action, user, after=after)
        else:
            record_attempt(username or "?", action, User, object_repr=username, after=after)


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")[:150]
    _attempted(username, "login.failed", {"username": username, "address": client_address(request)})


def on_locked_out(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    name = (username or "")[:150]
    _attempted(name, "login.locked", {"username": name, "address": ip_address or ""})


def connect() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(on_logged_in, dispatch_uid="koban.accounts.signin.logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="koban.accounts.signin.logged_out")
    user_login_failed.connect(on_login_failed, dispatch_uid="koban.accounts.signin.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="koban.accounts.signin.locked_out")
