"""Text search for officers' lists and the public notice: Japanese in kanji or kana, any width.

Officers type what they remember the way it comes out on a phone: ``サイフ`` or ``さいふ`` for an item
described as ``黒いさいふ``, full-width ``１２３``, a receipt number with spaces instead of dashes. Both
the stored text and the typed words go through one *fold* before they are compared: NFKC (full-width
letters and digits, half-width kana), lower case, katakana as hiragana, no white space. The database
does the same fold in the SQL function ``koban_search_fold``, so the two sides always agree.

Japanese is written without spaces, so words cannot be indexed. Each searchable record is instead
indexed by the character *grams* of its folded text: every single character and every pair of
neighbouring characters (``koban_search_grams``, a GIN index per model). A typed word of two or more
characters must contain all its pairs (``財布`` → ``財布``; ``黒い財布`` → ``黒い``, ``い財``, ``財布``),
a single character must be there itself (``傘``), and the fold is then compared for the whole word, so
the index narrows and the comparison decides. Unlike trigram indexes this also serves the one- and
two-character words that are most of Japanese searches (傘, 鍵, 財布, 携帯). A single Latin letter or digit
still reaches most rows through the index and is slow; receipt numbers have their own indexed paths
(``receipt_form``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Func, Q, QuerySet

_QS = TypeVar("_QS", bound=QuerySet[Any])

# Typed searches are cut at this length (a description is never searched by a paragraph).
MAX_QUERY_LENGTH = 100
# What joins the fields of one record before folding: never typed, so no word spans two fields.
FIELD_SEPARATOR = "|"

_KATAKANA = "".join(chr(c) for c in range(0x30A1, 0x30F7))
_HIRAGANA = "".join(chr(c - 0x60) for c in range(0x30A1, 0x30F7))
_TO_HIRAGANA = str.maketrans(_KATAKANA, _HIRAGANA)

# The fold and the grams in SQL, created by the migrations of every app whose records are searched
# (CREATE OR REPLACE: each app's migration may run first; reversing one leaves them, as another
# app's index may still use them). All are IMMUTABLE so they can be indexed. The grams take the folded
# text as a parameter so that the fold runs once per record: folding inside the grams' own query ran it
# once per character (3.6 ms a record instead of 0.09 ms).
CREATE_FUNCTIONS_SQL = f"""
CREATE OR REPLACE FUNCTION koban_search_fold(VARIADIC parts text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT regexp_replace(
    translate(lower(normalize(array_to_string(parts, '{FIELD_SEPARATOR}', ''), NFKC)),
              '{_KATAKANA}', '{_HIRAGANA}'),
    '\\s+', '', 'g')
$$;
CREATE OR REPLACE FUNCTION koban_search_text_grams(folded text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(folded, i, n)), '{{}}')
  FROM generate_series(1, length(folded)) AS i, (VALUES (1), (2)) AS w(n)
  WHERE i + n - 1 <= length(folded)
$$;
CREATE OR REPLACE FUNCTION koban_search_grams(VARIADIC parts text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT koban_search_text_grams(koban_search_fold(VARIADIC parts))
$$;
"""


def fold(text: str) -> str:
    """The compared form of *text*: NFKC, lower case, katakana as hiragana, no white space.

    >>> fold("ｸﾛｲ サイフ"), fold("ＡＢＣ １２３")
    ('くろいさいふ', 'abc123')
    """
    normal = unicodedata.normalize("NFKC", text or "").lower().translate(_TO_HIRAGANA)
    return "".join(normal.split())


def has_words(text: str) -> bool:
    """Whether *text* holds anything to search for (a letter, digit, kana or kanji): ``!!! ・・`` does not."""
    return any(ch.isalnum() for ch in unicodedata.normalize("NFKC", text or ""))


def grams(word: str) -> list[str]:
    """The index grams a folded *word* must all have: itself if one character, else its pairs."""
    if len(word) <= 1:
        return [word] if word else []
    return list(dict.fromkeys(word[i : i + 2] for i in range(len(word) - 1)))


class SearchFold(Func):
    """``koban_search_fold(field, …)``: the folded text of a record's searchable fields."""

    function = "koban_search_fold"
    output_field = models.TextField()


class SearchGrams(Func):
    """``koban_search_grams(field, …)``: the grams of a record's searchable fields (what is indexed)."""

    function = "koban_search_grams"
    output_field = ArrayField(models.TextField())


def grams_index(name: str, *fields: str) -> models.Index:
    """The GIN index of the grams of *fields*; a model lists it in ``Meta.indexes``."""
    from django.contrib.postgres.indexes import GinIndex

    return GinIndex(SearchGrams(*fields), name=name)


def words_of(text: str, variants: Iterable[str] = ()) -> list[str]:
    """The folded forms to look for: the typed text and its *variants* (synonyms), without repeats.

    Only punctuation or spaces gives no words (the caller answers with an empty result)."""
    if not has_words(text):
        return []
    typed = [text[:MAX_QUERY_LENGTH], *variants]
    return [w for w in dict.fromkeys(fold(t) for t in typed) if w]


def text_condition(words: Sequence[str]) -> Q:
    """Rows whose searchable fields hold any of the folded *words* (on a ``with_search_text`` QuerySet)."""
    condition = Q()
    for word in words:
        condition |= Q(search_grams__contains=grams(word), search_text__contains=word)
    return condition


def with_search_text(qs: _QS, fields: Sequence[str]) -> _QS:
    """*qs* able to filter on ``search_grams`` (index) and ``search_text`` (the check) of *fields*."""
    return qs.alias(search_grams=SearchGrams(*fields), search_text=SearchFold(*fields))


def search_text(qs: _QS, fields: Sequence[str], words: Sequence[str]) -> _QS:
    """Rows of *qs* whose *fields* hold one of the folded *words*; none when there are no words."""
    if not words:
        return qs.none()
    return with_search_text(qs, fields).filter(text_condition(words))


# -- Receipt and reference numbers --------------------------------------------------------------------------

_DASHES = re.compile(r"[\s\-‐‑‒–—―ー−－]+")
_REFERENCE = re.compile(r"^[A-Z0-9]+(-[A-Z0-9]+)*$")


def reference_form(text: str) -> str:
    """A typed receipt number in its stored form, or "" if it cannot be one.

    Full-width digits and letters, lower case, spaces or any dash between the parts are all accepted:
    ``ｎ ａ ２０２６ ０００３４`` → ``N-A-2026-00034``. It must hold a digit.
    """
    text = unicodedata.normalize("NFKC", text or "").strip().upper()
    text = _DASHES.sub("-", text).strip("-")
    if not _REFERENCE.match(text) or not any(ch.isdigit() for ch in text):
        return ""
    return text
