"""Reminders before blue-light papers expire: the group's certificate, patroller cards, vehicle registrations.

A group that lets its certificate lapse may no longer patrol with the blue light, and a patroller whose
card expired is refused on the next patrol; the station is reminded ``KOBAN_BLUE_LIGHT_REMINDER_DAYS``
days ahead (on the volunteer pages, the box dashboard and by the daily job).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from koban.accounts.access import reminder_recipients
from koban.audit.models import AuditEvent
from koban.audit.services import record
from koban.volunteers.models import (
    BlueLightCertification,
    CertifiedPatroller,
    PatrolVehicle,
    VolunteerGroup,
    VolunteerGroupQuerySet,
)


@dataclass(frozen=True)
class Reminder:
    group_id: int
    group_name: str
    what: str  # a translated description naming the certificate, patroller or vehicle
    expires_on: datetime.date

    @property
    def key(self) -> str:
        return f"{self.group_id}:{self.what}:{self.expires_on.isoformat()}"


def due_for(groups: VolunteerGroupQuerySet, today: datetime.date, days: int | None = None) -> list[Reminder]:
    """Papers of *groups* that expire between *today* and *days* later, soonest first."""
    end = today + datetime.timedelta(
        days=days if days is not None else settings.KOBAN_BLUE_LIGHT_REMINDER_DAYS
    )
    ids = groups.values("pk")
    found: list[Reminder] = []
    for cert in (
        BlueLightCertification.objects.filter(group__in=ids)
        .expiring_between(today, end)
        .select_related("group")
    ):
        what = _("Blue-light certificate %(number)s") % {"number": cert.number}
        found.append(Reminder(cert.group_id, cert.group.name, what, cert.expires_on))
    patrollers = CertifiedPatroller.objects.filter(member__group__in=ids, member__left_on__isnull=True)
    for card in patrollers.expiring_between(today, end).select_related("member__group"):
        what = _("Patroller card of %(name)s") % {"name": card.member.name}
        found.append(Reminder(card.member.group_id, card.member.group.name, what, card.expires_on))
    for vehicle in (
        PatrolVehicle.objects.filter(group__in=ids).expiring_between(today, end).select_related("group")
    ):
        what = _("Registration of the vehicle %(plate)s") % {"plate": vehicle.plate}
        found.append(Reminder(vehicle.group_id, vehicle.group.name, what, vehicle.expires_on))
    return sorted(found, key=lambda r: (r.expires_on, r.group_name, r.what))


SENT = "volunteers.reminder.sent"


def _already_sent(reminder: Reminder) -> bool:
    return AuditEvent.objects.filter(action=SENT, note=reminder.key).exists()


def _message(reminder: Reminder) -> tuple[str, str]:
    subject = _("Expires on %(day)s: %(what)s (%(group)s)") % {
        "day": reminder.expires_on.isoformat(),
        "what": reminder.what,
        "group": reminder.group_name,
    }
    body = _(
        "%(what)s of the volunteer group %(group)s expires on %(day)s. After that day a blue-light patrol "
        "by this group, person or vehicle is refused until the papers are renewed."
    ) % {"what": reminder.what, "group": reminder.group_name, "day": reminder.expires_on.isoformat()}
    return subject, body


def _mailer(subject: str, body: str, addresses: list[str]) -> Callable[[], None]:
    def send() -> None:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses, fail_silently=True)

    return send


@transaction.atomic
def send_due(today: datetime.date) -> int:
    """Remind the station of every paper entering the reminder window, once per paper and expiry date.

    The group's station chiefs get an e-mail (after the commit); each reminder leaves an audit row on
    the group, which also marks it as sent.
    """
    sent = 0
    for reminder in due_for(VolunteerGroup.objects.filter(dissolved_on__isnull=True), today):
        if _already_sent(reminder):
            continue
        group = VolunteerGroup.objects.get(pk=reminder.group_id)
        addresses = list(reminder_recipients(group).exclude(email="").values_list("email", flat=True))
        subject, body = _message(reminder)
        if addresses:
            transaction.on_commit(_mailer(subject, body, addresses))
        record(
            "volunteers.reminders",
            SENT,
            group,
            after={"to": len(addresses), "expires_on": reminder.expires_on.isoformat()},
            note=reminder.key,
        )
        sent += 1
    return sent
