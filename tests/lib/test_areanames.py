"""The area-name normaliser on real names of the police open data and the census."""

from __future__ import annotations

import pytest

from koban.lib.areanames import area_key, kanji_to_int, strip_suffix


@pytest.mark.parametrize(
    ("police", "census"),
    [
        ("旭町１丁目", "旭町一丁目"),  # full-width digits against kanji numerals
        ("大津ケ丘４丁目", "大津ケ丘四丁目"),
        ("大津ヶ丘", "大津ケ丘"),  # small ヶ
        ("つくしが丘５丁目", "つくしケ丘五丁目"),  # が and ケ in 〜が丘
        ("逆井藤ノ台", "逆井藤の台"),
        ("松葉町 ７丁目", "松葉町七丁目"),  # a space
        ("大字若柴", "若柴"),  # 大字 prefix
        ("京橋３丁目", "京橋三丁目"),
        ("柏1", "柏一丁目"),  # chome number without 丁目
        ("中央１丁", "中央一丁目"),
        ("南増尾10丁目", "南増尾十丁目"),
        ("南増尾１２丁目", "南増尾十二丁目"),
        ("二十丁目", "20丁目"),
        ("高島", "髙嶋"),  # old kanji
        ("長澤", "長沢"),
    ],
)
def test_the_same_place_written_two_ways_has_one_key(police: str, census: str) -> None:
    assert area_key(police) == area_key(census)


@pytest.mark.parametrize(
    ("first", "second"),
    [("旭町１丁目", "旭町二丁目"), ("柏", "柏一丁目"), ("南柏", "柏"), ("増尾", "増尾台")],
)
def test_different_places_keep_different_keys(first: str, second: str) -> None:
    assert area_key(first) != area_key(second)


def test_kanji_numerals() -> None:
    assert [kanji_to_int(t) for t in ("一", "十", "十一", "二十", "二十三", "九十九")] == [
        1,
        10,
        11,
        20,
        23,
        99,
    ]


def test_strip_suffix() -> None:
    assert strip_suffix("柏警察署", ("警察署",)) == "柏"
    assert strip_suffix("警察署", ("警察署",)) == "警察署"
