"""The one clock of the test suite: every test starts at the same instant, never at the wall clock.

tests/conftest.py travels each test (time-machine, ticking) to ``instant()``: 2026-06-10 10:00 JST
unless the environment variable KOBAN_TEST_NOW names another (ISO 8601 with its UTC offset, e.g.
``2026-12-31T23:30:00+09:00``). ``make test`` re-runs the tests marked ``dates`` at a few instants
where dates break (a month's last minutes, the year end, a leap day, a daylight-saving switch abroad
with TIME_ZONE set to that zone). So a test takes "now" from here and builds its data around it:

- ``now()`` is the travelled clock (the instant plus the seconds the test has run so far);
- ``local_now()``/``local_today()`` are the same in the deployment's zone (settings.TIME_ZONE);
- ``minutes_ago()`` is a moment shortly before ``now()``, ``earlier_today()`` one that is still today;
- ``tokyo()`` and ``at()`` build fixed moments for tests about one particular date.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from zoneinfo import ZoneInfo

from django.utils import timezone

TOKYO = ZoneInfo("Asia/Tokyo")
DEFAULT_INSTANT = "2026-06-10T10:00:00+09:00"  # an ordinary Wednesday morning mid-month


@functools.cache
def instant() -> dt.datetime:
    """The moment every test starts at: KOBAN_TEST_NOW, else ``DEFAULT_INSTANT``."""
    raw = os.environ.get("KOBAN_TEST_NOW") or DEFAULT_INSTANT
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"KOBAN_TEST_NOW must be an ISO 8601 date and time, not {raw!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"KOBAN_TEST_NOW needs a UTC offset (e.g. +09:00), not {raw!r}")
    return moment


def now() -> dt.datetime:
    """The current moment of the travelled test clock (aware, UTC)."""
    return timezone.now()


def local_now() -> dt.datetime:
    """``now()`` in the deployment's zone (settings.TIME_ZONE)."""
    return timezone.localtime(now())


def local_today() -> dt.date:
    return local_now().date()


def minutes_ago(n: float) -> dt.datetime:
    return now() - dt.timedelta(minutes=n)


def earlier_today(before: dt.timedelta) -> dt.datetime:
    """``now() - before``, or halfway through the local day so far if that would fall on yesterday.

    For data a test counts as "today" whatever the instant (just after midnight, or on a day whose
    midnight a daylight-saving switch skipped).
    """
    current = now()
    # A skipped midnight (Chile's switch) reads as the moment the day began, 01:00 of the new offset.
    midnight = dt.datetime.combine(local_today(), dt.time(0), tzinfo=timezone.get_current_timezone())
    midnight = midnight.astimezone(dt.UTC)
    return max(current - before, midnight + (current - midnight) / 2)


def tokyo(*args: int) -> dt.datetime:
    """A fixed moment in Tokyo: ``tokyo(2026, 4, 1, 8, 30)``."""
    return dt.datetime(*args, tzinfo=TOKYO)


def at(day: str, time: str = "10:00") -> dt.datetime:
    """A fixed moment in Tokyo from ISO text: ``at("2026-01-10", "09:00")``."""
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=TOKYO)
