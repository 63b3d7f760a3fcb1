"""Background jobs of the newsletter: the monthly drafts for every box."""

from __future__ import annotations

import logging

from django.utils import timezone
from procrastinate.contrib.django import app

from koban.newsletters.content import add_months
from koban.newsletters.models import month_start
from koban.newsletters.services import generate_for_boxes

logger = logging.getLogger(__name__)


@app.periodic(cron="30 6 1 * *")
@app.task(queue="default", queueing_lock="newsletters_monthly")
def newsletters_monthly(timestamp: int) -> None:
    """On the 1st at 06:30: draft last month's issue of every box for its officers to edit and publish."""
    month = add_months(month_start(timezone.localdate()), -1)
    counts = generate_for_boxes(month)
    logger.info("newsletter drafts for %s: %s", month, counts)
