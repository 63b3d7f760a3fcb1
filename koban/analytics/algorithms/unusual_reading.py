"""Who read far more personal records than their peers: a robust outlier test on counts.

Each reader's count of personal records read in a window is compared with the median of the peer
group (e.g. all station chiefs of an agency). A count is unusual when it lies more than ``k`` robust
standard deviations above the median, the deviation being estimated by the median absolute deviation
(MAD × 1.4826, which equals the standard deviation for normally distributed counts). The MAD is not
pulled up by the very readers it should find, unlike the mean and the standard deviation. The default
``k = 3.5`` is the usual cut-off for this "modified z-score" (Iglewicz and Hoaglin).

A floor on the deviation (``min_spread``) keeps a group where everyone read about the same from
flagging the first reader with a few more; ``min_count`` ignores readers with too few reads to matter.
Pure Python: no Django, no database.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from statistics import median
from typing import Generic, TypeVar

MAD_TO_SD = 1.4826
Reader = TypeVar("Reader", bound=Hashable)


@dataclass(frozen=True)
class UnusualReader(Generic[Reader]):
    """A reader whose count stands out from the peers' median."""

    reader: Reader
    count: int
    peer_median: float
    threshold: float
    score: float  # robust standard deviations above the median


def unusual_readers(
    counts: Mapping[Reader, int],
    *,
    k: float = 3.5,
    min_spread: float = 1.0,
    min_count: int = 10,
) -> list[UnusualReader[Reader]]:
    """Readers whose count exceeds ``median + k × max(1.4826 × MAD, min_spread)``, highest score first.

    *counts* maps each reader of one peer group to the number of personal records they read in the
    window (readers who read nothing may be included with 0; they lower the median). Groups of fewer
    than three readers have no meaningful median and give no result.
    """
    if k <= 0 or min_spread <= 0:
        raise ValueError("k and min_spread must be positive")
    values = [int(v) for v in counts.values()]
    if len(values) < 3:
        return []
    centre = median(values)
    spread = max(MAD_TO_SD * median(abs(v - centre) for v in values), min_spread)
    threshold = centre + k * spread
    found = [
        UnusualReader(reader, count, float(centre), float(threshold), (count - centre) / spread)
        for reader, count in counts.items()
        if count > threshold and count >= min_count
    ]
    return sorted(found, key=lambda r: (-r.score, str(r.reader)))
