"""Card pages: record with consent, view, edit with a stale version, withdraw, reason form, trail, export."""

from __future__ import annotations

import json

from django.test import Client

from koban.audit.models import AuditEvent
from koban.visitcards.models import VisitCard
from koban.visitcards.services import appoint_custodian
from tests.personas import Cast
from tests.visitcards.conftest import CONTACT_PHONE, MEMBER


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _form(household_id: int | None = None, consent: bool = True, **extra: str) -> dict[str, str]:
    data = {
        "card_type": "household",
        "language": "zh",
        "member_0_name": MEMBER,
        "member_0_reading": "やまだ はなこ",
        "member_0_birth_date": "1941-04-03",
        "member_0_relationship": "本人",
        "member_0_needs_help": "on",
        "contact_0_name": "山田 一郎",
        "contact_0_phone": CONTACT_PHONE,
        "notes": "車椅子",
        "scopes": ["disaster"],  # type: ignore[dict-item]
        **extra,
    }
    if household_id:
        data["household"] = str(household_id)
    if consent:
        data["consent"] = "on"
    return data


def test_officer_records_a_card_with_consent(cast: Cast, household_a) -> None:  # type: ignore[no-untyped-def]
    client = _client(cast.officer_a)
    page = client.get(f"/visit-cards/new/?household={household_a.pk}&language=zh")
    assert page.status_code == 200
    assert "家庭成员" in page.content.decode()  # the card's own labels in Chinese
    response = client.post("/visit-cards/new/", _form(household_a.pk))
    card = VisitCard.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/visit-cards/{card.pk}/"
    assert card.language == "zh" and card.has_care_needs
    assert card.consents.get().scopes == ["disaster", "keep"]
    shown = client.get(f"/visit-cards/{card.pk}/").content.decode()
    assert MEMBER in shown and CONTACT_PHONE in shown and "紧急联系人" in shown
    assert AuditEvent.objects.filter(action="visitcards.visitcard.read", object_id=str(card.pk)).count() == 1


def test_card_without_consent_is_refused_on_the_page(cast: Cast, household_a) -> None:  # type: ignore[no-untyped-def]
    response = _client(cast.officer_a).post("/visit-cards/new/", _form(household_a.pk, consent=False))
    assert response.status_code == 400
    assert "only with the household&#x27;s consent" in response.content.decode()
    assert not VisitCard.objects.exists()


def test_officer_of_another_box_gets_404_and_the_attempt_is_recorded(cast: Cast, card_a: VisitCard) -> None:
    response = _client(cast.officer_b).get(f"/visit-cards/{card_a.pk}/")
    assert response.status_code == 404
    assert MEMBER not in response.content.decode()
    denied = AuditEvent.objects.get(action="access.denied", object_id=str(card_a.pk))
    assert denied.actor == cast.officer_b and denied.object_type == "visitcards.visitcard"


def test_stale_edit_answers_409_with_a_clear_message(cast: Cast, card_a: VisitCard) -> None:
    client = _client(cast.officer_a)
    assert client.get(f"/visit-cards/{card_a.pk}/edit/").status_code == 200
    first = client.post(f"/visit-cards/{card_a.pk}/edit/", _form(version="1", notes="first"))
    assert first.status_code == 302
    second = client.post(f"/visit-cards/{card_a.pk}/edit/", _form(version="1", notes="second"))
    assert second.status_code == 409
    assert "changed by someone else" in second.content.decode()
    card_a.refresh_from_db()
    assert card_a.version == 2


def test_withdrawal_page_wipes_the_card(cast: Cast, card_a: VisitCard) -> None:
    client = _client(cast.officer_a)
    assert client.post(f"/visit-cards/{card_a.pk}/withdraw/").status_code == 302
    page = client.get(f"/visit-cards/{card_a.pk}/").content.decode()
    assert MEMBER not in page and "withdrew its consent" in page


def test_chief_is_asked_for_a_reason_then_sees_the_card_and_its_trail(cast: Cast, card_a: VisitCard) -> None:
    client = _client(cast.chief_north)
    first = client.get(f"/visit-cards/{card_a.pk}/")
    assert first.status_code == 302 and first["Location"] == f"/visit-cards/{card_a.pk}/reason/"
    assert client.post(f"/visit-cards/{card_a.pk}/reason/", {"reason": "short"}).status_code == 200
    opened = client.post(f"/visit-cards/{card_a.pk}/reason/", {"reason": "Family of a lost elderly resident"})
    assert opened.status_code == 302
    assert MEMBER in client.get(f"/visit-cards/{card_a.pk}/").content.decode()
    _client(cast.officer_b).get(f"/visit-cards/{card_a.pk}/")
    trail = client.get(f"/visit-cards/{card_a.pk}/trail/").content.decode()
    for action in ("visitcard.create", "visitcard.break_glass", "visitcards.visitcard.read", "access.denied"):
        assert action in trail
    assert MEMBER not in trail


def test_custodian_reviews_the_trail_but_an_officer_does_not(cast: Cast, card_a: VisitCard) -> None:
    assert _client(cast.officer_a).get(f"/visit-cards/{card_a.pk}/trail/").status_code == 404
    appoint_custodian(cast.chief_north, cast.box_a, cast.officer_a)
    assert _client(cast.officer_a).get(f"/visit-cards/{card_a.pk}/trail/").status_code == 200


def test_list_and_search_show_no_contents(cast: Cast, card_a: VisitCard) -> None:
    client = _client(cast.officer_a)
    listing = client.get("/visit-cards/").content.decode()
    assert card_a.household.address in listing and MEMBER not in listing
    found = client.post("/visit-cards/", {"name": "やまだ"}).content.decode()
    assert f"/visit-cards/{card_a.pk}/" in found and MEMBER not in found
    missed = client.post("/visit-cards/", {"name": "佐藤"}).content.decode()
    reads = AuditEvent.objects.filter(after__what="name search")
    assert reads.count() == 1 and "やまだ" not in str(list(reads.values_list("after", flat=True)))
    assert f"/visit-cards/{card_a.pk}/" not in missed


def test_household_export_json_and_pdf(cast: Cast, card_a: VisitCard) -> None:
    client = _client(cast.officer_a)
    response = client.get(f"/visit-cards/households/{card_a.household_id}/export.json")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["cards"][0]["members"][0]["name"] == MEMBER
    assert data["cards"][0]["consents"][0]["scopes"] == ["contact_family", "disaster", "keep"]
    pdf = client.get(f"/visit-cards/households/{card_a.household_id}/export.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="visitcard.export").count() == 2
    assert (
        _client(cast.officer_b).get(f"/visit-cards/households/{card_a.household_id}/export.json").status_code
        == 404
    )


def test_retention_page_lists_flagged_cards_for_the_chief(cast: Cast, card_a: VisitCard) -> None:
    VisitCard.objects.filter(pk=card_a.pk).update(review_flagged_at=card_a.confirmed_at)
    page = _client(cast.chief_north).get("/visit-cards/retention/").content.decode()
    assert f"#{card_a.pk}" in page
    assert f"#{card_a.pk}" not in _client(cast.officer_b).get("/visit-cards/retention/").content.decode()


def test_chief_appoints_the_card_custodian_of_a_box_of_the_station(cast: Cast, card_a: VisitCard) -> None:
    client = _client(cast.chief_north)
    assert client.get("/visit-cards/custodians/").status_code == 200
    wrong = client.post("/visit-cards/custodians/", {"box": cast.box_a.pk, "user": cast.officer_b.pk})
    assert wrong.status_code == 400 and "posted at this box" in wrong.content.decode()
    assert (
        client.post("/visit-cards/custodians/", {"box": cast.box_b.pk, "user": cast.officer_b.pk}).status_code
        == 302
    )
    assert "Yamate Chuzaisho" in client.get("/visit-cards/custodians/").content.decode()
    for user in (cast.officer_a, cast.planner):
        assert _client(user).get("/visit-cards/custodians/").status_code == 403
