"""Key rotation re-encrypts every card and can be resumed; retention flags and deletes old cards."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from koban.audit.models import AuditEvent
from koban.runs.models import JobRun
from koban.visitcards.crypto.keyring import keyring, new_keyring_text
from koban.visitcards.models import VisitCard
from koban.visitcards.services import (
    CardInput,
    create_card,
    delete_after_review,
    flag_for_review,
    open_card,
    rekey_batch,
)
from tests.personas import Cast
from tests.visitcards.conftest import MEMBER, contents


@pytest.fixture
def rotated(settings):  # type: ignore[no-untyped-def]
    """The test keyring with a second master key made current (the first kept for reading)."""
    old = json.loads(settings.KOBAN_CARD_MASTER_KEYS)
    new = json.loads(json.dumps(old))
    fresh = json.loads(new_keyring_text("test-2"))
    new["master"]["test-2"] = fresh["master"]["test-2"]
    new["current"] = "test-2"
    return json.dumps(new)


def _cards(cast: Cast, household, n: int) -> list[VisitCard]:  # type: ignore[no-untyped-def]
    return [
        create_card(
            cast.officer_a,
            household,
            CardInput("household", "ja", contents(f"{MEMBER}{i}")),
            consent_scopes=["keep"],
        )
        for i in range(n)
    ]


def test_rotation_is_resumable_batch_by_batch(cast: Cast, household_a, settings, rotated) -> None:  # type: ignore[no-untyped-def]
    cards = _cards(cast, household_a, 5)
    settings.KOBAN_CARD_MASTER_KEYS = rotated
    assert keyring().current_id == "test-2"
    assert rekey_batch("test", batch_size=2) == 2  # a first run, "killed" after one batch
    keys = dict(VisitCard.objects.values_list("pk", "key_id"))
    assert sorted(keys.values()) == ["test-1", "test-1", "test-1", "test-2", "test-2"]
    assert rekey_batch("test", batch_size=2) == 2  # restarted: it goes on with the cards still on test-1
    assert rekey_batch("test", batch_size=2) == 1
    assert rekey_batch("test", batch_size=2) == 0
    for i, card in enumerate(cards):
        card.refresh_from_db()
        assert card.key_id == "test-2"
        assert open_card("test", card, what="test")["members"][0]["name"] == f"{MEMBER}{i}"
    assert AuditEvent.objects.filter(action="visitcard.rekey").count() == 3


def test_rotated_cards_no_longer_need_the_old_key(cast: Cast, household_a, settings, rotated) -> None:  # type: ignore[no-untyped-def]
    card = _cards(cast, household_a, 1)[0]
    settings.KOBAN_CARD_MASTER_KEYS = rotated
    rekey_batch("test")
    without_old = json.loads(rotated)
    del without_old["master"]["test-1"]
    settings.KOBAN_CARD_MASTER_KEYS = json.dumps(without_old)
    card.refresh_from_db()
    assert open_card("test", card, what="test")["members"][0]["name"] == f"{MEMBER}0"


def test_rotate_command_runs_the_job_kind(cast: Cast, household_a, settings, rotated, capsys) -> None:  # type: ignore[no-untyped-def]
    _cards(cast, household_a, 3)
    settings.KOBAN_CARD_MASTER_KEYS = rotated
    call_command("rotate_card_keys", "--batch-size", "2")
    assert "3 card(s) re-encrypted under key test-2; 0 left" in capsys.readouterr().out
    run = JobRun.objects.get(kind="visitcards.rotate_keys")
    assert run.status == JobRun.Status.DONE and run.report["done"] == 3
    assert set(VisitCard.objects.values_list("key_id", flat=True)) == {"test-2"}


@pytest.mark.django_db
def test_rotate_command_adds_a_key_to_a_key_file(settings, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from koban.visitcards.crypto.keyring import ensure_key_file

    path = tmp_path / "keys.json"
    ensure_key_file(path)
    settings.KOBAN_CARD_MASTER_KEYS = str(path)
    call_command("rotate_card_keys", "--add-key", "k2")
    assert keyring().current_id == "k2"
    assert "0 card(s) re-encrypted under key k2" in capsys.readouterr().out


def test_retention_flags_then_deletes_on_confirmation(cast: Cast, card_a: VisitCard, settings) -> None:
    settings.KOBAN_CARD_RETENTION_YEARS = 5
    soon = card_a.confirmed_at + datetime.timedelta(days=365 * 4)
    assert flag_for_review("job", soon) == 0
    with pytest.raises(ValidationError):
        delete_after_review(cast.chief_north, card_a, at=soon)
    later = card_a.confirmed_at + datetime.timedelta(days=365 * 5 + 2)
    assert flag_for_review("job", later) == 1
    assert flag_for_review("job", later) == 0  # already flagged
    assert VisitCard.objects.flagged_for_review().get() == card_a
    card_a.refresh_from_db()
    delete_after_review(cast.chief_north, card_a, at=later)
    assert not VisitCard.objects.filter(pk=card_a.pk).exists()
    deleted = AuditEvent.objects.get(action="visitcard.delete")
    assert deleted.object_id == str(card_a.pk) and deleted.actor == cast.chief_north
