"""Builders for lost-property tests: aware datetimes in Tokyo and items received on a given day."""

from __future__ import annotations

import datetime
from typing import Any

from koban.lostfound import services
from koban.lostfound.models import FoundItem, ItemCategory
from tests.clock import TOKYO, at

__all__ = ["TOKYO", "at", "category", "receive"]


def category(code: str) -> ItemCategory:
    return ItemCategory.objects.get(code=code)


def receive(actor: Any, box: Any, day: str = "2026-01-10", code: str = "wallet", **fields: Any) -> FoundItem:
    """An item found an hour before it was handed in on *day* at 10:00."""
    fields.setdefault("description", "黒い革の財布 black leather wallet")
    fields.setdefault("found_place", "駅前ロータリー")
    fields.setdefault("finder_name", "山田太郎")
    fields.setdefault("finder_contact", "090-1234-5678")
    handed = fields.pop("handed_in_at", at(day))
    return services.receive_item(
        actor,
        box,
        category=category(code),
        found_at=fields.pop("found_at", handed - datetime.timedelta(hours=1)),
        handed_in_at=handed,
        now=fields.pop("now", handed + datetime.timedelta(minutes=5)),
        **fields,
    )
