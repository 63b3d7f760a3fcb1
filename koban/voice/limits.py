"""Rate limits of the public channels: per client address, per reporter e-mail, per Open311 key.

Counted in fixed windows in Django's cache (one increment per request), like the API's own throttles
(``koban.accounts.throttles``); the rates are settings such as ``"10/hour"``.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.http import HttpRequest

_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/hour"`` → (10, 3600); the unit's first letter counts (second, minute, hour, day)."""
    count, _, unit = rate.partition("/")
    return int(count), _SECONDS[unit.strip()[:1].lower()]


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def hit(scope: str, ident: str, rate: str) -> bool:
    """Count one attempt of *ident* in *scope*; False once the rate is exceeded in this window."""
    allowed, duration = parse_rate(rate)
    window = int(time.time() // duration)
    # Hashed so that e-mail addresses never sit in the cache in clear.
    key = f"voice-rate:{scope}:{hashlib.sha256(ident.lower().encode()).hexdigest()}:{window}"
    if cache.add(key, 1, duration + 1):
        return allowed >= 1
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, duration + 1)
        count = 1
    return count <= allowed
