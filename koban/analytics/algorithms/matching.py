"""Ranking loss reports against found items (and the reverse): a transparent, explainable score.

Each candidate pair gets four partial scores in [0, 1] and a weighted sum:

* **category** – 1 when the categories are the same, else 0;
* **text** – overlap of the description tokens. Japanese is written without spaces, so runs of
  kana/kanji are cut into character bigrams (財布 黒い → 財布, 黒い); Latin text is cut into words;
* **place** – ``exp(-d / place_scale_m)`` for the distance ``d`` between the two places, 0.5 when
  either place is unknown (no evidence either way);
* **time** – 1 when the item was found inside the owner's loss window (or up to ``grace_hours``
  after it), decaying with ``exp(-gap / time_scale_hours)`` outside. An item found *before* the loss
  window started (by more than the grace) cannot be the lost one: the whole score is then 0.

The weights are parameters, not learned; officers see every part of the score so they can judge it.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from koban.lib.geo import distance_m

DEFAULT_WEIGHTS = {"category": 0.35, "text": 0.35, "place": 0.15, "time": 0.15}

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f々ー]+")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Japanese particles need no list: inside a kana/kanji run they only add a few weak bigrams.
_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "in",
        "on",
        "at",
        "with",
        "for",
        "to",
        "from",
        "by",
        "or",
        "is",
        "it",
        "its",
        "my",
        "this",
        "that",
    ]
)


@dataclass(frozen=True)
class Description:
    """What matching needs to know about one item or report.

    ``time_from``/``time_to`` is the loss window of a report; a found item has both equal to the
    moment it was found. Places are WGS84 longitude/latitude or None when unknown.
    """

    key: int
    category: str
    text: str
    lon: float | None
    lat: float | None
    time_from: datetime.datetime
    time_to: datetime.datetime


@dataclass(frozen=True)
class Match:
    """One ranked candidate with its total score and the parts that explain it."""

    key: int
    score: float
    parts: dict[str, float]
    shared_tokens: tuple[str, ...] = field(default=())
    distance_m: float | None = None
    time_gap_hours: float = 0.0


# Words owners and finders write differently for the same thing, each mapped to one written form.
# Keys are compared after NFKC and katakana→hiragana folding, so サイフ, ｻｲﾌ and さいふ are all "さいふ".
SYNONYMS: dict[str, str] = {
    "さいふ": "財布",
    "がまぐち": "財布",
    "すまーとふぉん": "携帯電話",
    "すまほ": "携帯電話",
    "けいたいでんわ": "携帯電話",
    "けいたい": "携帯電話",
    "携帯": "携帯電話",
    "かぎ": "鍵",
    "きー": "鍵",
    "かさ": "傘",
    "めがね": "眼鏡",
    "めいし": "名刺",
    "かばん": "鞄",
    "ばっぐ": "鞄",
    "ぱすけーす": "定期入れ",
    "めんきょしょう": "免許証",
    "うんてんめんきょしょう": "免許証",
    "くれじっとかーど": "カード",
    "きゃっしゅかーど": "カード",
    # Owners often type a loss report in kana only; finders' descriptions are written by officers in
    # kanji. The common kinds of lost property, each kana reading mapped to its usual kanji.
    "ながさいふ": "長財布",
    "こぜにいれ": "小銭入れ",
    "かぎたば": "鍵束",
    "あいかぎ": "合鍵",
    "おりたたみがさ": "折り畳み傘",
    "おりたたみかさ": "折り畳み傘",
    "ひがさ": "日傘",
    "うでどけい": "腕時計",
    "とけい": "時計",
    "てぶくろ": "手袋",
    "ぼうし": "帽子",
    "ゆびわ": "指輪",
    "じてんしゃ": "自転車",
    "すいとう": "水筒",
    "ていきけん": "定期券",
    "ていきいれ": "定期入れ",
    "めんきょ": "免許証",
    "ほけんしょう": "保険証",
    "けんこうほけんしょう": "保険証",
    "がくせいしょう": "学生証",
    "しゃいんしょう": "社員証",
    "ぱすぽーと": "旅券",
    "りょけん": "旅券",
    "かみぶくろ": "紙袋",
    "しょるい": "書類",
}
_FORMS = frozenset(SYNONYMS.values())
_KATAKANA = re.compile(r"[\u30a1-\u30f6]")


def to_hiragana(text: str) -> str:
    """Fold katakana into hiragana (サイフ → さいふ); the long-vowel mark ー is kept."""
    return _KATAKANA.sub(lambda m: chr(ord(m.group(0)) - 0x60), text)


def normalise(text: str, synonyms: dict[str, str] | None = None) -> str:
    """The form in which descriptions are compared: NFKC, lower case, katakana as hiragana, and each
    known synonym replaced by its one written form (longest first, so スマートフォン is not read as スマ…).

    >>> normalise("黒いサイフ"), normalise("ｽﾏﾎ"), normalise("携帯電話")
    ('黒い財布', '携帯電話', '携帯電話')
    """
    table = SYNONYMS if synonyms is None else synonyms
    folded = to_hiragana(unicodedata.normalize("NFKC", text or "").lower())
    if not table:
        return folded
    pattern, forms = _synonym_pattern(tuple(sorted(table.items())))
    return pattern.sub(lambda m: forms[m.group(0)], folded)


@functools.lru_cache(maxsize=8)
def _synonym_pattern(items: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One regular expression for a synonym table (built once per table), longest keys first."""
    forms = {to_hiragana(unicodedata.normalize("NFKC", k).lower()): v for k, v in items}
    # A written form is its own key, so that 携帯電話 is not read as 携帯 + 電話 (→ 携帯電話電話).
    for form in set(forms.values()):
        forms.setdefault(to_hiragana(unicodedata.normalize("NFKC", form).lower()), form)
    keys = sorted(forms, key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in keys)), forms


def tokens(text: str) -> set[str]:
    """Cut *text* into matching tokens: bigrams for Japanese runs, lower-case words otherwise.

    Text is normalised first (``normalise``): full-width Latin letters and half-width katakana
    compare equal to their usual forms, katakana to hiragana, and synonyms (さいふ/財布, スマホ/携帯電話)
    to one form. A single CJK character on its own is kept as a token.
    """
    text = normalise(text)
    found: set[str] = set()
    for run in _CJK.findall(text):
        if len(run) == 1:
            found.add(run)
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    # A known thing named in one or two characters (鍵, 傘) inside a longer run (家の鍵) has no bigram of
    # its own to share with a report that names it alone: the thing itself is a token too.
    found.update(form for form in _FORMS if form in text)
    latin = _CJK.sub(" ", text)
    found.update(w for w in _WORD.findall(latin) if (w not in _STOP_WORDS and len(w) > 1) or w.isdigit())
    return found


def text_similarity(a: set[str], b: set[str]) -> float:
    """Overlap coefficient |a∩b| / min(|a|, |b|): a short report fully inside a long description scores 1."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def time_gap_hours(report: Description, item: Description) -> float:
    """Hours between the item's finding and the report's loss window (0 inside it, negative = found before)."""
    found = item.time_from
    if found < report.time_from:
        return -(report.time_from - found).total_seconds() / 3600
    if found > report.time_to:
        return (found - report.time_to).total_seconds() / 3600
    return 0.0


def score_pair(
    report: Description,
    item: Description,
    *,
    weights: dict[str, float] | None = None,
    place_scale_m: float = 1000.0,
    time_scale_hours: float = 72.0,
    grace_hours: float = 2.0,
) -> Match:
    """Score how well *item* (found) fits *report* (lost); the key of the result is the item's."""
    w = weights or DEFAULT_WEIGHTS
    report_tokens, item_tokens = tokens(report.text), tokens(item.text)
    shared = report_tokens & item_tokens
    parts = {
        "category": 1.0 if report.category == item.category else 0.0,
        "text": text_similarity(report_tokens, item_tokens),
    }
    dist: float | None = None
    if None in (report.lon, report.lat, item.lon, item.lat):
        parts["place"] = 0.5
    else:
        dist = distance_m(report.lon, report.lat, item.lon, item.lat)  # type: ignore[arg-type]
        parts["place"] = math.exp(-dist / place_scale_m)
    gap = time_gap_hours(report, item)
    if gap < -grace_hours:
        parts["time"] = 0.0  # found before it was lost: cannot be the same item
    else:
        parts["time"] = math.exp(-max(0.0, gap - grace_hours) / time_scale_hours)
    total = sum(w.get(name, 0.0) * value for name, value in parts.items()) / sum(w.values())
    if parts["time"] == 0.0:
        total = 0.0  # found before the owner last had it: whatever the words say, not the same item
    return Match(
        key=item.key,
        score=round(total, 4),
        parts={k: round(v, 4) for k, v in parts.items()},
        shared_tokens=tuple(sorted(shared)),
        distance_m=None if dist is None else round(dist, 1),
        time_gap_hours=round(gap, 2),
    )


def rank(
    query: Description,
    candidates: Iterable[Description],
    *,
    query_is_report: bool = True,
    min_score: float = 0.2,
    limit: int = 10,
    **options: float,
) -> list[Match]:
    """Rank *candidates* for *query*, best first, dropping scores below *min_score*.

    With ``query_is_report`` the query is a loss report and candidates are found items; otherwise
    the query is a found item and candidates are reports. Each ``Match.key`` is the candidate's key.
    Ties are broken by the smaller time gap, then by key, so the order is deterministic.
    """
    matches: list[Match] = []
    for candidate in candidates:
        if query_is_report:
            match = score_pair(query, candidate, **options)  # type: ignore[arg-type]
        else:
            m = score_pair(candidate, query, **options)  # type: ignore[arg-type]
            match = Match(candidate.key, m.score, m.parts, m.shared_tokens, m.distance_m, m.time_gap_hours)
        if match.score >= min_score:
            matches.append(match)
    matches.sort(key=lambda m: (-m.score, abs(m.time_gap_hours), m.key))
    return matches[:limit]


def explain(match: Match, weights: dict[str, float] | None = None) -> Sequence[tuple[str, float, float]]:
    """(part, partial score, weighted contribution) for display, in a fixed order."""
    w = weights or DEFAULT_WEIGHTS
    total_weight = sum(w.values())
    return [(name, match.parts[name], w[name] * match.parts[name] / total_weight) for name in DEFAULT_WEIGHTS]
