"""Verbs of alerts: draft, approve (release), reject, update, cancel, receive a partner's CAP message.

Each runs in one transaction and writes the audit trail. Bad input raises ``ValidationError`` naming the
field (``areas`` for geometry, ``cap`` for a received message); nothing is written then. An alert whose
area is larger than ``KOBAN_ALERT_MAX_AREA_KM2`` or than the agency's jurisdiction times
``KOBAN_ALERT_MAX_EXTENT_RATIO`` is refused with the code ``large_area`` until the author confirms it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import shapely
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from koban.alerts.areas import AreaError, as_multipolygon, km2, parse_circle, parse_polygon
from koban.alerts.cap import CapSchemaError, to_cap_xml
from koban.alerts.capin import CapInputError, ParsedCap, parse_cap
from koban.alerts.models import Alert, AlertArea, AlertInfo, MsgType, Scope, Status
from koban.alerts.texts import all_info_values
from koban.audit.services import record
from koban.organization.jurisdiction import jurisdiction_of
from koban.organization.models import PoliceBox, PoliceStation


@dataclass
class AreaSpec:
    """One CAP area as given: its description and its polygons and circles in CAP text."""

    area_desc: str
    polygons: list[str] = field(default_factory=list)
    circles: list[str] = field(default_factory=list)


def _geometries(specs: list[AreaSpec]) -> list[BaseGeometry]:
    if not specs:
        raise ValidationError({"areas": _("Give at least one area.")})
    shapes: list[BaseGeometry] = []
    for number, spec in enumerate(specs, start=1):
        if not spec.area_desc.strip():
            raise ValidationError({"areas": _("Area %(n)s has no description.") % {"n": number}})
        if not spec.polygons and not spec.circles:
            raise ValidationError(
                {
                    "areas": _("Area %(n)s has no polygon or circle, so nobody can be targeted.")
                    % {"n": number}
                }
            )
        try:
            parts = [parse_polygon(p, i) for i, p in enumerate(spec.polygons, start=1)]
            parts += [parse_circle(c, i) for i, c in enumerate(spec.circles, start=1)]
        except AreaError as exc:
            raise ValidationError(
                {"areas": _("Area %(n)s: %(error)s") % {"n": number, "error": exc}}
            ) from None
        shapes.append(shapely.union_all(parts))
    return shapes


def check_extent(agency: Any, union: BaseGeometry, confirmed: bool) -> float:
    """The area in km²; ``ValidationError`` (code ``large_area``) if it is implausibly large and unconfirmed."""
    size = km2(union)
    jurisdiction = jurisdiction_of(agency)
    limit = min(
        float(settings.KOBAN_ALERT_MAX_AREA_KM2),
        km2(jurisdiction.geom) * settings.KOBAN_ALERT_MAX_EXTENT_RATIO
        if not jurisdiction.is_fallback
        else float("inf"),
    )
    if size > limit and not confirmed:
        raise ValidationError(
            {
                "areas": ValidationError(
                    _(
                        "The area covers %(size).0f km², more than the %(limit).0f km² an alert of this agency "
                        "normally covers. Check it, and tick the confirmation if it is right."
                    )
                    % {"size": size, "limit": limit},
                    code="large_area",
                )
            }
        )
    return size


def _identifier(agency_code: str, pk: int) -> str:
    # CAP: no spaces, commas, < or &; unique per sender.
    return f"{settings.KOBAN_ALERT_SENDER}.{agency_code}.{pk:08d}".replace(" ", "_").replace(",", "_")


def _create(
    actor: Any,
    *,
    station: PoliceStation,
    box: PoliceBox | None,
    infos: list[dict[str, Any]],
    specs: list[AreaSpec],
    large_area_confirmed: bool,
    now: datetime.datetime,
    **fields: Any,
) -> Alert:
    shapes = _geometries(specs)
    union = shapely.union_all(shapes)
    size = check_extent(station.agency, union, large_area_confirmed)
    alert = Alert.objects.create(
        identifier=f"pending-{now.timestamp()}-{station.pk}",
        sender=settings.KOBAN_ALERT_SENDER,
        agency=station.agency,
        station=station,
        box=box,
        geom=as_multipolygon(shapes),
        area_km2=size,
        large_area_confirmed=large_area_confirmed,
        drafted_by=actor if getattr(actor, "is_authenticated", False) else None,
        drafted_at=now,
        **fields,
    )
    alert.identifier = _identifier(station.agency.code, alert.pk)
    alert.save(update_fields=["identifier"])
    AlertInfo.objects.bulk_create([AlertInfo(alert=alert, **values) for values in infos])
    AlertArea.objects.bulk_create(
        [
            AlertArea(
                alert=alert,
                area_desc=spec.area_desc[:300],
                polygons=spec.polygons,
                circles=spec.circles,
                geom=as_multipolygon([shape]),
            )
            for spec, shape in zip(specs, shapes, strict=True)
        ]
    )
    return alert


def _contact(box: PoliceBox | None, station: PoliceStation) -> str:
    place = box or station
    phone = getattr(place, "phone", "") or ""
    return f"{place.name} {phone}".strip()[:300]


@transaction.atomic
def draft_alert(
    actor: Any,
    *,
    box: PoliceBox,
    kind: str,
    data: dict[str, Any],
    areas: list[AreaSpec],
    status: str = Status.ACTUAL,
    large_area_confirmed: bool = False,
    now: datetime.datetime | None = None,
) -> Alert:
    """Draft an alert of the form *kind* for *box*: the texts in every language come from *data*."""
    now = now or timezone.now()
    infos = all_info_values(kind, data)
    for info in infos:
        info["contact"] = _contact(box, box.station)
        info["sender_name"] = box.station.name[:200]
    alert = _create(
        actor,
        station=box.station,
        box=box,
        infos=infos,
        specs=areas,
        large_area_confirmed=large_area_confirmed,
        now=now,
        msg_type=MsgType.ALERT,
        status=status,
        form_kind=kind,
        form_data=data,
    )
    record(
        actor,
        "alert.draft",
        alert,
        after={"kind": kind, "areas": len(areas), "km2": round(alert.area_km2, 3)},
    )
    return alert


def _check_draft(alert: Alert) -> None:
    if alert.state != Alert.State.DRAFT:
        raise ValidationError(
            {
                "state": _("Only a draft can be approved or rejected; this alert is %(state)s.")
                % {"state": alert.get_state_display()}
            }
        )


@transaction.atomic
def approve_alert(
    actor: Any, alert: Alert, now: datetime.datetime | None = None, *, deliver: bool = True
) -> Alert:
    """Release *alert*: it gets its sent time and its CAP XML (checked against the OASIS schema), and
    its delivery to the subscribers in its area is queued once the transaction commits (unless *deliver*
    is false: the demo records its history's deliveries itself)."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    _check_draft(alert)
    now = now or timezone.now()
    alert.sent = now
    alert.state = Alert.State.RELEASED
    alert.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    alert.decided_at = now
    try:
        alert.cap_xml = to_cap_xml(alert)
    except CapSchemaError as exc:
        raise ValidationError(
            {"cap": [_("The CAP message is not valid: %(error)s") % {"error": p} for p in exc.problems]}
        ) from None
    alert.save(update_fields=["sent", "state", "decided_by", "decided_at", "cap_xml"])
    record(actor, "alert.approve", alert, after={"identifier": alert.identifier, "msg_type": alert.msg_type})
    alert_id = alert.pk
    if deliver:
        transaction.on_commit(lambda: _queue_delivery(alert_id))
    return alert


def _queue_delivery(alert_id: int) -> None:
    from koban.alerts.jobs import fan_out_alert

    fan_out_alert.defer(alert_id=alert_id)


@transaction.atomic
def reject_alert(actor: Any, alert: Alert, reason: str, now: datetime.datetime | None = None) -> Alert:
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    _check_draft(alert)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the draft is rejected.")})
    alert.state = Alert.State.REJECTED
    alert.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    alert.decided_at = now or timezone.now()
    alert.note = reason[:2000]
    alert.save(update_fields=["state", "decided_by", "decided_at", "note"])
    record(actor, "alert.reject", alert, note=reason[:500])
    return alert


def _check_original(original: Alert) -> None:
    if original.state != Alert.State.RELEASED:
        raise ValidationError({"references": _("Only a released alert can be updated or cancelled.")})
    if original.followers.filter(msg_type=MsgType.CANCEL, state=Alert.State.RELEASED).exists():
        raise ValidationError({"references": _("This alert has already been cancelled.")})


def _areas_of(alert: Alert) -> list[AreaSpec]:
    return [AreaSpec(a.area_desc, list(a.polygons), list(a.circles)) for a in alert.areas.all()]


@transaction.atomic
def draft_update(
    actor: Any,
    original: Alert,
    *,
    data: dict[str, Any],
    areas: list[AreaSpec] | None = None,
    large_area_confirmed: bool = False,
    now: datetime.datetime | None = None,
) -> Alert:
    """Draft a CAP ``Update`` of *original* with new answers to its form (and new areas, if given)."""
    _check_original(original)
    now = now or timezone.now()
    kind = original.form_kind or Alert.FormKind.CRIME_PREVENTION
    infos = all_info_values(kind, data)
    for info in infos:
        info["contact"] = _contact(original.box, original.station)
        info["sender_name"] = original.station.name[:200]
    alert = _create(
        actor,
        station=original.station,
        box=original.box,
        infos=infos,
        specs=areas or _areas_of(original),
        large_area_confirmed=large_area_confirmed or original.large_area_confirmed,
        now=now,
        msg_type=MsgType.UPDATE,
        status=original.status,
        form_kind=kind,
        form_data=data,
        references=original,
    )
    record(actor, "alert.draft_update", alert, after={"references": original.identifier})
    return alert


@transaction.atomic
def draft_cancel(actor: Any, original: Alert, reason: str, now: datetime.datetime | None = None) -> Alert:
    """Draft a CAP ``Cancel`` of *original*: same areas, the reason as description."""
    _check_original(original)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the alert is cancelled.")})
    infos = []
    for info in original.infos.all():
        with translation.override(info.language.split("-")[0]):
            infos.append(
                {
                    "language": info.language,
                    "category": info.category,
                    "event": info.event,
                    "urgency": info.urgency,
                    "severity": info.severity,
                    "certainty": info.certainty,
                    "sender_name": info.sender_name,
                    "contact": info.contact,
                    "headline": (_("Cancelled: %(headline)s") % {"headline": info.headline})[:300],
                    "description": reason[:4000],
                }
            )
    alert = _create(
        actor,
        station=original.station,
        box=original.box,
        infos=infos,
        specs=_areas_of(original),
        large_area_confirmed=True,
        now=now or timezone.now(),
        msg_type=MsgType.CANCEL,
        status=original.status,
        form_kind=original.form_kind,
        references=original,
    )
    record(actor, "alert.draft_cancel", alert, after={"references": original.identifier}, note=reason[:500])
    return alert


INFO_FIELD_NAMES = {
    "language": "language",
    "category": "category",
    "event": "event",
    "urgency": "urgency",
    "severity": "severity",
    "certainty": "certainty",
    "senderName": "sender_name",
    "headline": "headline",
    "description": "description",
    "instruction": "instruction",
    "web": "web",
    "contact": "contact",
}


def _received_infos(parsed: ParsedCap) -> list[dict[str, Any]]:
    infos = []
    for info in parsed.infos:
        values = {ours: info.values.get(theirs, "") for theirs, ours in INFO_FIELD_NAMES.items()}
        values["language"] = values["language"] or "en-US"
        values["event"] = values["event"][:200]
        values["headline"] = values["headline"][:300]
        values["web"] = values["web"] if values["web"].startswith(("http://", "https://")) else ""
        infos.append(values)
    if not infos:
        raise ValidationError({"cap": _("The message has no info block: there is nothing to broadcast.")})
    return infos


@transaction.atomic
def receive_cap(
    actor: Any,
    data: bytes,
    *,
    station: PoliceStation,
    large_area_confirmed: bool = False,
    now: datetime.datetime | None = None,
) -> Alert:
    """Take a partner's CAP message as a draft for re-broadcast by *station* (approved like any draft).

    The message is refused (``ValidationError`` on ``cap``, listing each problem) if it is too large,
    declares a DTD or entities (XXE), is not well-formed or breaks the CAP 1.2 schema.
    """
    try:
        parsed = parse_cap(data)
    except CapInputError as exc:
        raise ValidationError({"cap": exc.problems}) from None
    if parsed.msg_type not in (MsgType.ALERT, MsgType.UPDATE, MsgType.CANCEL):
        raise ValidationError({"cap": _("Only Alert, Update and Cancel messages can be re-broadcast.")})
    infos = _received_infos(parsed)
    specs = [AreaSpec(a.area_desc, a.polygons, a.circles) for a in parsed.infos[0].areas]
    original = f"{parsed.sender},{parsed.identifier},{parsed.sent.isoformat()}"
    alert = _create(
        actor,
        station=station,
        box=None,
        infos=infos,
        specs=specs,
        large_area_confirmed=large_area_confirmed,
        now=now or timezone.now(),
        msg_type=parsed.msg_type,
        status=parsed.status if parsed.status in Status.values else Status.ACTUAL,
        scope=Scope.PUBLIC,
        source=parsed.sender[:200],
        references_text=parsed.references,
        note=_("Re-broadcast of %(original)s") % {"original": original},
        origin=Alert.Origin.IMPORTED,
    )
    record(actor, "alert.receive", alert, after={"sender": parsed.sender, "identifier": parsed.identifier})
    return alert
