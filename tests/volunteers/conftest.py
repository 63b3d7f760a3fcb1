from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from tests import clock
from tests.accounts.matrix_community import Community, build_community


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are checked in English; the deployment's default language is Japanese.
    with translation.override("en"):
        yield


@pytest.fixture
def community(cast) -> Community:  # type: ignore[no-untyped-def]
    """Ekimae Patrol Team of box A (member with the login m_volunteer), its partner, one patrol."""
    return build_community(cast, clock.now())
