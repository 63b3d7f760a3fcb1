"""API request rates (DRF throttles) counted in fixed windows.

DRF's own ``AnonRateThrottle``/``UserRateThrottle`` keep the time of every request of the window in the
cache and copy that list on each request: at a generous rate (tens of thousands an hour) that costs more
than the request itself. These count requests per window instead (one cache increment); the scope,
rates, cache keys and 429 answer are DRF's.
"""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


class _FixedWindow(SimpleRateThrottle):
    duration: int
    num_requests: int

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        window = int(self.timer() // self.duration)
        self.window_end = (window + 1) * self.duration
        window_key = f"{key}:{window}"
        if self.cache.add(window_key, 1, self.duration + 1):
            return True
        try:
            count = self.cache.incr(window_key)
        except ValueError:  # the window's counter expired between add() and incr()
            self.cache.set(window_key, 1, self.duration + 1)
            count = 1
        return count <= self.num_requests

    def wait(self) -> float:
        return max(0.0, self.window_end - self.timer())


class AnonymousRate(_FixedWindow, AnonRateThrottle):
    """Requests without a signed-in user or token, per address (rate ``anon``)."""


class UserRate(_FixedWindow, UserRateThrottle):
    """Requests of one signed-in user or token owner (rate ``user``)."""
