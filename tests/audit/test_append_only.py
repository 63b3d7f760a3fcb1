"""The database itself keeps the audit trail append-only, even for the table's owner."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction

from koban.audit.maintenance import purge_before
from koban.audit.models import AuditEvent
from koban.audit.services import record

T0 = datetime.datetime(2025, 1, 6, 1, 0, tzinfo=datetime.UTC)


@pytest.fixture
def event(cast):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        return record(cast.planner, "organization.policebox.update", cast.box_a, note="kept")


def _refused(action) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        action()


def test_the_orm_cannot_update_or_delete_an_event(event):  # type: ignore[no-untyped-def]
    event.note = "rewritten"
    _refused(lambda: event.save())
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(note="rewritten"))
    _refused(lambda: event.delete())
    _refused(lambda: AuditEvent.objects.all().delete())
    assert AuditEvent.objects.get(pk=event.pk).note == "kept"


def _sql(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def test_raw_sql_cannot_update_delete_or_truncate_the_trail(event):  # type: ignore[no-untyped-def]
    _refused(lambda: _sql(f"UPDATE audit_auditevent SET note = 'x' WHERE id = {event.pk}"))
    _refused(lambda: _sql("DELETE FROM audit_auditevent"))
    _refused(lambda: _sql("TRUNCATE audit_auditevent"))
    assert AuditEvent.objects.filter(pk=event.pk, note="kept").exists()


def test_the_connection_is_the_table_owner_yet_still_refused(event):  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableowner = current_user FROM pg_tables WHERE tablename = 'audit_auditevent'")
        assert cursor.fetchone() == (True,)
    _refused(lambda: _sql("DELETE FROM audit_auditevent"))


def test_the_maintenance_setting_does_not_allow_updates(event):  # type: ignore[no-untyped-def]
    def update_in_maintenance() -> None:
        _sql("SET LOCAL koban.audit_maintenance = 'on'")
        _sql("UPDATE audit_auditevent SET note = 'x'")

    _refused(update_in_maintenance)


def test_the_purge_deletes_old_rows_only_and_records_itself(cast):  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False), transaction.atomic():
        old = record(cast.planner, "organization.policebox.update", cast.box_a, note="old")
    with time_machine.travel(T0 + datetime.timedelta(days=400), tick=False), transaction.atomic():
        newer = record(cast.planner, "organization.policebox.update", cast.box_b, note="newer")
    cutoff = T0 + datetime.timedelta(days=365)
    assert purge_before(cast.planner, T0) == 0
    assert purge_before(cast.planner, cutoff) == 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=newer.pk).exists()
    purge = AuditEvent.objects.filter(action="audit.purge").latest("id")
    assert purge.actor == cast.planner and purge.after == {"before": cutoff.isoformat()}
    # Afterwards the trail is append-only again.
    _refused(lambda: AuditEvent.objects.all().delete())


def test_deleting_a_user_leaves_the_trail_untouched(cast, event):  # type: ignore[no-untyped-def]
    planner_id = cast.planner.pk
    cast.planner.delete()
    kept = AuditEvent.objects.get(pk=event.pk)
    assert kept.actor_id == planner_id and kept.actor_name == "planner"
