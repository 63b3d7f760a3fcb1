"""Verbs of liaison councils: open one, appoint and renew members, plan and record meetings, note opinions.

Each verb checks the actor's right through ``koban.accounts.access``, validates every field at once
(``ValidationError`` naming the fields), runs in one transaction and writes an audit row. Opinions are
handed to the residents' voice queue in the same transaction (``koban.councils.voice_link``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from koban.accounts.access import can_appoint_members, can_open_council, can_record_meetings
from koban.accounts.models import User
from koban.audit.services import record, snapshot
from koban.councils import voice_link
from koban.councils.models import Council, CouncilMember, Meeting, MemberKind, Opinion, term_end_for
from koban.lib.dates import check_date_window
from koban.organization.models import PoliceBox
from koban.voice.models import RequestCategory

# Meetings are planned up to a year ahead.
PLAN_AHEAD_DAYS = 366


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _text(value: Any) -> str:
    return str(value or "").strip()


@transaction.atomic
def open_council(actor: User, box: PoliceBox, *, name: str = "", note: str = "") -> Council:
    """Open the liaison council of *box* (one per box); the name defaults to the box's."""
    _require(can_open_council(actor, box), _("Only the station chief and HQ open a liaison council."))
    if Council.objects.filter(box=box).exists():
        raise ValidationError({"box": _("This box already has a liaison council.")})
    council = Council.objects.create(
        box=box,
        name=_text(name) or _("%(box)s liaison council") % {"box": box.name},
        note=_text(note),
    )
    record(actor, "councils.council.open", council, after=snapshot(council))
    return council


def _check_member(member: CouncilMember, today: dt.date) -> None:
    errors: dict[str, str] = {}
    if member.kind not in MemberKind.values:
        errors["kind"] = _("Unknown kind of member.")
    if not member.name:
        errors["name"] = _("Give the member's name.")
    if member.kind != MemberKind.RESIDENT and not member.organization:
        errors["organization"] = _("Name the association, school or shop the member stands for.")
    if member.term_start is None:
        errors["term_start"] = _("Give the day the term starts.")
    else:
        check_date_window(errors, "term_start", member.term_start, timezone.now(), days_ahead=PLAN_AHEAD_DAYS)
    _raise(errors)


@transaction.atomic
def appoint_member(
    actor: User,
    council: Council,
    *,
    name: str,
    term_start: dt.date,
    kind: str = MemberKind.RESIDENT,
    organization: str = "",
    contact: str = "",
    is_chair: bool = False,
) -> CouncilMember:
    """Appoint a member to *council* for a two-year term from *term_start*."""
    _require(can_appoint_members(actor, council), _("Only the station chief and HQ appoint council members."))
    member = CouncilMember(
        council=council,
        kind=kind,
        name=_text(name),
        organization=_text(organization),
        contact=_text(contact),
        is_chair=bool(is_chair),
        term_start=term_start,
    )
    _check_member(member, timezone.localdate())
    member.term_end = term_end_for(term_start)
    member.save()
    record(actor, "councils.member.appoint", member, after=snapshot(member))
    return member


@transaction.atomic
def renew_member(actor: User, member: CouncilMember) -> CouncilMember:
    """Appoint *member* for the next two-year term, starting the day after the current one ends."""
    member = CouncilMember.objects.select_for_update().select_related("council").get(pk=member.pk)
    _require(
        can_appoint_members(actor, member.council),
        _("Only the station chief and HQ appoint council members."),
    )
    if CouncilMember.objects.filter(renewed_from=member).exists():
        raise ValidationError({"member": _("This term has already been renewed.")})
    if member.left_on is not None:
        raise ValidationError({"member": _("This member has left the council.")})
    start = member.term_end + dt.timedelta(days=1)
    renewal = CouncilMember.objects.create(
        council=member.council,
        kind=member.kind,
        name=member.name,
        organization=member.organization,
        contact=member.contact,
        is_chair=member.is_chair,
        term_start=start,
        term_end=term_end_for(start),
        renewed_from=member,
    )
    record(actor, "councils.member.renew", renewal, after=snapshot(renewal), note=f"renews #{member.pk}")
    return renewal


@transaction.atomic
def end_membership(actor: User, member: CouncilMember, *, left_on: dt.date) -> CouncilMember:
    """Record that *member* left the council on *left_on* (before the end of the term)."""
    member = CouncilMember.objects.select_for_update().select_related("council").get(pk=member.pk)
    _require(
        can_appoint_members(actor, member.council),
        _("Only the station chief and HQ appoint council members."),
    )
    errors: dict[str, str] = {}
    if left_on is None or left_on <= member.term_start or left_on > member.term_end:
        errors["left_on"] = _("Give a day within the member's term.")
    else:
        check_date_window(errors, "left_on", left_on, timezone.now())
    _raise(errors)
    before = snapshot(member)
    member.left_on = left_on
    member.save(update_fields=["left_on"])
    record(actor, "councils.member.leave", member, before=before, after=snapshot(member))
    return member


MEETING_FIELDS = ("held_on", "place", "agenda", "minutes", "status", "other_attendees")


def _fresh(members: Sequence[CouncilMember] | None) -> list[CouncilMember] | None:
    # Terms are checked on the rows as stored now, not on objects the caller may have kept.
    if members is None:
        return None
    return list(CouncilMember.objects.filter(pk__in=[m.pk for m in members]))


def _check_meeting(meeting: Meeting, attendees: Sequence[CouncilMember] | None) -> None:
    errors: dict[str, str] = {}
    now = timezone.now()
    if meeting.held_on is None:
        errors["held_on"] = _("Give the date of the meeting.")
    else:
        check_date_window(errors, "held_on", meeting.held_on, now, days_ahead=PLAN_AHEAD_DAYS)
    if meeting.status not in Meeting.Status.values:
        errors["status"] = _("Unknown status.")
    elif meeting.status == Meeting.Status.HELD and meeting.held_on and meeting.held_on > timezone.localdate():
        errors["status"] = _("A meeting in the future cannot have been held yet.")
    if meeting.minutes and meeting.status != Meeting.Status.HELD:
        errors["minutes"] = _("Minutes are kept for a meeting that was held.")
    if not 0 <= (meeting.other_attendees or 0) <= 500:
        errors["other_attendees"] = _("Give a number from 0 to 500.")
    for member in attendees or ():
        if member.council_id != meeting.council_id or (
            meeting.held_on and not member.serves_on(meeting.held_on)
        ):
            errors["attendees"] = _("%(name)s was not a member of this council on that day.") % {
                "name": member
            }
    _raise(errors)


@transaction.atomic
def record_meeting(
    actor: User,
    council: Council,
    *,
    held_on: dt.date,
    place: str = "",
    agenda: str = "",
    minutes: str = "",
    status: str = "",
    attendees: Sequence[CouncilMember] = (),
    other_attendees: int = 0,
) -> Meeting:
    """Record a meeting of *council*: planned (future or no minutes yet) or held with its minutes.

    Without a *status*, a meeting with minutes was held and one without is planned.
    """
    _require(can_record_meetings(actor, council), _("Only the police of the box record council meetings."))
    minutes = _text(minutes)
    meeting = Meeting(
        council=council,
        held_on=held_on,
        place=_text(place),
        agenda=_text(agenda),
        minutes=minutes,
        status=status or (Meeting.Status.HELD if minutes else Meeting.Status.PLANNED),
        other_attendees=other_attendees or 0,
        recorded_by=actor,
    )
    attendees = _fresh(attendees) or []
    _check_meeting(meeting, attendees)
    meeting.save()
    meeting.attendees.set(attendees)
    record(actor, "councils.meeting.create", meeting, after=_meeting_snapshot(meeting))
    return meeting


def _meeting_snapshot(meeting: Meeting) -> dict[str, Any]:
    return snapshot(meeting) | {"attendees": sorted(meeting.attendees.values_list("pk", flat=True))}


@transaction.atomic
def update_meeting(
    actor: User, meeting: Meeting, *, attendees: Sequence[CouncilMember] | None = None, **changes: Any
) -> Meeting:
    """Change a meeting: its agenda, place or date, its minutes and attendance once held, or cancel it."""
    meeting = Meeting.objects.select_for_update().select_related("council").get(pk=meeting.pk)
    _require(
        can_record_meetings(actor, meeting.council), _("Only the police of the box record council meetings.")
    )
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in sorted(unknown)})
    before = _meeting_snapshot(meeting)
    for name, value in changes.items():
        setattr(meeting, name, _text(value) if isinstance(value, str) else value)
    attendees = _fresh(attendees)
    if changes.get("minutes") and "status" not in changes:
        meeting.status = Meeting.Status.HELD
    _check_meeting(meeting, attendees)
    meeting.recorded_by = actor
    meeting.save()
    if attendees is not None:
        meeting.attendees.set(attendees)
    record(actor, "councils.meeting.update", meeting, before=before, after=_meeting_snapshot(meeting))
    return meeting


@transaction.atomic
def record_opinion(
    actor: User,
    meeting: Meeting,
    *,
    category: RequestCategory,
    summary: str,
    raised_by: CouncilMember | None = None,
    place: str = "",
) -> Opinion:
    """Note an opinion raised at a held *meeting* and hand it to the voice queue as a council request."""
    meeting = Meeting.objects.select_related("council", "council__box").get(pk=meeting.pk)
    _require(
        can_record_meetings(actor, meeting.council), _("Only the police of the box record council meetings.")
    )
    errors: dict[str, str] = {}
    if meeting.status != Meeting.Status.HELD:
        errors["meeting"] = _("Opinions are recorded for a meeting that was held.")
    if category is None or not category.active:
        errors["category"] = _("Choose one of the categories.")
    if not _text(summary):
        errors["summary"] = _("Write down the opinion.")
    if raised_by is not None and raised_by.council_id != meeting.council_id:
        errors["raised_by"] = _("%(name)s is not a member of this council.") % {"name": raised_by}
    _raise(errors)
    request = voice_link.file_request(
        actor, meeting, category=category, summary=_text(summary), place=_text(place)
    )
    opinion = Opinion.objects.create(
        meeting=meeting,
        category=category,
        summary=_text(summary),
        raised_by=raised_by,
        place=_text(place),
        request=request,
    )
    record(actor, "councils.opinion.create", opinion, after=snapshot(opinion))
    return opinion
