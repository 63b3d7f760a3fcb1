"""Verbs that change the partner registry: organizations, contact people, agreements, meetings, logins.

Each runs in one transaction and writes the audit trail; bad input raises
``django.core.exceptions.ValidationError`` naming the field, and nothing is written then.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from koban.audit.services import record, snapshot
from koban.organization.models import Agency, PoliceBox, PoliceStation
from koban.partners.models import Agreement, NetworkMeeting, Partner, PartnerAccount, PartnerContact


def _check_network(agency: Agency, stations: Sequence[PoliceStation], boxes: Sequence[PoliceBox]) -> None:
    for station in stations:
        if station.agency_id != agency.pk:
            raise ValidationError(
                {
                    "stations": _("%(station)s is not a station of %(agency)s.")
                    % {"station": station, "agency": agency}
                }
            )
    for box in boxes:
        if box.station.agency_id != agency.pk:
            raise ValidationError(
                {"boxes": _("%(box)s is not a box of %(agency)s.") % {"box": box, "agency": agency}}
            )


@transaction.atomic
def register_partner(
    actor: Any,
    *,
    name: str,
    kind: str,
    agency: Agency,
    stations: Sequence[PoliceStation] = (),
    boxes: Sequence[PoliceBox] = (),
    **fields: Any,
) -> Partner:
    """Register a partner organization of *agency* working with *stations* and *boxes*."""
    _check_network(agency, stations, boxes)
    partner = Partner(name=name.strip(), kind=kind, agency=agency, **fields)
    partner.full_clean()
    partner.save()
    partner.stations.set(stations)
    partner.boxes.set(boxes)
    record(actor, "partners.partner.register", partner, after=snapshot(partner, exclude=("area",)))
    return partner


@transaction.atomic
def update_partner(
    actor: Any,
    partner: Partner,
    *,
    stations: Sequence[PoliceStation] | None = None,
    boxes: Sequence[PoliceBox] | None = None,
    **changes: Any,
) -> Partner:
    """Change a partner's record; *stations* and *boxes*, if given, replace the current ones."""
    before = snapshot(partner, exclude=("area",))
    _check_network(partner.agency, stations or (), boxes or ())
    for key, value in changes.items():
        setattr(partner, key, value)
    partner.full_clean()
    if changes:
        partner.save(update_fields=list(changes))
    if stations is not None:
        partner.stations.set(stations)
    if boxes is not None:
        partner.boxes.set(boxes)
    record(
        actor, "partners.partner.update", partner, before=before, after=snapshot(partner, exclude=("area",))
    )
    return partner


@transaction.atomic
def add_contact(actor: Any, partner: Partner, *, name: str, **fields: Any) -> PartnerContact:
    """Add a contact person (personal data; the audit row keeps no name or number)."""
    contact = PartnerContact(partner=partner, name=name.strip(), **fields)
    contact.full_clean()
    contact.save()
    record(actor, "partners.contact.add", contact, after={"partner": partner.pk, "primary": contact.primary})
    return contact


@transaction.atomic
def remove_contact(actor: Any, contact: PartnerContact) -> None:
    record(actor, "partners.contact.remove", contact, before={"partner": contact.partner_id})
    contact.delete()


@transaction.atomic
def record_agreement(
    actor: Any,
    partner: Partner,
    *,
    kind: str,
    title: str,
    signed_on: datetime.date,
    ends_on: datetime.date | None = None,
    terms: str = "",
) -> Agreement:
    """Record an agreement with *partner* (e.g. a convenience-store chain's safe-haven agreement)."""
    if ends_on is not None and ends_on < signed_on:
        raise ValidationError(
            {"ends_on": _("The agreement cannot end before it is signed (%(day)s).") % {"day": signed_on}}
        )
    agreement = Agreement(
        partner=partner, kind=kind, title=title.strip(), signed_on=signed_on, ends_on=ends_on, terms=terms
    )
    agreement.full_clean()
    agreement.save()
    record(actor, "partners.agreement.record", agreement, after=snapshot(agreement))
    return agreement


@transaction.atomic
def record_meeting(
    actor: Any,
    station: PoliceStation,
    *,
    held_on: datetime.date,
    title: str,
    partners: Sequence[Partner],
    summary: str = "",
) -> NetworkMeeting:
    """Record a network meeting of *station* with *partners* (of the station's agency)."""
    if not partners:
        raise ValidationError({"partners": _("Name at least one partner that took part.")})
    for partner in partners:
        if partner.agency_id != station.agency_id:
            raise ValidationError(
                {"partners": _("%(partner)s is a partner of another agency.") % {"partner": partner}}
            )
    meeting = NetworkMeeting(station=station, held_on=held_on, title=title.strip(), summary=summary)
    meeting.full_clean()
    meeting.save()
    meeting.partners.set(partners)
    record(actor, "partners.meeting.record", meeting, after=snapshot(meeting))
    return meeting


@transaction.atomic
def link_account(actor: Any, user: Any, partner: Partner) -> PartnerAccount:
    """Let the login *user* (partner role) act for *partner*; one organization per login."""
    account, _created = PartnerAccount.objects.update_or_create(user=user, defaults={"partner": partner})
    record(actor, "partners.account.link", account, after={"user": user.pk, "partner": partner.pk})
    return account
