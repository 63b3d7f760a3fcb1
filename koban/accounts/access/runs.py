"""Who follows background runs (imports, derivations, checks started by HQ).

HQ of an agency sees the runs of its agency and the ones it started itself; administrators without an
agency see all of them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from koban.accounts.access.network import agencies_overseen_by, is_hq
from koban.accounts.access.refusal import fetch_or_refuse
from koban.accounts.models import User
from koban.runs.models import JobRun, JobRunQuerySet


def runs_visible_to(user: User) -> JobRunQuerySet:
    """Background runs *user* may follow, cancel and commit."""
    if not is_hq(user):
        return JobRun.objects.none()
    if user.is_superuser or not user.agency_id:
        return JobRun.objects.all()
    codes = list(agencies_overseen_by(user).values_list("code", flat=True))
    return JobRun.objects.filter(Q(agency_code__in=codes) | Q(started_by=user))


def access_run(user: User, run_id: Any) -> JobRun:
    """The run *run_id* if *user* may see it; ``Http404`` otherwise, unknown ids alike (audited)."""
    return fetch_or_refuse(user, runs_visible_to(user), run_id)
