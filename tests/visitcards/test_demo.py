"""The demo's visit cards: a share of the households, encrypted, some withdrawn, the oldest due for review."""

from __future__ import annotations

import io

from koban.demo.context import DemoContext
from koban.visitcards.demo import populate
from koban.visitcards.models import CardCustodian, VisitCard
from koban.visitcards.services import open_card
from tests import clock
from tests.personas import Cast
from tests.visitcards.conftest import make_household


def test_demo_cards_are_encrypted_and_plausible(cast: Cast) -> None:
    for n in range(120):
        make_household(cast, box="ab"[n % 2], address=f"本町{n}", dx=0.001 + (n % 8) * 0.001)
    context = DemoContext(seed=7, agency=cast.agency, now=clock.instant(), stdout=io.StringIO()).for_step(
        "visitcards"
    )
    summary = populate(context)
    cards = list(VisitCard.objects.all())
    assert 15 <= len(cards) <= 60, summary
    assert "visit cards for 120 households" in summary
    kept = [card for card in cards if card.has_contents]
    assert kept and all(card.key_id == "test-1" for card in kept)
    members = open_card("test", kept[0], what="test")["members"]
    assert members and members[0]["relationship"] == "本人"
    assert VisitCard.objects.flagged_for_review().exists()
    assert CardCustodian.objects.filter(box=cast.box_a, user=cast.officer_a).exists()
