"""Open311 GeoReport v2: what the standard's resources say about our categories and requests.

The standard knows two states, open and closed; our finer ones map onto them (``OPEN311_STATUS``). The
answers carry only what the public view shows (``koban.voice.public``): no reporter details, sensitive
places blurred, the resident's words only after moderation. ``agency_responsible`` is the box,
``expected_datetime`` the earliest due date of the request's open action items, and ``status_notes``
the box's note (with the reason when it will not act). Spec: http://wiki.open311.org/GeoReport_v2.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from koban.voice.attributes import attributes_of, text_of
from koban.voice.models import Request, RequestCategory, Status
from koban.voice.public import public_view

OPEN311_STATUS = {
    Status.RECEIVED: "open",
    Status.UNDER_REVIEW: "open",
    Status.ACTION_PLANNED: "open",
    Status.DONE: "closed",
    Status.WILL_NOT_ACT: "closed",
}
STATES_OF = {
    "open": [s for s, o in OPEN311_STATUS.items() if o == "open"],
    "closed": [s for s, o in OPEN311_STATUS.items() if o == "closed"],
}
# The names of the repeated elements inside each list, for the XML form.
XML_ITEMS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def w3c(moment: dt.datetime | None) -> str | None:
    """A W3C date-time with the deployment's offset (``2026-06-10T10:00:00+09:00``)."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def service(category: RequestCategory) -> dict[str, Any]:
    """One entry of ``GET services``."""
    return {
        "service_code": category.code,
        "service_name": category.label(),
        "description": category.description() or category.label(),
        "metadata": bool(attributes_of(category)),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
    }


def service_definition(category: RequestCategory) -> dict[str, Any]:
    """``GET services/{code}``: the category's questions as Open311 attributes."""
    attributes = []
    for attribute in attributes_of(category):
        values = [
            {"key": str(v.get("key")), "name": text_of(v.get("name"))}
            for v in attribute.get("values") or []
            if isinstance(v, dict)
        ]
        attributes.append(
            {
                "variable": True,
                "code": str(attribute["code"]),
                "datatype": attribute.get("datatype", "string"),
                "required": bool(attribute.get("required")),
                "datatype_description": text_of(attribute.get("datatype_description")) or None,
                "order": int(attribute.get("order") or 0),
                "description": text_of(attribute.get("description")),
                "values": values,
            }
        )
    return {"service_code": category.code, "attributes": attributes}


def status_notes(request: Request) -> str | None:
    notes = [request.status_note]
    if request.status == Status.WILL_NOT_ACT and request.will_not_act_reason:
        notes.append(_("Reason: %(reason)s") % {"reason": request.will_not_act_reason})
    return "\n".join(n for n in notes if n) or None


def expected(request: Request) -> str | None:
    """When the box expects to have acted: the earliest due date of its open action items (end of day)."""
    due = [a.due_on for a in request.actions.all() if a.done_at is None]
    if not due or not request.is_open:
        return None
    end_of_day = dt.datetime.combine(min(due), dt.time(23, 59, 59))
    return w3c(timezone.make_aware(end_of_day))


def service_request(request: Request) -> dict[str, Any]:
    """One entry of ``GET requests`` and ``GET requests/{id}`` (the public view of the request)."""
    shown = public_view(request)
    return {
        "service_request_id": str(request.pk),
        "status": OPEN311_STATUS[Status(request.status)],
        "status_notes": status_notes(request),
        "service_name": request.category.label(),
        "service_code": request.category.code,
        "description": shown.description or None,
        "agency_responsible": request.box.name,
        "service_notice": None,
        "requested_datetime": w3c(request.requested_at),
        "updated_datetime": w3c(request.updated_at),
        "expected_datetime": expected(request),
        # A sensitive place's address would undo the blurring of its point.
        "address": None if request.category.sensitive else (request.address or None),
        "address_id": None,
        "zipcode": None,
        "lat": round(shown.point.y, 6) if shown.point else None,
        "long": round(shown.point.x, 6) if shown.point else None,
        "media_url": (request.media_url or None) if shown.description else None,
    }


def service_requests(requests: Iterable[Request]) -> list[dict[str, Any]]:
    return [service_request(r) for r in requests]


def created(request: Request) -> dict[str, Any]:
    """The answer to ``POST requests``: the new id, and the token to follow it by."""
    return {
        "service_request_id": str(request.pk),
        "token": str(request.token),
        "service_notice": _("Your request was passed to %(box)s.") % {"box": request.box.name},
        "account_id": None,
    }


def error(code: int, description: str) -> dict[str, Any]:
    return {"code": code, "description": description}
