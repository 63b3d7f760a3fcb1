"""Verbs that change the household registry and record visits. Each runs in one transaction and writes
the audit trail.

Bad input raises ``django.core.exceptions.ValidationError`` naming the field; nothing is written then.
Residents' names never enter this app: notes and requests are free text that officers are told to keep
to the matter (they are personal data all the same, and left out of the audit trail's snapshots).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from koban.audit.services import changed_fields, record, snapshot
from koban.geography.models import Beat
from koban.households.addresses import address_key
from koban.households.models import CONTACT_OUTCOMES, NAMED_KINDS, Household, Kind, Outcome, Topic, Visit
from koban.lib.dates import date_window_problem
from koban.organization.models import PoliceBox
from koban.voice.models import RequestCategory, Source
from koban.voice.services import submit_request

CLOCK_SKEW = datetime.timedelta(minutes=5)
# Personal free text is not copied into the audit trail; the trail says that it changed.
_PRIVATE = ("note", "requests")


def place(point: Point) -> Beat | None:
    """The active beat containing *point* (with its box and station), or None: it cannot be placed."""
    return Beat.objects.current().containing(point).with_box().first()  # type: ignore[no-any-return]


def _check_kind(kind: str, name: str, building: Household | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in Kind.values:
        errors["kind"] = _("Unknown kind of address.")
    if name and kind not in NAMED_KINDS:
        errors["name"] = _("Only businesses and public offices are named; homes are known by their address.")
    if building is not None and kind != Kind.APARTMENT_UNIT:
        errors["building"] = _("Only an apartment unit belongs to a building.")
    elif building is not None and building.kind != Kind.APARTMENT_BUILDING:
        errors["building"] = _("This address is not an apartment building.")
    return errors


def _placed_beat(point: Point, within: QuerySet[PoliceBox] | None) -> Beat:
    beat = place(point)
    if beat is None:
        raise ValidationError(
            {"point": _("This place lies in no beat: it cannot be placed. Check the point.")}
        )
    if within is not None and not within.filter(pk=beat.box_id).exists():
        raise ValidationError(
            {"point": _("This place lies in the beat of %(box)s, not of your box.") % {"box": beat.box.name}}
        )
    return beat


def find_duplicate(agency_id: int, address: str, exclude: int | None = None) -> Household | None:
    """A registered household of the agency with the same normalised address, if any."""
    found = Household.objects.of_agency(agency_id).with_address_key(address_key(address))
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return found.order_by("pk").first()  # type: ignore[no-any-return]


@transaction.atomic
def add_household(
    actor: Any,
    *,
    point: Point,
    address: str,
    kind: str = Kind.HOUSE,
    within: QuerySet[PoliceBox] | None = None,
    building: Household | None = None,
    name: str = "",
    needs_care: bool = False,
    can_enter: bool = True,
) -> Household:
    """Add one address placed on the map; its beat and box follow from the point.

    *within* are the boxes the actor adds for (an officer: their own); a point in another box's beat, in
    no beat at all, or an address already registered (under any spelling) is refused.
    """
    address = (address or "").strip()
    errors = _check_kind(kind, name, building)
    if not address:
        errors["address"] = _("Give the address.")
    if errors:
        raise ValidationError(errors)
    beat = _placed_beat(point, within)
    agency_id = beat.box.station.agency_id
    duplicate = find_duplicate(agency_id, address)
    if duplicate is not None:
        raise ValidationError(
            {"address": _("This address is already registered (no. %(id)d).") % {"id": duplicate.pk}}
        )
    household = Household.objects.create(
        agency_id=agency_id,
        beat=beat,
        box_id=beat.box_id,
        point=point,
        address=address,
        address_key=address_key(address),
        kind=kind,
        building=building,
        name=name,
        needs_care=needs_care,
        can_enter=can_enter,
    )
    record(actor, "household.add", household, after=snapshot(household))
    return household


def _check_visit(
    household: Household,
    visited_at: datetime.datetime,
    outcome: str,
    topics: Iterable[str],
    now: datetime.datetime,
) -> None:
    errors: dict[str, str] = {}
    if household.box_id is None:
        errors["household"] = _("This address lies in no beat; place it before recording visits.")
    if outcome not in Outcome.values:
        errors["outcome"] = _("Unknown outcome.")
    unknown = sorted(set(topics) - set(Topic.values))
    if unknown:
        errors["topics"] = _("Unknown topic: %(topics)s.") % {"topics": ", ".join(unknown)}
    problem = date_window_problem(visited_at, now)
    if problem:
        errors["visited_at"] = problem
    elif visited_at > now + CLOCK_SKEW:
        errors["visited_at"] = _("A visit cannot be recorded before it happens.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_visit(
    actor: Any,
    household: Household,
    *,
    visited_at: datetime.datetime,
    outcome: str,
    topics: Iterable[str] = (),
    note: str = "",
    requests: str = "",
    officer: Any = None,
    request_category: RequestCategory | None = None,
    now: datetime.datetime | None = None,
) -> Visit:
    """Record one visit to *household* by *officer* (default: the actor).

    A visit that reached the residents resets the household's clock; "could not enter" marks its
    building (or the house) as one officers cannot enter, and any other visit clears that mark.

    The requests raised are kept on the visit; with a *request_category* they are also handed to the
    residents' requests queue (``koban.voice.services.submit_request``, source "visit") at the
    household's place, and the visit keeps the request it created. The resident stays anonymous there:
    neither the address nor any name is passed on.
    """
    now = now or timezone.now()
    topics = list(dict.fromkeys(topics))
    requests = (requests or "").strip()
    _check_visit(household, visited_at, outcome, topics, now)
    if request_category is not None and not requests:
        raise ValidationError({"requests": _("Write down the request to hand it to the requests queue.")})
    household = Household.objects.select_for_update().get(pk=household.pk)
    box_id = household.box_id
    if box_id is None:  # moved out of every beat while the form was open
        raise ValidationError(
            {"household": _("This address lies in no beat; place it before recording visits.")}
        )
    visit = Visit.objects.create(
        household=household,
        box_id=box_id,
        officer=officer or actor,
        visited_at=visited_at,
        outcome=outcome,
        topics=topics,
        note=(note or "").strip(),
        requests=requests,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    if request_category is not None:
        visit.voice_request = submit_request(
            source=Source.VISIT,
            point=household.point,
            category=request_category,
            description=requests,
            actor=actor,
            occurred_at=visited_at,
            reference=_("Household visit of %(day)s") % {"day": f"{timezone.localtime(visited_at):%Y-%m-%d}"},
        )
        visit.save(update_fields=["voice_request"])
    record(actor, "household.visit", visit, after=snapshot(visit, exclude=_PRIVATE))
    if outcome in CONTACT_OUTCOMES and (
        household.last_contact_at is None or visited_at > household.last_contact_at
    ):
        Household.objects.filter(pk=household.pk).update(last_contact_at=visited_at)
    _note_entrance(actor, household.building or household, outcome)
    return visit


def _note_entrance(actor: Any, target: Household, outcome: str) -> None:
    can_enter = outcome != Outcome.COULD_NOT_ENTER
    if target.can_enter == can_enter:
        return
    Household.objects.filter(pk=target.pk).update(can_enter=can_enter)
    record(
        actor,
        "household.entrance",
        target,
        before={"can_enter": not can_enter},
        after={"can_enter": can_enter},
    )


@transaction.atomic
def update_household(actor: Any, household: Household, **changes: Any) -> Household:
    """Change the address, name, kind or flags of *household* (the point is changed by ``move_household``)."""
    allowed = {"address", "name", "kind", "needs_care", "can_enter"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationError({unknown[0]: _("This field cannot be changed here.")})
    household = Household.objects.select_for_update().get(pk=household.pk)
    before = snapshot(household)
    for field, value in changes.items():
        setattr(household, field, value.strip() if isinstance(value, str) else value)
    errors = _check_kind(household.kind, household.name, household.building)
    if not household.address:
        errors["address"] = _("Give the address.")
    if errors:
        raise ValidationError(errors)
    if "address" in changes:
        duplicate = find_duplicate(household.agency_id, household.address, exclude=household.pk)
        if duplicate is not None:
            raise ValidationError(
                {"address": _("This address is already registered (no. %(id)d).") % {"id": duplicate.pk}}
            )
        household.address_key = address_key(household.address)
    household.save()
    record(
        actor, "household.update", household, before=before, after=changed_fields(before, snapshot(household))
    )
    return household


@transaction.atomic
def set_needs_care(actor: Any, household: Household, needs_care: bool, *, reason: str = "") -> None:
    """Flag (or unflag) *household* as holding someone who needs care; it is then visited more often.

    Visit cards set this from a member flagged as needing help in an evacuation, without saying who.
    """
    if household.needs_care == needs_care:
        return
    Household.objects.filter(pk=household.pk).update(needs_care=needs_care)
    household.needs_care = needs_care
    record(
        actor,
        "household.needs_care",
        household,
        before={"needs_care": not needs_care},
        after={"needs_care": needs_care},
        note=reason,
    )


# -- Duplicates -------------------------------------------------------------------------------------------

#: Two addresses of the same kind closer than this (metres) are suggested as one place entered twice.
DUPLICATE_DISTANCE_M = 3.0


@transaction.atomic
def merge_households(actor: Any, keep: Household, duplicate: Household) -> Household:
    """Merge *duplicate* into *keep*: its visits, units and every other record that refers to it
    (visit cards too) move over, the flags are combined, and the duplicate is deleted.

    Records are moved through the model's relations, so apps above this one (visit cards) need no
    special case here.
    """
    if keep.pk == duplicate.pk:
        raise ValidationError({"duplicate": _("A household cannot be merged into itself.")})
    if keep.agency_id != duplicate.agency_id:
        raise ValidationError({"duplicate": _("Only households of one agency can be merged.")})
    if duplicate.units.exists() and keep.kind != Kind.APARTMENT_BUILDING:
        raise ValidationError({"keep": _("The duplicate holds apartment units: keep an apartment building.")})
    keep = Household.objects.select_for_update().get(pk=keep.pk)
    duplicate = Household.objects.select_for_update().get(pk=duplicate.pk)
    before = {"keep": snapshot(keep), "duplicate": snapshot(duplicate)}
    moved = _move_references(duplicate, keep)
    contacts = [c for c in (keep.last_contact_at, duplicate.last_contact_at) if c is not None]
    keep.last_contact_at = max(contacts) if contacts else None
    keep.needs_care = keep.needs_care or duplicate.needs_care
    keep.can_enter = keep.can_enter and duplicate.can_enter
    keep.save(update_fields=["last_contact_at", "needs_care", "can_enter", "updated_at"])
    record(actor, "household.merge", keep, before=before, after={"merged": duplicate.pk, "moved": moved})
    duplicate.delete()
    return keep


def _move_references(old: Household, new: Household) -> dict[str, int]:
    """Point every row that refers to *old* at *new*; return how many rows of each kind moved."""
    moved: dict[str, int] = {}
    for relation in Household._meta.related_objects:
        if not (relation.one_to_many or relation.one_to_one):
            continue
        model: Any = relation.related_model
        field_name = relation.field.name
        count = model._default_manager.filter(**{field_name: old}).update(**{field_name: new})
        if count:
            moved[model._meta.label_lower] = count
    return moved


def duplicate_suggestions(
    households: QuerySet[Household], limit: int = 100
) -> list[tuple[Household, Household]]:
    """Pairs of *households* that look like one place entered twice: the same kind, not units of one
    building, within ``DUPLICATE_DISTANCE_M`` of each other. The older one comes first (the one to keep)."""
    ids = list(households.values_list("pk", flat=True)[:50_000])
    if not ids:
        return []
    table = Household._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT a.id, b.id FROM {table} a JOIN {table} b
              ON a.id < b.id AND a.kind = b.kind AND a.agency_id = b.agency_id
             AND ST_DWithin(a.point, b.point, %s)
             AND ST_DWithin(a.point::geography, b.point::geography, %s)
             AND NOT (a.building_id IS NOT NULL AND a.building_id = b.building_id)
            WHERE a.id = ANY(%s) AND b.id = ANY(%s)
            ORDER BY a.id, b.id LIMIT %s
            """,
            # The first test (degrees, about 11 m) uses the spatial index; the second measures metres.
            [0.0001, DUPLICATE_DISTANCE_M, ids, ids, limit],
        )
        pairs = cursor.fetchall()
    found = Household.objects.in_bulk({pk for pair in pairs for pk in pair})
    return [(found[a], found[b]) for a, b in pairs if a in found and b in found]
