"""Many visit cards read by one user stand out in the unusual-reading report filtered to cards."""

from __future__ import annotations

from django.test import Client

from koban.audit.services import record_read
from koban.visitcards.models import VisitCard
from tests.factories import make_user
from tests.personas import Cast


def test_card_reading_report_finds_the_heavy_card_reader(cast: Cast, card_a: VisitCard) -> None:
    officers = [cast.officer_a, cast.officer_b] + [
        make_user("box_officer", f"peer{n}", agency=cast.agency, station=cast.north, box=cast.box_a)
        for n in range(3)
    ]
    for officer, cards in zip(officers, [60, 3, 2, 3, 2], strict=True):
        record_read(officer, [card_a] * cards, VisitCard.PERSONAL_FIELDS)
        if officer != cast.officer_a:
            record_read(officer, [cast.box_a] * 100, ["finder_name"])  # ordinary reading of other records
    client = Client()
    client.force_login(cast.chief_north)
    everything = client.get("/audit/unusual-reading/", {"days": 7, "k": 3, "min_count": 10})
    assert cast.officer_a not in [row.reader for row in everything.context["rows"]]
    cards = client.get(
        "/audit/unusual-reading/", {"days": 7, "k": 3, "min_count": 10, "kind": "visitcards.visitcard"}
    )
    assert [row.reader for row in cards.context["rows"]] == [cast.officer_a]
    assert cards.context["rows"][0].finding.count == 60
