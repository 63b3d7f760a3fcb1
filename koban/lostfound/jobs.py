"""Background jobs of lost property: the daily run of the statutory clocks."""

from __future__ import annotations

import logging

from django.utils import timezone
from procrastinate.contrib.django import app

from koban.lostfound.services import advance_clocks

logger = logging.getLogger(__name__)


@app.periodic(cron="5 0 * * *")
@app.task(queue="default", queueing_lock="lostfound_daily")
def lostfound_daily(timestamp: int) -> None:
    """Just after midnight: move items along their clocks and list each box's tasks for the day."""
    counts = advance_clocks(timezone.localdate())
    logger.info("lost property clocks advanced: %s", counts)
