"""Services that change the police network: validation, permissions, audit rows."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError

from koban.accounts.models import Role
from koban.audit.models import AuditEvent
from koban.organization import services
from koban.organization.models import PoliceBox, PoliceStation
from tests.factories import make_user


def test_creating_a_box_writes_it_and_its_audit_row(cast):  # type: ignore[no-untyped-def]
    box = services.create_box(
        cast.planner, cast.north, code="D", name="新町交番", location=Point(139.71, 35.61, srid=4326)
    )
    event = AuditEvent.objects.for_object(box).get()
    assert (event.action, event.actor, event.after["name"]) == ("box.create", cast.planner, "新町交番")


def test_updating_a_box_records_only_real_changes(cast):  # type: ignore[no-untyped-def]
    same = Point(cast.box_a.location.x, cast.box_a.location.y, srid=4326)
    assert services.update_box(cast.planner, cast.box_a, name=cast.box_a.name, location=same) == []
    assert not AuditEvent.objects.exists()
    assert services.update_box(cast.planner, cast.box_a, phone="110", staffing_target=5) == [
        "phone",
        "staffing_target",
    ]
    event = AuditEvent.objects.get()
    assert (event.before["phone"], event.after["phone"]) == ("", "110")


def test_a_box_can_move_to_another_station(cast):  # type: ignore[no-untyped-def]
    services.update_box(cast.planner, cast.box_a, station=cast.south)
    cast.box_a.refresh_from_db()
    assert cast.box_a.station == cast.south


def test_people_outside_hq_cannot_change_the_network(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        services.update_box(cast.chief_north, cast.box_a, name="x")
    with pytest.raises(PermissionDenied):
        services.create_station(cast.officer_a, cast.agency, code="W", name="West")
    assert not AuditEvent.objects.exists()


def test_a_named_system_process_may_change_the_network_and_is_recorded_by_name(cast):  # type: ignore[no-untyped-def]
    station = services.create_station("import_boxes (command line)", cast.agency, code="W", name="西警察署")
    event = AuditEvent.objects.for_object(station).get()
    assert event.actor is None and event.actor_name == "import_boxes (command line)"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"kind": "houseboat"}, "kind"),
        ({"code": ""}, "code"),
        ({"code": "A"}, "conflicts"),  # box A already exists in North
        ({"status": "merged"}, "conflicts"),  # a merged box must name its successor
    ],
)
def test_invalid_boxes_are_refused_and_nothing_is_written(cast, fields, problem):  # type: ignore[no-untyped-def]
    values = {"code": "D", "name": "x", "location": Point(139.71, 35.61, srid=4326), **fields}
    before = PoliceBox.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.create_box(cast.planner, cast.north, **values)
    assert problem in str(refused.value)
    assert PoliceBox.objects.count() == before
    assert not AuditEvent.objects.exists()


def test_unknown_fields_are_refused(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        services.update_station(cast.planner, cast.north, colour="blue")
    assert PoliceStation.objects.get(pk=cast.north.pk).name == "North Station"


def test_agencies_are_created_and_renamed_with_audit_rows(cast):  # type: ignore[no-untyped-def]
    admin = make_user(Role.ADMINISTRATOR, "admin_all", is_staff=True, is_superuser=True)
    agency = services.create_agency(admin, code="31", name="鳥取県警察")
    services.update_agency(admin, agency, name="鳥取県警察本部")
    actions = list(AuditEvent.objects.for_object(agency).order_by("id").values_list("action", flat=True))
    assert actions == ["agency.create", "agency.update"]


def test_hq_of_one_agency_never_changes_another_agencys_network(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        services.update_box(cast.outsider, cast.box_a, name="Taken over")
    with pytest.raises(PermissionDenied):
        services.create_station(cast.outsider, cast.agency, code="Z", name="Intruder Station")
    with pytest.raises(PermissionDenied):
        services.create_agency(cast.planner, code="32", name="島根県警察")
    cast.box_a.refresh_from_db()
    assert cast.box_a.name == "Ekimae Koban"
    assert not AuditEvent.objects.filter(
        action__in=["box.update", "station.create", "agency.create"]
    ).exists()
