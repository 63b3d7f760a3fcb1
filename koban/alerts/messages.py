"""What a subscriber receives: the alert e-mail (with RFC 8058 one-click unsubscribe) and the signed webhook.

E-mails have a Message-ID made from the alert and the subscription, so a message handed over twice (a worker
that died between the SMTP server's acceptance and the database's note of it) is recognisably the same message
and mail clients show it once. Webhook calls carry the delivery id for the same purpose and are signed with
HMAC-SHA256 over the timestamp and the body, with the secret the partner received when its hook was registered.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from koban.alerts.models import Alert
from koban.alerts.tokens import unsubscribe_token

SIGNATURE_HEADER = "X-Koban-Signature"
TIMESTAMP_HEADER = "X-Koban-Timestamp"
DELIVERY_HEADER = "X-Koban-Delivery"


def _public(path: str) -> str:
    return f"{settings.KOBAN_PUBLIC_URL}{path}"


@dataclass(frozen=True)
class EmailText:
    """The parts of an alert e-mail shared by every subscriber of one language."""

    subject: str
    body: str  # with "{unsubscribe}" where the subscriber's own link goes


def email_text(alert: Alert, language: str) -> EmailText:
    info = alert.info_in(language)
    with translation.override(language):
        headline = info.headline if info else alert.identifier
        parts = [info.description, info.instruction] if info else []
        page = _public(reverse("alerts:public-detail", args=[alert.pk]))
        footer = _("Details and map: %(page)s\nStop these e-mails: {unsubscribe}") % {"page": page}
        prefix = {"Update": _("[Update] "), "Cancel": ""}.get(alert.msg_type, "")
    body = "\n\n".join(p for p in parts if p).replace("{", "{{").replace("}", "}}")
    return EmailText(subject=f"{prefix}{headline}"[:200], body=f"{body}\n\n--\n{footer}")


def message_id(alert_id: int, subscription_id: int) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return f"<alert-{alert_id}.{subscription_id}@{domain}>"


def alert_email(alert_id: int, text: EmailText, subscription_id: int, address: str) -> EmailMessage:
    unsubscribe = _public(reverse("alerts:unsubscribe", args=[unsubscribe_token(subscription_id)]))
    return EmailMessage(
        text.subject,
        text.body.format(unsubscribe=unsubscribe),
        to=[address],
        headers={
            "Message-ID": message_id(alert_id, subscription_id),
            # RFC 8058: mail clients show an unsubscribe button that POSTs to the link, no page to visit.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 of "timestamp.body" with the webhook's secret, as "sha256=<hex>"."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_signature(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """What a partner's receiver does: recompute and compare in constant time."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)


def webhook_headers(secret: str, timestamp: str, body: bytes, delivery_id: int) -> dict[str, str]:
    return {
        "Content-Type": "application/cap+xml; charset=utf-8",
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        TIMESTAMP_HEADER: timestamp,
        DELIVERY_HEADER: str(delivery_id),
    }
