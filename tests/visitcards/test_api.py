"""The visit card API: same access, consent and version rules as the pages; lists without contents."""

from __future__ import annotations

from django.test import Client

from koban.visitcards.models import VisitCard
from tests.factories import bearer, make_api_token
from tests.personas import Cast
from tests.visitcards.conftest import CONTACT_PHONE, MEMBER


def _api(user, scope: str = "write") -> tuple[Client, dict[str, str]]:  # type: ignore[no-untyped-def]
    return Client(), bearer(make_api_token(user, scope))


BODY = {
    "card_type": "household",
    "language": "ko",
    "contents": {
        "members": [{"name": MEMBER, "reading": "やまだ はなこ", "needs_help": True}],
        "contacts": [],
    },
}


def test_create_needs_consent_then_reads_back(cast: Cast, household_a) -> None:  # type: ignore[no-untyped-def]
    client, auth = _api(cast.officer_a)
    refused = client.post(
        "/api/v1/visit-cards/",
        {**BODY, "household": household_a.pk, "consent_scopes": ["disaster"]},
        content_type="application/json",
        **auth,
    )
    assert refused.status_code == 400 and "consent" in refused.json()
    made = client.post(
        "/api/v1/visit-cards/",
        {**BODY, "household": household_a.pk, "consent_scopes": ["keep"]},
        content_type="application/json",
        **auth,
    )
    assert made.status_code == 201
    card = made.json()
    assert card["contents"]["members"][0]["name"] == MEMBER and card["language"] == "ko"
    listing = client.get("/api/v1/visit-cards/", **auth)
    assert listing.status_code == 200 and MEMBER not in listing.content.decode()
    found = client.post(
        "/api/v1/visit-cards/search/", {"name": "ヤマダ"}, content_type="application/json", **auth
    )
    assert [row["id"] for row in found.json()] == [card["id"]]


def test_stale_update_answers_409(cast: Cast, card_a: VisitCard) -> None:
    client, auth = _api(cast.officer_a)
    url = f"/api/v1/visit-cards/{card_a.pk}/"
    first = client.put(url, {**BODY, "version": 1}, content_type="application/json", **auth)
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client.put(url, {**BODY, "version": 1}, content_type="application/json", **auth)
    assert stale.status_code == 409 and "changed by someone else" in stale.json()["detail"]


def test_bad_contents_name_the_field(cast: Cast, card_a: VisitCard) -> None:
    client, auth = _api(cast.officer_a)
    body = {**BODY, "version": 1, "contents": {"members": [{"name": "x", "birth_date": "2999-01-01"}]}}
    response = client.put(f"/api/v1/visit-cards/{card_a.pk}/", body, content_type="application/json", **auth)
    assert response.status_code == 400 and "members[0].birth_date" in response.content.decode()


def test_other_box_gets_404_and_read_only_tokens_cannot_write(cast: Cast, card_a: VisitCard) -> None:
    client, auth = _api(cast.officer_b)
    assert client.get(f"/api/v1/visit-cards/{card_a.pk}/", **auth).status_code == 404
    client, auth = _api(cast.officer_a, "read")
    assert (
        client.get(f"/api/v1/visit-cards/{card_a.pk}/", **auth).json()["contents"]["contacts"][0]["phone"]
        == CONTACT_PHONE
    )
    assert client.post(f"/api/v1/visit-cards/{card_a.pk}/withdraw/", **auth).status_code == 404  # read-only
    card_a.refresh_from_db()
    assert card_a.has_contents
