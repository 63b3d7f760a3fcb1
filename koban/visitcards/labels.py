"""The card's own field labels in the four card languages (ja, en, zh, ko), shipped as data.

The site itself speaks Japanese and English through Django's translations; a card is shown and
printed with the labels of *its* language for the residents who read it (``VisitCard.language``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LABELS_FILE = Path(__file__).with_name("labels.json")


@cache
def all_labels() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads(LABELS_FILE.read_text(encoding="utf-8"))
    return data


def card_labels(language: str) -> dict[str, str]:
    """The labels of the card language *language* (Japanese for an unknown one)."""
    labels = all_labels()
    return labels.get(language, labels["ja"])
