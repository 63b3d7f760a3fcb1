"""Households of boxes A and B and a card of box A recorded by its officer, with consent."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.gis.geos import Point

from koban.households.models import Household
from koban.visitcards.services import CardInput, create_card
from tests.personas import LAT, LON, Cast

MEMBER = "山田 花子"
READING = "やまだ はなこ"
CONTACT_PHONE = "090-1234-5678"


def contents(name: str = MEMBER, needs_help: bool = True) -> dict[str, Any]:
    return {
        "members": [
            {
                "name": name,
                "reading": READING,
                "birth_date": "1941-04-03",
                "relationship": "本人",
                "needs_help": needs_help,
            },
            {
                "name": "山田 一郎",
                "reading": "やまだ いちろう",
                "birth_date": "1970-01-20",
                "relationship": "長男",
            },
        ],
        "contacts": [{"name": "山田 一郎", "relationship": "長男", "phone": CONTACT_PHONE}],
        "notes": "車椅子を使用。避難時は2階から介助が必要。",
    }


def make_household(cast: Cast, box: str = "a", address: str = "本町1-2-3", dx: float = 0.005) -> Household:
    box_obj, beat = getattr(cast, f"box_{box}"), getattr(cast, f"beat_{box}")
    offset = {"a": 0.0, "b": 0.01, "c": 0.02}[box]
    return Household.objects.create(
        agency=cast.agency,
        beat=beat,
        box=box_obj,
        point=Point(LON + offset + dx, LAT + 0.005, srid=4326),
        address=address,
        address_key=address,
        kind="house",
    )


@pytest.fixture
def household_a(cast: Cast) -> Household:
    return make_household(cast)


@pytest.fixture
def card_a(cast: Cast, household_a: Household):  # type: ignore[no-untyped-def]
    return create_card(
        cast.officer_a,
        household_a,
        CardInput("household", "ja", contents()),
        consent_scopes=["keep", "contact_family", "disaster"],
    )
