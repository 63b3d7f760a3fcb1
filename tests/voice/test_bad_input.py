"""Bad input to the public form, the officers' forms and every Open311 resource: a clear answer, never a 500.

The Open311 views are not in the OpenAPI schema (they are not DRF), so the API fuzz test does not reach
them; this sweep sends the inputs that broke other endpoints (NUL bytes, huge numbers, absurd coordinates,
malformed ids and dates) to each of them and checks the answer is in the standard's error format.
"""

from __future__ import annotations

import json

import pytest
from defusedxml import ElementTree as SafeXml

from koban.voice.models import Action, Request
from tests.factories import make_api_token, sign_in
from tests.voice.helpers import IN_A, category, file_request

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
JUNK = ["\x00", "1e400", "-1", "9" * 40, "nan", "<x>&", "２０２６", " ", "%00", "a,b,,c"]
GETS = [
    "discovery.{fmt}",
    "services.{fmt}",
    "services/{junk}.{fmt}",
    "requests.{fmt}?service_request_id={junk}",
    "requests.{fmt}?service_code={junk}&status={junk}",
    "requests.{fmt}?start_date={junk}&end_date={junk}",
    "requests.{fmt}?jurisdiction_id={junk}",
    "requests/{junk}.{fmt}",
    "tokens/{junk}.{fmt}",
]


def _standard(answer, fmt: str) -> None:  # type: ignore[no-untyped-def]
    assert answer.status_code < 500, answer.content[:300]
    if fmt == "json":
        json.loads(answer.content)
    else:
        SafeXml.fromstring(answer.content)


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize("template", GETS)
def test_junk_in_every_open311_read_never_fails(client, cast, fmt, template):  # type: ignore[no-untyped-def]
    from urllib.parse import quote

    file_request()
    for junk in JUNK:
        answer = client.get(f"{BASE}/" + template.format(fmt=fmt, junk=quote(junk, safe="")))
        _standard(answer, fmt)


@pytest.mark.parametrize(
    "field",
    [
        "service_code",
        "lat",
        "long",
        "description",
        "email",
        "first_name",
        "phone",
        "media_url",
        "address_string",
        "jurisdiction_id",
        "attribute[time_of_day]",
        "attribute[time_of_day][]",
        "attribute[]",
    ],
)
def test_junk_in_every_open311_post_field_is_refused_in_the_standard_format_or_stored_as_text(
    client, cast, field
):  # type: ignore[no-untyped-def]
    key = make_api_token(cast.officer_a)
    for junk in JUNK:
        form = {
            "api_key": key,
            "service_code": "dark_street",
            "lat": str(IN_A.y),
            "long": str(IN_A.x),
            "description": "Lamp out",
            field: junk,
        }
        before = Request.objects.count()
        answer = client.post(f"{BASE}/requests.json", form)
        _standard(answer, "json")
        if answer.status_code != 200:  # refused: said why, in the standard's format, and wrote nothing
            assert json.loads(answer.content)[0]["code"] == answer.status_code
            assert Request.objects.count() == before


def test_a_json_body_or_a_body_without_fields_is_answered_in_the_standard_format(client, cast):  # type: ignore[no-untyped-def]
    for body, kind in (("{not json", "application/json"), ("\x00" * 10, "application/x-www-form-urlencoded")):
        answer = client.post(f"{BASE}/requests.xml", body, content_type=kind)
        assert answer.status_code in (400, 403) and SafeXml.fromstring(answer.content).tag == "errors"
    assert client.put(f"{BASE}/requests.json").status_code == 405


@pytest.mark.parametrize(
    "changes",
    [
        {"description": "a\x00b"},
        {"lon": "1e300", "lat": "1e300"},
        {"lon": "nan"},
        {"category": "99999999999999999999"},
        {"category": "dark_street"},
        {"reporter_email": "x" * 300 + "@example.jp"},
        {"occurred_at": "99999-01-01T00:00"},
        {"address": "x" * 301},
    ],
)
def test_junk_on_the_public_form_is_a_field_error(client, cast, changes):  # type: ignore[no-untyped-def]
    form = {"category": category().pk, "description": "Dark corner", "lon": IN_A.x, "lat": IN_A.y}
    form.update(changes)
    answer = client.post("/voice/new/", form)
    assert answer.status_code == 400 and 'class="error"' in answer.text
    assert not Request.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"geom": '{"type": "LineString", "coordinates": [[1e300, 0], [0, 0]]}'},
        {"geom": '{"type": "Point", "coordinates": [139.7, 35.6]}'},
        {"geom": "not json"},
        {"geom": '{"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}'},
        {"due_on": "9999-12-31"},
        {"weeks": "99999999999999999999"},
        {"kind": "party"},
        {"owner": "99999999999"},
    ],
)
def test_junk_on_the_action_form_is_a_field_error(client, cast, changes):  # type: ignore[no-untyped-def]
    request = file_request()
    sign_in(client, "officer_a")
    form = {"kind": "patrol_focus", "title": "Evening patrols", "due_on": "2026-07-01", "weeks": "2"}
    form.update(changes)
    answer = client.post(f"/voice/requests/{request.pk}/action/", form)
    assert answer.status_code == 400 and 'class="error"' in answer.text
    assert not Action.objects.exists()


def test_unknown_and_non_numeric_ids_are_404_on_the_officer_pages(client, cast):  # type: ignore[no-untyped-def]
    sign_in(client, "officer_a")
    for url in (
        "/voice/requests/99999999/",
        "/voice/actions/99999999/",
        "/voice/r/not-a-token/",
        "/voice/r/00000000-0000-0000-0000-000000000000/",
    ):
        assert client.get(url).status_code == 404
    assert client.get("/voice/outcomes/", {"box": "9" * 30}).status_code == 200
    assert client.get("/voice/", {"status": "\x00"}).status_code == 400
