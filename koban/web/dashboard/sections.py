"""The dashboard's sections, by dotted path, and the built-in ones.

To add a section from another app, define a ``DashboardSection`` there (e.g. in
``koban/<app>/dashboard.py``) and add its dotted path to ``SECTION_PATHS``; a deployment may instead
list its own in the ``KOBAN_DASHBOARD_SECTIONS`` setting. See CONTRIBUTING.md.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from koban.voice.dashboard import build_actions_due, build_open_requests
from koban.web.dashboard.counter import build_counter_today
from koban.web.dashboard.incidents import (
    build_incident_map,
    build_incident_map_pdf,
    build_open_incidents,
    build_response_times,
)
from koban.web.dashboard.lostfound import build_lost_found
from koban.web.dashboard.patrols import build_unpatrolled
from koban.web.dashboard.registry import DashboardSection, SectionBuilder
from koban.web.dashboard.staffing import build_on_duty


def _builtin(key: str, title: Any, order: int, build: SectionBuilder, **options: Any) -> DashboardSection:
    """A section of this package, its templates named after its key under ``web/dashboard/``."""
    return DashboardSection(
        key=key,
        title=title,
        order=order,
        build=build,
        template=f"web/dashboard/{key}.html",
        pdf_template=f"web/dashboard/{key}_pdf.html",
        **options,
    )


ON_DUTY = _builtin("on_duty", _("On duty"), 10, build_on_duty)
OPEN_INCIDENTS = _builtin(
    "open_incidents",
    _("Open incidents"),
    20,
    build_open_incidents,
    refresh_seconds=60,
)
INCIDENT_MAP = _builtin(
    "incident_map",
    _("Incidents in the beat"),
    30,
    build_incident_map,
    build_pdf=build_incident_map_pdf,
    wide=True,
    refresh_seconds=0,
)
COUNTER_TODAY = _builtin(
    "counter_today",
    _("Counter matters today"),
    40,
    build_counter_today,
)
LOST_FOUND = _builtin(
    "lost_found",
    _("Lost and found today"),
    50,
    build_lost_found,
)
RESPONSE_TIMES = _builtin(
    "response_times",
    _("110 response times"),
    60,
    build_response_times,
)
UNPATROLLED = _builtin(
    "unpatrolled",
    _("Unpatrolled this week"),
    70,
    build_unpatrolled,
    refresh_seconds=600,
)

# Residents' voice (koban.voice): its builders and templates live in the app.
OPEN_REQUESTS = DashboardSection(
    key="open_requests",
    title=_("Open requests"),
    order=80,
    build=build_open_requests,
    template="voice/dashboard/open_requests.html",
    pdf_template="voice/dashboard/open_requests_pdf.html",
    refresh_seconds=300,
)
ACTIONS_DUE = DashboardSection(
    key="actions_due",
    title=_("Actions due"),
    order=90,
    build=build_actions_due,
    template="voice/dashboard/actions_due.html",
    pdf_template="voice/dashboard/actions_due_pdf.html",
    refresh_seconds=600,
)

SECTION_PATHS: list[str] = [
    "koban.web.dashboard.sections.ON_DUTY",
    "koban.web.dashboard.sections.OPEN_INCIDENTS",
    "koban.web.dashboard.sections.INCIDENT_MAP",
    "koban.web.dashboard.sections.COUNTER_TODAY",
    "koban.web.dashboard.sections.LOST_FOUND",
    "koban.web.dashboard.sections.RESPONSE_TIMES",
    "koban.web.dashboard.sections.UNPATROLLED",
    "koban.volunteers.dashboard.VOLUNTEER_ACTIVITY",
    "koban.web.dashboard.sections.OPEN_REQUESTS",
    "koban.web.dashboard.sections.ACTIONS_DUE",
    "koban.households.dashboard.VISITS_DUE",
]
