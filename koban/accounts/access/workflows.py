"""Permission questions of the API workflows (corrections, custody, network edits).

Kept in its own module so that the workflows' additions merge cleanly with the rest of the package.
"""

from __future__ import annotations

from koban.accounts.access.network import has_police_powers
from koban.accounts.models import User


def can_place_own_report(user: User, *, created_by_id: int | None, has_box: bool) -> bool:
    """Whether *user* may correct an incident no box is responsible for yet because they took it.

    An address-only call reaches no box, so nobody but HQ could correct it; the officer who took it
    may place it on the map (and correct what they wrote) until a box is responsible.
    """
    return has_police_powers(user) and not has_box and created_by_id is not None and user.pk == created_by_id
