"""Searching cards by name without decrypting them: normalised names hashed with the index key.

A name is normalised so that the ways officers and residents write it meet: Unicode NFKC (full-width
letters and half-width kana become their usual forms), hiragana turned into katakana (a reading in
either script matches), case folded, every space removed. The token is HMAC-SHA256 of that string
under the keyring's index key: without the key, the table of tokens reveals nothing, and a dictionary
of likely names cannot be hashed against it.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Iterable

from koban.visitcards.crypto.keyring import Keyring, keyring

_HIRAGANA_FIRST, _HIRAGANA_LAST = 0x3041, 0x3096
_TO_KATAKANA = 0x60


def normalise_name(name: str) -> str:
    """The comparable form of *name*: NFKC, katakana for hiragana, case folded, no spaces."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(
        chr(ord(ch) + _TO_KATAKANA) if _HIRAGANA_FIRST <= ord(ch) <= _HIRAGANA_LAST else ch for ch in text
    )
    return "".join(text.casefold().split())


def name_token(name: str, ring: Keyring | None = None) -> str:
    """The blind-index token (hex HMAC-SHA256) of *name*; empty for a name that normalises to nothing."""
    normalised = normalise_name(name)
    if not normalised:
        return ""
    key = (ring or keyring()).index_key
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


def name_tokens(names: Iterable[str], ring: Keyring | None = None) -> set[str]:
    """Tokens for each name given, its space-separated parts (family or given name alone) and the whole."""
    tokens: set[str] = set()
    for name in names:
        for part in [name, *name.replace("\u3000", " ").split()]:
            token = name_token(part, ring)
            if token:
                tokens.add(token)
    return tokens
