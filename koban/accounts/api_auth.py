"""How programs authenticate to the API: ``Authorization: Bearer <token>`` (django-rest-knox).

A wrong, expired or revoked token all get the same 401 answer (an expired or revoked one is also audited),
and each address may make only a few such attempts a minute (the ``bad_token`` throttle rate). A read-only
token used for a write gets the same 404 as a missing object, and is audited.
"""

from __future__ import annotations

import binascii
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from koban.accounts.access import token_permits
from koban.accounts.models import ApiToken
from koban.accounts.tokens import record_refused_token

INVALID_TOKEN = _("Invalid token.")


class BadTokenThrottle(SimpleRateThrottle):
    """Counts requests with a token that did not authenticate, per client address."""

    scope = "bad_token"
    duration: int
    num_requests: int

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def is_blocked(self, request: Request) -> bool:
        self.key = self.get_cache_key(request, None)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        return len(self.history) >= (self.num_requests or 0)

    def note_failure(self) -> None:
        """Count one failed attempt; call after ``is_blocked`` for the same request."""
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)


class BearerTokenAuthentication(TokenAuthentication):
    """knox's token check on our ``ApiToken`` model, with expiry, revocation, scope and throttling."""

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() != self.authenticate_header(request).lower().encode():
            return None  # no token: session authentication (pages, the browsable docs) may apply
        throttle = BadTokenThrottle()
        if throttle.is_blocked(request):
            raise exceptions.Throttled(throttle.wait())
        try:
            if len(auth) != 2:
                raise exceptions.AuthenticationFailed(INVALID_TOKEN)
            token = self.find_token(auth[1], request)
        except exceptions.AuthenticationFailed:
            throttle.note_failure()
            raise
        if not token_permits(token.scope, request.method or ""):
            record_refused_token(token, "read-only", request.method or "", request.path)
            raise exceptions.NotFound()
        return token.user, token

    def find_token(self, secret: bytes, request: Request) -> ApiToken:
        """The usable token whose digest matches *secret*; any other case raises the same 401."""
        try:
            digest = hash_token(secret.decode("utf-8"))
        except (UnicodeDecodeError, TypeError, binascii.Error) as exc:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN) from exc
        # An equality lookup on the digest: timing reveals nothing an attacker can steer, since the
        # digest of a guess is unpredictable.
        token = ApiToken.objects.select_related("user").filter(digest=digest).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        if not token.is_usable_at(timezone.now()):
            reason = "revoked" if token.revoked_at else "expired"
            record_refused_token(token, reason, request.method or "", request.path)
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        return token

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Documents the token in the OpenAPI schema as ``bearerAuth`` (``Authorization: Bearer …``)."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer"}
