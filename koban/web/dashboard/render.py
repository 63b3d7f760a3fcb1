"""Building the sections of one box's dashboard, for the page or for the briefing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from koban.lib.dashboard import DashboardSection, all_sections
from koban.organization.models import PoliceBox


@dataclass(frozen=True)
class BuiltSection:
    """A section with the context it built for one box, user and moment."""

    section: DashboardSection
    context: dict[str, Any]

    @property
    def key(self) -> str:
        return self.section.key


def build_sections(
    box: PoliceBox,
    user: Any,
    now: dt.datetime,
    *,
    for_pdf: bool = False,
    sections: Iterable[DashboardSection] | None = None,
) -> list[BuiltSection]:
    """Build every section (or the given ones) in display order, leaving out those that return None."""
    built: list[BuiltSection] = []
    for section in all_sections() if sections is None else sections:
        builder = section.build_pdf if for_pdf and section.build_pdf else section.build
        context = builder(box, user, now)
        if context is not None:
            built.append(BuiltSection(section, context))
    return built
