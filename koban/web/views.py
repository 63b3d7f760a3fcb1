"""Pages of the police network: the map and the box page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from koban.accounts.access import BOX_ROLES, access_box
from koban.geography.models import Beat
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


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Box staff start on their box's dashboard; chiefs and HQ on the network map."""
    box_id = getattr(request.user, "box_id", None)
    if box_id and getattr(request.user, "role", None) in BOX_ROLES:
        return redirect("web:dashboard", box_id=box_id)
    return redirect("web:map")


@login_required
def network_map(request: HttpRequest) -> HttpResponse:
    return render(request, "web/map.html", {"map_config": map_config()})


@login_required
def box_detail(request: HttpRequest, box_id: int) -> HttpResponse:
    box = access_box(request.user, box_id)  # type: ignore[arg-type]
    beat = Beat.objects.current().filter(box=box).first()
    officers = box.staff.filter(is_active=True).order_by("role", "username")
    config = map_config(focusBox=box.id, focusBeat=beat.id if beat else None, compact=True)
    return render(
        request, "web/box.html", {"box": box, "beat": beat, "officers": officers, "map_config": config}
    )
