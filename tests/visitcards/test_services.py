"""Cards are encrypted at once, refused without consent, never silently overwritten, wiped on withdrawal."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from koban.audit.models import AuditEvent
from koban.visitcards.models import Consent, NameToken, VisitCard
from koban.visitcards.services import (
    CardConflictError,
    CardInput,
    create_card,
    open_card,
    search_cards,
    update_card,
    withdraw_consent,
)
from tests.personas import Cast
from tests.visitcards.conftest import CONTACT_PHONE, MEMBER, contents


def test_card_without_consent_is_refused(cast: Cast, household_a) -> None:  # type: ignore[no-untyped-def]
    for scopes in ([], ["disaster"], ["keep", "sell"]):
        with pytest.raises(ValidationError) as refused:
            create_card(
                cast.officer_a, household_a, CardInput("household", "ja", contents()), consent_scopes=scopes
            )
        assert "consent" in refused.value.message_dict
    assert not VisitCard.objects.exists()
    assert not NameToken.objects.exists()


def test_bad_contents_name_the_field(cast: Cast, household_a) -> None:  # type: ignore[no-untyped-def]
    bad = contents()
    bad["members"][1]["birth_date"] = "1970-13-01"
    with pytest.raises(ValidationError, match=r"members\[1\]\.birth_date"):
        create_card(cast.officer_a, household_a, CardInput("household", "ja", bad), consent_scopes=["keep"])
    assert not VisitCard.objects.exists()


def test_card_is_stored_encrypted_with_consent_and_audit(cast: Cast, card_a: VisitCard) -> None:
    card = VisitCard.objects.get(pk=card_a.pk)
    assert card.key_id == "test-1" and card.has_care_needs is True
    assert Consent.objects.get(card=card).scopes == ["contact_family", "disaster", "keep"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM visitcards_visitcard")
        rows = repr(cursor.fetchall())
        cursor.execute("SELECT * FROM visitcards_nametoken")
        rows += repr(cursor.fetchall())
        cursor.execute("SELECT * FROM audit_auditevent")
        rows += repr(cursor.fetchall())
    for secret in (MEMBER, "山田", "1941-04-03", CONTACT_PHONE, "車椅子", MEMBER.encode().hex()):
        assert secret not in rows
    created = AuditEvent.objects.get(action="visitcard.create")
    assert created.object_repr == f"visit card #{card.pk}"
    assert created.after["members"] == 2


def test_opening_a_card_is_an_audited_read(cast: Cast, card_a: VisitCard) -> None:
    data = open_card(cast.officer_a, card_a, what="test")
    assert data["members"][0]["name"] == MEMBER
    read = AuditEvent.objects.get(action="visitcards.visitcard.read")
    assert read.actor == cast.officer_a and read.object_id == str(card_a.pk)
    assert read.station_id == cast.north.pk


def test_stale_edit_is_a_conflict_and_loses_nothing(cast: Cast, card_a: VisitCard) -> None:
    first = contents("山田 花子")
    first["notes"] = "first edit"
    update_card(cast.officer_a, card_a, CardInput("household", "en", first), version=1)
    second = contents("山田 花")
    with pytest.raises(CardConflictError) as conflict:
        update_card(cast.officer_a, card_a, CardInput("household", "ja", second), version=1)
    assert conflict.value.current_version == 2
    card = VisitCard.objects.get(pk=card_a.pk)
    assert card.version == 2 and card.language == "en"
    assert open_card(cast.officer_a, card, what="test")["notes"] == "first edit"


def test_confirmed_edit_restarts_retention(cast: Cast, card_a: VisitCard) -> None:
    later = card_a.confirmed_at + datetime.timedelta(days=400)
    VisitCard.objects.filter(pk=card_a.pk).update(review_flagged_at=later)
    card = update_card(
        cast.officer_a, card_a, CardInput("household", "ja", contents()), version=1, confirmed=True, at=later
    )
    assert card.confirmed_at == later and card.review_flagged_at is None


def test_withdrawal_wipes_the_contents_and_tokens_at_once(cast: Cast, card_a: VisitCard) -> None:
    assert search_cards(cast.officer_a, VisitCard.objects.all(), "やまだ はなこ") == [card_a]
    withdraw_consent(cast.officer_a, card_a)
    card = VisitCard.objects.get(pk=card_a.pk)
    assert bytes(card.payload) == b"" and bytes(card.wrapped_key) == b"" and card.key_id == ""
    assert card.has_care_needs is False and card.contents_deleted_at is not None
    assert not NameToken.objects.filter(card=card).exists()
    assert Consent.objects.get(card=card).withdrawn_at is not None
    assert open_card(cast.officer_a, card, what="test") == {"members": [], "contacts": [], "notes": ""}
    assert search_cards(cast.officer_a, VisitCard.objects.all(), "やまだ はなこ") == []
    with pytest.raises(ValidationError):
        update_card(cast.officer_a, card, CardInput("household", "ja", contents()), version=card.version)


@pytest.mark.parametrize("query", ["山田", "花子", "ﾔﾏﾀﾞ ﾊﾅｺ", "やまだはなこ", "山田　花子"])
def test_search_by_name_without_decrypting(cast: Cast, card_a: VisitCard, query: str) -> None:
    assert search_cards(cast.officer_a, VisitCard.objects.all(), query) == [card_a]


def test_search_misses_other_names_and_respects_the_scope(cast: Cast, card_a: VisitCard) -> None:
    assert search_cards(cast.officer_a, VisitCard.objects.all(), "佐藤") == []
    assert search_cards(cast.officer_b, VisitCard.objects.none(), "山田") == []
