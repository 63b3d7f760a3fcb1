"""Long and periodic work on visit cards.

- ``visitcards.rotate_keys`` (a ``koban.runs`` kind): re-encrypt every card still on an old master key,
  batch by batch, each batch committed on its own so that a killed run loses at most one batch and a
  new run continues where it stopped (``koban rotate_card_keys`` runs the same kind inline).
- ``visitcards_daily`` (periodic): flag the cards not confirmed within ``KOBAN_CARD_RETENTION_YEARS``
  for review by their custodian or station chief.
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from procrastinate.contrib.django import app

from koban.runs.registry import RunContext, register
from koban.visitcards.crypto.keyring import keyring
from koban.visitcards.models import VisitCard
from koban.visitcards.services import flag_for_review, rekey_batch

logger = logging.getLogger(__name__)

ROTATE_KIND = "visitcards.rotate_keys"
DEFAULT_BATCH = 200


@register(ROTATE_KIND, gettext_lazy("Re-encrypt visit cards under the current master key"))
def rotate_keys_run(context: RunContext) -> dict[str, Any]:
    """Re-encrypt the cards on old master keys; parameters: ``batch_size`` (default 200)."""
    batch_size = int(context.parameters.get("batch_size") or DEFAULT_BATCH)
    current = keyring().current_id
    total = VisitCard.objects.on_key_other_than(current).count()
    done = 0
    context.progress(_("re-encrypting cards"), 0, total)
    while True:
        count = rekey_batch(context.actor, batch_size)
        if count == 0:
            break
        done += count
        context.progress(_("re-encrypting cards"), done, total)
    left = VisitCard.objects.on_key_other_than(current).count()
    summary = _("%(done)d card(s) re-encrypted under key %(key)s; %(left)d left on older keys.") % {
        "done": done,
        "key": current,
        "left": left,
    }
    return {
        "summary": summary,
        "ok": left == 0,
        "failed": False,
        "committed": True,
        "done": done,
        "left": left,
    }


@app.periodic(cron="20 0 * * *")
@app.task(queue="default", queueing_lock="visitcards_daily")
def visitcards_daily(timestamp: int) -> None:
    """Just after midnight: flag the cards whose retention period is over for review."""
    flagged = flag_for_review("visitcards_daily (job)", timezone.now())
    logger.info("visit cards flagged for retention review: %s", flagged)
