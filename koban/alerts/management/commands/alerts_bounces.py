"""``koban alerts_bounces FILE [--commit]``: stop alert e-mails to addresses that bounced.

FILE is a delivery status notification (as saved from the bounce mailbox) or a list of addresses, one per
line. Without ``--commit`` it only says which subscriptions would be marked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from koban.alerts.bounces import read_bounces
from koban.alerts.models import Subscription
from koban.alerts.subscriptions import mark_bounced


class Command(BaseCommand):
    help = "Mark alert subscriptions whose e-mail addresses bounced (dry run unless --commit)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a bounce message (DSN) or a list of addresses")
        parser.add_argument("--commit", action="store_true", help="mark them (default: only report)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        report = read_bounces(text)
        for problem in report.problems:
            self.stderr.write(problem)
        known = Subscription.objects.filter(email__in=report.addresses, bounced_at__isnull=True)
        for address in sorted(set(known.values_list("email", flat=True))):
            self.stdout.write(address)
        if options["commit"]:
            marked = mark_bounced("alerts_bounces", report.addresses)
            self.stdout.write(f"{marked} subscription(s) marked as bounced")
        else:
            self.stdout.write(f"{known.count()} subscription(s) would be marked (dry run; add --commit)")
