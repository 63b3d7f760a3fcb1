"""The small map of one incident's page: its point, its beat's outline and its box, as GeoJSON.

Everything is put into the page itself (no layer requests, no tile server needed): the script draws
vector shapes only, and a tile layer when the deployment configures one.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from koban.incidents.models import Incident


def _geometry(geom: Any) -> dict[str, Any] | None:
    return json.loads(geom.geojson) if geom is not None else None


def incident_map(incident: Incident) -> dict[str, Any] | None:
    """What the incident map shows, or None when there is nothing to place (an address not placed)."""
    beat = incident.beat
    box = incident.box
    if incident.location is None and beat is None:
        return None
    return {
        "tileUrl": settings.KOBAN_MAP_TILE_URL,
        "tileAttribution": settings.KOBAN_MAP_TILE_ATTRIBUTION,
        "incident": _geometry(incident.location),
        "beat": _geometry(beat.geom) if beat is not None else None,
        "box": _geometry(box.location) if box is not None else None,
        "labels": {
            "incident": _("Incident #%(id)s") % {"id": incident.pk},
            "beat": _("Beat %(code)s") % {"code": beat.code} if beat is not None else "",
            "box": box.name if box is not None else "",
        },
    }
