"""Telling reporters by e-mail what became of their request.

The mail leaves only after the change is committed (``transaction.on_commit``): a rolled-back change
sends nothing. A mail server that is down must not undo the officer's change, so a failed send is
logged and the page answers normally.
"""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from koban.voice.models import Request, Status

log = logging.getLogger(__name__)


def notify_reporter(request: Request) -> None:
    """Queue the status e-mail for *request*'s reporter (if they left an address) after the commit."""
    if not request.reporter_email:
        return
    request_id = request.pk
    transaction.on_commit(lambda: send_status_mail(request_id))


def status_mail(request: Request) -> tuple[str, str]:
    """The subject and body of the status e-mail, in the reporter's language."""
    with translation.override(request.language or settings.LANGUAGE_CODE):
        subject = _("Your request #%(id)s to %(box)s: %(status)s") % {
            "id": request.pk,
            "box": request.box.name,
            "status": request.get_status_display(),
        }
        lines = [
            _("The state of your request (%(category)s) is now: %(status)s.")
            % {"category": request.category.label(), "status": request.get_status_display()},
        ]
        if request.status_note:
            lines.append(_("Note from the box: %(note)s") % {"note": request.status_note})
        if request.status == Status.WILL_NOT_ACT and request.will_not_act_reason:
            lines.append(_("Reason: %(reason)s") % {"reason": request.will_not_act_reason})
        link = settings.KOBAN_PUBLIC_URL.rstrip("/") + reverse("voice:public-request", args=[request.token])
        lines.append(_("Follow your request here: %(link)s") % {"link": link})
        lines.append(
            _("This message was sent by %(box)s. Please do not reply to it.") % {"box": request.box.name}
        )
    return subject, "\n\n".join(lines) + "\n"


def send_status_mail(request_id: int) -> bool:
    """Send the status e-mail of request *request_id* now; False (logged) if the mail server refused it."""
    request = Request.objects.with_related().filter(pk=request_id).first()
    if request is None or not request.reporter_email:
        return False
    subject, body = status_mail(request)
    try:
        send_mail(subject, body, None, [request.reporter_email])
    except (smtplib.SMTPException, OSError):
        log.warning("status e-mail for request %s could not be sent", request_id, exc_info=True)
        return False
    return True
