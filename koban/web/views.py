"""Pages of the police network: the map and the box page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from koban.accounts.access import access_box, home_box_id
from koban.geography.maps import map_config
from koban.geography.models import Beat


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Box staff start on their box's dashboard; chiefs and HQ on the network map."""
    box_id = home_box_id(request.user)  # type: ignore[arg-type]
    if box_id:
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
