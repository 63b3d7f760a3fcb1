"""What the map script (web/static/web/map.js) needs to draw the network: layer URLs, labels, tiles."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from koban.organization.kinds import box_kinds


def map_config(**extra: Any) -> dict[str, Any]:
    """Settings the map script needs: layer URLs, labels in the user's language, an optional tile URL."""
    config: dict[str, Any] = {
        "tileUrl": settings.KOBAN_MAP_TILE_URL,
        "tileAttribution": settings.KOBAN_MAP_TILE_ATTRIBUTION,
        "layers": {
            "areas": reverse("area-list") + "?level=municipality",
            "towns": reverse("area-list") + "?level=town",
            "beats": reverse("beat-list"),
            "stations": reverse("station-list"),
            "boxes": reverse("box-list"),
        },
        "labels": {
            "areas": _("Municipalities"),
            "towns": _("Towns"),
            "beats": _("Beats"),
            "stations": _("Police stations"),
            "boxes": _("Police boxes"),
            "population": _("Population"),
            "households": _("Households"),
            "station": _("Police station"),
            "open": _("Open box page"),
        },
        "kinds": {
            kind.code: {"label": kind.label(), "residential": kind.residential} for kind in box_kinds()
        },
        "boxUrl": reverse("web:box", args=[0]),
    }
    config.update(extra)
    return config
