"""Envelope encryption and the name index of visit cards: what must fail does fail."""

from __future__ import annotations

import base64
import json
import stat

import pytest

from koban.visitcards.crypto.envelope import CardDecryptionError, Sealed, seal, unseal
from koban.visitcards.crypto.keyring import (
    KeyringError,
    add_master_key,
    ensure_key_file,
    new_keyring_text,
    parse_keyring,
)
from koban.visitcards.crypto.names import name_token, name_tokens, normalise_name

CONTENTS = {"members": [{"name": "山田 太郎", "reading": "やまだ たろう"}], "contacts": [], "notes": "車椅子"}


@pytest.fixture
def ring():  # type: ignore[no-untyped-def]
    return parse_keyring(new_keyring_text("k1"))


def test_seal_and_unseal_round_trip(ring) -> None:  # type: ignore[no-untyped-def]
    sealed = seal(7, CONTENTS, ring)
    assert sealed.key_id == "k1"
    assert "山田".encode() not in sealed.payload
    assert unseal(7, sealed, ring) == CONTENTS


def test_each_sealing_draws_a_new_data_key(ring) -> None:  # type: ignore[no-untyped-def]
    first, second = seal(7, CONTENTS, ring), seal(7, CONTENTS, ring)
    assert first.wrapped_key != second.wrapped_key
    assert first.payload != second.payload


@pytest.mark.parametrize("part", ["payload", "wrapped_key"])
def test_a_changed_byte_fails(ring, part) -> None:  # type: ignore[no-untyped-def]
    sealed = seal(7, CONTENTS, ring)
    blob = bytearray(getattr(sealed, part))
    blob[-5] ^= 0x01
    tampered = Sealed(
        sealed.key_id, **{"wrapped_key": sealed.wrapped_key, "payload": sealed.payload, part: bytes(blob)}
    )
    with pytest.raises(CardDecryptionError):
        unseal(7, tampered, ring)


def test_ciphertext_moved_to_another_card_fails(ring) -> None:  # type: ignore[no-untyped-def]
    sealed = seal(7, CONTENTS, ring)
    with pytest.raises(CardDecryptionError):
        unseal(8, sealed, ring)


def test_payload_swapped_between_cards_fails(ring) -> None:  # type: ignore[no-untyped-def]
    seven, eight = seal(7, CONTENTS, ring), seal(8, {"members": [], "contacts": [], "notes": ""}, ring)
    with pytest.raises(CardDecryptionError):
        unseal(7, Sealed(seven.key_id, seven.wrapped_key, eight.payload), ring)


def test_wrong_master_key_fails(ring) -> None:  # type: ignore[no-untyped-def]
    sealed = seal(7, CONTENTS, ring)
    other = parse_keyring(new_keyring_text("k1"))
    with pytest.raises(CardDecryptionError):
        unseal(7, sealed, other)


def test_unknown_key_id_is_a_keyring_error(ring) -> None:  # type: ignore[no-untyped-def]
    sealed = seal(7, CONTENTS, ring)
    with pytest.raises(KeyringError, match="k9"):
        unseal(7, Sealed("k9", sealed.wrapped_key, sealed.payload), ring)


def test_keyring_refuses_bad_input_without_printing_keys() -> None:
    good = json.loads(new_keyring_text("k1"))
    with pytest.raises(KeyringError, match="not valid JSON"):
        parse_keyring("{nope")
    with pytest.raises(KeyringError, match="current"):
        parse_keyring(json.dumps({**good, "current": "k2"}))
    with pytest.raises(KeyringError, match="32 bytes"):
        parse_keyring(json.dumps({**good, "index": base64.b64encode(b"short").decode()}))
    with pytest.raises(KeyringError, match="differ"):
        parse_keyring(json.dumps({**good, "index": good["master"]["k1"]}))
    ring = parse_keyring(json.dumps(good))
    assert good["master"]["k1"] not in repr(ring)


def test_key_file_is_private_and_rotation_adds_a_current_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "card-keys.json"
    assert ensure_key_file(path) is True
    assert ensure_key_file(path) is False
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = parse_keyring(path.read_text())
    add_master_key(path, "k2")
    second = parse_keyring(path.read_text())
    assert second.current_id == "k2"
    assert second.master["k1"] == first.master["k1"]
    assert second.index_key == first.index_key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(KeyringError, match="already"):
        add_master_key(path, "k2")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("やまだ　たろう", "ヤマダタロウ"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダタロウ"),
        ("ＹＡＭＡＤＡ  Taro", "yamadataro"),
        ("  山田太郎 ", "山田太郎"),
    ],
)
def test_names_are_normalised(written: str, expected: str) -> None:
    assert normalise_name(written) == expected


def test_name_tokens_match_across_scripts_and_depend_on_the_key(ring) -> None:  # type: ignore[no-untyped-def]
    assert name_token("やまだ たろう", ring) == name_token("ﾔﾏﾀﾞﾀﾛｳ", ring)
    assert name_token("山田", ring) in name_tokens(["山田 太郎"], ring)
    assert name_token("太郎", ring) in name_tokens(["山田\u3000太郎"], ring)
    other = parse_keyring(new_keyring_text("k1"))
    assert name_token("山田", ring) != name_token("山田", other)
    assert name_token("   ", ring) == ""
