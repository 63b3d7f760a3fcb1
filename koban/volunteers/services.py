"""Verbs that change the volunteer registry and record volunteer activity.

Each runs in one transaction and writes the audit trail; bad input raises
``django.core.exceptions.ValidationError`` naming the field, and nothing is written then. Permission
questions are answered by ``koban.accounts.access`` before these are called.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.geos import LineString, MultiLineString, Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from koban.audit.services import record, snapshot
from koban.lib.geo import distance_m
from koban.organization.models import PoliceBox, PoliceStation
from koban.patrols.routes import Route
from koban.volunteers.models import (
    ActivityObservation,
    ActivityType,
    BlueLightCertification,
    CertifiedPatroller,
    PatrolVehicle,
    VolunteerActivity,
    VolunteerGroup,
    VolunteerMember,
)

MAX_DURATION = datetime.timedelta(hours=24)
CLOCK_SKEW = datetime.timedelta(minutes=5)


# -- Registry ---------------------------------------------------------------------------------------------


def _check_activities(activities: Iterable[str]) -> list[str]:
    known = set(ActivityType.values)
    chosen = list(dict.fromkeys(activities))
    for code in chosen:
        if code not in known:
            raise ValidationError({"activities": _("Unknown activity type %(code)r.") % {"code": code}})
    return chosen


@transaction.atomic
def register_group(
    actor: Any, *, name: str, station: PoliceStation, founded_on: datetime.date, **fields: Any
) -> VolunteerGroup:
    """Register a volunteer group at *station* (its box, if given, must belong to the station)."""
    box: PoliceBox | None = fields.get("box")
    if box is not None and box.station_id != station.pk:
        raise ValidationError(
            {"box": _("The box %(box)s is not a box of %(station)s.") % {"box": box, "station": station}}
        )
    fields["activities"] = _check_activities(fields.get("activities", []))
    group = VolunteerGroup(
        name=name.strip(), station=station, agency_id=station.agency_id, founded_on=founded_on, **fields
    )
    group.full_clean()
    group.save()
    record(actor, "volunteers.group.register", group, after=snapshot(group))
    return group


@transaction.atomic
def update_group(actor: Any, group: VolunteerGroup, **changes: Any) -> VolunteerGroup:
    """Change the registry entry of *group* (schedule, activity types, area, dissolution ...)."""
    before = snapshot(group)
    if "activities" in changes:
        changes["activities"] = _check_activities(changes["activities"])
    box = changes.get("box")
    if box is not None and box.station_id != group.station_id:
        raise ValidationError(
            {
                "box": _("The box %(box)s is not a box of %(station)s.")
                % {"box": box, "station": group.station}
            }
        )
    for key, value in changes.items():
        setattr(group, key, value)
    group.full_clean()
    group.save(update_fields=list(changes))
    record(actor, "volunteers.group.update", group, before=before, after=snapshot(group))
    return group


@transaction.atomic
def add_member(
    actor: Any, group: VolunteerGroup, *, name: str, age_band: str, joined_on: datetime.date, **fields: Any
) -> VolunteerMember:
    """Add a member to *group*; a login given as ``user`` must have the volunteer role and no other group."""
    user = fields.get("user")
    if user is not None and VolunteerMember.objects.filter(user=user).exists():
        raise ValidationError({"user": _("%(user)s is already linked to a volunteer.") % {"user": user}})
    member = VolunteerMember(group=group, name=name.strip(), age_band=age_band, joined_on=joined_on, **fields)
    member.full_clean(exclude=["group", "user"])
    member.save()
    record(actor, "volunteers.member.add", member, after=snapshot(member, exclude=("name", "phone")))
    return member


@transaction.atomic
def member_leaves(actor: Any, member: VolunteerMember, left_on: datetime.date) -> VolunteerMember:
    if left_on < member.joined_on:
        raise ValidationError(
            {"left_on": _("A member cannot leave before joining (%(day)s).") % {"day": member.joined_on}}
        )
    member.left_on = left_on
    member.save(update_fields=["left_on"])
    record(actor, "volunteers.member.leave", member, after={"left_on": left_on.isoformat()})
    return member


# -- Blue-light patrols -------------------------------------------------------------------------------------


def _check_period(start: datetime.date, end: datetime.date, field: str) -> None:
    if end < start:
        raise ValidationError(
            {field: _("The expiry must not be before the start (%(day)s).") % {"day": start}}
        )


@transaction.atomic
def certify_group(
    actor: Any, group: VolunteerGroup, *, number: str, certified_on: datetime.date, expires_on: datetime.date
) -> BlueLightCertification:
    """Record the prefectural chief's certificate allowing *group* to patrol with a blue light."""
    _check_period(certified_on, expires_on, "expires_on")
    certificate = BlueLightCertification.objects.create(
        group=group, number=number.strip(), certified_on=certified_on, expires_on=expires_on
    )
    if ActivityType.BLUE_LIGHT not in group.activities:
        group.activities = [*group.activities, ActivityType.BLUE_LIGHT]
        group.save(update_fields=["activities"])
    record(actor, "volunteers.bluelight.certify", certificate, after=snapshot(certificate))
    return certificate


@transaction.atomic
def revoke_certification(actor: Any, certificate: BlueLightCertification, day: datetime.date) -> None:
    certificate.revoked_on = day
    certificate.save(update_fields=["revoked_on"])
    record(actor, "volunteers.bluelight.revoke", certificate, after={"revoked_on": day.isoformat()})


@transaction.atomic
def certify_patroller(
    actor: Any,
    member: VolunteerMember,
    *,
    card_number: str,
    trained_on: datetime.date,
    expires_on: datetime.date,
) -> CertifiedPatroller:
    """Record that *member* completed the blue-light training; the patroller card is valid until *expires_on*."""
    _check_period(trained_on, expires_on, "expires_on")
    if member.left_on is not None:
        raise ValidationError({"member": _("%(name)s has left the group.") % {"name": member}})
    card = CertifiedPatroller.objects.create(
        member=member, card_number=card_number.strip(), trained_on=trained_on, expires_on=expires_on
    )
    record(actor, "volunteers.bluelight.patroller", card, after=snapshot(card))
    return card


@transaction.atomic
def register_vehicle(
    actor: Any,
    group: VolunteerGroup,
    *,
    plate: str,
    registered_on: datetime.date,
    expires_on: datetime.date,
    description: str = "",
) -> PatrolVehicle:
    """Register a vehicle (showing the group's name) for blue-light patrols of *group*."""
    _check_period(registered_on, expires_on, "expires_on")
    vehicle = PatrolVehicle.objects.create(
        group=group,
        plate=plate.strip(),
        description=description,
        registered_on=registered_on,
        expires_on=expires_on,
    )
    record(actor, "volunteers.bluelight.vehicle", vehicle, after=snapshot(vehicle))
    return vehicle


def blue_light_problems(
    group: VolunteerGroup,
    participants: Sequence[VolunteerMember],
    vehicle: PatrolVehicle | None,
    day: datetime.date,
) -> dict[str, list[str]]:
    """Why a blue-light patrol of *group* on *day* is not allowed, by field; empty when it is.

    The group must hold a valid certificate, the vehicle must be one of its registered vehicles, and
    every participant must hold a valid patroller card (training done, not expired).
    """
    problems: dict[str, list[str]] = {}
    when = {"group": group.name, "day": day.isoformat()}
    if not BlueLightCertification.objects.filter(group=group).valid_on(day).exists():
        problems.setdefault("kind", []).append(
            _("%(group)s holds no valid blue-light patrol certificate on %(day)s.") % when
        )
    if vehicle is None:
        problems.setdefault("vehicle", []).append(_("A blue-light patrol needs a registered vehicle."))
    elif (
        vehicle.group_id != group.pk or not PatrolVehicle.objects.filter(pk=vehicle.pk).valid_on(day).exists()
    ):
        problems.setdefault("vehicle", []).append(
            _("The vehicle %(plate)s is not registered for blue-light patrols of %(group)s on %(day)s.")
            % {"plate": vehicle.plate, **when}
        )
    certified = set(
        CertifiedPatroller.objects.valid_on(day)
        .filter(member__in=participants)
        .values_list("member_id", flat=True)
    )
    for member in participants:
        if member.pk not in certified:
            problems.setdefault("participants", []).append(
                _(
                    "%(name)s is not a certified blue-light patroller on %(day)s (no training or the card expired)."
                )
                % {"name": member.name, "day": day.isoformat()}
            )
    return problems


# -- Activity -------------------------------------------------------------------------------------------------


@dataclass
class ObservationInput:
    kind: str
    observed_at: datetime.datetime
    note: str
    point: Point | None = None


def _route_geometry(route: Route | None) -> tuple[MultiLineString | None, float]:
    if route is None:
        return None, 0.0
    lines = [LineString(line, srid=4326) for line in route.lines]
    length = sum(
        distance_m(a[0], a[1], b[0], b[1]) for line in route.lines for a, b in itertools.pairwise(line)
    )
    return MultiLineString(*lines, srid=4326), round(length, 1)


def _check_times(
    started_at: datetime.datetime | None, ended_at: datetime.datetime | None, now: datetime.datetime
) -> None:
    if started_at is None or ended_at is None:
        raise ValidationError(
            {"started_at" if started_at is None else "ended_at": _("Give the start and end times.")}
        )
    if ended_at <= started_at:
        raise ValidationError({"ended_at": _("The activity must end after it starts.")})
    if ended_at - started_at > MAX_DURATION:
        raise ValidationError({"ended_at": _("An activity cannot last more than 24 hours.")})
    if ended_at > now + CLOCK_SKEW:
        raise ValidationError({"ended_at": _("The activity cannot end in the future.")})


def _check_participants(
    group: VolunteerGroup, participants: Sequence[VolunteerMember], day: datetime.date
) -> None:
    if not participants:
        raise ValidationError({"participants": _("Name at least one participant.")})
    current = set(group.members.current_on(day).values_list("pk", flat=True))
    for member in participants:
        if member.pk not in current:
            raise ValidationError(
                {
                    "participants": _("%(name)s is not a member of %(group)s on %(day)s.")
                    % {"name": member.name, "group": group.name, "day": day}
                }
            )


@transaction.atomic
def record_activity(
    actor: Any,
    group: VolunteerGroup,
    *,
    kind: str,
    started_at: datetime.datetime | None,
    ended_at: datetime.datetime | None,
    participants: Sequence[VolunteerMember],
    route: Route | None = None,
    source: str = VolunteerActivity.Source.NONE,
    vehicle: PatrolVehicle | None = None,
    joint_box: PoliceBox | None = None,
    note: str = "",
    observations: Sequence[ObservationInput] = (),
    now: datetime.datetime | None = None,
) -> VolunteerActivity:
    """Record a patrol or watch of *group*; a blue-light patrol by anyone or anything uncertified is refused."""
    now = now or timezone.now()
    if kind not in ActivityType.values:
        raise ValidationError({"kind": _("Unknown activity type %(code)r.") % {"code": kind}})
    _check_times(started_at, ended_at, now)
    assert started_at is not None and ended_at is not None  # noqa: S101 - checked above
    day = timezone.localdate(started_at)
    _check_participants(group, participants, day)
    if joint_box is not None and joint_box.station_id != group.station_id:
        raise ValidationError(
            {"joint_box": _("%(box)s is not a box of the group's station.") % {"box": joint_box}}
        )
    if kind == ActivityType.BLUE_LIGHT:
        if problems := blue_light_problems(group, participants, vehicle, day):
            raise ValidationError(problems)
    elif vehicle is not None and vehicle.group_id != group.pk:
        raise ValidationError(
            {"vehicle": _("The vehicle %(plate)s is not one of the group's.") % {"plate": vehicle.plate}}
        )
    geometry, length = _route_geometry(route)
    activity = VolunteerActivity.objects.create(
        group=group,
        kind=kind,
        started_at=started_at,
        ended_at=ended_at,
        route=geometry,
        source=source if geometry is not None else VolunteerActivity.Source.NONE,
        distance_m=length,
        vehicle=vehicle,
        joint_box=joint_box,
        note=note,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    activity.participants.set(participants)
    for item in observations:
        _add_observation(activity, item)
    record(actor, "volunteers.activity.record", activity, after=snapshot(activity, exclude=("route", "note")))
    return activity


def _add_observation(activity: VolunteerActivity, item: ObservationInput) -> ActivityObservation:
    if item.kind not in ActivityObservation.Kind.values:
        raise ValidationError(
            {"observations": _("Unknown kind of observation %(kind)r.") % {"kind": item.kind}}
        )
    if not item.note.strip():
        raise ValidationError({"observations": _("Describe what was seen.")})
    return ActivityObservation.objects.create(
        activity=activity,
        kind=item.kind,
        observed_at=item.observed_at,
        note=item.note.strip(),
        point=item.point,
    )


@transaction.atomic
def add_observation(actor: Any, activity: VolunteerActivity, item: ObservationInput) -> ActivityObservation:
    """Add a hazard, a suspicious person or another observation to a recorded activity."""
    if not activity.started_at - CLOCK_SKEW <= item.observed_at <= activity.ended_at + CLOCK_SKEW:
        raise ValidationError({"observed_at": _("The observation must fall within the activity's times.")})
    observation = _add_observation(activity, item)
    record(actor, "volunteers.observation.add", observation, after={"kind": observation.kind})
    return observation
