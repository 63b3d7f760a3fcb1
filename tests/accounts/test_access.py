from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from koban.accounts.access import access_box, access_box_for_work, boxes_visible_to, boxes_workable_by
from koban.audit.models import AuditEvent


def ids(qs):  # type: ignore[no-untyped-def]
    return set(qs.values_list("code", flat=True))


def test_box_officers_see_their_station_and_work_on_their_box(cast):  # type: ignore[no-untyped-def]
    assert ids(boxes_visible_to(cast.officer_a)) == {"A", "B"}
    assert ids(boxes_workable_by(cast.officer_a)) == {"A"}
    assert ids(boxes_workable_by(cast.counsellor_a)) == {"A"}


def test_station_chief_works_on_every_box_of_the_station(cast):  # type: ignore[no-untyped-def]
    assert ids(boxes_workable_by(cast.chief_north)) == {"A", "B"}


def test_hq_sees_its_agency_only(cast):  # type: ignore[no-untyped-def]
    assert ids(boxes_visible_to(cast.planner)) == {"A", "B", "C"}
    assert ids(boxes_visible_to(cast.outsider)) == set()


def test_access_box_refuses_other_stations(cast):  # type: ignore[no-untyped-def]
    assert access_box(cast.officer_a, cast.box_b.id) == cast.box_b
    with pytest.raises(Http404):
        access_box(cast.officer_a, cast.box_c.id)
    with pytest.raises(PermissionDenied):  # box B is seen (same station), not worked on
        access_box_for_work(cast.officer_a, cast.box_b.id)
    with pytest.raises(Http404):
        access_box(cast.officer_a, "not-an-id")
    denied = AuditEvent.objects.filter(action="access.denied", actor=cast.officer_a)
    assert set(denied.values_list("object_id", flat=True)) == {
        str(cast.box_c.id),
        "not-an-id",
    }


def test_inactive_users_see_nothing(cast):  # type: ignore[no-untyped-def]
    cast.planner.is_active = False
    assert ids(boxes_visible_to(cast.planner)) == set()
