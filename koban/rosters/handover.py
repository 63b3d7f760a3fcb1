"""Writes of the shift handover log (引継簿): an entry by the outgoing shift, an acknowledgement by the next.

Each function is one transaction and writes its audit row. Permission is asked of
``koban.accounts.access`` (``can_write_handover``, ``can_acknowledge_handover``); bad input raises a
``ValidationError`` naming the field, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from koban.accounts.access import can_acknowledge_handover, can_write_handover
from koban.accounts.models import User
from koban.audit.services import record, snapshot
from koban.lib.validation import control_character_problem
from koban.organization.models import PoliceBox
from koban.rosters.models import HandoverAcknowledgement, HandoverEntry, HandoverPriority

TEXT_LIMIT = 2000
LINKS_LIMIT = 5
LINK_LENGTH = 200


def clean_links(links: Sequence[str]) -> list[str]:
    """Site paths (``/incidents/12/``) the entry refers to; anything else is refused, naming the line.

    Only paths of this site are kept, so an entry can never send the next shift to another site.
    """
    cleaned = [link.strip() for link in links if link and link.strip()]
    if len(cleaned) > LINKS_LIMIT:
        raise ValidationError({"links": _("At most %(n)d links per entry.") % {"n": LINKS_LIMIT}})
    for number, link in enumerate(cleaned, start=1):
        local = link.startswith("/") and not link.startswith("//") and "\\" not in link
        if not local or len(link) > LINK_LENGTH or control_character_problem(link, multiline=False):
            message = _("Link %(n)d: give a page of this site, such as /incidents/12/.") % {"n": number}
            raise ValidationError({"links": message})
    return cleaned


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what the next shift needs to know.")})
    if len(text) > TEXT_LIMIT:
        raise ValidationError({"text": _("At most %(n)d characters.") % {"n": TEXT_LIMIT}})
    problem = control_character_problem(text)
    if problem:
        raise ValidationError({"text": problem})
    return text


@transaction.atomic
def write_handover(
    actor: User,
    box: PoliceBox,
    text: str,
    now: dt.datetime,
    *,
    priority: str = HandoverPriority.ROUTINE,
    links: Sequence[str] = (),
) -> HandoverEntry:
    """Add an entry to the handover log of *box*, written by *actor* at *now*."""
    if not can_write_handover(actor, box):
        raise PermissionDenied(_("Only the officers of this box and its chief keep its handover log."))
    if priority not in HandoverPriority.values:
        raise ValidationError({"priority": _("Choose urgent, important or routine.")})
    entry = HandoverEntry.objects.create(
        box=box,
        written_by=actor,
        written_at=now,
        priority=priority,
        text=_clean_text(text),
        links=clean_links(links),
    )
    record(actor, "rosters.handover.write", entry, after=snapshot(entry))
    return entry


@transaction.atomic
def acknowledge_handover(actor: User, entry: HandoverEntry, now: dt.datetime) -> HandoverAcknowledgement:
    """*actor* has read *entry*; acknowledging twice keeps the first acknowledgement."""
    if not can_acknowledge_handover(actor, entry):
        raise PermissionDenied(_("Only the other officers of this box acknowledge its handover entries."))
    known = HandoverAcknowledgement.objects.filter(entry=entry, officer=actor).first()
    if known is not None:
        return known
    try:
        # A savepoint: a second tab acknowledging at the same moment must not break this transaction.
        with transaction.atomic():
            ack = HandoverAcknowledgement.objects.create(entry=entry, officer=actor, acknowledged_at=now)
    except IntegrityError:
        return HandoverAcknowledgement.objects.get(entry=entry, officer=actor)
    record(actor, "rosters.handover.acknowledge", entry, after={"officer": actor.pk, "at": now.isoformat()})
    return ack
