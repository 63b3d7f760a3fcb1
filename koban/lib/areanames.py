"""One normaliser for Japanese area names (町丁目, 大字, box and station names).

The same place is written in many ways: the police write ``旭町１丁目``, the census ``旭町一丁目``;
``大津ヶ丘``, ``大津ケ丘`` and ``大津が丘`` are one town; old and new kanji (``澤``/``沢``) and spaces
differ between files. ``area_key`` turns any of them into one comparable key, so that matching is an
equality test. The key is for comparing only, never for showing.
"""

from __future__ import annotations

import re
import unicodedata

# Kanji numerals as written in 丁目 and 番地 (up to 99: no town has more chome than that).
_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_NUMBER = re.compile(r"([〇一二三四五六七八九十]+)(?=(丁目|丁|番町|番地|番|地割|区))")
# Old (旧字体) and variant forms seen in place names → the form the census uses.
_VARIANTS = str.maketrans(
    {
        "澤": "沢",
        "濱": "浜",
        "邊": "辺",
        "邉": "辺",
        "嶋": "島",
        "嶌": "島",
        "﨑": "崎",
        "嵜": "崎",
        "髙": "高",
        "齋": "斎",
        "齊": "斉",
        "廣": "広",
        "國": "国",
        "櫻": "桜",
        "龍": "竜",
        "德": "徳",
        "惠": "恵",
        "榮": "栄",
        "舊": "旧",
        "萬": "万",
        "與": "与",
        "驛": "駅",
        "條": "条",
        "槇": "槙",
        # The small ヶ/ヵ and が in 〜ヶ丘 names are one sound and one place: compare them as ケ.
        "ヶ": "ケ",
        "ヵ": "ケ",
        "ケ": "ケ",
        "が": "ケ",
        "ノ": "の",
        "之": "の",
    }
)
# 大字 and 字 only say that a name is an old village district; the census drops them.
_PREFIXES = re.compile(r"^(大字|字)")
_SPACES = re.compile(r"[\s\u3000・･]+")
_DASH_CHOME = re.compile(r"(\d+)[-‐－―ー−](?=$)")


def kanji_to_int(text: str) -> int:
    """The value of a kanji numeral up to 99: ``十二`` → 12, ``二十`` → 20, ``三`` → 3."""
    if "十" not in text:
        value = 0
        for char in text:
            value = value * 10 + _KANJI_DIGITS[char]
        return value
    tens, _sep, ones = text.partition("十")
    return (_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[ones] if ones else 0)


def _arabic(match: re.Match[str]) -> str:
    return str(kanji_to_int(match.group(1)))


def area_key(name: str) -> str:
    """The comparable key of an area name; equal keys are the same place name.

    Full-width letters and digits become half-width (NFKC), spaces go, kanji numerals before
    丁目/番地/番町 become digits, ``丁`` alone reads as ``丁目``, variants of ケ and old kanji take
    one form, and a leading 大字/字 is dropped.
    """
    text = unicodedata.normalize("NFKC", name or "")
    text = _SPACES.sub("", text)
    text = _PREFIXES.sub("", text)
    text = text.translate(_VARIANTS)
    text = _KANJI_NUMBER.sub(_arabic, text)
    text = re.sub(r"(\d+)丁(?!目)", r"\1丁目", text)
    # "旭町1-" or "旭町1" at the end as a chome number written without 丁目.
    text = _DASH_CHOME.sub(r"\1丁目", text)
    text = re.sub(r"(\D)(\d+)$", r"\1\2丁目", text)
    # Leading zeros: 旭町01丁目 is 旭町1丁目.
    return re.sub(r"(?<!\d)0+(\d)", r"\1", text)


def strip_suffix(name: str, suffixes: tuple[str, ...]) -> str:
    """*name* without the first of *suffixes* it ends with (``柏警察署`` → ``柏``)."""
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name
