"""Template filters of the household pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """A share (0–1) as a whole percentage; a dash when there is nothing to divide."""
    if value is None:
        return "—"
    return f"{value * 100:.0f} %"
