"""``koban alerts_resume``: queue again the delivery batches that are due or were abandoned by a dead worker.

The periodic task ``koban.alerts.resume`` does the same every 5 minutes; run this after restarting workers
to resume at once. Sending twice is impossible: each delivery row is claimed before its message is sent.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from koban.alerts.jobs import queue_unfinished


class Command(BaseCommand):
    help = "Queue the unfinished alert delivery batches for the workers."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{queue_unfinished()} batch(es) queued")
