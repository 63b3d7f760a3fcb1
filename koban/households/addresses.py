"""Normalised addresses: the key on which two spellings of one address are recognised as duplicates.

Japanese addresses are written with full- or half-width digits, with 丁目/番/号 or with hyphens of
several kinds, with or without spaces: 「本町1丁目2番3号」, 「本町１－２－３」 and 「本町 1-2-3」 are one
address. The key folds these differences away; it is never shown, only compared.
"""

from __future__ import annotations

import re
import unicodedata

# Every dash-like character, and the block words, become one hyphen.
_DASHES = re.compile(r"[\u2010-\u2015\u2212\uff0d-]+")
# The long-vowel mark is a dash only between digits (「１ー２」); in 「コーポ」 it is part of the word.
_LONG_MARK_DASH = re.compile(r"(?<=\d)[\u30fc\uff70](?=\d)")
_BLOCK_WORDS = re.compile(r"(?<=\d)\s*(丁目|番地|番|号|の)\s*(?=\d)")
_TRAILING_WORDS = re.compile(r"(?<=\d)\s*(番地|番|号)$")
# A space between two numbers separates them (「1-2-3 101」 is room 101, not lot 3101).
_NUMBER_GAP = re.compile(r"(?<=\d)\s+(?=\d)")
_SPACES = re.compile(r"[\s,、，.。]+")


def address_key(address: str) -> str:
    """The comparison key of *address*: NFKC width folding, lower case, block words and dashes as '-',
    no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", address).strip().lower()
    text = _BLOCK_WORDS.sub("-", text)
    text = _TRAILING_WORDS.sub("", text)
    text = _LONG_MARK_DASH.sub("-", text)
    text = _DASHES.sub("-", text)
    text = _NUMBER_GAP.sub("-", text)
    text = _SPACES.sub("", text)
    return text[:300]
