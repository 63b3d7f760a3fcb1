"""Sign-in lockouts kept by django-axes: which accounts and addresses are locked, and lifting them.

A lockout ends by itself ``AXES_COOLOFF_TIME`` after the last failure; an administrator may lift it
sooner on the lockouts page, which is audited (the axes admin pages are switched off so that no lift
escapes the trail).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum

from koban.accounts.models import User
from koban.audit.services import record, record_attempt


@dataclass(frozen=True)
class Lockout:
    """An account (``kind`` "username") or an address ("ip_address") with too many recent failures."""

    kind: str
    value: str
    failures: int
    last_failure: datetime.datetime


def current_lockouts(now: datetime.datetime) -> list[Lockout]:
    """Accounts and addresses locked at *now*, most recent failure first."""
    since = now - settings.AXES_COOLOFF_TIME
    found: list[Lockout] = []
    for kind in ("username", "ip_address"):
        rows = (
            AccessAttempt.objects.filter(attempt_time__gte=since)
            .values(kind)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        )
        found += [Lockout(kind, row[kind] or "", row["failures"], row["last"]) for row in rows]
    return sorted(found, key=lambda lockout: lockout.last_failure, reverse=True)


def lift_lockout(actor: User, kind: str, value: str) -> int:
    """Forget the failures of one account or address, so it may sign in again; return rows removed."""
    if kind not in ("username", "ip_address"):
        raise ValueError(f"unknown lockout kind {kind!r}")
    with transaction.atomic():
        removed = reset(username=value) if kind == "username" else reset(ip=value)
        after = {"kind": kind, "value": value, "attempts_removed": removed}
        user = User.objects.filter(username=value).first() if kind == "username" else None
        if user is not None:
            record(actor, "login.lockout_lifted", user, after=after)
        else:
            record_attempt(actor.get_username(), "login.lockout_lifted", User, object_repr=value, after=after)
    return removed
