"""The incident list: search in kana or kanji, filters shared by page and API, paging and exports."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import override_settings

from koban.audit.models import AuditEvent
from koban.incidents.services import intake_incident
from tests.factories import sign_in
from tests.incidents.conftest import minutes_ago
from tests.personas import LAT, LON


@pytest.fixture
def calls(cast, theft):  # type: ignore[no-untyped-def]
    def call(minutes: int, description: str, address: str = "", box_offset: float = 0.0):  # type: ignore[no-untyped-def]
        return intake_incident(
            cast.officer_a,
            category=theft,
            received_at=minutes_ago(minutes),
            lon=LON + 0.005 + box_offset,
            lat=LAT + 0.002,
            description=description,
            address=address,
        ).incident

    return call


def _ids(response) -> set[int]:  # type: ignore[no-untyped-def]
    return {i.pk for i in response.context["page"]}


def test_search_works_on_kanji_and_kana_and_page_equals_api(client, cast, calls):
    bike = calls(30, "自転車が盗まれた", "旭町1丁目")
    cafe = calls(20, "カフェで財布の置き引き", "駅前通り")
    sign_in(client, "officer_a")
    for q, expected in (
        ("自転車", {bike.pk}),
        ("かふぇ", {cafe.pk}),
        ("ｶﾌｪ", {cafe.pk}),
        ("旭町", {bike.pk}),
    ):
        page = _ids(client.get("/incidents/", {"q": q}))
        api = {f["id"] for f in client.get("/api/v1/incidents/", {"q": q}).json()["features"]}
        assert page == api == expected, q
    assert _ids(client.get("/incidents/", {"q": str(cafe.pk)})) == {cafe.pk}  # the number, as read out
    punctuation = client.get("/incidents/", {"q": "!!!"})
    assert punctuation.status_code == 200 and _ids(punctuation) == set()
    bad = client.get("/api/v1/incidents/", {"status": "lost", "box": "one"})
    assert bad.status_code == 400 and set(bad.json()) == {"status", "box"}


def test_the_list_is_paged_and_filters_survive_paging(client, cast, calls):
    for i in range(55):
        calls(60 + i, f"騒音 {i}")
    sign_in(client, "officer_a")
    first = client.get("/incidents/", {"q": "騒音"})
    assert len(first.context["page"]) == 50 and first.context["page"].paginator.count == 55
    assert "q=%E9%A8%92%E9%9F%B3&amp;page=2" in first.content.decode()
    assert len(client.get("/incidents/", {"q": "騒音", "page": 2}).context["page"]) == 5


def test_the_export_follows_the_filters_and_its_descriptions_are_audited(client, cast, calls):
    bike = calls(30, "自転車が盗まれた 090-1111-2222", "旭町1丁目")
    calls(20, "カフェで財布の置き引き")
    sign_in(client, "officer_a")
    response = client.get("/incidents/export/", {"q": "自転車", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [int(row[0]) for row in rows[1:]] == [bike.pk] and "090-1111-2222" in rows[1][-1]
    read = AuditEvent.objects.filter(action="incidents.incident.read", actor=cast.officer_a).latest("at")
    assert read.after["ids"] == [str(bike.pk)] and read.after["fields"] == ["description"]
    assert client.get("/incidents/export/", {"format": "xlsx"})["Content-Type"].endswith("sheet")
    # Another box's officer exports none of box A's incidents.
    sign_in(client, "officer_b")
    other = client.get("/incidents/export/", {"format": "csv"}).content.decode("utf-8-sig")
    assert "自転車" not in other


@override_settings(KOBAN_EXPORT_MAX_ROWS=1)
def test_an_incident_export_over_the_limit_goes_back_to_the_list(client, cast, calls):
    calls(30, "a")
    calls(20, "b")
    sign_in(client, "officer_a")
    response = client.get("/incidents/export/", {"format": "csv", "status": "open"})
    assert response.status_code == 302 and response["Location"] == "/incidents/?status=open"
