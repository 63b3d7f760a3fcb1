"""Encryption of visit card contents: a keyring held outside the database, envelope encryption of each
card's payload, and a keyed blind index for searching cards by name without decrypting them.

- ``keyring``: the master keys (by id, one current) and the separate name-index key, read from
  ``KOBAN_CARD_MASTER_KEYS`` (inline JSON or the path of a key file); never stored in the database.
- ``envelope``: ``seal`` a card's contents under a fresh data key wrapped by the current master key,
  ``unseal`` them; both bound to the card's id so that a ciphertext moved to another row fails.
- ``names``: normalisation of Japanese names and the keyed hash tokens of the blind index.
"""
