from __future__ import annotations

import datetime

from koban.analytics.algorithms.matching import Description, rank, score_pair, tokens

T0 = datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)
H = datetime.timedelta(hours=1)


def _report(key, category, text, lon=139.700, lat=35.600, start=T0, end=T0 + 3 * H):
    return Description(key, category, text, lon, lat, start, end)


def _item(key, category, text, lon=139.701, lat=35.601, when=T0 + 2 * H):
    return Description(key, category, text, lon, lat, when, when)


def test_japanese_text_is_cut_into_bigrams_and_latin_text_into_words():
    assert {"黒い", "い財", "財布"} <= tokens("黒い財布")
    assert {"black", "wallet"} <= tokens("A black Wallet")
    assert "ｗａｌｌｅｔ" not in tokens("ｗａｌｌｅｔ") and "wallet" in tokens("ｗａｌｌｅｔ")


def test_the_right_report_ranks_first_for_a_japanese_description():
    item = _item(1, "wallet", "黒い革の長財布、ポイントカード入り")
    reports = [
        _report(10, "wallet", "茶色の小銭入れ"),
        _report(11, "wallet", "黒い長財布をなくしました"),
        _report(12, "umbrella", "黒い傘"),
        _report(13, "wallet", "黒い長財布", start=T0 + 72 * H, end=T0 + 75 * H),  # lost after it was found
    ]
    ranked = rank(item, reports, query_is_report=False, min_score=0.0)
    assert ranked[0].key == 11
    assert ranked[-1].key in (12, 13)
    best = ranked[0]
    assert best.parts["category"] == 1.0 and best.parts["time"] == 1.0
    assert "財布" in best.shared_tokens and "長財" in best.shared_tokens


def test_the_right_item_ranks_first_for_an_english_report():
    report = _report(1, "bag", "Blue backpack with a laptop and a red water bottle")
    items = [
        _item(20, "bag", "red handbag"),
        _item(21, "bag", "blue backpack, laptop inside"),
        _item(22, "bag", "blue backpack", when=T0 - 48 * H),  # found before it was lost
    ]
    ranked = rank(report, items, min_score=0.0)
    assert ranked[0].key == 21
    assert ranked[-1].key == 22 and ranked[-1].score == 0.0 and ranked[-1].parts["text"] == 1.0


def test_unknown_places_score_neutral_and_low_scores_are_dropped():
    match = score_pair(_report(1, "keys", "keys", lon=None, lat=None), _item(2, "keys", "keys"))
    assert match.parts["place"] == 0.5 and match.distance_m is None
    assert rank(_report(1, "keys", "keys"), [_item(3, "phone", "iPhone", when=T0 + 500 * H)]) == []


def test_kana_kanji_and_synonyms_compare_equal():
    from koban.analytics.algorithms.matching import normalise, tokens

    assert normalise("サイフ") == normalise("さいふ") == normalise("ｻｲﾌ") == "財布"
    assert normalise("スマホ") == normalise("スマートフォン") == normalise("携帯電話") == "携帯電話"
    assert normalise("携帯") == "携帯電話"  # not 携帯電話電話
    assert tokens("黒いサイフ") == tokens("黒い財布")
    assert tokens("ｽﾏﾎ 白") == tokens("携帯電話 白")
    # A table of one's own (a deployment abroad) replaces the default.
    assert normalise("carteira", {"carteira": "wallet"}) == "wallet"


def test_a_report_in_kana_finds_the_item_written_in_kanji():
    import datetime as dt

    from koban.analytics.algorithms.matching import Description, rank

    t = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
    report = Description(1, "wallet", "くろいサイフ", None, None, t - dt.timedelta(hours=3), t)
    right = Description(10, "wallet", "黒い財布 現金入り", None, None, t, t)
    phone = Description(11, "wallet", "白いスマホ", None, None, t, t)
    ranked = rank(report, [phone, right])
    assert ranked[0].key == 10 and "財布" in ranked[0].shared_tokens


def test_a_loss_report_typed_in_kana_matches_an_item_described_in_kanji():
    from koban.analytics.algorithms.matching import normalise

    pairs = [
        ("くろい さいふ", "黒い財布"),
        ("いえの かぎ", "家の鍵"),
        ("しろい けいたい", "白い携帯電話"),
        ("あおい かさ", "青い傘"),
        ("おりたたみがさ", "折り畳み傘"),
        ("ぎんの うでどけい", "銀の腕時計"),
        ("かわの てぶくろ", "革の手袋"),
        ("むぎわら ぼうし", "麦わら帽子"),
        ("こどもの じてんしゃ", "子供の自転車"),
        ("ていきいれ", "定期入れ"),
        ("けんこうほけんしょう", "保険証"),
    ]
    for kana, kanji in pairs:
        shared = tokens(kana) & tokens(kanji)
        assert shared, (kana, kanji)
        ranked = rank(
            _report(1, "other", kana), [_item(2, "other", kanji), _item(3, "other", "赤いマフラー")]
        )
        assert ranked and ranked[0].key == 2, (kana, kanji)
    # The longest reading wins: 腕時計, not 腕 + 時計; 免許証 from either reading.
    assert (
        normalise("うでどけい") == "腕時計"
        and normalise("めんきょ") == normalise("めんきょしょう") == "免許証"
    )
