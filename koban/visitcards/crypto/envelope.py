"""Envelope encryption of one card's contents with AES-256-GCM (``cryptography``).

Each sealing draws a fresh 256-bit data key, encrypts the contents with it and stores the data key
wrapped (encrypted) by the current master key, together with that key's id. The associated data of
both ciphertexts names the card's id and the field, so a payload or a wrapped key copied into another
row, or a changed byte anywhere, fails authentication instead of decrypting.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from koban.visitcards.crypto.keyring import KEY_BYTES, Keyring, keyring

FORMAT = b"\x01"  # leading byte of every ciphertext: the layout below (nonce, then AES-GCM output)
NONCE_BYTES = 12


class CardDecryptionError(Exception):
    """A card's contents could not be authenticated (tampered, moved between rows, wrong key)."""


@dataclass(frozen=True)
class Sealed:
    key_id: str
    wrapped_key: bytes
    payload: bytes

    def __repr__(self) -> str:
        return f"Sealed(key_id={self.key_id!r}, {len(self.payload)} bytes)"


def _aad(card_id: int, field: str, key_id: str = "") -> bytes:
    return f"koban.visitcards.visitcard/{int(card_id)}/{field}/{key_id}".encode()


def _encrypt(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return FORMAT + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _decrypt(key: bytes, blob: bytes, aad: bytes) -> bytes:
    blob = bytes(blob)
    if not blob.startswith(FORMAT) or len(blob) < 1 + NONCE_BYTES + 16:
        raise CardDecryptionError("unknown ciphertext layout")
    nonce, body = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, body, aad)
    except InvalidTag:
        raise CardDecryptionError("the card's contents failed authentication") from None


def seal(card_id: int, contents: dict[str, Any], ring: Keyring | None = None) -> Sealed:
    """Encrypt *contents* (JSON-ready) of card *card_id* under a new data key and the current master key."""
    ring = ring or keyring()
    data_key = secrets.token_bytes(KEY_BYTES)
    plaintext = json.dumps(contents, ensure_ascii=False, separators=(",", ":")).encode()
    payload = _encrypt(data_key, plaintext, _aad(card_id, "payload"))
    wrapped = _encrypt(ring.current_key, data_key, _aad(card_id, "data-key", ring.current_id))
    return Sealed(ring.current_id, wrapped, payload)


def unseal(card_id: int, sealed: Sealed, ring: Keyring | None = None) -> dict[str, Any]:
    """Decrypt the contents of card *card_id*; ``CardDecryptionError`` if anything does not authenticate."""
    ring = ring or keyring()
    master = ring.master_key(sealed.key_id)
    data_key = _decrypt(master, sealed.wrapped_key, _aad(card_id, "data-key", sealed.key_id))
    plaintext = _decrypt(data_key, sealed.payload, _aad(card_id, "payload"))
    contents: dict[str, Any] = json.loads(plaintext)
    return contents
