"""Opening and editing stations and boxes through the API: HQ of the agency only, audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from koban.audit.models import AuditEvent
from koban.organization import services
from koban.organization.models import PoliceBox, PoliceStation
from tests.factories import PASSWORD
from tests.personas import LAT, LON

pytestmark = pytest.mark.django_db


def _login(client, username):  # type: ignore[no-untyped-def]
    assert client.login(username=username, password=PASSWORD)
    return client


def _post(client, url, body):  # type: ignore[no-untyped-def]
    return client.post(url, body, content_type="application/json")


def _patch(client, url, body):  # type: ignore[no-untyped-def]
    return client.patch(url, body, content_type="application/json")


def test_hq_opens_a_station_and_a_box(client, cast):  # type: ignore[no-untyped-def]
    _login(client, "planner")
    response = _post(
        client, "/api/v1/stations/", {"code": "E", "name": "East Station", "lon": LON + 0.04, "lat": LAT}
    )
    assert response.status_code == 201, response.json()
    station = PoliceStation.objects.get(code="E")
    assert station.agency == cast.agency and response.json()["properties"]["agency"] == cast.agency.code
    body = {
        "station": station.pk,
        "code": "E1",
        "name": "Higashi Koban",
        "kind": "koban",
        "lon": LON + 0.041,
        "lat": LAT + 0.001,
    }
    response = _post(client, "/api/v1/boxes/", body)
    assert response.status_code == 201, response.json()
    assert response.json()["properties"]["station"] == "E"
    actions = list(
        AuditEvent.objects.filter(action__in=["station.create", "box.create"]).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["box.create", "station.create"]


def test_hq_edits_and_moves_a_box(client, cast):  # type: ignore[no-untyped-def]
    _login(client, "planner")
    response = _patch(
        client,
        f"/api/v1/boxes/{cast.box_a.pk}/",
        {"name": "Ekimae Koban (new)", "station": cast.south.pk, "staffing_target": 9},
    )
    assert response.status_code == 200, response.json()
    cast.box_a.refresh_from_db()
    assert (cast.box_a.name, cast.box_a.station, cast.box_a.staffing_target) == (
        "Ekimae Koban (new)",
        cast.south,
        9,
    )
    audit = AuditEvent.objects.get(action="box.update")
    assert audit.before["station"] == cast.north.pk and audit.after["station"] == cast.south.pk
    response = _patch(
        client,
        f"/api/v1/stations/{cast.north.pk}/",
        {"phone": "03-0000-1110", "lon": LON + 0.006, "lat": LAT + 0.012},
    )
    assert response.status_code == 200, response.json()
    cast.north.refresh_from_db()
    assert cast.north.phone == "03-0000-1110" and cast.north.location.x == pytest.approx(LON + 0.006)


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/boxes/", {"code": "Z", "name": "Z", "lon": LON, "lat": LAT}, "station"),
        ("/api/v1/boxes/", {"station": 0, "code": "Z", "name": "Z", "lon": LON, "lat": LAT}, "station"),
        ("/api/v1/boxes/", {"station": "NORTH", "code": "Z", "name": "Z", "lon": LON}, "lat"),
        ("/api/v1/boxes/", {"station": "NORTH", "code": "Z", "name": "Z"}, "lon"),
        ("/api/v1/boxes/", {"station": "NORTH", "code": "Z", "name": "Z", "lon": 200, "lat": LAT}, "lon"),
        (
            "/api/v1/boxes/",
            {"station": "NORTH", "code": "Z", "name": "Z", "kind": "castle", "lon": LON, "lat": LAT},
            "kind",
        ),
        (
            "/api/v1/boxes/",
            {"station": "NORTH", "code": "Z", "name": "Z", "status": "open?", "lon": LON, "lat": LAT},
            "status",
        ),
        ("/api/v1/stations/", {"name": "No code"}, "code"),
        ("/api/v1/stations/", {"code": "Q", "name": "No place"}, "lon"),
        ("/api/v1/stations/", {"code": "Q", "name": "Q", "agency": "nope", "lon": LON, "lat": LAT}, "agency"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(client, cast, url, body, field):  # type: ignore[no-untyped-def]
    if body.get("station") == "NORTH":
        body = body | {"station": cast.north.pk}
    before = (PoliceBox.objects.count(), PoliceStation.objects.count())
    response = _post(_login(client, "planner"), url, body)
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert (PoliceBox.objects.count(), PoliceStation.objects.count()) == before


def test_a_duplicate_code_is_refused(client, cast):  # type: ignore[no-untyped-def]
    body = {"station": cast.north.pk, "code": "A", "name": "Copy", "lon": LON, "lat": LAT}
    response = _post(_login(client, "planner"), "/api/v1/boxes/", body)
    assert response.status_code == 400
    assert PoliceBox.objects.filter(code="A").count() == 1


@pytest.mark.parametrize("username", ["officer_a", "chief_north", "counsellor_a"])
def test_box_staff_and_chiefs_cannot_change_the_network(client, cast, username):  # type: ignore[no-untyped-def]
    _login(client, username)
    assert _patch(client, f"/api/v1/boxes/{cast.box_a.pk}/", {"name": "Mine"}).status_code == 403
    body = {"station": cast.north.pk, "code": "Z", "name": "Z", "lon": LON, "lat": LAT}
    assert _post(client, "/api/v1/boxes/", body).status_code == 403
    assert PoliceBox.objects.get(pk=cast.box_a.pk).name == "Ekimae Koban"
    assert not PoliceBox.objects.filter(code="Z").exists()


def test_hq_of_another_agency_cannot_touch_this_network(client, cast):  # type: ignore[no-untyped-def]
    _login(client, "outsider")
    assert _patch(client, f"/api/v1/boxes/{cast.box_a.pk}/", {"name": "Taken"}).status_code == 404
    assert _patch(client, f"/api/v1/stations/{cast.north.pk}/", {"name": "Taken"}).status_code == 404
    body = {"station": cast.north.pk, "code": "Z", "name": "Z", "lon": LON, "lat": LAT}
    response = _post(client, "/api/v1/boxes/", body)
    assert response.status_code == 400 and "station" in response.json()
    body = {"code": "Q", "name": "Q", "agency": cast.agency.code, "lon": LON, "lat": LAT}
    response = _post(client, "/api/v1/stations/", body)
    assert response.status_code == 403
    assert not PoliceStation.objects.filter(code="Q").exists()
    assert PoliceBox.objects.get(pk=cast.box_a.pk).name == "Ekimae Koban"


def test_the_services_refuse_hq_of_another_agency(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        services.update_box(cast.outsider, cast.box_a, name="Taken")
    with pytest.raises(PermissionDenied):
        services.create_box(cast.outsider, cast.north, code="Z", name="Z", location=cast.box_a.location)


def test_put_and_delete_are_not_offered(client, cast):  # type: ignore[no-untyped-def]
    _login(client, "planner")
    url = f"/api/v1/boxes/{cast.box_a.pk}/"
    assert client.put(url, {"name": "x"}, content_type="application/json").status_code == 405
    assert client.delete(url).status_code == 405
