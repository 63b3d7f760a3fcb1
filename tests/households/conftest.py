from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are checked in English; the deployment's default language is Japanese.
    with translation.override("en"):
        yield
