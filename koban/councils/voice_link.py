"""The councils' side of the residents' voice queue: categories, handing opinions over, reading back.

Opinions raised at a council meeting become voice requests (source "council") so that they are followed
to an action like any other request; the report back at the next meeting reads their state from there.
This module is the one place in councils that knows the voice app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from koban.councils.models import Opinion

# The categories of opinions councils raise (the residents' voice categories).
CATEGORIES: list[tuple[str, Any]] = [
    ("dark_street", _("Dark street")),
    ("speeding", _("Speeding and traffic")),
    ("suspicious_person", _("Suspicious person seen")),
    ("noise", _("Noise")),
    ("more_patrols", _("More patrols wanted")),
    ("praise", _("Praise")),
    ("complaint", _("Complaint")),
    ("other", _("Other")),
]


def category_codes() -> set[str]:
    return {code for code, _label in CATEGORIES}


def category_choices() -> list[tuple[str, Any]]:
    return list(CATEGORIES)


def category_label(code: str) -> str:
    return str(dict(CATEGORIES).get(code, code))


@dataclass(frozen=True)
class Outcome:
    """What became of an opinion: the state of its request and the results of its actions."""

    status: str
    status_label: str
    results: tuple[str, ...] = ()


def hand_over(actor: Any, opinion: Opinion) -> None:
    """File *opinion* as a council request in the voice queue (inside the caller's transaction)."""


def outcomes(opinions: list[Opinion]) -> dict[int, Outcome]:
    """The outcome of each opinion by id (one query for all)."""
    return {}
