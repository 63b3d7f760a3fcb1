"""Pages of crime-prevention partners: the list and one organization with its contacts, agreements, meetings."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from koban.accounts.access import (
    access_partner,
    agreements_visible_to,
    can_manage_partner,
    contacts_visible_to,
    groups_visible_to,
    partner_meetings_visible_to,
    partners_visible_to,
)
from koban.audit.reads import note_read
from koban.geography.maps import map_config
from koban.partners.models import PartnerContact, PartnerKind


@login_required
def partner_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    partners = partners_visible_to(user).select_related("agency").prefetch_related("stations")
    kind = request.GET.get("kind", "")
    if kind in PartnerKind.values:
        partners = partners.filter(kind=kind)
    return render(
        request,
        "partners/partner_list.html",
        {
            "partners": partners[:500],
            "kinds": PartnerKind.choices,
            "kind": kind,
            "meetings": partner_meetings_visible_to(user)
            .select_related("station")
            .prefetch_related("partners")[:20],
        },
    )


@login_required
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    partner = access_partner(user, pk)
    contacts = list(contacts_visible_to(user).filter(partner=partner))
    note_read(contacts, PartnerContact.PERSONAL_FIELDS)
    # Drawn by the patrol map script's coverage mode: one green polygon named after the partner.
    area = (
        {
            "type": "Feature",
            "geometry": json.loads(partner.area.geojson),
            "properties": {"name": partner.name, "covered": True},
        }
        if partner.area
        else None
    )
    return render(
        request,
        "partners/partner_detail.html",
        {
            "partner": partner,
            "contacts": contacts,
            "agreements": agreements_visible_to(user).filter(partner=partner),
            "meetings": partner_meetings_visible_to(user).filter(partners=partner).select_related("station"),
            "groups": groups_visible_to(user).filter(partner=partner),
            "can_manage": can_manage_partner(user, partner),
            "today": timezone.localdate(),
            "map_config": map_config(
                layers={},
                mode="coverage",
                coverage={"type": "FeatureCollection", "features": [area] if area else []},
            ),
        },
    )
