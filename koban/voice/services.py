"""Writing requests and action items: submit, move between states, moderate, plan and finish actions.

Every function validates everything first (errors name the field), writes in one transaction, leaves an
audit row, and sends e-mail to the reporter only after the transaction committed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from koban.accounts.access import (
    action_owners,
    can_change_request,
    can_record_request,
    can_work_on_action,
)
from koban.audit.services import record, snapshot
from koban.geography.locate import nearest_box
from koban.geography.models import Beat
from koban.lib.geo import GeometryError, check_lonlat
from koban.lib.validation import control_character_problem
from koban.organization.models import PoliceBox
from koban.voice.attributes import clean_attributes
from koban.voice.models import (
    CLOSED_STATES,
    Action,
    ActionKind,
    Moderation,
    Request,
    RequestCategory,
    Source,
    Status,
)
from koban.voice.notify import notify_reporter

# Open311 GeoReport v2 allows descriptions of up to 4,000 characters; every channel keeps to it.
DESCRIPTION_MAX = 4000
PHONE_CHARACTERS = set("0123456789+-() ")
# Which states may follow which: closed requests may be reopened for review.
NEXT_STATES: dict[str, tuple[str, ...]] = {
    Status.RECEIVED: (Status.UNDER_REVIEW, Status.ACTION_PLANNED, Status.DONE, Status.WILL_NOT_ACT),
    Status.UNDER_REVIEW: (Status.ACTION_PLANNED, Status.DONE, Status.WILL_NOT_ACT),
    Status.ACTION_PLANNED: (Status.UNDER_REVIEW, Status.DONE, Status.WILL_NOT_ACT),
    Status.DONE: (Status.UNDER_REVIEW,),
    Status.WILL_NOT_ACT: (Status.UNDER_REVIEW,),
}
MAX_ACTION_WEEKS = 52
# Channels residents use themselves: whoever sends through them needs no right over the receiving box.
PUBLIC_SOURCES = (Source.PUBLIC, Source.OPEN311)


@dataclass(frozen=True)
class Reporter:
    """Who made a request, all optional (anonymous requests are welcome)."""

    name: str = ""
    email: str = ""
    phone: str = ""
    hide_name: bool = True
    language: str = ""


def _check_text(errors: dict[str, str], name: str, value: str, limit: int, *, required: bool) -> None:
    problem = control_character_problem(value)
    if problem:
        errors[name] = problem
    elif required and not value.strip():
        errors[name] = _("This field is required.")
    elif len(value) > limit:
        errors[name] = _("At most %(limit)d characters.") % {"limit": limit}


def _check_reporter(errors: dict[str, str], reporter: Reporter) -> None:
    _check_text(errors, "reporter_name", reporter.name, 200, required=False)
    if reporter.email:
        try:
            EmailValidator()(reporter.email)
        except ValidationError:
            errors["reporter_email"] = _("Enter a valid e-mail address.")
        if len(reporter.email) > 254:
            errors["reporter_email"] = _("At most %(limit)d characters.") % {"limit": 254}
    if reporter.phone and (len(reporter.phone) > 40 or not set(reporter.phone) <= PHONE_CHARACTERS):
        errors["reporter_phone"] = _("Enter a phone number with digits, spaces, +, - and brackets only.")


def _place(point: Point | None, box: PoliceBox | None) -> tuple[PoliceBox, Beat | None]:
    """The box and beat that receive a request at *point* (or, without a point, the given *box*)."""
    if point is None:
        if box is None:
            raise ValidationError({"point": _("Mark the place on the map.")})
        return box, None
    try:
        check_lonlat(point.x, point.y)
    except GeometryError:
        raise ValidationError({"point": _("The place is not a valid longitude and latitude.")}) from None
    beat = Beat.objects.current().containing(point).with_box().first()
    if beat is None:
        raise ValidationError({"point": outside_every_beat_message(point)})
    return beat.box, beat


def outside_every_beat_message(point: Point) -> str:
    """The translated answer to a place no box covers, naming the nearest box and its distance."""
    nearest, distance = nearest_box(point.x, point.y)
    if nearest is None:
        return _("This place is outside the area of every police box.")
    return _(
        "This place is outside the area of every police box. The nearest is %(box)s, %(km).1f km away: "
        "please contact it directly."
    ) % {"box": nearest.name, "km": (distance or 0) / 1000}


@transaction.atomic
def submit_request(
    *,
    source: str,
    point: Point | None,
    category: RequestCategory,
    description: str,
    actor: Any = None,
    reporter: Reporter | None = None,
    box: PoliceBox | None = None,
    occurred_at: dt.datetime | None = None,
    reference: str = "",
    address: str = "",
    attributes: dict[str, Any] | None = None,
    media_url: str = "",
) -> Request:
    """Put a resident's request, opinion or tip into the queue of the box whose current beat holds *point*.

    This is THE hand-off point for every channel: the public form and Open311 call it, and so do household
    visits (``source="visit"``), liaison council meetings (``"council"``), volunteers (``"volunteer"``) and
    officers (``"officer"``), so that one queue, one set of states and one public record of outcomes serve
    them all. The point decides the box (a *box* given as well is used only when there is no point, for an
    opinion about the whole beat); a point outside every beat raises a ``ValidationError`` on ``point``
    that names the nearest box. Every field error is raised at once and nothing is written before all pass;
    the audit row names *actor* (a user, or the channel for anonymous residents). On the internal channels
    a signed-in *actor* must be allowed to record requests for the receiving box (``can_record_request``);
    on the public ones (the form, Open311, whose key owner files for residents anywhere) anyone may.
    """
    reporter = reporter or Reporter()
    errors: dict[str, str] = {}
    if source not in Source.values:
        errors["source"] = _("Unknown source.")
    if not category.active:
        errors["category"] = _("This category is no longer in use.")
    _check_text(errors, "description", description, DESCRIPTION_MAX, required=True)
    _check_text(errors, "reference", reference, 200, required=False)
    _check_text(errors, "address", address, 300, required=False)
    _check_reporter(errors, reporter)
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors["media_url"] = _("Enter a valid URL.")
    clean = clean_attributes(category, attributes or {}, errors)
    try:
        receiving_box, beat = _place(point, box)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    recording_for = source not in PUBLIC_SOURCES and getattr(actor, "is_authenticated", False)
    if recording_for and not can_record_request(actor, receiving_box):
        raise PermissionDenied(_("You may not record requests for this box."))
    now = timezone.now()
    request = Request.objects.create(
        agency_id=receiving_box.station.agency_id,
        box=receiving_box,
        beat=beat,
        point=point,
        address=address.strip(),
        category=category,
        description=description.strip(),
        attributes=clean,
        media_url=media_url,
        source=source,
        reference=reference.strip(),
        reporter_name=reporter.name.strip(),
        reporter_email=reporter.email.strip(),
        reporter_phone=reporter.phone.strip(),
        hide_name=reporter.hide_name,
        language=reporter.language[:8] or (translation.get_language() or "")[:8],
        occurred_at=occurred_at,
        requested_at=now,
        updated_at=now,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record(actor or f"voice.{source}", "voice.request.submit", request, after=_public_snapshot(request))
    return request


def _public_snapshot(request: Request) -> dict[str, Any]:
    # Contact details stay out of the trail's after-image: the trail is read more widely than the queue.
    return snapshot(request, exclude=Request.PERSONAL_FIELDS)


@transaction.atomic
def change_status(actor: Any, request: Request, status: str, *, note: str = "", reason: str = "") -> Request:
    """Move *request* to *status*, with a note to the reporter (public) and, for "will not act", a reason.

    The reporter, if they left an e-mail address, is told by e-mail once the change is committed.
    """
    if not can_change_request(actor, request):
        raise PermissionDenied(_("You may not change the requests of this box."))
    errors: dict[str, str] = {}
    if status not in Status.values:
        errors["status"] = _("Unknown status.")
    elif status == request.status:
        errors["status"] = _("The request is already in this state.")
    elif status not in NEXT_STATES[request.status]:
        errors["status"] = _("A request in this state cannot move to that one.")
    _check_text(errors, "note", note, DESCRIPTION_MAX, required=False)
    _check_text(errors, "reason", reason, DESCRIPTION_MAX, required=status == Status.WILL_NOT_ACT)
    if errors:
        raise ValidationError(errors)
    locked = Request.objects.select_for_update().get(pk=request.pk)
    before = _public_snapshot(locked)
    locked.status = status
    locked.status_note = note.strip() or locked.status_note
    locked.will_not_act_reason = reason.strip() if status == Status.WILL_NOT_ACT else ""
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "status_note", "will_not_act_reason", "updated_at"])
    record(actor, "voice.request.status", locked, before=before, after=_public_snapshot(locked))
    notify_reporter(locked)
    return locked


@transaction.atomic
def moderate(actor: Any, request: Request, decision: str) -> Request:
    """Approve or reject the resident's own words for the public view (the outcome is public either way)."""
    if not can_change_request(actor, request):
        raise PermissionDenied(_("You may not change the requests of this box."))
    if decision not in (Moderation.APPROVED, Moderation.REJECTED):
        raise ValidationError({"moderation": _("Choose approve or reject.")})
    before = request.moderation
    Request.objects.filter(pk=request.pk).update(moderation=decision)
    request.moderation = decision
    record(
        actor,
        "voice.request.moderate",
        request,
        before={"moderation": before},
        after={"moderation": decision},
    )
    return request


def _check_action(errors: dict[str, str], box: PoliceBox, fields: dict[str, Any], today: dt.date) -> None:
    if fields["kind"] not in ActionKind.values:
        errors["kind"] = _("Unknown kind of action.")
    _check_text(errors, "title", fields["title"], 200, required=True)
    due_on = fields["due_on"]
    if due_on is None:
        errors["due_on"] = _("This field is required.")
    elif not (today - dt.timedelta(days=366) <= due_on <= today + dt.timedelta(days=3 * 366)):
        errors["due_on"] = _("Give a due date within three years.")
    weeks = fields["weeks"]
    if fields["kind"] == ActionKind.PATROL_FOCUS and not weeks:
        errors["weeks"] = _("Say for how many weeks the patrols focus here.")
    elif weeks is not None and not 1 <= weeks <= MAX_ACTION_WEEKS:
        errors["weeks"] = _("Between 1 and %(max)d weeks.") % {"max": MAX_ACTION_WEEKS}
    owner = fields["owner"]
    if owner is not None and not action_owners(box).filter(pk=owner.pk).exists():
        errors["owner"] = _("The owner must be an officer of this box or the chief of its station.")
    geom = fields["geom"]
    if geom is not None and not _plausible_geometry(geom):
        errors["geom"] = _("Draw a street (line) or an area (polygon) on the map.")


def _plausible_geometry(geom: GEOSGeometry) -> bool:
    if geom.geom_type not in ("LineString", "MultiLineString", "Polygon", "MultiPolygon"):
        return False
    try:
        extent = geom.extent
        check_lonlat(extent[0], extent[1])
        check_lonlat(extent[2], extent[3])
    except GeometryError:
        return False
    return bool(geom.valid)


@transaction.atomic
def create_action(
    actor: Any,
    requests: list[Request],
    *,
    kind: str,
    title: str,
    due_on: dt.date | None,
    owner: Any = None,
    geom: GEOSGeometry | None = None,
    starts_on: dt.date | None = None,
    weeks: int | None = None,
) -> Action:
    """Make an action item of the box from *requests* (all of one box) and mark open ones "action planned".

    A patrol focus runs *weeks* weeks from *starts_on* (default: today) on the street or area *geom*;
    patrol planning reads it with ``Action.objects.patrol_focus_on(day)``.
    """
    if not requests:
        raise ValidationError({"requests": _("Choose at least one request.")})
    box = requests[0].box
    if any(r.box_id != box.pk for r in requests):
        raise ValidationError({"requests": _("All requests of an action must belong to one box.")})
    if not all(can_change_request(actor, r) for r in requests):
        raise PermissionDenied(_("You may not change the requests of this box."))
    today = timezone.localdate()
    errors: dict[str, str] = {}
    fields = {"kind": kind, "title": title, "due_on": due_on, "weeks": weeks, "owner": owner, "geom": geom}
    _check_action(errors, box, fields, today)
    if errors or due_on is None:
        raise ValidationError(errors)
    start = starts_on or today
    action = Action.objects.create(
        box=box,
        kind=kind,
        title=title.strip(),
        geom=geom,
        starts_on=start,
        weeks=weeks,
        ends_on=start + dt.timedelta(weeks=weeks) - dt.timedelta(days=1) if weeks else None,
        owner=owner,
        due_on=due_on,
        created_by=actor,
        created_at=timezone.now(),
    )
    action.requests.set(requests)
    record(
        actor, "voice.action.create", action, after=snapshot(action) | {"requests": [r.pk for r in requests]}
    )
    for planned in requests:
        if planned.status in (Status.RECEIVED, Status.UNDER_REVIEW):
            change_status(actor, planned, Status.ACTION_PLANNED, note=title.strip())
    return action


@transaction.atomic
def complete_action(actor: Any, action: Action, *, result: str, close_requests: bool = False) -> Action:
    """Record what *action* achieved; with *close_requests* its open requests become "done" (reporters told)."""
    if not can_work_on_action(actor, action):
        raise PermissionDenied(_("You may not change the action items of this box."))
    errors: dict[str, str] = {}
    if action.done_at is not None:
        errors["result"] = _("This action is already done.")
    _check_text(errors, "result", result, DESCRIPTION_MAX, required=True)
    if errors:
        raise ValidationError(errors)
    before = snapshot(action)
    action.result = result.strip()
    action.done_at = timezone.now()
    action.save(update_fields=["result", "done_at"])
    record(actor, "voice.action.complete", action, before=before, after=snapshot(action))
    if close_requests:
        for done in action.requests.exclude(status__in=CLOSED_STATES):
            change_status(actor, done, Status.DONE, note=action.result)
    return action
