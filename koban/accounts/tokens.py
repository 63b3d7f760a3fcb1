"""API tokens: created and revoked by their owner on the account page, each change audited.

The secret is returned once by ``create_api_token`` and never stored; knox keeps its SHA-512 digest.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from koban.accounts.access import access_own_token
from koban.accounts.models import ApiToken, User
from koban.audit.services import record


def max_token_days() -> int:
    return int(settings.KOBAN_API_TOKEN_MAX_DAYS)


def create_api_token(user: User, *, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    """Create a token for *user* valid for *days*; return it with its secret (to be shown once)."""
    if not 1 <= days <= max_token_days():
        raise ValueError(f"days must be between 1 and {max_token_days()}")
    with transaction.atomic():
        token, secret = ApiToken.objects.create(
            user=user, expiry=datetime.timedelta(days=days), name=name, scope=scope
        )
        record(
            user,
            "api_token.create",
            token,
            after={
                "name": name,
                "scope": scope,
                "expiry": token.expiry.isoformat() if token.expiry else None,
            },
        )
    return token, secret


def revoke_api_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of *user*'s own tokens; another user's or an unknown token is a 404."""
    # Refused (and audited) before the change's transaction, so that the refusal row is kept.
    access_own_token(user, token_id)
    with transaction.atomic():
        token = ApiToken.objects.of_user(user).select_for_update().filter(pk=token_id).first()
        if token is None:
            raise Http404("No such token")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record(user, "api_token.revoke", token, after={"name": token.name})
    return token


def record_refused_token(token: ApiToken, reason: str, method: str, path: str) -> None:
    """Audit a request refused although it carried a real token (expired, revoked, or read-only for a write)."""
    with transaction.atomic():
        record(
            f"api token {token.token_key}",
            "api_token.refused",
            token,
            after={"reason": reason, "method": method, "path": path[:200], "user": token.user.get_username()},
        )
