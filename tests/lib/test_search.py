"""The fold and the grams behind every list's search box, and receipt numbers as typed."""

from __future__ import annotations

import pytest
from django.db import connection

from koban.lib.search import fold, grams, has_words, reference_form, words_of


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("サイフ", "さいふ"),
        ("ｻｲﾌ", "さいふ"),
        ("黒い 財布", "黒い財布"),
        ("ＡＢＣ　１２３", "abc123"),
        ("Black Wallet", "blackwallet"),
    ],
)
def test_the_fold_makes_kana_width_case_and_spaces_alike(typed, folded):  # type: ignore[no-untyped-def]
    assert fold(typed) == folded


def test_words_need_pairs_and_single_characters_stand_for_themselves():
    assert grams("黒い財布") == ["黒い", "い財", "財布"]
    assert grams("傘") == ["傘"]
    assert grams("") == []


@pytest.mark.parametrize("typed", ["!!!", " ・・・ ", "---", "", "　"])
def test_only_punctuation_is_nothing_to_search(typed):  # type: ignore[no-untyped-def]
    assert not has_words(typed) and words_of(typed) == []


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("N-A-2026-00034", "N-A-2026-00034"),
        ("n a 2026 00034", "N-A-2026-00034"),
        ("Ｎ－Ａ－２０２６－０００３４", "N-A-2026-00034"),
        ("A ー 2026 ー 00034", "A-2026-00034"),
        ("00034", "00034"),
        ("財布", ""),
        ("ABC", ""),
    ],
)
def test_receipt_numbers_as_typed_on_a_phone(typed, stored):  # type: ignore[no-untyped-def]
    assert reference_form(typed) == stored


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["ｸﾛｲ サイフ｜Ａ", "黒い\u3000財布\n", "ヴァイオリン ケース", ""])
def test_the_database_folds_like_python(text):  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        cursor.execute("SELECT koban_search_fold(%s), koban_search_grams(%s)", [text, text])
        folded, indexed = cursor.fetchone()
    assert folded == fold(text)
    expected = {folded[i : i + n] for n in (1, 2) for i in range(len(folded) - n + 1)}
    assert set(indexed) == expected
