"""The daily briefing: the dashboard's sections as a printable PDF for the 08:30 shift handover."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from koban.lib.pdf import html_to_pdf
from koban.organization.models import PoliceBox
from koban.rosters.clock import handover_at, local_now
from koban.rosters.reports import box_zone
from koban.web.dashboard.render import build_sections


def briefing_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def briefing_html(box: PoliceBox, user: Any, now: dt.datetime, language: str) -> str:
    """The briefing as HTML in *language*, times in the box's zone."""
    with translation.override(language), timezone.override(box_zone(box)):
        sections = build_sections(box, user, now, for_pdf=True)
        return render_to_string(
            "web/briefing.html",
            {
                "box": box,
                "station": box.station,
                "sections": sections,
                "handover": handover_at(box, now),
                "printed_at": local_now(box, now),
                "printed_by": user,
                "LANGUAGE_CODE": language,
            },
        )


def briefing_pdf(box: PoliceBox, user: Any, now: dt.datetime, language: str) -> bytes:
    """PDF bytes of the briefing (WeasyPrint; fonts from the system, images embedded)."""
    return html_to_pdf(briefing_html(box, user, now, language))
