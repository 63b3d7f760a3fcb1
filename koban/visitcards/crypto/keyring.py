"""The keyring of visit cards: master keys by id (one of them current) and the name-index key.

The keys live outside the database and its backups: ``KOBAN_CARD_MASTER_KEYS`` holds either the
keyring itself as JSON or the path of a file holding it (mode 0600, owned by the service account)::

    {"current": "k2", "master": {"k1": "<base64 32 bytes>", "k2": "<base64 32 bytes>"},
     "index": "<base64 32 bytes>"}

A database dump without this file is unreadable. Old master keys stay in the keyring until
``koban rotate_card_keys`` has moved every card to the current one. The index key is separate from
the master keys so that the blind index can be recomputed without touching the contents, and so that
knowing name hashes gives no hold on the ciphertexts.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32


class KeyringError(ImproperlyConfigured):
    """The keyring is missing or malformed; the message never contains key material."""


@dataclass(frozen=True)
class Keyring:
    current_id: str
    master: dict[str, bytes]
    index_key: bytes

    def __repr__(self) -> str:  # never print keys, even in a traceback
        return f"Keyring(current={self.current_id!r}, ids={sorted(self.master)!r})"

    @property
    def current_key(self) -> bytes:
        return self.master[self.current_id]

    def master_key(self, key_id: str) -> bytes:
        try:
            return self.master[key_id]
        except KeyError:
            raise KeyringError(f"master key {key_id!r} is not in the keyring") from None


def _decode_key(value: Any, what: str) -> bytes:
    try:
        key = base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raise KeyringError(f"{what} is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise KeyringError(f"{what} must be {KEY_BYTES} bytes")
    return key


def parse_keyring(text: str) -> Keyring:
    """Read a keyring from its JSON text; ``KeyringError`` names what is wrong (never a key)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise KeyringError("KOBAN_CARD_MASTER_KEYS: the keyring is not valid JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("master"), dict) or not data["master"]:
        raise KeyringError("KOBAN_CARD_MASTER_KEYS: the keyring needs a non-empty 'master' object")
    master = {str(kid): _decode_key(value, f"master key {kid!r}") for kid, value in data["master"].items()}
    current = str(data.get("current", ""))
    if current not in master:
        raise KeyringError("KOBAN_CARD_MASTER_KEYS: 'current' must name one of the master keys")
    index = _decode_key(data.get("index", ""), "the index key")
    if index in master.values():
        raise KeyringError("KOBAN_CARD_MASTER_KEYS: the index key must differ from every master key")
    return Keyring(current, master, index)


def _source() -> str:
    source = str(getattr(settings, "KOBAN_CARD_MASTER_KEYS", "") or "").strip()
    if not source:
        raise KeyringError(
            "Visit cards need KOBAN_CARD_MASTER_KEYS (the keyring as JSON, or the path of a key file)"
        )
    return source


_cache: dict[tuple[str, float], Keyring] = {}


def keyring() -> Keyring:
    """The configured keyring (cached; a changed key file is read again)."""
    source = _source()
    if source.startswith("{"):
        key = (source, 0.0)
        if key not in _cache:
            _cache[key] = parse_keyring(source)
        return _cache[key]
    path = Path(source)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise KeyringError(f"KOBAN_CARD_MASTER_KEYS: no key file at {path}") from None
    key = (str(path), mtime)
    if key not in _cache:
        _cache.clear()
        _cache[key] = parse_keyring(path.read_text(encoding="utf-8"))
    return _cache[key]


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode("ascii")


def new_keyring_text(key_id: str = "k1") -> str:
    """A fresh keyring (one master key and the index key) as JSON."""
    data = {"current": key_id, "master": {key_id: _b64(secrets.token_bytes(KEY_BYTES))}}
    data["index"] = _b64(secrets.token_bytes(KEY_BYTES))
    return json.dumps(data, indent=2)


def _write_private(path: Path, text: str) -> None:
    """Write *text* to *path* readable by the owner only (0600), replacing it atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def ensure_key_file(path: Path) -> bool:
    """Create a key file at *path* (mode 0600) unless one exists; True if it was created."""
    if path.exists():
        return False
    _write_private(path, new_keyring_text())
    return True


def add_master_key(path: Path, key_id: str) -> None:
    """Add a new master key *key_id* to the key file at *path* and make it current (old keys stay)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if key_id in data.get("master", {}):
        raise KeyringError(f"the keyring already has a master key {key_id!r}")
    data["master"][key_id] = _b64(secrets.token_bytes(KEY_BYTES))
    data["current"] = key_id
    parse_keyring(json.dumps(data))
    _write_private(path, json.dumps(data, indent=2))


def key_file_path() -> Path | None:
    """The key file the keyring is read from, or None when it is given inline."""
    source = _source()
    return None if source.startswith("{") else Path(source)
