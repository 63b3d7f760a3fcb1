"""The disaster safety check: households needing help in a drawn area, contacts only for their officers."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from koban.audit.models import AuditEvent
from koban.visitcards.disaster import parse_area
from koban.visitcards.models import DisasterCheck, SafetyCheck
from koban.visitcards.services import CardInput, create_card
from tests.personas import LAT, LON, Cast
from tests.visitcards.conftest import CONTACT_PHONE, MEMBER, contents, make_household

# Covers beats A and B (box A and box B of station North).
AREA = {
    "type": "Polygon",
    "coordinates": [[[LON, LAT], [LON + 0.02, LAT], [LON + 0.02, LAT + 0.01], [LON, LAT + 0.01], [LON, LAT]]],
}


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "bad",
    [
        "not json",
        json.dumps({"type": "Point", "coordinates": [139.7, 35.6]}),
        json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}),
        json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [500, 0], [0, 1], [0, 0]]]}),
        json.dumps({"type": "Polygon", "coordinates": [[[130, 30], [140, 30], [140, 40], [130, 30]]]}),
    ],
)
def test_bad_areas_are_refused_naming_the_field(bad: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_area(bad)
    assert "area" in refused.value.message_dict


def test_disaster_check_lists_households_needing_help(cast: Cast, card_a) -> None:  # type: ignore[no-untyped-def]
    # Box A: one more card without anyone needing help, one that did not agree to disaster checks.
    calm = make_household(cast, address="本町1-9", dx=0.004)
    create_card(
        cast.officer_a,
        calm,
        CardInput("household", "ja", contents("佐藤 一", needs_help=False)),
        consent_scopes=["keep", "disaster"],
    )
    private = make_household(cast, address="本町1-8", dx=0.003)
    create_card(
        cast.officer_a, private, CardInput("household", "ja", contents("鈴木 二")), consent_scopes=["keep"]
    )
    # Box B: a household needing help that box A's officer may not open.
    household_b = make_household(cast, box="b", address="山手2-1")
    create_card(
        cast.officer_b,
        household_b,
        CardInput("household", "ja", contents("田中 三")),
        consent_scopes=["keep", "disaster"],
    )

    client = _client(cast.officer_a)
    assert client.get("/visit-cards/disaster/").status_code == 200
    missing = client.post("/visit-cards/disaster/", {"title": "Flood", "area": ""})
    assert missing.status_code == 400 and "Draw the area" in missing.content.decode()
    opened = client.post(
        "/visit-cards/disaster/", {"title": "Flood of the Midori river", "area": json.dumps(AREA)}
    )
    check = DisasterCheck.objects.get()
    assert opened.status_code == 302 and check.box == cast.box_a
    page = client.get(f"/visit-cards/disaster/{check.pk}/").content.decode()
    assert MEMBER in page and CONTACT_PHONE in page
    assert "佐藤" not in page and "鈴木" not in page and "田中" not in page
    assert "Yamate Chuzaisho: 1" in page
    read = AuditEvent.objects.filter(action="visitcards.visitcard.read").last()
    assert read is not None and read.after["what"] == f"disaster check #{check.pk}"

    recorded = client.post(f"/visit-cards/disaster/{check.pk}/", {"card": card_a.pk, "status": "needs_help"})
    assert recorded.status_code == 302
    assert SafetyCheck.objects.get().status == "needs_help"
    assert AuditEvent.objects.filter(action="visitcards.safety_check").count() == 1
    assert "Needs help" in client.get(f"/visit-cards/disaster/{check.pk}/").content.decode()

    # Box B's officer follows no check of box A, and cannot record on box A's card.
    assert _client(cast.officer_b).get(f"/visit-cards/disaster/{check.pk}/").status_code == 404
    assert _client(cast.planner).get(f"/visit-cards/disaster/{check.pk}/").status_code == 404


def test_chief_sees_counts_but_no_contacts_without_a_reason(cast: Cast, card_a) -> None:  # type: ignore[no-untyped-def]
    client = _client(cast.officer_a)
    client.post("/visit-cards/disaster/", {"title": "Flood", "area": json.dumps(AREA)})
    check = DisasterCheck.objects.get()
    page = _client(cast.chief_north).get(f"/visit-cards/disaster/{check.pk}/").content.decode()
    assert MEMBER not in page and "Ekimae Koban: 1" in page
