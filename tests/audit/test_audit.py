from __future__ import annotations

import pytest
from django.db import transaction

from koban.audit.models import AuditEvent
from koban.audit.services import changed_fields, record, record_bulk, snapshot
from koban.geography.models import AdminArea


def test_it_records_actor_object_and_before_after(cast):  # type: ignore[no-untyped-def]
    box = cast.box_a
    before = snapshot(box)
    box.phone = "0120-000-000"
    with transaction.atomic():
        box.save()
        event = record(cast.planner, "box.update", box, before=before, after=snapshot(box))
    assert event.actor == cast.planner and event.actor_name == "planner"
    assert event.object_type == "organization.policebox" and event.object_id == str(box.pk)
    assert changed_fields(event.before, event.after) == {"phone": ["", "0120-000-000"]}
    assert list(AuditEvent.objects.for_object(box)) == [event]


def test_geometries_are_kept_short(cast):  # type: ignore[no-untyped-def]
    data = snapshot(cast.beat_a)
    assert data["geom"].startswith("MULTIPOLYGON")


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_record_outside_the_change_transaction(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError):
        record(cast.planner, "box.update", cast.box_a)


def test_bulk_rows_name_the_model_and_count(cast):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        event = record_bulk(
            "import_areas", "admin_area.import", AdminArea, count=2504, after={"file": "x.shp"}
        )
    assert event.actor is None and event.actor_name == "import_areas"
    assert event.object_type == "geography.adminarea" and event.object_id == "*"
    assert event.object_repr.startswith("2504")
