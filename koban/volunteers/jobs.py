"""Background jobs of volunteer groups: the daily reminder of expiring blue-light papers."""

from __future__ import annotations

import logging

from django.utils import timezone
from procrastinate.contrib.django import app

from koban.volunteers.reminders import send_due

logger = logging.getLogger(__name__)


@app.periodic(cron="30 7 * * *")
@app.task(queue="default", queueing_lock="volunteers_reminders")
def volunteer_reminders(timestamp: int) -> None:
    """Every morning: remind the stations of certificates, patroller cards and vehicles about to expire."""
    sent = send_due(timezone.localdate())
    logger.info("blue-light reminders sent: %s", sent)
