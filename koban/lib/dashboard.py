"""The dashboard's section registry: what a section is, and the list the apps fill.

Each app that has something to show on the box dashboard (and in the daily briefing) defines its
sections in its own ``koban/<app>/dashboard.py`` and registers them there with ``register``; the web
app imports every installed app's ``dashboard`` module once at start-up (``autodiscover``) and only
renders what is registered. So a new app adds its section without touching ``koban.web``, and no app
imports ``web`` to do it. A deployment may show fewer sections: the ``KOBAN_DASHBOARD_SECTIONS``
setting lists the keys to keep (empty: all of them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

SectionContext = dict[str, Any]
# ``build(box, user, now)``: the box is a koban.organization PoliceBox (lib knows no domain model).
SectionBuilder = Callable[[Any, Any, dt.datetime], SectionContext | None]


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
    ``refresh_seconds`` is how often the open page fetches the section again (0: never). ``live``
    sections (new incidents, handover entries, tasks falling due) are fetched every
    ``KOBAN_DASHBOARD_LIVE_SECONDS`` instead, so officers see them without reloading; their builders
    must be especially cheap (see docs/decisions, live dashboard).
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
    live: bool = False

    @property
    def interval(self) -> int:
        """Seconds between two fetches of this section by the open page (0: never)."""
        if self.live:
            return int(getattr(settings, "KOBAN_DASHBOARD_LIVE_SECONDS", 20))
        return self.refresh_seconds


_registry: dict[str, DashboardSection] = {}


def register(section: DashboardSection) -> DashboardSection:
    """Add *section* to the dashboard (called at import of the app's ``dashboard`` module).

    Registering the same object again is harmless (a module imported twice); another section under
    a key already taken is a configuration error, so two apps cannot silently replace each other.
    """
    if not isinstance(section, DashboardSection):
        raise ImproperlyConfigured(f"Dashboard section {section!r} is not a DashboardSection")
    known = _registry.get(section.key)
    if known is not None and known is not section:
        raise ImproperlyConfigured(f"Dashboard section keys used twice: {section.key}")
    _registry[section.key] = section
    return section


def unregister(key: str) -> None:
    """Remove the section *key* (for tests and deployments that replace a section)."""
    _registry.pop(key, None)


def autodiscover() -> None:
    """Import the ``dashboard`` module of every installed app, which registers its sections."""
    autodiscover_modules("dashboard")


def all_sections() -> tuple[DashboardSection, ...]:
    """The registered sections in display order, narrowed to ``KOBAN_DASHBOARD_SECTIONS`` if set."""
    wanted = list(getattr(settings, "KOBAN_DASHBOARD_SECTIONS", None) or [])
    unknown = sorted(set(wanted) - set(_registry))
    if unknown:
        raise ImproperlyConfigured(f"KOBAN_DASHBOARD_SECTIONS names unknown sections: {', '.join(unknown)}")
    sections = [s for s in _registry.values() if not wanted or s.key in wanted]
    return tuple(sorted(sections, key=lambda s: (s.order, s.key)))


def get_section(key: str) -> DashboardSection | None:
    return next((s for s in all_sections() if s.key == key), None)
