"""Form widgets shared by the pages of several apps: a map to tap a place, officers as chips.

Both are phone-first: a place is set by tapping a map (the latitude and longitude fields stay typeable),
and people are chosen by tapping large chips instead of a Ctrl-click multi-select.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse


class MapPickerInput(forms.NumberInput):
    """The longitude input followed by a map: tapping the map fills this field and its latitude.

    The latitude field is the one named like this one with ``lat`` for the trailing ``lon``
    (``found_lon`` → ``found_lat``); it comes first in the form, as people read a place. The map draws
    only vector layers (the beats) unless the deployment configures a tile server, so it works offline.
    """

    template_name = "web/widgets/map_picker.html"

    class Media:
        js = ("web/picker.js",)

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"step": "any", "inputmode": "decimal", **(attrs or {})})

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["picker"] = {
            "lat_name": latitude_name(name),
            "tile_url": settings.KOBAN_MAP_TILE_URL,
            "tile_attribution": settings.KOBAN_MAP_TILE_ATTRIBUTION,
            "leaflet_js": static("leaflet/leaflet.js"),
            "leaflet_css": static("leaflet/leaflet.css"),
            "beats_url": reverse("beat-list"),
        }
        return context


def latitude_name(longitude_name: str) -> str:
    """The latitude field that pairs with a longitude field: ``found_lon`` → ``found_lat``."""
    if not longitude_name.endswith("lon"):
        raise ValueError(f"a map picker sits on a longitude field ending in 'lon', not {longitude_name!r}")
    return longitude_name[: -len("lon")] + "lat"


class ChipsSelectMultiple(forms.CheckboxSelectMultiple):
    """Check boxes drawn as large tappable chips (one tap chooses or drops an officer)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"class": "chips", **(attrs or {})})
