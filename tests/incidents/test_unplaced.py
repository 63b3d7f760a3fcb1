"""An address-only incident whose address matches no town is flagged, listed and cleared once placed."""

from __future__ import annotations

from koban.incidents.models import Incident
from koban.incidents.services import correct_incident, intake_incident
from tests.factories import sign_in
from tests.incidents.conftest import minutes_ago
from tests.personas import LAT, LON


def test_an_address_that_cannot_be_placed_is_flagged(cast, theft):  # type: ignore[no-untyped-def]
    incident = intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(3), address="どこか知らない町1-2"
    ).incident
    assert incident.address_unplaced and incident.location is None
    placed = intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(3), lon=LON + 0.005, lat=LAT + 0.005
    ).incident
    assert not placed.address_unplaced
    assert list(Incident.objects.unplaced()) == [incident]


def test_the_flag_shows_on_the_page_and_the_list_and_filters_it(client, cast, theft):  # type: ignore[no-untyped-def]
    lost = intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(3), address="不明1"
    ).incident
    intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(3), lon=LON + 0.005, lat=LAT + 0.005
    )
    sign_in(client, "officer_a")
    assert 'data-testid="address-unplaced"' in client.get(f"/incidents/{lost.pk}/").content.decode()
    listed = client.get("/incidents/?unplaced=1").context["page"].object_list
    assert [i.pk for i in listed] == [lost.pk]
    api = client.get("/api/v1/incidents/?unplaced=true").json()["features"]
    assert [f["id"] for f in api] == [lost.pk] and api[0]["properties"]["address_unplaced"]


def test_placing_it_on_the_map_clears_the_flag(cast, theft):  # type: ignore[no-untyped-def]
    incident = intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(3), address="不明1"
    ).incident
    correct_incident(cast.officer_a, incident, lon=LON + 0.005, lat=LAT + 0.005)
    incident.refresh_from_db()
    assert not incident.address_unplaced and incident.box == cast.box_a
