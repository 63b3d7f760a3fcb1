"""The one way rows leave the audit trail: a purge of rows older than the retention period.

The database refuses UPDATE, DELETE and TRUNCATE of the trail (migration 0003) unless the
transaction sets ``koban.audit_maintenance``; this module is the only code that sets it. The purge
itself is then recorded as the first row of the remaining trail.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection, transaction

from koban.audit.models import AuditEvent
from koban.audit.services import record_bulk


@transaction.atomic
def purge_before(actor: Any, before: datetime.datetime | None) -> int:
    """Delete the rows recorded before *before* (all rows when None); return how many.

    With an *actor* the purge leaves an audit row naming the cut-off and the count; without one
    (the test suite emptying its database) it leaves nothing.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL koban.audit_maintenance = 'on'")
    rows = AuditEvent.objects.all() if before is None else AuditEvent.objects.filter(at__lt=before)
    count, _ = rows.delete()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL koban.audit_maintenance = 'off'")
    if actor is not None:
        record_bulk(
            actor,
            "audit.purge",
            AuditEvent,
            count=count,
            after={"before": before.isoformat() if before else None},
        )
    return count
