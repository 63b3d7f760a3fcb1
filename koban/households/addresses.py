"""Normalised addresses: the key on which two spellings of one address are recognised as duplicates.

Japanese addresses are written with full- or half-width digits, with 丁目/番/号 or with hyphens of
several kinds, with or without spaces: 「本町1丁目2番3号」, 「本町１－２－３」 and 「本町 1-2-3」 are one
address, and so is 「本町一丁目二番三号」. The key folds these differences away; it is never shown, only compared.
"""

from __future__ import annotations

import re
import unicodedata

from koban.lib.areanames import kanji_to_int

# Kanji numerals before a block word (「一丁目」, 「十二番」) are written in digits by other sources.
_KANJI_NUMBER = re.compile(r"([〇一二三四五六七八九十]+)(?=(丁目|番地|番|号))")
# Every dash-like character becomes one hyphen.
_DASHES = re.compile(r"[\u2010-\u2015\u2212\uff0d-]+")
# The long-vowel mark is a dash only between digits (「１ー２」); in 「コーポ」 it is part of the word.
# (Each pattern starts with the character it looks for and checks the one before afterwards: a
# look-behind tried at every position of a million addresses is what makes such a pass slow.)
_LONG_MARK_DASH = re.compile(r"[\u30fc\uff70](?<=\d[\u30fc\uff70])(?=\d)")
# A space between two numbers separates them (「1-2-3 101」 is room 101, not lot 3101).
_NUMBER_GAP = re.compile(r"\s(?<=\d\s)\s*(?=\d)")
_SPACES = re.compile(r"[\s,、，.。]+")
# Block words before a number become a hyphen (「1丁目2番3号」 → 「1-2-3」); at the end they go.
_BLOCK_WORDS = re.compile(r"(?:丁目|番地|番|号|の)(?=\d)")
_TRAILING_WORDS = re.compile(r"(?:番地|番|号)(?=\x00|\Z)")

# Keys of many addresses are computed on one joined text (a regex pass per address costs more than the
# matching itself). NUL never occurs in an address (control characters are refused), so it separates.
_SEPARATOR = "\x00"


def address_key(address: str) -> str:
    """The comparison key of *address*: NFKC width folding, lower case, block words and dashes as '-',
    no spaces or punctuation."""
    return address_keys([address])[0]


def address_keys(addresses: list[str]) -> list[str]:
    """The keys of many addresses at once (an import computes a million)."""
    text = unicodedata.normalize(
        "NFKC", _SEPARATOR.join(a.replace(_SEPARATOR, "") for a in addresses)
    ).lower()
    if _KANJI_NUMBER.search(text):
        text = _KANJI_NUMBER.sub(lambda m: str(kanji_to_int(m.group(1))), text)
    text = _NUMBER_GAP.sub("-", text)
    text = _SPACES.sub("", text)
    text = _BLOCK_WORDS.sub("-", text)
    text = _TRAILING_WORDS.sub("", text)
    text = _LONG_MARK_DASH.sub("-", text)
    text = _DASHES.sub("-", text)
    return [key[:300] for key in text.split(_SEPARATOR)]
