"""The inputs that once reached a server error now get a clear 400 (or 404), naming the field.

Each case is one of those reported by the walkthrough of the demo (numbers too large for the column, a NUL
byte in text, a non-numeric id in a URL, a time-zone offset PostgreSQL cannot hold), plus their neighbours.
"""

from __future__ import annotations

import pytest

from koban.counter.models import CounterMatter
from koban.incidents.models import Incident
from koban.lostfound.models import FoundItem, LossReport
from tests.factories import PASSWORD
from tests.lostfound.helpers import category
from tests.personas import LAT, LON

HUGE = 10**20


def login(client, username):  # type: ignore[no-untyped-def]
    assert client.login(username=username, password=PASSWORD)
    return client


def test_a_cash_amount_beyond_the_column_is_a_field_error_on_the_receipt_form(client, cast):  # type: ignore[no-untyped-def]
    response = login(client, "officer_a").post(
        "/lost-found/items/new/",
        {
            "box": cast.box_a.pk,
            "category": category("wallet").pk,
            "description": "財布",
            "found_at": "2026-01-10T10:00",
            "found_place": "駅",
            "handed_in_at": "2026-01-10T11:00",
            "cash_amount": str(HUGE),
        },
    )
    assert response.status_code == 200
    assert 'id="error-cash_amount"' in response.text and "less than or equal to" in response.text
    assert not FoundItem.objects.exists()


@pytest.mark.parametrize(
    "url", ["/api/v1/shift-plans/", "/api/v1/lost-found/items/", "/api/v1/counter-matters/"]
)
@pytest.mark.parametrize("param", ["limit", "offset"])
def test_a_page_parameter_beyond_the_database_is_a_400(client, cast, url, param):  # type: ignore[no-untyped-def]
    response = login(client, "planner").get(url, {param: str(HUGE)})
    assert response.status_code == 400
    assert param in response.json()


def test_a_page_number_beyond_the_database_is_a_400_on_geojson_lists(client, cast):  # type: ignore[no-untyped-def]
    response = login(client, "planner").get("/api/v1/boxes/", {"page_size": str(HUGE)})
    assert response.status_code == 400 and "page_size" in response.json()


NUL_BODIES = {
    "/api/v1/lost-found/reports/": lambda cast: {
        "box": cast.box_a.pk,
        "category": "wal\x00let",
        "description": "財布",
        "owner_name": "山田",
        "owner_contact": "090",
        "lost_from": "2026-01-10T09:00:00+09:00",
        "lost_to": "2026-01-10T10:00:00+09:00",
    },
    "/api/v1/lost-found/items/": lambda cast: {
        "box": cast.box_a.pk,
        "category": "wal\x00let",
        "description": "財布",
        "found_at": "2026-01-10T09:00:00+09:00",
        "found_place": "駅",
        "handed_in_at": "2026-01-10T10:00:00+09:00",
    },
    "/api/v1/counter-matters/": lambda cast: {
        "box": cast.box_a.pk,
        "category": "direc\x00tions",
        "channel": "walk_in",
        "received_at": "2026-01-10T09:00:00+09:00",
        "summary": "道案内",
        "outcome": "resolved",
    },
    "/api/v1/incidents/": lambda cast: {"category": "th\x00eft", "lat": LAT + 0.005, "lon": LON + 0.005},
}


@pytest.mark.parametrize("url", list(NUL_BODIES))
def test_a_nul_byte_in_a_text_field_is_a_400_naming_the_field(client, cast, url):  # type: ignore[no-untyped-def]
    response = login(client, "officer_a").post(url, NUL_BODIES[url](cast), content_type="application/json")
    assert response.status_code == 400
    assert "control characters" in " ".join(response.json()["category"]).lower()
    assert not (
        Incident.objects.exists()
        or CounterMatter.objects.exists()
        or FoundItem.objects.exists()
        or LossReport.objects.exists()
    )


def test_a_nul_byte_in_a_form_post_is_a_field_error(client, cast):  # type: ignore[no-untyped-def]
    response = login(client, "officer_a").post(
        "/lost-found/items/new/", {"box": cast.box_a.pk, "description": "a\x00b"}
    )
    assert response.status_code == 200 and 'id="error-description"' in response.text


def test_a_nul_byte_in_a_query_parameter_is_a_400(client, cast):  # type: ignore[no-untyped-def]
    login(client, "planner")
    assert client.get("/api/v1/counter-matters/", {"category": "a\x00"}).status_code == 400
    assert client.get("/incidents/", {"category": "a\x00"}).status_code == 400


@pytest.mark.parametrize("verb", ["arrive", "cancel", "clear", "note", "dispatch"])
@pytest.mark.parametrize("pk", ["null,null", "false", "true", "1e3", str(HUGE)])
def test_a_non_numeric_id_in_an_incident_action_is_a_404(client, cast, verb, pk):  # type: ignore[no-untyped-def]
    response = login(client, "officer_a").post(
        f"/api/v1/incidents/{pk}/{verb}/", {}, content_type="application/json"
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("since", "message"),
    [
        ("0108-11-16T20:06:38.25-21:55", "offset"),
        ("2026-01-10T09:00:00+15:30", "offset"),
        ("1800-01-01T00:00:00+09:00", "year"),
        ("yesterday", "ISO 8601"),
        ("2026-01-10T09:00:00", "offset"),
    ],
)
def test_a_time_the_database_cannot_hold_is_a_400_naming_the_parameter(client, cast, since, message):  # type: ignore[no-untyped-def]
    response = login(client, "planner").get("/api/v1/counter-matters/", {"since": since})
    assert response.status_code == 400
    assert message in " ".join(response.json()["since"])


def test_a_found_time_before_1900_is_refused_instead_of_emitted_with_local_mean_time(client, cast):  # type: ignore[no-untyped-def]
    body = NUL_BODIES["/api/v1/lost-found/items/"](cast) | {
        "category": "wallet",
        "found_at": "1800-01-01T00:00",
    }
    response = login(client, "officer_a").post(
        "/api/v1/lost-found/items/", body, content_type="application/json"
    )
    assert response.status_code == 400 and "found_at" in response.json()


def test_errors_answer_in_the_request_language(client, cast):  # type: ignore[no-untyped-def]
    login(client, "planner")
    response = client.get("/api/v1/counter-matters/", {"limit": "many"}, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 400
    assert "整数" in response.json()["limit"][0]
    service_error = login(client, "officer_a").post(
        "/api/v1/incidents/",
        {"category": "theft", "lat": None, "lon": None},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert service_error.status_code == 400
    assert all(not message.isascii() for message in service_error.json()["location"])


def test_text_longer_than_its_column_is_a_400_naming_the_field(client, cast):  # type: ignore[no-untyped-def]
    body = NUL_BODIES["/api/v1/lost-found/items/"](cast) | {"category": "wallet", "finder_name": "田" * 201}
    response = login(client, "officer_a").post(
        "/api/v1/lost-found/items/", body, content_type="application/json"
    )
    assert response.status_code == 400 and "finder_name" in response.json()
    assert not FoundItem.objects.exists()
