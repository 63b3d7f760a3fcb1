"""Stable colours for incident categories, shared by the page map, the PDF map and the tables."""

from __future__ import annotations

from koban.incidents.models import IncidentCategory

# Tableau 10: distinguishable in print and for most colour-blind readers.
PALETTE = [
    "#4e79a7",
    "#e15759",
    "#f28e2b",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
]


def category_styles(language: str | None = None) -> dict[int, dict[str, str]]:
    """``{category id: {"label", "colour", "code"}}`` for every category (one query; a small table).

    Colours follow the configured sort order, so a category keeps its colour from day to day.
    """
    return {
        category.pk: {
            "label": category.label(language),
            "colour": PALETTE[index % len(PALETTE)],
            "code": category.code,
        }
        for index, category in enumerate(IncidentCategory.objects.order_by("sort_order", "code"))
    }
