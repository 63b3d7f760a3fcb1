"""Bounce reports: which addresses a mail server could not deliver to.

Two forms are read: a delivery status notification (RFC 3464, ``multipart/report`` with a
``message/delivery-status`` part; only recipients with ``Action: failed`` count, delayed ones do not),
or a plain list with one address per line (``#`` starts a comment). Lines that are not addresses are
reported with their number and skipped.
"""

from __future__ import annotations

import email
import email.message
import email.policy
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _


@dataclass
class BounceReport:
    addresses: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _from_dsn(text: str) -> list[str] | None:
    message = email.message_from_string(text, policy=email.policy.compat32)
    if message.get_content_type() != "multipart/report":
        return None
    failed = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        # The status part holds one header block per recipient (parsed as sub-messages).
        for block in part.get_payload() or []:  # type: ignore[union-attr]
            if not isinstance(block, email.message.Message):
                continue
            recipient = str(block.get("Final-Recipient", "") or block.get("Original-Recipient", ""))
            action = str(block.get("Action", "")).strip().lower()
            if recipient and action == "failed":
                failed.append(recipient.split(";", 1)[-1].strip().lower())
    return failed


def _from_list(text: str, report: BounceReport) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        address = line.split("#", 1)[0].strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            report.problems.append(
                _("line %(n)s: “%(text)s” is not an e-mail address") % {"n": number, "text": address[:80]}
            )
            continue
        report.addresses.append(address.lower())


def read_bounces(text: str) -> BounceReport:
    report = BounceReport()
    failed = _from_dsn(text)
    if failed is None:
        _from_list(text, report)
    else:
        report.addresses = failed
    return report
