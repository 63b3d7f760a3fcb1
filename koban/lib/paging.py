"""Pages of the lists: every record reachable, without counting a whole year of a large force.

Counting every match of a common word (財布 among four million found items) costs more than showing the
first page of them. ``CappedPaginator`` counts at most ``COUNT_CAP`` + 1 rows: beyond that the list says
"more than 10,000" and pages on, and narrowing the filters gives the exact number again.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A Paginator whose ``count`` stops at ``COUNT_CAP`` + 1 (``capped`` then says so)."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        return int(self.object_list[: self.cap + 1].count())  # type: ignore[attr-defined]

    def page(self, number: Any) -> Any:
        """Page *number*, always of full size (Django's would end at the capped count)."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)  # type: ignore[attr-defined]

    @property
    def capped(self) -> bool:
        return self.count > self.cap


def page_of(object_list: Any, per_page: int, number: Any) -> Any:
    """The page *number* (forgiving: a bad number gives the first or last page) of *object_list*."""
    return CappedPaginator(object_list, per_page).get_page(number)
