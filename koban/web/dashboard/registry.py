"""The section registry: what a dashboard section is and how the list of sections is loaded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.module_loading import import_string

from koban.organization.models import PoliceBox

SectionContext = dict[str, Any]
SectionBuilder = Callable[[PoliceBox, Any, dt.datetime], SectionContext | None]


@dataclass(frozen=True)
class DashboardSection:
    """One block of the box dashboard and of the daily briefing.

    ``build(box, user, now)`` reads what the section shows and returns the template context, or
    ``None`` when the section has nothing to say to this user at this box (it is then left out of
    the page and the PDF). It must run a bounded number of queries whatever the size of the data:
    aggregate in SQL and limit lists. ``template`` renders it on the page (inside a card that the
    dashboard draws), ``pdf_template`` in the briefing. ``order`` sorts sections (small first);
    ``wide`` sections span both columns of the page on large screens. ``build_pdf``, when given,
    replaces ``build`` for the briefing (e.g. to draw a map image the page does not need).
    ``refresh_seconds`` is how often the page reloads the section (0: never).
    """

    key: str
    title: str | Promise
    order: int
    build: SectionBuilder
    template: str
    pdf_template: str
    build_pdf: SectionBuilder | None = None
    wide: bool = False
    refresh_seconds: int = 120


def section_paths() -> list[str]:
    """Dotted paths of the sections: the setting if a deployment sets one, else the built-in list."""
    configured = getattr(settings, "KOBAN_DASHBOARD_SECTIONS", None)
    if configured:
        return list(configured)
    from koban.web.dashboard.sections import SECTION_PATHS

    return list(SECTION_PATHS)


@lru_cache(maxsize=8)
def _load(paths: tuple[str, ...]) -> tuple[DashboardSection, ...]:
    sections: list[DashboardSection] = []
    for path in paths:
        try:
            section = import_string(path)
        except ImportError as exc:
            raise ImproperlyConfigured(f"Dashboard section {path!r} cannot be imported: {exc}") from exc
        if not isinstance(section, DashboardSection):
            raise ImproperlyConfigured(f"Dashboard section {path!r} is not a DashboardSection")
        sections.append(section)
    keys = [s.key for s in sections]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise ImproperlyConfigured(f"Dashboard section keys used twice: {', '.join(duplicates)}")
    return tuple(sorted(sections, key=lambda s: (s.order, s.key)))


def all_sections() -> tuple[DashboardSection, ...]:
    """The registered sections in display order."""
    return _load(tuple(section_paths()))


def get_section(key: str) -> DashboardSection | None:
    return next((s for s in all_sections() if s.key == key), None)
