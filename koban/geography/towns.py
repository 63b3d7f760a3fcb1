"""Finding a town area (町丁目) by its written name, to place records that carry no coordinates.

Police open data name each record's 町丁目 but give no point; the census names the same towns in its
own spelling. ``TownMatcher`` holds the town areas of the database keyed by municipality code and
normalised name (``koban.lib.areanames.area_key``), with each town's representative point (a point
inside it, not a centroid that may fall outside a crescent-shaped town). A name that matches nothing
gets the closest names of its municipality as suggestions, so an operator can see why.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.gis.db.models.functions import PointOnSurface

from koban.geography.models import AdminArea
from koban.lib.areanames import area_key


@dataclass(frozen=True)
class Town:
    """A town area as matching needs it: its id, code, name and a point inside it."""

    id: int
    code: str
    name: str
    lon: float
    lat: float


def municipality_of(area: AdminArea) -> str:
    """The municipality code of a town area: its parent's code, else the code's prefix (``12217-…``)."""
    if area.parent_id is not None and area.parent is not None:
        return area.parent.code
    return area.code.split("-", 1)[0]


class TownMatcher:
    """Town areas by (municipality code, normalised name)."""

    def __init__(self, towns: Iterable[tuple[str, Town]]) -> None:
        self.by_key: dict[tuple[str, str], Town] = {}
        self.names: dict[str, dict[str, str]] = {}  # municipality → normalised name → written name
        for municipality, town in towns:
            key = area_key(town.name)
            self.by_key.setdefault((municipality, key), town)
            self.names.setdefault(municipality, {})[key] = town.name

    @classmethod
    def load(cls, municipalities: Iterable[str] | None = None) -> TownMatcher:
        """The town areas of the database (of *municipalities* only, when given)."""
        areas = (
            AdminArea.objects.filter(level=AdminArea.Level.TOWN)
            .select_related("parent")
            .annotate(spot=PointOnSurface("geom"))
            .only("id", "code", "name", "parent__code")
            .order_by("code")
        )
        wanted = set(municipalities) if municipalities else None
        towns = []
        for area in areas:
            municipality = municipality_of(area)
            if wanted is None or municipality in wanted:
                towns.append((municipality, Town(area.pk, area.code, area.name, area.spot.x, area.spot.y)))
        return cls(towns)

    def __len__(self) -> int:
        return len(self.by_key)

    def match(self, municipality: str, name: str) -> Town | None:
        """The town *name* of *municipality* (a 5-digit code), however it is written; None if unknown."""
        return self.by_key.get((municipality[:5], area_key(name)))

    def has_municipality(self, municipality: str) -> bool:
        return municipality[:5] in self.names

    def suggestions(self, municipality: str, name: str, n: int = 3) -> list[str]:
        """The written names of the towns of *municipality* closest to *name* (for unmatched names)."""
        names = self.names.get(municipality[:5], {})
        close = difflib.get_close_matches(area_key(name), list(names), n=n, cutoff=0.5)
        return [names[key] for key in close]


# "旭町1-5-3": the first number after the town name is its chome.
_CHOME_DASH = re.compile(r"^(\D+?)(\d+)[-‐－ー−]")


def place_address(address: str) -> Town | None:
    """The town area an address lies in, from its written municipality and town names (None: unknown).

    The municipality is the one whose name the address contains (the longest, so 柏市 is not read in
    柏原市); its town is the longest town name the rest of the address starts with, so
    ``柏市旭町１丁目５番３号`` and ``千葉県柏市旭町1-5-3`` both find 旭町一丁目.
    """
    text = area_key(address)
    municipalities = [
        (area_key(m.name), m.code)
        for m in AdminArea.objects.filter(level=AdminArea.Level.MUNICIPALITY).only("name", "code")
    ]
    found = [(name, code) for name, code in municipalities if name and name in text]
    if not found:
        return None
    name, code = max(found, key=lambda item: len(item[0]))
    rest = text[text.index(name) + len(name) :]
    candidates = {rest, _CHOME_DASH.sub(r"\1\2丁目", rest)}
    matcher = TownMatcher.load([code])
    best: Town | None = None
    best_length = 0
    for (_municipality, key), town in matcher.by_key.items():
        if len(key) > best_length and any(c.startswith(key) for c in candidates):
            best, best_length = town, len(key)
    return best
