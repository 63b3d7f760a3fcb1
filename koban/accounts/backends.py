"""The lockout check in front of the password check (django-axes)."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out account or address before any password is hashed.

    Every sign-in over the web (the login page, the admin login) passes its request, and is checked.
    A call of ``authenticate()`` without a request (the test client's ``login()``, a script) has no
    address to count or lock, so it is left to the password check instead of failing outright, as axes'
    own backend would.
    """

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)  # type: ignore[no-any-return]
