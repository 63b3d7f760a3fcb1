"""Links between a counter matter, an incident and a found item: both pages show them, to those who may read."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from koban.attachments.links import link_records, links_shown, unlink_records
from koban.attachments.models import RecordLink
from koban.audit.models import AuditEvent
from koban.counter.models import CounterCategory
from koban.counter.services import record_matter
from koban.incidents.models import IncidentCategory
from koban.incidents.services import intake_incident
from tests.factories import sign_in
from tests.incidents.conftest import minutes_ago
from tests.lostfound.helpers import receive
from tests.personas import LAT, LON


@pytest.fixture
def records(cast):  # type: ignore[no-untyped-def]
    theft = IncidentCategory.objects.get(code="theft")
    incident = intake_incident(
        cast.officer_a, category=theft, received_at=minutes_ago(30), lon=LON + 0.005, lat=LAT + 0.005
    ).incident
    matter, _created = record_matter(
        cast.counsellor_a,
        cast.box_a,
        received_at=minutes_ago(40),
        category=CounterCategory.objects.get(code="directions"),
        summary="財布をなくした",
    )
    item = receive(cast.officer_a, cast.box_a)
    return incident, matter, item


def test_a_link_shows_on_both_sides_and_is_audited(cast, records):  # type: ignore[no-untyped-def]
    incident, matter, item = records
    link_records(cast.officer_a, incident, "item", item.pk)
    link_records(cast.officer_a, matter, "incident", incident.pk)
    assert [s.title for s in links_shown(cast.officer_a, incident)] == [
        f"Found item {item.receipt_number}",
        f"Counter matter {matter.received_at:%Y-%m-%d %H:%M}",
    ]
    assert [s.url for s in links_shown(cast.officer_a, item)] == [f"/incidents/{incident.pk}/"]
    assert AuditEvent.objects.filter(action="record_link.add").count() == 2


def test_the_same_pair_is_linked_once_in_either_direction(cast, records):  # type: ignore[no-untyped-def]
    incident, _matter, item = records
    link_records(cast.officer_a, incident, "item", item.pk)
    with pytest.raises(ValidationError) as error:
        link_records(cast.officer_a, item, "incident", incident.pk)
    assert "other_id" in error.value.message_dict
    assert RecordLink.objects.count() == 1


def test_linking_to_a_record_one_may_not_read_answers_404(cast, records):  # type: ignore[no-untyped-def]
    incident, _matter, item = records
    with pytest.raises(PermissionDenied):
        link_records(cast.officer_b, item, "incident", incident.pk)  # reads B's station items, works at B
    with pytest.raises(Http404):
        link_records(cast.officer_a, incident, "item", 999999)


def test_a_reader_sees_only_the_links_whose_other_side_they_may_read(client, cast, records):  # type: ignore[no-untyped-def]
    incident, _matter, item = records
    link_records(cast.officer_a, incident, "item", item.pk)
    # Box B's officer reads box A's found item (station-wide) but not box A's incident.
    assert links_shown(cast.officer_b, item) == []
    sign_in(client, "officer_a")
    page = client.get(f"/lost-found/items/{item.pk}/").content.decode()
    assert f'href="/incidents/{incident.pk}/"' in page
    sign_in(client, "officer_b")
    page = client.get(f"/lost-found/items/{item.pk}/").content.decode()
    assert f'href="/incidents/{incident.pk}/"' not in page


def test_pages_link_and_unlink(client, cast, records):  # type: ignore[no-untyped-def]
    incident, matter, _item = records
    sign_in(client, "officer_a")
    client.post(
        f"/attachments/links/incident/{incident.pk}/", {"other": "matter", "other_id": str(matter.pk)}
    )
    link = RecordLink.objects.get()
    assert (
        f'href="/incidents/{incident.pk}/"'
        in client.get(f"/counter/matters/{matter.pk}/edit/").content.decode()
    )
    response = client.post(
        f"/attachments/links/incident/{incident.pk}/", {"other": "matter", "other_id": "abc"}, follow=True
    )
    assert "Give the number of the record to link." in response.content.decode()
    client.post(f"/attachments/links/incident/{incident.pk}/remove/{link.pk}/")
    assert not RecordLink.objects.exists()
    assert AuditEvent.objects.filter(action="record_link.delete").count() == 1


def test_unlinking_needs_work_on_the_record(cast, records):  # type: ignore[no-untyped-def]
    incident, _matter, item = records
    link = link_records(cast.officer_a, incident, "item", item.pk)
    with pytest.raises(PermissionDenied):
        unlink_records(cast.officer_b, item, link)
