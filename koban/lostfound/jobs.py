"""Background jobs of lost property: the daily run of the statutory clocks and the e-mails."""

from __future__ import annotations

import logging

from django.utils import timezone
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from koban.lostfound.notify import notify_finders, send_owner_mail
from koban.lostfound.services import advance_clocks

logger = logging.getLogger(__name__)


class MailNotSentError(Exception):
    """The mail server refused or could not be reached: the job is retried later."""


@app.periodic(cron="5 0 * * *")
@app.task(queue="default", queueing_lock="lostfound_daily")
def lostfound_daily(timestamp: int) -> None:
    """Just after midnight: move items along their clocks, list each box's tasks for the day and
    e-mail the finders whose claim period opened (each once)."""
    counts = advance_clocks(timezone.localdate())
    logger.info("lost property clocks advanced: %s", counts)
    logger.info("finders e-mailed: %s", notify_finders())


@app.task(queue="default", name="koban.lostfound.mail_owner", retry=RetryStrategy(max_attempts=5, wait=300))
def mail_owner(report_id: int) -> None:
    """E-mail the owner of a loss report whose match an officer confirmed (once, however often it runs)."""
    if not send_owner_mail(report_id) and _still_unsent(report_id):
        raise MailNotSentError(f"owner e-mail of loss report {report_id}")


def _still_unsent(report_id: int) -> bool:
    from koban.lostfound.models import LossReport

    return (
        LossReport.objects.filter(pk=report_id, owner_notified_at__isnull=True, matched_item__isnull=False)
        .exclude(owner_email="")
        .exists()
    )
