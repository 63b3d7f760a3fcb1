"""Open311 GeoReport v2, checked against the examples of the specification.

The examples come from ``../shared/data/open311-georeport-v2/spec-examples`` (tests skip when absent).
Three official JSON examples are not valid JSON (numbers with leading zeros such as ``001``): the test
reads them with a lenient reader here, while our server must and does emit strict JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from xml.etree.ElementTree import Element

import pytest
from defusedxml import ElementTree as SafeXml
from django.contrib.gis.geos import Point

from koban.audit.models import AuditEvent
from koban.voice import services
from koban.voice.models import Moderation, Request, Status
from tests.clock import local_today, now
from tests.factories import make_api_token
from tests.shared_data import shared_path
from tests.voice.helpers import IN_A, IN_B, OUTSIDE, file_request

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


def example(name: str) -> str:
    return shared_path("open311-georeport-v2", "spec-examples", name).read_text(encoding="utf-8")


def lenient_json(text: str) -> object:
    """Read an official example: its bare numbers with leading zeros (``001``) become strings."""
    return json.loads(re.sub(r"(:\s*)(0\d+)(\s*[,\n}])", r'\1"\2"\3', text))


def xml_body(text: str) -> Element:
    """The XML of an example (error examples start with their HTTP status line)."""
    return SafeXml.fromstring(text[text.index("<?xml") :].encode("utf-8"))


def names(element: Element) -> set[str]:
    return {child.tag for child in element.iter()}


def post_form(**overrides: str) -> dict[str, str]:
    """The spec's example post (05), moved to a place and a service of ours."""
    form = dict(
        re.findall(
            r"([^&=]+)=([^&]*)", example("05_POST_Service_Request_Example_Request.txt").splitlines()[-1]
        )
    )
    from urllib.parse import unquote_plus

    form = {unquote_plus(k): unquote_plus(v) for k, v in form.items()}
    form.update(
        {
            "service_code": "dark_street",
            "lat": str(IN_A.y),
            "long": str(IN_A.x),
            "jurisdiction_id": "T1",
            "phone": "0311112222",
        }
    )
    form.pop("attribute[WHISPAWN]")
    form.pop("attribute[WHISDORN]")
    form.update(overrides)
    return form


def test_three_official_json_examples_are_not_strict_json_but_the_xml_ones_are_well_formed() -> None:
    for name in (
        "02_GET_Service_List_Example_Response.json",
        "11_GET_Service_Requests_Example_Response.json",
    ):
        with pytest.raises(json.JSONDecodeError):
            json.loads(example(name))
        assert isinstance(lenient_json(example(name)), list)
    for name in ("01_GET_Service_List_Example_Response.xml", "10_GET_Service_Requests_Example_Response.xml"):
        xml_body(example(name))


def test_services_list_matches_the_spec_examples_in_both_formats(client, cast):  # type: ignore[no-untyped-def]
    answer = client.get(f"{BASE}/services.json")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/json")
    listed = json.loads(answer.content)
    spec = lenient_json(example("02_GET_Service_List_Example_Response.json"))
    assert {s["service_code"] for s in listed} >= {"dark_street", "suspicious_person"}
    assert all(set(s) == set(spec[0]) for s in listed)  # type: ignore[index]
    xml = client.get(f"{BASE}/services.xml")
    assert xml["Content-Type"].startswith("text/xml")
    assert names(SafeXml.fromstring(xml.content)) == names(
        xml_body(example("01_GET_Service_List_Example_Response.xml"))
    )


def test_a_service_definition_lists_its_attributes_like_the_spec(client, cast):  # type: ignore[no-untyped-def]
    definition = json.loads(client.get(f"{BASE}/services/dark_street.json").content)
    spec = json.loads(example("04_GET_Service_Definition_Example_Response.json"))
    assert set(definition) == set(spec)
    assert set(definition["attributes"][0]) == set(spec["attributes"][0])
    assert {v["key"] for v in definition["attributes"][0]["values"]} == {
        "morning",
        "daytime",
        "evening",
        "night",
    }
    xml = SafeXml.fromstring(client.get(f"{BASE}/services/dark_street.xml").content)
    assert names(xml) == names(xml_body(example("03_GET_Service_Definition_Example_Response.xml")))
    missing = client.get(f"{BASE}/services/nothing.json")
    assert missing.status_code == 404 and json.loads(missing.content)[0]["code"] == 404


def test_posting_the_spec_example_files_a_request_and_answers_like_the_spec(client, cast):  # type: ignore[no-untyped-def]
    form = post_form(api_key=make_api_token(cast.officer_a), **{"attribute[time_of_day]": "night"})
    answer = client.post(f"{BASE}/requests.json", form)
    assert answer.status_code == 200, answer.content
    created = json.loads(answer.content)
    assert set(created[0]) >= set(json.loads(example("07_POST_Service_Request_Example_Response.json"))[0])
    request = Request.objects.get(pk=int(created[0]["service_request_id"]))
    assert (
        request.source == "open311"
        and request.box == cast.box_a
        and request.attributes == {"time_of_day": "night"}
    )
    assert (request.reporter_name, request.reporter_email) == ("john smith", "smit333@sfgov.edu")
    assert AuditEvent.objects.get(action="voice.request.submit").actor == cast.officer_a
    xml = client.post(f"{BASE}/requests.xml", post_form(api_key=make_api_token(cast.officer_a)))
    spec = names(xml_body(example("06_POST_Service_Request_Example_Response.xml")))
    assert spec <= names(SafeXml.fromstring(xml.content))
    token = client.get(f"{BASE}/tokens/{created[0]['token']}.json")
    assert json.loads(token.content) == [{"service_request_id": str(request.pk), "token": str(request.token)}]
    assert set(json.loads(token.content)[0]) == set(
        json.loads(example("09_GET_service_request_id_from_a_token_Example_Response.json"))[0]
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("key", [None, "koban_wrong", "x" * 500])
def test_a_missing_or_wrong_api_key_is_a_403_in_the_standard_error_format(client, cast, fmt, key):  # type: ignore[no-untyped-def]
    form = post_form() if key is None else post_form(api_key=key)
    answer = client.post(f"{BASE}/requests.{fmt}", form)
    assert answer.status_code == 403
    if fmt == "json":
        body = json.loads(answer.content)
        assert set(body[0]) == set(
            json.loads(example("15_Errors_Example_Response.txt").split("\n\n", 1)[1])[0]
        )
        assert body[0]["code"] == 403 and "api_key" in body[0]["description"]
    else:
        assert names(SafeXml.fromstring(answer.content)) == names(
            xml_body(example("14_Errors_Example_Response.txt"))
        )
    assert not Request.objects.exists()


def test_a_key_files_for_residents_anywhere_whoever_owns_it(client, cast):  # type: ignore[no-untyped-def]
    answer = client.post(f"{BASE}/requests.json", post_form(api_key=make_api_token(cast.officer_b)))
    assert answer.status_code == 200 and Request.objects.get().box == cast.box_a


def test_a_read_only_token_cannot_file_requests(client, cast):  # type: ignore[no-untyped-def]
    answer = client.post(
        f"{BASE}/requests.json", post_form(api_key=make_api_token(cast.officer_a, scope="read"))
    )
    assert answer.status_code == 403


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"lat": str(OUTSIDE.y), "long": str(OUTSIDE.x)}, "Minato Koban"),
        ({"lat": "", "long": ""}, "lat, long"),
        ({"lat": "1e400", "long": "139.7"}, "lat:"),
        ({"service_code": "no_such"}, "service_code"),
        ({"description": "x" * 4001}, "description"),
        ({"description": "a\x00b"}, "description"),
        ({"email": "not-an-address"}, "email"),
        ({"attribute[time_of_day]": "lunchtime"}, "attribute[time_of_day]"),
        ({"jurisdiction_id": "nowhere"}, "jurisdiction_id"),
    ],
)
def test_bad_posts_answer_400_or_404_naming_the_parameter(client, cast, overrides, expected):  # type: ignore[no-untyped-def]
    answer = client.post(
        f"{BASE}/requests.json", post_form(api_key=make_api_token(cast.officer_a), **overrides)
    )
    assert answer.status_code in (400, 404)
    assert any(expected in e["description"] for e in json.loads(answer.content))
    assert not Request.objects.exists()


def test_an_oversized_post_is_refused_before_it_is_read(client, cast):  # type: ignore[no-untyped-def]
    form = post_form(api_key=make_api_token(cast.officer_a), description="x" * 100_000)
    answer = client.post(f"{BASE}/requests.xml", form)
    assert answer.status_code == 413 and SafeXml.fromstring(answer.content).tag == "errors"


def _requests(client, **params):  # type: ignore[no-untyped-def]
    answer = client.get(f"{BASE}/requests.json", params)
    assert answer.status_code == 200, answer.content
    return json.loads(answer.content)


def test_get_requests_shows_the_public_view_with_the_spec_fields(client, cast):  # type: ignore[no-untyped-def]
    shown = file_request(reporter=services.Reporter(name="Hidden Name", email="h@example.jp"))
    services.create_action(
        cast.officer_a, [shown], kind="visit", title="Visit", due_on=local_today() + dt.timedelta(days=5)
    )
    sensitive = file_request(IN_B, code="suspicious_person", address="2-3 Minami, the blue house")
    listed = _requests(client)
    spec = lenient_json(example("11_GET_Service_Requests_Example_Response.json"))
    assert all(set(r) == set(spec[0]) for r in listed)  # type: ignore[index]
    by_id = {r["service_request_id"]: r for r in listed}
    first, second = by_id[str(shown.pk)], by_id[str(sensitive.pk)]
    assert first["status"] == "open" and first["agency_responsible"] == "Ekimae Koban"
    assert first["expected_datetime"].startswith((local_today() + dt.timedelta(days=5)).isoformat())
    assert first["description"] is None  # not moderated yet
    assert "Hidden Name" not in json.dumps(listed) and "h@example.jp" not in json.dumps(listed)
    assert second["address"] is None and (second["lat"], second["long"]) != (
        round(IN_B.y, 6),
        round(IN_B.x, 6),
    )
    xml = SafeXml.fromstring(client.get(f"{BASE}/requests.xml").content)
    assert names(xml) == names(xml_body(example("10_GET_Service_Requests_Example_Response.xml")))


def test_a_request_followed_to_done_reads_closed_with_its_notes(client, cast):  # type: ignore[no-untyped-def]
    request = file_request(description="<b>Lamp</b> out")
    services.moderate(cast.officer_a, request, Moderation.APPROVED)
    services.change_status(cast.officer_a, request, Status.DONE, note="Lamp replaced by the city")
    one = json.loads(client.get(f"{BASE}/requests/{request.pk}.json").content)
    assert (
        len(one) == 1
        and one[0]["status"] == "closed"
        and one[0]["status_notes"] == "Lamp replaced by the city"
    )
    assert one[0]["description"] == "<b>Lamp</b> out" and one[0]["expected_datetime"] is None
    xml = client.get(f"{BASE}/requests/{request.pk}.xml").content
    assert b"&lt;b&gt;Lamp&lt;/b&gt;" in xml
    assert names(SafeXml.fromstring(xml)) == names(
        xml_body(example("12_GET_Service_Request_Example_Response.xml"))
    )
    assert client.get(f"{BASE}/requests/999999.json").status_code == 404


def test_get_requests_filters_like_the_spec(client, cast, time_machine):  # type: ignore[no-untyped-def]
    old = file_request()
    time_machine.move_to(now() + dt.timedelta(days=100))
    lamp = file_request()
    speeding = file_request(IN_B, code="speeding")
    services.change_status(cast.officer_b, speeding, Status.WILL_NOT_ACT, reason="Not a police matter")
    ids = lambda rows: {int(r["service_request_id"]) for r in rows}  # noqa: E731
    assert ids(_requests(client)) == {lamp.pk, speeding.pk}  # the last 90 days by default
    assert ids(_requests(client, status="closed")) == {speeding.pk}
    assert ids(_requests(client, status="open,closed", service_code="dark_street")) == {lamp.pk}
    assert ids(_requests(client, service_request_id=f"{old.pk},{speeding.pk}")) == {old.pk, speeding.pk}
    start = (old.requested_at - dt.timedelta(days=1)).isoformat()
    assert ids(_requests(client, start_date=start)) == {old.pk}
    assert ids(_requests(client, jurisdiction_id="T1")) == {lamp.pk, speeding.pk}


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "yesterday"},
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
        {"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
        {"end_date": "0001-01-01T00:00:00+14:00"},
        {"status": "pending"},
        {"service_request_id": "1,abc"},
        {"service_code": "a\x00"},
    ],
)
def test_bad_filters_are_400_in_the_standard_format(client, cast, params):  # type: ignore[no-untyped-def]
    answer = client.get(f"{BASE}/requests.xml", params)
    assert answer.status_code == 400
    assert SafeXml.fromstring(answer.content).find("error/code").text == "400"  # type: ignore[union-attr]


def test_discovery_and_unknown_resources(client, cast):  # type: ignore[no-untyped-def]
    discovery = json.loads(client.get(f"{BASE}/discovery.json").content)
    assert discovery["endpoints"][0]["url"].endswith("/open311/v2")
    assert (
        SafeXml.fromstring(client.get(f"{BASE}/discovery.xml").content).find(
            "endpoints/endpoint/formats/format"
        )
        is not None
    )
    for path in ("services.html", "requests/abc.json", "tokens/not-a-token.json", "nothing"):
        answer = client.get(f"{BASE}/{path}")
        assert answer.status_code == 404, path


def test_the_get_limit_is_1000_rows(client, cast):  # type: ignore[no-untyped-def]
    from koban.voice.open311_views import MAX_ROWS

    assert MAX_ROWS == 1000
    base = file_request()
    Request.objects.bulk_create(
        [
            Request(
                agency=base.agency,
                box=base.box,
                point=Point(IN_A.x, IN_A.y, srid=4326),
                category=base.category,
                description="x",
                source="public",
                requested_at=base.requested_at,
                updated_at=base.updated_at,
            )
            for _ in range(1000)
        ]
    )
    assert len(_requests(client)) == 1000
