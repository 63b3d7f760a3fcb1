"""Sign-in: what an API token may do.

Kept in its own module so that work on the record rules does not collide with it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from koban.accounts.access.network import is_hq
from koban.accounts.access.refusal import fetch_or_refuse
from koban.accounts.models import ApiToken, User

SAFE_HTTP_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def token_permits(scope: str, method: str) -> bool:
    """Whether an API token of *scope* may make a request with HTTP *method*: read-only tokens only read."""
    if method.upper() in SAFE_HTTP_METHODS:
        return True
    return scope == ApiToken.Scope.WRITE


def access_own_token(user: User, token_id: Any) -> ApiToken:
    """One of *user*'s own API tokens; ``Http404`` for another user's or an unknown token (audited)."""
    return fetch_or_refuse(user, ApiToken.objects.of_user(user), token_id)


def may_use_two_factor(user: User) -> bool:
    """Whether *user* may protect their sign-in with a TOTP code: HQ planners and administrators."""
    return is_hq(user)


def two_factor_required(user: User) -> bool:
    """Whether *user* must sign in with a TOTP code: HQ and administrators, where the deployment says so."""
    return bool(settings.KOBAN_TOTP_REQUIRED) and may_use_two_factor(user)
