"""What the incident page's dispatch panel shows: the suggestions and the map of their routes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.templatetags.static import static
from django.utils.translation import gettext as _

from koban.incidents.dispatching import Suggestion, suggestion_data
from koban.incidents.models import Incident


def _map_config(incident: Incident, suggestions: list[Suggestion]) -> dict[str, Any] | None:
    if incident.location is None:
        return None
    return {
        "tileUrl": settings.KOBAN_MAP_TILE_URL,
        "tileAttribution": settings.KOBAN_MAP_TILE_ATTRIBUTION,
        # Loaded by the panel's script only when the page has not loaded Leaflet already.
        "leafletJs": static("leaflet/leaflet.js"),
        "leafletCss": static("leaflet/leaflet.css"),
        "incident": {"lon": incident.location.x, "lat": incident.location.y, "label": _("Incident")},
        "candidates": [suggestion_data(s) for s in suggestions],
        "labels": {"road": _("by road"), "straight_line": _("straight line"), "min": _("min")},
    }


def dispatch_panel(incident: Incident, suggestions: list[Suggestion], backup: bool) -> dict[str, Any]:
    """The panel's context: ranked suggestions, whether they are for backup, and the map's input."""
    return {
        "suggestions": suggestions,
        "backup": backup,
        "can_ask_backup": incident.is_open and incident.dispatched_at is not None and not backup,
        "map": _map_config(incident, suggestions),
    }
