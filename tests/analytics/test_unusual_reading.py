from __future__ import annotations

import pytest

from koban.analytics.algorithms.unusual_reading import unusual_readers


def test_one_reader_far_above_the_peers_is_flagged_with_a_robust_score() -> None:
    counts = {"a": 10, "b": 12, "c": 11, "d": 9, "e": 13, "f": 240}
    [found] = unusual_readers(counts, k=3)
    assert found.reader == "f" and found.count == 240
    assert found.peer_median == 11.5
    # MAD of [9, 10, 11, 12, 13, 240] around 11.5 is 1.5 → spread 2.2239.
    assert found.threshold == pytest.approx(11.5 + 3 * 1.5 * 1.4826)
    assert found.score == pytest.approx((240 - 11.5) / (1.5 * 1.4826))


def test_the_outlier_does_not_hide_itself_by_raising_the_spread() -> None:
    # With mean + 3 SD this reader would pass: the SD is inflated by the reader itself.
    counts = dict.fromkeys("abcdefg", 20) | {"h": 80}
    assert [r.reader for r in unusual_readers(counts)] == ["h"]


def test_similar_readers_and_small_counts_are_not_flagged() -> None:
    assert unusual_readers({"a": 5, "b": 5, "c": 5, "d": 6}) == []  # the floor on the spread
    assert unusual_readers({"a": 0, "b": 0, "c": 0, "d": 8}, min_count=10) == []


def test_groups_too_small_for_a_median_give_nothing() -> None:
    assert unusual_readers({"a": 1, "b": 500}) == []


def test_several_readers_come_highest_score_first() -> None:
    counts = {"a": 10, "b": 10, "c": 11, "d": 9, "e": 10, "f": 100, "g": 300}
    assert [r.reader for r in unusual_readers(counts)] == ["g", "f"]


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError):
        unusual_readers({"a": 1, "b": 2, "c": 3}, k=0)
