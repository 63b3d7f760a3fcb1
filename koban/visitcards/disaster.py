"""The disaster safety check: the households with cards in a drawn area that flagged someone needing
help, with their contacts, and the record of each check (safe, needs help, unreachable).

Only cards whose household agreed to disaster checks (``ConsentScope.DISASTER``) are listed. Contacts
are decrypted only for the cards the officer may open (the officers of that area and the box's card
custodian); cards of other boxes inside the area are counted per box, so the officer knows whom to
call, without any personal content. Opening a check, listing it and recording each check are audited.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

import shapely
from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import shape

from koban.audit.services import record, record_read
from koban.lib.geo import GeometryError, area_m2, check_geometry_coordinates
from koban.visitcards.crypto.envelope import Sealed, unseal
from koban.visitcards.models import DisasterCheck, SafetyCheck, SafetyStatus, VisitCard, VisitCardQuerySet

MAX_AREA_KM2 = 500
MAX_VERTICES = 500


def parse_area(text: str) -> Polygon:
    """A drawn area (GeoJSON Polygon, WGS84) as a checked polygon; ``ValidationError`` on "area" otherwise."""
    try:
        data = json.loads(text) if isinstance(text, str) else text
        if isinstance(data, dict) and data.get("type") == "Feature":
            data = data.get("geometry")
        if not isinstance(data, dict) or data.get("type") != "Polygon":
            raise GeometryError(_("draw one polygon"))
        geom = shape(data)
        check_geometry_coordinates(geom)
        if len(shapely.get_coordinates(geom)) > MAX_VERTICES:
            raise GeometryError(_("at most %(n)d corners") % {"n": MAX_VERTICES})
        if not geom.is_valid or geom.is_empty:
            raise GeometryError(_("the outline crosses itself"))
        if area_m2(geom) > MAX_AREA_KM2 * 1_000_000:
            raise GeometryError(_("at most %(n)d km²") % {"n": MAX_AREA_KM2})
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
        message = str(exc) if isinstance(exc, GeometryError) else _("not a GeoJSON polygon")
        raise ValidationError({"area": _("Area: %(problem)s.") % {"problem": message}}) from None
    polygon = GEOSGeometry(memoryview(geom.wkb), srid=4326)
    assert isinstance(polygon, Polygon)  # noqa: S101 - checked above
    return polygon


@transaction.atomic
def open_check(
    actor: Any, box: Any, title: str, area: Polygon, *, at: datetime.datetime | None = None
) -> DisasterCheck:
    """Open a disaster safety check of *box*'s officers over *area*."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the check a title (e.g. the flood and the district).")})
    check = DisasterCheck.objects.create(
        title=title[:200], area=area, opened_by=actor, opened_at=at or timezone.now(), box=box
    )
    record(actor, "visitcards.disaster_check.open", check, after={"title": check.title, "box": box.pk})
    return check


@dataclass
class Row:
    """One household to reach: its card, the decrypted members needing help and contacts, last status."""

    card: VisitCard
    members: list[dict[str, Any]]
    contacts: list[dict[str, Any]]
    notes: str
    status: str
    status_label: str


def rows_for(
    actor: Any, check: DisasterCheck, readable: VisitCardQuerySet, request: HttpRequest | None = None
) -> list[Row]:
    """The households in *check*'s area that *actor* may open, with members needing help and contacts.

    Decrypting them is one audited read (``what``: the check).
    """
    cards = list(
        readable.needing_help_within(check.area)
        .select_related("household")
        .order_by("household__address", "pk")
    )
    latest = _latest_status(check)
    rows = []
    for card in cards:
        contents = unseal(card.pk, Sealed(card.key_id, bytes(card.wrapped_key), bytes(card.payload)))
        status = latest.get(card.household_id, "")
        rows.append(
            Row(
                card=card,
                members=[m for m in contents["members"] if m.get("needs_help")],
                contacts=contents["contacts"],
                notes=contents["notes"],
                status=status,
                status_label=str(SafetyStatus(status).label) if status else "",
            )
        )
    record_read(
        actor,
        cards,
        VisitCard.PERSONAL_FIELDS,
        request=request,
        model=VisitCard,
        what=f"disaster check #{check.pk}",
    )
    return rows


def others_by_box(check: DisasterCheck, readable: VisitCardQuerySet) -> list[dict[str, Any]]:
    """Households needing help in the area whose cards other boxes keep: counts per box, no contents."""
    others = VisitCard.objects.needing_help_within(check.area).exclude(pk__in=readable.values("pk"))
    return list(
        others.values("box__name", "box__code")
        .annotate(households=Count("household", distinct=True))
        .order_by("box__code")
    )


def _latest_status(check: DisasterCheck) -> dict[int, str]:
    latest: dict[int, str] = {}
    for household_id, status in check.checks.order_by("checked_at", "pk").values_list(
        "household_id", "status"
    ):
        latest[household_id] = status
    return latest


@transaction.atomic
def record_safety(
    actor: Any, check: DisasterCheck, card: VisitCard, status: str, *, at: datetime.datetime | None = None
) -> SafetyCheck:
    """Record what an officer found at a household of the check (the card already allowed to *actor*)."""
    if status not in SafetyStatus.values:
        raise ValidationError({"status": _("Choose safe, needs help or unreachable.")})
    if not VisitCard.objects.needing_help_within(check.area).filter(pk=card.pk).exists():
        raise ValidationError({"card": _("This household is not one of this check's.")})
    safety = SafetyCheck.objects.create(
        disaster=check,
        household=card.household,
        card=card,
        status=status,
        checked_by=actor,
        checked_at=at or timezone.now(),
    )
    record(
        actor, "visitcards.safety_check", safety, after={"check": check.pk, "card": card.pk, "status": status}
    )
    return safety
