"""E-mail to owners and finders: "your item was found" and "you may now collect the item".

An officer confirms that a found item is the one a loss report describes (``confirm_match``); once that
is committed a Procrastinate job e-mails the owner the receipt number and the office to contact. When
the owner's period ends unclaimed the finder acquires the item: the daily job e-mails each such finder
once (``notify_finders``). Both are idempotent: the moment a mail went out is stored on the record,
and a record already e-mailed is skipped. Messages are written in the recipient's recorded language.
Addresses are personal data (masked like the names; see ``PERSONAL_FIELDS``).
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from koban.accounts.access import can_handle_property
from koban.audit.services import record, snapshot
from koban.lostfound.clocks import State
from koban.lostfound.models import FoundItem, LossReport

log = logging.getLogger(__name__)


@transaction.atomic
def confirm_match(
    actor: Any, report: LossReport, item: FoundItem, *, now: datetime.datetime | None = None
) -> LossReport:
    """Record that *item* is what the owner of *report* lost; e-mail the owner after the commit.

    The officer of the report's box confirms (the item may be held anywhere in the agency). The owner
    must still be able to collect (the notice runs). Confirming another item replaces the match and
    mails the owner again.
    """
    now = now or timezone.now()
    report = LossReport.objects.select_for_update().select_related("box").get(pk=report.pk)
    if not isinstance(actor, str) and not can_handle_property(actor, report.box):
        raise PermissionDenied(_("You may not work on the reports of this box."))
    errors: dict[str, Any] = {}
    if report.status != LossReport.Status.OPEN:
        errors["report"] = _("This loss report is already closed.")
    if item.state not in State.WITH_OWNER_RIGHTS:
        errors["item"] = _(
            "The owner can collect only while the public notice runs (item is: %(state)s)."
        ) % {"state": item.get_state_display()}
    elif report.matched_item_id == item.pk:
        errors["item"] = _("This match is already confirmed.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(report)
    report.matched_item = item
    report.matched_at = now
    report.owner_notified_at = None
    report.save(update_fields=["matched_item", "matched_at", "owner_notified_at"])
    record(actor, "lostfound.confirm_match", report, before=before, after=snapshot(report))
    if report.owner_email:
        report_id = report.pk
        transaction.on_commit(lambda: _queue_owner_mail(report_id))
    return report


def _queue_owner_mail(report_id: int) -> None:
    from koban.lostfound.jobs import mail_owner

    mail_owner.defer(report_id=report_id)


def office_line(item: FoundItem) -> str:
    office = item.contact_office
    return f"{office.name} ({office.phone})" if office.phone else office.name


def owner_mail(report: LossReport, item: FoundItem) -> tuple[str, str]:
    """Subject and body of "your item was found", in the owner's language."""
    with translation.override(report.owner_language or settings.LANGUAGE_CODE):
        subject = _("Your lost item may have been found (receipt %(receipt)s)") % {
            "receipt": item.receipt_number
        }
        lines = [
            _(
                "An item that fits your loss report of %(day)s (%(category)s) has been handed in to the police."
            )
            % {
                "day": timezone.localtime(report.reported_at).date().isoformat(),
                "category": report.category.label(),
            },
            _("Receipt number: %(receipt)s") % {"receipt": item.receipt_number},
            _("Please contact: %(office)s") % {"office": office_line(item)},
            _("Bring an identity document and this receipt number. Collect it by %(day)s.")
            % {"day": item.notice_ends_on.isoformat()},
            _("This message was sent by %(agency)s. Please do not reply to it.")
            % {"agency": item.box.station.name},
        ]
    return subject, "\n\n".join(lines) + "\n"


def finder_mail(item: FoundItem) -> tuple[str, str]:
    """Subject and body of "you may now collect the item", in the finder's language."""
    with translation.override(item.finder_language or settings.LANGUAGE_CODE):
        subject = _("You may now collect the item you handed in (receipt %(receipt)s)") % {
            "receipt": item.receipt_number
        }
        lines = [
            _(
                "The owner of the item you handed in on %(day)s (%(category)s) did not come forward, so it is now yours to collect."
            )
            % {
                "day": timezone.localtime(item.handed_in_at).date().isoformat(),
                "category": item.category.label(),
            },
            _("Receipt number: %(receipt)s") % {"receipt": item.receipt_number},
            _("Please contact: %(office)s") % {"office": office_line(item)},
            _(
                "Collect it by %(day)s with your receipt and an identity document; after that it passes to the prefecture."
            )
            % {"day": item.finder_claim_ends_on.isoformat() if item.finder_claim_ends_on else ""},
        ]
        if item.personal_data_inside:
            lines.append(
                _("Contents holding personal data (such as cards or a licence) are not handed to you.")
            )
        lines.append(
            _("This message was sent by %(agency)s. Please do not reply to it.")
            % {"agency": item.box.station.name}
        )
    return subject, "\n\n".join(lines) + "\n"


def _send(subject: str, body: str, address: str) -> bool:
    try:
        EmailMessage(subject, body, to=[address]).send()
    except (smtplib.SMTPException, OSError):
        log.warning("lost property e-mail could not be sent", exc_info=True)
        return False
    return True


def send_owner_mail(report_id: int, *, actor: str = "system:lostfound_mail") -> bool:
    """E-mail the owner of report *report_id* about its confirmed match, once; True if sent now."""
    with transaction.atomic():
        report = (
            LossReport.objects.select_for_update(of=("self",))
            .select_related("category", "matched_item__box__station", "matched_item__custody_station")
            .filter(pk=report_id, owner_notified_at__isnull=True, matched_item__isnull=False)
            .exclude(owner_email="")
            .first()
        )
        if report is None or report.matched_item is None:
            return False
        subject, body = owner_mail(report, report.matched_item)
        if not _send(subject, body, report.owner_email):
            return False  # the job fails and Procrastinate may retry; nothing was marked
        report.owner_notified_at = timezone.now()
        report.save(update_fields=["owner_notified_at"])
        record(
            actor, "lostfound.mail_owner", report, after={"owner_notified_at": str(report.owner_notified_at)}
        )
    return True


def finders_to_notify() -> Any:
    """Items whose finder acquired them (the finder claimed the item and the owner's period ended),
    left an address and has not been e-mailed yet. Personal-data items never pass to the finder."""
    return (
        FoundItem.objects.filter(
            state=State.FINDER_MAY_CLAIM,
            finder_claims_item=True,
            finder_notified_at__isnull=True,
            category__holds_personal_data=False,
        )
        .exclude(finder_email="")
        .select_related("category", "box__station", "custody_station")
    )


def notify_finders(*, actor: str = "system:lostfound_daily") -> dict[str, int]:
    """E-mail each finder whose claim period has opened, once (a finder already e-mailed is skipped,
    so running twice sends nothing twice). Returns the counts sent and failed."""
    counts = {"sent": 0, "failed": 0}
    for item_id in list(finders_to_notify().values_list("pk", flat=True)):
        with transaction.atomic():
            item = (
                finders_to_notify()
                .select_for_update(of=("self",), skip_locked=True)
                .filter(pk=item_id)
                .first()
            )
            if item is None:
                continue
            subject, body = finder_mail(item)
            if not _send(subject, body, item.finder_email):
                counts["failed"] += 1
                continue
            item.finder_notified_at = timezone.now()
            item.save(update_fields=["finder_notified_at"])
            record(
                actor,
                "lostfound.mail_finder",
                item,
                after={"finder_notified_at": str(item.finder_notified_at)},
            )
            counts["sent"] += 1
    return counts
